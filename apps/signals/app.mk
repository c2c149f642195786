APP_ARGS := all
