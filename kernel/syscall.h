/*
 * System calls, with Linux riscv64 numbers and semantics.  Each is
 * implemented honestly or is absent; an absent one returns -ENOSYS and is
 * logged the first time it is called.
 */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include <stdint.h>

#include "arch.h"

/* Run the call in a7 with a0..a5 and leave the result in a0. */
void syscall_handle(struct trap_frame *f);

typedef long (*syscall_fn)(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			   uint64_t a5);

#define SYSCALL_MAX 512
#define NR_rt_sigreturn 139 /* restores the whole frame: kernel/syscall.c calls signal_return */

/* Tables filled by the sys_*.c files, merged by syscall.c. */
void sys_fs_io_register(syscall_fn *table);
void sys_fs_fd_register(syscall_fn *table);
void sys_fs_path_register(syscall_fn *table);
void sys_fs_stat_register(syscall_fn *table);
void sys_process_register(syscall_fn *table);
void sys_memory_register(syscall_fn *table);
void sys_time_register(syscall_fn *table);
void sys_compart_register(syscall_fn *table);
void sys_thread_register(syscall_fn *table);
void sys_signal_register(syscall_fn *table);
void sys_poll_register(syscall_fn *table);
void sys_epoll_register(syscall_fn *table);

#endif
