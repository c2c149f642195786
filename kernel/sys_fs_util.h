/*
 * What the file system calls (kernel/sys_fs_*.c) share: descriptor and
 * path arguments, the working directory, and the *at convention of a path
 * relative to a directory descriptor.
 *
 * The process runs as root: modes are recorded but refuse nothing.  Paths
 * and buffers are copied through uaccess.  One system call runs at a time,
 * so one path buffer serves them all.
 */
#ifndef KERNEL_SYS_FS_UTIL_H
#define KERNEL_SYS_FS_UTIL_H

#include <stdint.h>

#include "kernel/fd.h"
#include "kernel/fs.h"

#define AT_FDCWD (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_NO_AUTOMOUNT 0x800
#define AT_EMPTY_PATH 0x1000

/* The buffer path arguments are copied into (at_path, at_node). */
extern char path_buf[FS_PATH_MAX];

/* Descriptor arguments are C ints. */
long fdarg(uint64_t v);

struct fs_node *working_dir(void);
void set_working_dir(struct fs_node *n);

/* Copy the application's path UPATH into BUF: 0, -EFAULT or -ENAMETOOLONG. */
long get_path(char *buf, uint64_t upath);
/* The open directory FD names: 0 and *OUT, -EBADF or -ENOTDIR. */
int fd_dir(uint64_t fd, struct file **out);
/* Where PATH starts: the working directory (absolute or AT_FDCWD) or DIRFD's directory. */
int at_base(long dirfd, const char *path, struct fs_node **base);
/* Copy in the path and find its starting directory: 0 or an errno. */
long at_path(uint64_t dirfd, uint64_t upath, char *buf, struct fs_node **base);
/*
 * The node DIRFD+UPATH names (the path goes to path_buf).  With
 * AT_EMPTY_PATH in FLAGS, "" names DIRFD itself and *FOUT its file (whose
 * node is NULL for a pipe); otherwise *FOUT is NULL.
 */
long at_node(uint64_t dirfd, uint64_t upath, uint64_t flags, struct fs_node **out,
	     struct file **fout);

#endif
