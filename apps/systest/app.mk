# systest: time, uname, sysinfo, signal bookkeeping, futex (see systest.c);
# an argument, the host's `date +%s`, checks the wall clock against it (realtime.c).
APP_ARGS :=
