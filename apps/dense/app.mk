# dense: sequential use of ARGS MiB of heap.
APP_ARGS := 128
