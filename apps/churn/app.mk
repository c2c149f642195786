# churn: allocation churn (malloc/free, mmap/munmap, mremap); ARGS = rounds.
APP_ARGS := 20000
