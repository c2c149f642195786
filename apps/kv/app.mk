# kv: an in-memory key-value store; ARGS = operations keys.
APP_ARGS := 200000 50000
