# bench: the application half of make bench (demand-fault costs).
APP_ARGS := 256
