# systest: time, uname, sysinfo, signal bookkeeping, futex (see systest.c).
APP_ARGS :=
