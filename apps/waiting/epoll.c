/*
 * epoll: creation and the interest list's refusals (EEXIST, ENOENT, EPERM,
 * EINVAL, ELOOP, EBADF), then what epoll_wait reports: level and edge
 * triggering, one-shot, the caller's data, timeouts, a wake-up by another
 * thread, a nested epoll, a signal (EINTR under SA_RESTART), and a watched
 * pipe that disappears when its only descriptor closes.
 */
#include "waiting.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

static int watch(int ep, int op, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };
	return epoll_ctl(ep, op, fd, &ev);
}

void check_epoll(void)
{
	int ep = epoll_create1(0);
	CHECK(ep >= 0, "epoll_create1(0)");
	int cloexec = epoll_create1(EPOLL_CLOEXEC);
	CHECK(cloexec >= 0 && (fcntl(cloexec, F_GETFD) & FD_CLOEXEC), "epoll_create1(EPOLL_CLOEXEC) sets FD_CLOEXEC");
	CHECK(fcntl(ep, F_GETFD) == 0, "epoll_create1(0) leaves FD_CLOEXEC clear");
	CHECK(epoll_create1(1) == -1 && errno == EINVAL, "epoll_create1 with an unknown flag fails with EINVAL");

	int p[2];
	CHECK(pipe(p) == 0, "pipe");
	CHECK(watch(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 1) == 0, "EPOLL_CTL_ADD of a pipe");
	CHECK(watch(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 1) == -1 && errno == EEXIST, "a second EPOLL_CTL_ADD of the same fd fails with EEXIST");
	CHECK(watch(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLOUT, 2) == 0, "EPOLL_CTL_MOD of a watched fd");
	CHECK(watch(ep, EPOLL_CTL_MOD, p[1], EPOLLOUT, 3) == -1 && errno == ENOENT, "EPOLL_CTL_MOD of an fd not added fails with ENOENT");
	CHECK(watch(ep, EPOLL_CTL_DEL, p[1], 0, 0) == -1 && errno == ENOENT, "EPOLL_CTL_DEL of an fd not added fails with ENOENT");
	CHECK(watch(ep, EPOLL_CTL_DEL, p[0], 0, 0) == 0, "EPOLL_CTL_DEL of a watched fd");
	CHECK(watch(ep, EPOLL_CTL_DEL, p[0], 0, 0) == -1 && errno == ENOENT, "a second EPOLL_CTL_DEL fails with ENOENT");

	char path[64];
	snprintf(path, sizeof(path), "/tmp/waiting-epoll.%d", (int)getpid());
	int file = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(file >= 0, "create a regular file in /tmp");
	CHECK(watch(ep, EPOLL_CTL_ADD, file, EPOLLIN, 0) == -1 && errno == EPERM, "EPOLL_CTL_ADD of a regular file fails with EPERM");
	CHECK(epoll_ctl(file, EPOLL_CTL_ADD, p[0], &(struct epoll_event){ .events = EPOLLIN }) == -1 && errno == EINVAL,
	      "epoll_ctl on a descriptor that is not an epoll fails with EINVAL");
	close(file);
	unlink(path);
	CHECK(watch(ep, EPOLL_CTL_ADD, ep, EPOLLIN, 0) == -1 && errno == EINVAL, "an epoll watching itself fails with EINVAL");
	CHECK(watch(ep, 99, p[0], EPOLLIN, 0) == -1 && errno == EINVAL, "an unknown epoll_ctl operation fails with EINVAL");

	/* A watches B, then B watches A: a loop of epolls, refused. */
	CHECK(watch(ep, EPOLL_CTL_ADD, cloexec, EPOLLIN, 0) == 0, "an epoll watching another epoll");
	CHECK(watch(cloexec, EPOLL_CTL_ADD, ep, EPOLLIN, 0) == -1 && errno == ELOOP, "an epoll loop (A watches B, B watches A) fails with ELOOP");

	int closed = dup(p[0]);
	close(closed);
	CHECK(watch(ep, EPOLL_CTL_ADD, closed, EPOLLIN, 0) == -1 && errno == EBADF, "EPOLL_CTL_ADD of a closed fd fails with EBADF");
	CHECK(watch(closed, EPOLL_CTL_ADD, p[0], EPOLLIN, 0) == -1 && errno == EBADF, "epoll_ctl on a closed epoll fd fails with EBADF");

	struct epoll_event out[4];
	CHECK(epoll_wait(ep, out, 0, 0) == -1 && errno == EINVAL, "epoll_wait with maxevents 0 fails with EINVAL");
	volatile int negative = -1; /* hidden from the compiler, which refuses a constant -1 */
	CHECK(epoll_wait(ep, out, negative, 0) == -1 && errno == EINVAL, "epoll_wait with maxevents -1 fails with EINVAL");
	CHECK(epoll_wait(p[0], out, 4, 0) == -1 && errno == EINVAL, "epoll_wait on a pipe fails with EINVAL");
	close(p[0]);
	close(p[1]);
	close(cloexec);
	close(ep);
}

/* One epoll_wait of at most 4 events with TIMEOUT ms, into OUT; its result. */
static int wait_events(int ep, struct epoll_event *out, int timeout)
{
	return epoll_wait(ep, out, 4, timeout);
}

static void check_triggering(void)
{
	int ep = epoll_create1(0), p[2];
	struct epoll_event out[4];
	char buf[16];
	CHECK(pipe(p) == 0, "pipe");
	CHECK(watch(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 0x1122334455667788ull) == 0, "EPOLL_CTL_ADD level-triggered");
	CHECK(wait_events(ep, out, 0) == 0, "epoll_wait with timeout 0 and nothing ready returns 0");
	int64_t t0 = now_ns();
	CHECK(wait_events(ep, out, 50) == 0, "epoll_wait with timeout 50 ms and nothing ready returns 0");
	CHECK(now_ns() - t0 >= 50000000, "epoll_wait's 50 ms timeout lasts at least 50 ms of CLOCK_MONOTONIC");

	CHECK(write(p[1], "ab", 2) == 2, "write");
	CHECK(wait_events(ep, out, 0) == 1 && out[0].events == EPOLLIN && out[0].data.u64 == 0x1122334455667788ull,
	      "epoll_wait reports EPOLLIN with data.u64 as given");
	CHECK(wait_events(ep, out, 0) == 1, "level-triggered: the unread data is reported again");
	CHECK(read(p[0], buf, sizeof(buf)) == 2, "read");
	CHECK(wait_events(ep, out, 0) == 0, "level-triggered: nothing once the pipe is empty");

	CHECK(watch(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLET, 7) == 0, "EPOLL_CTL_MOD to EPOLLET");
	CHECK(write(p[1], "c", 1) == 1, "write");
	CHECK(wait_events(ep, out, 0) == 1 && out[0].data.u64 == 7, "EPOLLET: new data is reported");
	CHECK(wait_events(ep, out, 0) == 0, "EPOLLET: the same data is not reported twice");
	CHECK(write(p[1], "d", 1) == 1, "write");
	CHECK(wait_events(ep, out, 0) == 1, "EPOLLET: more data is reported again");
	CHECK(read(p[0], buf, sizeof(buf)) == 2, "read");

	CHECK(watch(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLONESHOT, 8) == 0, "EPOLL_CTL_MOD to EPOLLONESHOT");
	CHECK(write(p[1], "e", 1) == 1, "write");
	CHECK(wait_events(ep, out, 0) == 1 && out[0].data.u64 == 8, "EPOLLONESHOT: reported once");
	CHECK(write(p[1], "f", 1) == 1, "write");
	CHECK(wait_events(ep, out, 0) == 0, "EPOLLONESHOT: not again, even after new data, until re-armed");
	CHECK(watch(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLONESHOT, 9) == 0, "EPOLL_CTL_MOD re-arms EPOLLONESHOT");
	CHECK(wait_events(ep, out, 0) == 1 && out[0].data.u64 == 9, "EPOLLONESHOT: reported again after EPOLL_CTL_MOD");
	CHECK(read(p[0], buf, sizeof(buf)) == 2, "read");
	close(p[0]);
	close(p[1]);
	close(ep);
}

static void check_wakeups(void)
{
	int ep = epoll_create1(0), p[2];
	struct epoll_event out[4];
	CHECK(pipe(p) == 0, "pipe");
	CHECK(watch(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 5) == 0, "EPOLL_CTL_ADD");
	pthread_t writer = later_write(p[1], "x", 1);
	int ready = wait_events(ep, out, -1);
	join(writer);
	CHECK(ready == 1 && out[0].events == EPOLLIN && out[0].data.u64 == 5, "epoll_wait(-1) wakes when another thread writes");

	/* An epoll watching an epoll that has a ready pipe: readable. */
	int outer = epoll_create1(0);
	CHECK(watch(outer, EPOLL_CTL_ADD, ep, EPOLLIN, 6) == 0, "EPOLL_CTL_ADD of an epoll to an epoll");
	CHECK(wait_events(outer, out, 0) == 1 && out[0].events == EPOLLIN && out[0].data.u64 == 6,
	      "a nested epoll whose pipe is ready is EPOLLIN");
	struct pollfd pfd = { ep, POLLIN, 0 };
	CHECK(poll(&pfd, 1, 0) == 1 && pfd.revents == POLLIN, "an epoll with a ready pipe is POLLIN to poll");
	char c;
	CHECK(read(p[0], &c, 1) == 1, "read");
	CHECK(wait_events(outer, out, 0) == 0, "a nested epoll whose pipe is empty is not ready");

	/* A signal ends epoll_wait with EINTR even under SA_RESTART. */
	count_signal(SIGUSR1, SA_RESTART);
	struct nagger n;
	nagger_start(&n, SIGUSR1, p[1]);
	ready = wait_events(ep, out, -1);
	int err = errno;
	nagger_stop(&n);
	CHECK(ready == -1 && err == EINTR, "epoll_wait interrupted by another thread's signal fails with EINTR even under SA_RESTART");
	CHECK(caught[SIGUSR1] >= 1, "the handler ran during epoll_wait");
	signal(SIGUSR1, SIG_DFL);

	/* Closing the only descriptor of a watched pipe end takes it off the interest list. */
	CHECK(write(p[1], "y", 1) == 1, "write");
	CHECK(wait_events(ep, out, 0) == 1, "the watched pipe is ready");
	close(p[0]);
	CHECK(wait_events(ep, out, 0) == 0, "closing the only descriptor of a watched pipe removes it: no more events");
	CHECK(watch(ep, EPOLL_CTL_DEL, p[0], 0, 0) == -1 && errno == EBADF, "the closed descriptor is gone (EBADF)");
	close(p[1]);
	close(outer);
	close(ep);
}

struct adder {
	int ep, fd;
};

static void *add_later(void *arg)
{
	struct adder *a = arg;
	sleep_ms(DELAY_MS);
	CHECK(watch(a->ep, EPOLL_CTL_ADD, a->fd, EPOLLIN, 11) == 0, "EPOLL_CTL_ADD from another thread");
	return NULL;
}

/* A thread waiting in epoll_wait sees a ready file another thread adds meanwhile (Linux's ep_insert wakes it). */
static void check_added_while_waiting(void)
{
	int ep = epoll_create1(0), ready_fd = eventfd(1, 0);
	struct epoll_event out[4];
	struct adder a = { ep, ready_fd };
	pthread_t adder;
	CHECK(pthread_create(&adder, NULL, add_later, &a) == 0, "pthread_create");
	int64_t t0 = now_ns();
	int ready = wait_events(ep, out, 2000);
	int64_t waited = now_ns() - t0;
	join(adder);
	/* Its timeout would find the file too: only an early return shows the wake. */
	CHECK(ready == 1 && out[0].data.u64 == 11 && waited < 1000000000,
	      "epoll_wait wakes for a ready file added while it waits, before its timeout");
	close(ready_fd);
	close(ep);
}

void check_epoll_events(void)
{
	check_triggering();
	check_wakeups();
	check_added_while_waiting();
}
