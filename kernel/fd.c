/* Open file descriptions and the descriptor table (kernel/fd.h). */
#include "kernel/fd.h"

#include <string.h>

#include "kernel/epoll.h"
#include "kernel/error.h"
#include "kernel/eventfd.h"
#include "kernel/heap.h"
#include "kernel/tty.h"

static struct file *table[FD_MAX];
static uint8_t cloexec[FD_MAX];
static uint64_t opening[FD_MAX]; /* fd_opening: 0 while closed */
static uint64_t last_file_id, last_opening;

struct file *fd_get(long fd)
{
	return fd >= 0 && fd < FD_MAX ? table[fd] : NULL;
}

uint64_t fd_opening(long fd)
{
	return fd_get(fd) ? opening[fd] : 0;
}

struct file *fd_get_io(long fd)
{
	struct file *f = fd_get(fd);
	return f && !(f->flags & O_PATH) ? f : NULL;
}

void file_get(struct file *f)
{
	f->refs++;
}

void file_put(struct file *f)
{
	if (--f->refs)
		return;
	switch (f->kind) {
	case FILE_NODE:
		fs_release(f->node);
		break;
	case FILE_PIPE:
		pipe_close_end(f->pipe, (f->flags & O_ACCMODE) == O_WRONLY);
		break;
	case FILE_EVENTFD:
		eventfd_free(f->eventfd);
		break;
	case FILE_EPOLL:
		epoll_free(f->epoll);
		break;
	}
	kfree(f);
}

/* A description of KIND with FLAGS and one reference (its object still to be set), or NULL. */
static struct file *file_alloc(enum file_kind kind, int flags)
{
	struct file *f = kzalloc(sizeof(*f));
	if (!f)
		return NULL;
	f->refs = 1;
	f->flags = flags;
	f->kind = kind;
	f->id = ++last_file_id;
	return f;
}

struct file *file_new(struct fs_node *node, int flags)
{
	struct file *f = file_alloc(FILE_NODE, flags);
	if (f)
		f->node = node;
	return f;
}

int file_pipe(int flags, struct file **rd, struct file **wr)
{
	struct pipe *p = pipe_new();
	struct file *r = file_alloc(FILE_PIPE, O_RDONLY | (flags & O_NONBLOCK));
	struct file *w = file_alloc(FILE_PIPE, O_WRONLY | (flags & O_NONBLOCK));
	if (!p || !r || !w) {
		if (p) {
			pipe_close_end(p, 0);
			pipe_close_end(p, 1);
		}
		kfree(r);
		kfree(w);
		return -ENOMEM;
	}
	r->pipe = w->pipe = p;
	*rd = r;
	*wr = w;
	return 0;
}

struct file *file_eventfd(uint64_t initval, int semaphore, int flags)
{
	struct eventfd *e = eventfd_new(initval, semaphore);
	struct file *f = file_alloc(FILE_EVENTFD, O_RDWR | (flags & O_NONBLOCK));
	if (!e || !f) {
		if (e)
			eventfd_free(e);
		kfree(f);
		return NULL;
	}
	f->eventfd = e;
	return f;
}

struct file *file_epoll(int flags)
{
	struct epoll *ep = epoll_new();
	struct file *f = file_alloc(FILE_EPOLL, O_RDWR | (flags & O_NONBLOCK));
	if (!ep || !f) {
		if (ep)
			epoll_free(ep);
		kfree(f);
		return NULL;
	}
	f->epoll = ep;
	return f;
}

long fd_install(struct file *f, long min, int on)
{
	for (long fd = min < 0 ? 0 : min; fd < FD_MAX; fd++)
		if (!table[fd]) {
			table[fd] = f;
			cloexec[fd] = !!on;
			opening[fd] = ++last_opening;
			file_get(f);
			return fd;
		}
	return -EMFILE;
}

int fd_close(long fd)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	table[fd] = NULL;
	cloexec[fd] = 0;
	opening[fd] = 0;
	file_put(f);
	return 0;
}

long fd_dup_to(long oldfd, long newfd, int on)
{
	struct file *f = fd_get(oldfd);
	if (!f)
		return -EBADF;
	if (newfd < 0 || newfd >= FD_MAX)
		return -EBADF;
	file_get(f);
	if (table[newfd])
		fd_close(newfd);
	table[newfd] = f;
	cloexec[newfd] = !!on;
	opening[newfd] = ++last_opening;
	return newfd;
}

int fd_cloexec(long fd)
{
	return fd_get(fd) ? cloexec[fd] : 0;
}

void fd_set_cloexec(long fd, int on)
{
	if (fd_get(fd))
		cloexec[fd] = !!on;
}

int fd_init(void)
{
	for (long fd = 0; fd < FD_MAX; fd++)
		if (table[fd])
			fd_close(fd);
	int err = 0;
	struct fs_node *console = fs_lookup(fs_root(), "/dev/console", &err);
	if (!console)
		return err;
	for (long fd = 0; fd < 3; fd++) {
		fs_hold(console);
		struct file *f = file_new(console, fd == 0 ? O_RDONLY : O_WRONLY);
		if (!f) {
			fs_release(console);
			return -ENOMEM;
		}
		fd_install(f, fd, 0);
		file_put(f); /* the table's reference is the only one */
	}
	return 0;
}

long file_read(struct file *f, void *buf, size_t n, int64_t off)
{
	if ((f->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	if (f->kind != FILE_NODE && off >= 0)
		return -ESPIPE;
	switch (f->kind) {
	case FILE_PIPE:
		return pipe_read(f->pipe, buf, n);
	case FILE_EVENTFD:
		return eventfd_read(f->eventfd, buf, n);
	case FILE_EPOLL:
		return -EINVAL;
	case FILE_NODE:
		break;
	}
	if (f->node->dev == FS_DEV_CONSOLE)
		return tty_read(buf, n);
	long got = fs_read(f->node, off >= 0 ? (uint64_t)off : f->off, buf, n);
	if (got > 0 && off < 0)
		f->off += (uint64_t)got;
	return got;
}

long file_write(struct file *f, const void *buf, size_t n, int64_t off)
{
	if ((f->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if (f->kind != FILE_NODE && off >= 0)
		return -ESPIPE;
	switch (f->kind) {
	case FILE_PIPE:
		return pipe_write(f->pipe, buf, n);
	case FILE_EVENTFD:
		return eventfd_write(f->eventfd, buf, n);
	case FILE_EPOLL:
		return -EINVAL;
	case FILE_NODE:
		break;
	}
	uint64_t at = off >= 0 ? (uint64_t)off : f->off;
	if (off < 0 && (f->flags & O_APPEND))
		at = f->node->size;
	long put = fs_write(f->node, at, buf, n);
	if (put > 0 && off < 0 && fs_is_reg(f->node))
		f->off = at + (uint64_t)put;
	return put;
}

void file_unadvance(struct file *f, size_t n)
{
	if (f->node && fs_is_reg(f->node) && f->off >= n)
		f->off -= n;
}

/*
 * As Linux's shmem_file_llseek (generic_file_llseek_size, and pages for
 * SEEK_DATA/SEEK_HOLE) and, for directories, dcache_dir_lseek: a position
 * that would be negative or overflow is -EINVAL.
 */
int64_t file_lseek(struct file *f, int64_t off, int whence)
{
	struct fs_node *n = f->node;
	if (!n || n->dev == FS_DEV_CONSOLE)
		return -ESPIPE;
	if ((n->mode & S_IFMT) == S_IFCHR) {
		f->off = 0; /* like Linux's null_lseek (null, zero) */
		return 0;
	}
	int64_t base, pos;
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)f->off;
		break;
	case SEEK_END:
	case SEEK_DATA:
	case SEEK_HOLE:
		if (fs_is_dir(n))
			return -EINVAL;
		if (whence == SEEK_END) {
			base = (int64_t)n->size;
			break;
		}
		if (off < 0)
			return -ENXIO;
		pos = fs_seek_data(n, (uint64_t)off, whence == SEEK_HOLE);
		if (pos >= 0)
			f->off = (uint64_t)pos;
		return pos;
	default:
		return -EINVAL;
	}
	if (__builtin_add_overflow(base, off, &pos) || pos < 0)
		return -EINVAL;
	f->off = (uint64_t)pos;
	return pos;
}
