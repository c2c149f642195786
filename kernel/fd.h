/*
 * Open files and the process's descriptor table.
 *
 * A struct file is an open file description (offset, status flags), shared
 * by the descriptors dup made of it: a file system node (regular file,
 * directory, character device), one end of a pipe (kernel/pipe.h), an
 * eventfd (kernel/eventfd.h) or an epoll instance (kernel/epoll.h).
 *
 * file_read and file_write never block: where Linux would wait they return
 * -EAGAIN, and the system call, unless O_NONBLOCK, blocks the thread until
 * the file changes and is made again (kernel/poll.h).
 */
#ifndef KERNEL_FD_H
#define KERNEL_FD_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/fs.h"
#include "kernel/pipe.h"

#define FD_MAX 1024 /* as RLIMIT_NOFILE's soft limit; beyond it -EMFILE */

#ifndef SEEK_SET
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#endif
#ifndef SEEK_DATA
#define SEEK_DATA 3
#define SEEK_HOLE 4
#endif

enum file_kind { FILE_NODE, FILE_PIPE, FILE_EVENTFD, FILE_EPOLL };

struct file {
	unsigned refs;
	int flags;               /* O_ACCMODE and the status flags (O_APPEND, O_NONBLOCK, ...) */
	uint64_t off;            /* directories: the fs_readdir cookie */
	uint64_t id;             /* no other file has it, ever */
	enum file_kind kind;
	struct fs_node *node;    /* FILE_NODE; NULL for the others */
	struct pipe *pipe;       /* FILE_PIPE: one end of it (O_WRONLY: the write end) */
	struct eventfd *eventfd; /* FILE_EVENTFD */
	struct epoll *epoll;     /* FILE_EPOLL */
};

/* Forget every descriptor and open fds 0 (read), 1 and 2 (write) on /dev/console. 0 or errno. */
int fd_init(void);

/* The file behind FD, or NULL (-EBADF). */
struct file *fd_get(long fd);
/*
 * Which opening of descriptor FD this is: each install, dup onto it or
 * close gives the slot a new number, never used before; 0 while FD is
 * closed.  An epoll item names its file by descriptor and this number, so a
 * descriptor closed and opened again is not the item's any more.
 */
uint64_t fd_opening(long fd);
/*
 * The same for a call on the file's contents or state (read, write, lseek,
 * getdents, fsync, truncate, chmod, ioctl ...): NULL also for an O_PATH
 * descriptor, which only names its node (Linux's fdget against fdget_raw).
 */
struct file *fd_get_io(long fd);
/* Put F at the lowest free descriptor >= MIN: the descriptor or -EMFILE.  Takes a reference. */
long fd_install(struct file *f, long min, int cloexec);
int fd_close(long fd);
/* dup3: NEWFD becomes a copy of OLDFD (NEWFD closed first); NEWFD or an errno. */
long fd_dup_to(long oldfd, long newfd, int cloexec);
int fd_cloexec(long fd);
void fd_set_cloexec(long fd, int on);

/* A description of NODE (whose open the caller holds: the file takes it over). NULL: -ENOMEM. */
struct file *file_new(struct fs_node *node, int flags);
/* Both ends of a new pipe, each with one reference; 0 or -ENOMEM. */
int file_pipe(int flags, struct file **rd, struct file **wr);
/* A description of a new eventfd (EFD_SEMAPHORE in SEMAPHORE), or of a new epoll: NULL is -ENOMEM. */
struct file *file_eventfd(uint64_t initval, int semaphore, int flags);
struct file *file_epoll(int flags);
void file_get(struct file *f);
void file_put(struct file *f);

/* Read or write at OFF, or at the file's offset (advancing it) when OFF is -1; -EAGAIN where Linux would wait. */
long file_read(struct file *f, void *buf, size_t n, int64_t off);
long file_write(struct file *f, const void *buf, size_t n, int64_t off);
/* Undo the advance of a read or write whose bytes could not be copied to or from the application. */
void file_unadvance(struct file *f, size_t n);
int64_t file_lseek(struct file *f, int64_t off, int whence);

#endif
