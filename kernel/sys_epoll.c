/* epoll_create1, epoll_ctl, epoll_pwait and epoll_pwait2 (kernel/epoll.h; waiting: kernel/poll.h). */
#include "kernel/epoll.h"
#include "kernel/error.h"
#include "kernel/fd.h"
#include "kernel/poll.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "kernel/sys_fs_util.h"
#include "machine.h"
#include "uaccess.h"

#define NR_epoll_create1 20
#define NR_epoll_ctl 21
#define NR_epoll_pwait 22
#define NR_epoll_pwait2 441

#define EPOLL_MAX_EVENTS (0x7fffffff / (int)sizeof(struct epoll_event)) /* Linux's EP_MAX_EVENTS */

static struct epoll_batch batch;

static long sys_epoll_create1(uint64_t flags, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			      uint64_t a5)
{
	if (flags & ~(uint64_t)O_CLOEXEC)
		return -EINVAL;
	struct file *f = file_epoll(0);
	if (!f)
		return -ENOMEM;
	long fd = fd_install(f, 0, flags & O_CLOEXEC);
	file_put(f);
	return fd;
}

/* The epoll open on EPFD: 0 and *EP, -EBADF, or -EINVAL when EPFD is another kind of file. */
static long epoll_arg(uint64_t epfd, struct file **ep)
{
	struct file *f = fd_get(fdarg(epfd));
	if (!f)
		return -EBADF;
	if (f->kind != FILE_EPOLL)
		return -EINVAL;
	*ep = f;
	return 0;
}

static long sys_epoll_ctl(uint64_t epfd, uint64_t op, uint64_t fd, uint64_t uevent, uint64_t a4,
			  uint64_t a5)
{
	struct epoll_event ev = { 0, 0 };
	if (op != EPOLL_CTL_DEL && copy_from_user(&ev, uevent, sizeof(ev)))
		return -EFAULT;
	struct file *self = fd_get(fdarg(epfd)), *target = fd_get(fdarg(fd));
	if (!self || !target)
		return -EBADF;
	if (self->kind != FILE_EPOLL)
		return -EINVAL;
	return epoll_ctl(self->epoll, self, (int)op, fdarg(fd), target, ev.events, ev.data);
}

/* Both waits, with the deadline their timeout gives (when not being made again). */
static long epoll_wait_until(uint64_t epfd, uint64_t uevents, uint64_t max, uint64_t deadline,
			     uint64_t umask, uint64_t masksize)
{
	int n = (int)max;
	if (n <= 0 || n > EPOLL_MAX_EVENTS)
		return -EINVAL;
	if ((uint64_t)n * sizeof(struct epoll_event) > USER_TOP ||
	    uevents > USER_TOP - (uint64_t)n * sizeof(struct epoll_event))
		return -EFAULT;
	struct file *f;
	long err = epoll_arg(epfd, &f);
	if (err)
		return err;
	deadline = sched_call_deadline(deadline);
	err = poll_call_mask(umask, masksize);
	if (err)
		return err;
	long found = epoll_look(f->epoll, &batch, n);
	if (found > 0) {
		if (copy_to_user(uevents, batch.events, (size_t)found * sizeof(struct epoll_event)))
			found = -EFAULT; /* nothing marked reported: the events are still there */
		else
			epoll_consume(f->epoll, &batch);
	}
	return poll_many_result(found, deadline, file_watches_console(f, 0), 0);
}

static long sys_epoll_pwait(uint64_t epfd, uint64_t uevents, uint64_t max, uint64_t timeout,
			    uint64_t umask, uint64_t masksize)
{
	int ms = (int)timeout;
	uint64_t deadline = ms < 0 ? NO_DEADLINE : timer_now_ns() + (uint64_t)ms * 1000000u;
	return epoll_wait_until(epfd, uevents, max, deadline, umask, masksize);
}

static long sys_epoll_pwait2(uint64_t epfd, uint64_t uevents, uint64_t max, uint64_t uts,
			     uint64_t umask, uint64_t masksize)
{
	uint64_t deadline;
	int err = poll_timeout(uts, &deadline);
	if (err)
		return err;
	return epoll_wait_until(epfd, uevents, max, deadline, umask, masksize);
}

void sys_epoll_register(syscall_fn *t)
{
	t[NR_epoll_create1] = sys_epoll_create1;
	t[NR_epoll_ctl] = sys_epoll_ctl;
	t[NR_epoll_pwait] = sys_epoll_pwait;
	t[NR_epoll_pwait2] = sys_epoll_pwait2;
}
