# crash: faults on purpose (see crash.c); the tests pass the way as ARGS.
APP_ARGS := null
