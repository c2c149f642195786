/*
 * Reading and writing application memory from the kernel.  Every pointer an
 * application passes goes through these: they check the range lies in the
 * user half and turn any fault the vmm cannot resolve into -EFAULT.
 */
#ifndef PLATFORM_UACCESS_H
#define PLATFORM_UACCESS_H

#include <stddef.h>
#include <stdint.h>

#include "arch.h"

/* 0 or -EFAULT. */
int copy_from_user(void *dst, uint64_t usrc, size_t n);
int copy_to_user(uint64_t udst, const void *src, size_t n);
/* Copy a NUL-terminated string of at most MAX-1 bytes: its length, -EFAULT or -ENAMETOOLONG. */
long strncpy_from_user(char *dst, uint64_t usrc, size_t max);

/*
 * A page fault in the kernel on the user address F->stval (ACCESS: the vmm
 * right it wanted): 1 when it was one of these copies, which then resume
 * (the page brought in, or -EFAULT returned to the caller); 0 when not.
 */
int uaccess_fault(struct trap_frame *f, unsigned access);

#endif
