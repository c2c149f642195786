/*
 * Error numbers, with the values Linux uses on riscv64.
 *
 * Kernel functions return 0 or a negated error number; system calls hand the
 * same value to the application, so the numbers must be Linux's, not the C
 * library's (picolibc's differ, e.g. ENOSYS).  The kernel never includes
 * <errno.h>; host tests may, and glibc's values are identical.
 */
#ifndef KERNEL_ERROR_H
#define KERNEL_ERROR_H

#ifndef EPERM
#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define ENXIO 6
#define E2BIG 7
#define ENOEXEC 8
#define EBADF 9
#define ECHILD 10
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define EXDEV 18
#define ENODEV 19
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define ENFILE 23
#define EMFILE 24
#define ENOTTY 25
#define EFBIG 27
#define ENOSPC 28
#define ESPIPE 29
#define EROFS 30
#define EMLINK 31
#define EPIPE 32
#define EDOM 33
#define ERANGE 34
#define ENAMETOOLONG 36
#define ENOSYS 38
#define ENOTEMPTY 39
#define ELOOP 40
#define ETIME 62
#define EBADMSG 74
#define EOVERFLOW 75
#define ENOTSUP 95
#define ETIMEDOUT 110
#define ESTALE 116
#endif

#endif
