# abuse: system calls with hostile arguments (see abuse.c).
APP_ARGS := 10000
