# hello: prints a greeting and its arguments, exits 0.
APP_ARGS := world
