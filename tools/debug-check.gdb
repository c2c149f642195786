# tests/run's debug cases: GDB_BATCH=tools/debug-check.gdb make debug APP=hello.
# A kernel breakpoint reached only once the application runs, hit twice (the
# second continue steps over the first breakpoint: what hung QEMU under
# -icount sleep=off), then the application's main (a user symbol), then the
# guest runs to its end and QEMU exits.
break syscall_handle
continue
continue
delete
break main
continue
delete
continue
