# The generic core.
KERNEL_SRCS := kernel/main.c kernel/fdt.c kernel/fdt_format.c kernel/fdt_stdout.c kernel/frame.c kernel/frame_layout.c kernel/heap.c \
               kernel/console.c kernel/panic.c kernel/ksyms.c kernel/random.c \
               kernel/elf.c kernel/exec.c kernel/syscall.c kernel/fs.c kernel/fs_tree.c kernel/fs_data.c \
               kernel/fd.c kernel/sys_fs_util.c kernel/sys_fs_io.c kernel/sys_fs_fd.c kernel/sys_fs_path.c \
               kernel/sys_fs_stat.c kernel/sys_compart.c \
               kernel/sys_process.c kernel/sys_memory.c kernel/stats.c kernel/u64map.c kernel/selftest.c \
               kernel/sys_time.c kernel/timeout.c kernel/sys_thread.c kernel/thread.c kernel/sched.c kernel/futex.c kernel/rtc.c kernel/signal.c kernel/itimer.c kernel/sys_signal.c kernel/resume.c kernel/sigreturn.S \
               kernel/pipe.c kernel/eventfd.c kernel/epoll.c kernel/waitable.c kernel/file_ready.c kernel/poll.c kernel/sys_poll.c kernel/sys_epoll.c kernel/tty.c kernel/tty_line.c
