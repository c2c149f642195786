/*
 * Waiting for several descriptors: ppoll and pselect6 (riscv64 has no
 * poll or select: glibc builds them on these), and eventfd2.  How a wait
 * blocks and ends: kernel/poll.h.
 */
#include "kernel/error.h"
#include "kernel/fd.h"
#include "kernel/poll.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "kernel/sys_fs_util.h"
#include "machine.h"
#include "uaccess.h"

#define NR_eventfd2 19
#define NR_pselect6 72
#define NR_ppoll 73

#define EFD_SEMAPHORE 1
#define EFD_FLAGS (EFD_SEMAPHORE | O_CLOEXEC | O_NONBLOCK)

/* What select's three sets report (Linux's POLLIN_SET, POLLOUT_SET, POLLEX_SET). */
#define SELECT_READ (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define SELECT_WRITE (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define SELECT_EXCEPT POLLPRI

struct linux_pollfd {
	int32_t fd;
	int16_t events, revents;
};

static struct linux_pollfd pollfds[FD_MAX];
static uint64_t select_sets[3][FD_MAX / 64];

/* Fill in the revents of the N pollfds: how many have some; *CONSOLE whether console input could change one. */
static long poll_look(struct linux_pollfd *fds, uint64_t n, int *console)
{
	long found = 0;
	for (uint64_t i = 0; i < n; i++) {
		fds[i].revents = 0;
		if (fds[i].fd < 0)
			continue;
		struct file *f = fd_get(fds[i].fd);
		if (!f) {
			fds[i].revents = POLLNVAL;
		} else {
			unsigned want = (uint16_t)fds[i].events | POLLERR | POLLHUP;
			fds[i].revents = (int16_t)(file_poll(f, 0) & want);
			*console |= file_watches_console(f, 0);
		}
		found += fds[i].revents != 0;
	}
	return found;
}

/* In Linux's order: the timeout, the call's mask, then the descriptors (errors after the mask end it). */
static long sys_ppoll(uint64_t ufds, uint64_t nfds, uint64_t uts, uint64_t umask, uint64_t masksize,
		      uint64_t a5)
{
	uint64_t deadline;
	int err = poll_timeout(uts, &deadline);
	deadline = sched_call_deadline(deadline);
	if (!err)
		err = poll_call_mask(umask, masksize);
	if (err)
		return err;
	size_t bytes = (size_t)nfds * sizeof(pollfds[0]);
	int console = 0;
	long found;
	if (nfds > FD_MAX) /* Linux: beyond RLIMIT_NOFILE, whose soft limit is the table's size here */
		found = -EINVAL;
	else if (copy_from_user(pollfds, ufds, bytes))
		found = -EFAULT;
	else
		found = poll_look(pollfds, nfds, &console);
	if (found >= 0 && (found || deadline <= timer_now_ns()) && copy_to_user(ufds, pollfds, bytes))
		found = -EFAULT;
	return poll_many_result(found, deadline, console, uts);
}

/* The descriptors below N set in SETS[0..2] (a NULL set at user address 0): the ready ones, or -EBADF. */
static long select_look(uint64_t sets[3][FD_MAX / 64], const uint64_t usets[3], long n, int *console)
{
	static const unsigned wanted[3] = { SELECT_READ, SELECT_WRITE, SELECT_EXCEPT };
	uint64_t out[3][FD_MAX / 64] = { { 0 } };
	long found = 0;
	for (long fd = 0; fd < n; fd++) {
		uint64_t bit = 1ull << (fd % 64);
		int asked = 0;
		for (int s = 0; s < 3; s++)
			asked |= usets[s] && (sets[s][fd / 64] & bit);
		if (!asked)
			continue;
		struct file *f = fd_get(fd);
		if (!f)
			return -EBADF;
		unsigned ready = file_poll(f, 0);
		*console |= file_watches_console(f, 0);
		for (int s = 0; s < 3; s++)
			if (usets[s] && (sets[s][fd / 64] & bit) && (ready & wanted[s])) {
				out[s][fd / 64] |= bit;
				found++;
			}
	}
	for (int s = 0; s < 3; s++)
		for (long w = 0; w < (n + 63) / 64; w++)
			sets[s][w] = out[s][w];
	return found;
}

/* pselect6's sixth argument: the signal mask's address and size. */
struct linux_sigset_arg {
	uint64_t mask, size;
};

static long sys_pselect6(uint64_t nfds, uint64_t uin, uint64_t uout, uint64_t uex, uint64_t uts,
			 uint64_t usig)
{
	uint64_t deadline;
	struct linux_sigset_arg sig = { 0, 0 };
	int err = poll_timeout(uts, &deadline);
	deadline = sched_call_deadline(deadline);
	if (!err && usig && copy_from_user(&sig, usig, sizeof(sig)))
		err = -EFAULT;
	if (!err)
		err = poll_call_mask(sig.mask, sig.size);
	if (err)
		return err;
	long n = (long)(int)nfds;
	if (n > FD_MAX)
		n = FD_MAX; /* as Linux, the descriptor table's size */
	const uint64_t usets[3] = { uin, uout, uex };
	size_t bytes = n > 0 ? (size_t)(n + 63) / 64 * sizeof(uint64_t) : 0;
	int console = 0;
	long found = n < 0 ? -EINVAL : 0;
	for (int s = 0; s < 3 && found == 0; s++)
		if (usets[s] && copy_from_user(select_sets[s], usets[s], bytes))
			found = -EFAULT;
	if (found == 0)
		found = select_look(select_sets, usets, n, &console);
	if (found >= 0 && (found || deadline <= timer_now_ns()))
		for (int s = 0; s < 3; s++)
			if (usets[s] && copy_to_user(usets[s], select_sets[s], bytes))
				found = -EFAULT;
	return poll_many_result(found, deadline, console, uts);
}

static long sys_eventfd2(uint64_t initval, uint64_t flags, uint64_t a2, uint64_t a3, uint64_t a4,
			 uint64_t a5)
{
	if (flags & ~(uint64_t)EFD_FLAGS)
		return -EINVAL;
	struct file *f = file_eventfd((uint32_t)initval, flags & EFD_SEMAPHORE, (int)flags);
	if (!f)
		return -ENOMEM;
	long fd = fd_install(f, 0, flags & O_CLOEXEC);
	file_put(f);
	return fd;
}

void sys_poll_register(syscall_fn *t)
{
	t[NR_ppoll] = sys_ppoll;
	t[NR_pselect6] = sys_pselect6;
	t[NR_eventfd2] = sys_eventfd2;
}
