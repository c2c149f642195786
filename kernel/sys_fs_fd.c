/*
 * The descriptor table itself: close, dup, dup3, pipe2, fcntl and ioctl.
 * There is one process and no terminal, so locks always succeed and
 * terminal ioctls answer -ENOTTY.
 */
#include "kernel/error.h"
#include "kernel/syscall.h"
#include "kernel/sys_fs_util.h"
#include "uaccess.h"

#define NR_dup 23
#define NR_dup3 24
#define NR_fcntl 25
#define NR_ioctl 29
#define NR_close 57
#define NR_pipe2 59

#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#define F_DUPFD_CLOEXEC 1030
#define F_GETPIPE_SZ 1032
#define FD_CLOEXEC 1
#define F_UNLCK 2
#define FIONREAD 0x541b
#define FIONBIO 0x5421
#define FIONCLEX 0x5450
#define FIOCLEX 0x5451

static long sys_close(uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		      uint64_t a5)
{
	return fd_close(fdarg(fd));
}

static long sys_dup(uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct file *f = fd_get(fdarg(fd));
	return f ? fd_install(f, 0, 0) : -EBADF;
}

static long sys_dup3(uint64_t oldfd, uint64_t newfd, uint64_t flags, uint64_t a3, uint64_t a4,
		     uint64_t a5)
{
	if (flags & ~(uint64_t)O_CLOEXEC)
		return -EINVAL;
	if (fdarg(oldfd) == fdarg(newfd))
		return fd_get(fdarg(oldfd)) ? -EINVAL : -EBADF;
	return fd_dup_to(fdarg(oldfd), fdarg(newfd), !!(flags & O_CLOEXEC));
}

static long sys_pipe2(uint64_t ufds, uint64_t flags, uint64_t a2, uint64_t a3, uint64_t a4,
		      uint64_t a5)
{
	struct file *r, *w;
	if (flags & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	int err = file_pipe((int)flags, &r, &w);
	if (err)
		return err;
	long rfd = fd_install(r, 0, flags & O_CLOEXEC);
	long wfd = rfd < 0 ? rfd : fd_install(w, 0, flags & O_CLOEXEC);
	file_put(r);
	file_put(w);
	if (wfd < 0) {
		if (rfd >= 0)
			fd_close(rfd);
		return wfd;
	}
	int fds[2] = { (int)rfd, (int)wfd };
	if (copy_to_user(ufds, fds, sizeof(fds)) != 0) {
		fd_close(rfd);
		fd_close(wfd);
		return -EFAULT;
	}
	return 0;
}

static long sys_fcntl(uint64_t fd, uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4,
		      uint64_t a5)
{
	long n = fdarg(fd);
	struct file *f = fd_get(n);
	if (!f)
		return -EBADF;
	/* An O_PATH descriptor only names a node: Linux's check_fcntl_cmd. */
	if ((f->flags & O_PATH) && cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC && cmd != F_GETFD &&
	    cmd != F_SETFD && cmd != F_GETFL)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if ((int64_t)arg < 0 || arg >= FD_MAX)
			return -EINVAL;
		return fd_install(f, (long)arg, cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return fd_cloexec(n) ? FD_CLOEXEC : 0;
	case F_SETFD:
		fd_set_cloexec(n, arg & FD_CLOEXEC);
		return 0;
	case F_GETFL:
		return f->flags;
	case F_SETFL: {
		int change = O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME;
		f->flags = (f->flags & ~change) | ((int)arg & change);
		return 0;
	}
	case F_GETLK: { /* one process: nothing else ever holds a lock */
		int16_t type = F_UNLCK;
		return copy_to_user(arg, &type, sizeof(type));
	}
	case F_SETLK:
	case F_SETLKW:
		return 0;
	case F_GETPIPE_SZ:
		return f->pipe ? PIPE_SIZE : -EBADF;
	default:
		return -EINVAL;
	}
}

static long sys_ioctl(uint64_t fd, uint64_t req, uint64_t arg, uint64_t a3, uint64_t a4,
		      uint64_t a5)
{
	long n = fdarg(fd);
	struct file *f = fd_get_io(n);
	if (!f)
		return -EBADF;
	switch ((uint32_t)req) {
	case FIOCLEX:
	case FIONCLEX:
		fd_set_cloexec(n, req == FIOCLEX);
		return 0;
	case FIONBIO: {
		int on;
		if (copy_from_user(&on, arg, sizeof(on)))
			return -EFAULT;
		f->flags = on ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
		return 0;
	}
	case FIONREAD: {
		int avail;
		if (f->pipe)
			avail = (int)f->pipe->len;
		else if (f->node && fs_is_reg(f->node))
			avail = f->node->size > f->off ? (int)(f->node->size - f->off) : 0;
		else
			return -ENOTTY;
		return copy_to_user(arg, &avail, sizeof(avail));
	}
	default: /* no terminals: TCGETS and the rest */
		return -ENOTTY;
	}
}

void sys_fs_fd_register(syscall_fn *t)
{
	t[NR_dup] = sys_dup;
	t[NR_dup3] = sys_dup3;
	t[NR_fcntl] = sys_fcntl;
	t[NR_ioctl] = sys_ioctl;
	t[NR_close] = sys_close;
	t[NR_pipe2] = sys_pipe2;
}
