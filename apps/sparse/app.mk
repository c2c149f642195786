# sparse: random pages of a large mapping; ARGS = MiB touches.
APP_ARGS := 4096 4096
