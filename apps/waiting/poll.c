/*
 * poll and ppoll (glibc's poll is ppoll on riscv64): timeouts, readiness of
 * pipes, regular files and the console, POLLHUP/POLLERR/POLLNVAL, the limits,
 * and signals: ppoll's mask lets a blocked signal in, and no handler flag
 * restarts a poll (always EINTR, signal(7)).
 */
#include "waiting.h"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

static void check_timeouts_and_wakeup(void)
{
	int p[2];
	CHECK(pipe(p) == 0, "pipe");
	struct pollfd pfd = { p[0], POLLIN, 0 };
	CHECK(poll(&pfd, 1, 0) == 0 && pfd.revents == 0, "poll with timeout 0 on an empty pipe returns 0");
	int64_t t0 = now_ns();
	CHECK(poll(&pfd, 1, 50) == 0 && pfd.revents == 0, "poll with timeout 50 ms on an empty pipe returns 0");
	CHECK(now_ns() - t0 >= 50000000, "poll's 50 ms timeout lasts at least 50 ms of CLOCK_MONOTONIC");

	pthread_t writer = later_write(p[1], "in", 2);
	int ready = poll(&pfd, 1, -1);
	join(writer);
	CHECK(ready == 1 && pfd.revents == POLLIN, "poll(-1) returns POLLIN once another thread writes");
	char buf[2];
	CHECK(read(p[0], buf, 2) == 2, "read what woke poll");

	pfd = (struct pollfd){ p[1], POLLOUT, 0 };
	CHECK(poll(&pfd, 1, 0) == 1 && pfd.revents == POLLOUT, "an empty pipe's write end is POLLOUT");

	/* A negative fd is skipped: revents 0, not counted. */
	struct pollfd two[2] = { { -1, POLLIN, 0 }, { p[1], POLLOUT, 0 } };
	CHECK(poll(two, 2, 0) == 1 && two[0].revents == 0 && two[1].revents == POLLOUT,
	      "poll ignores a negative fd (revents 0)");

	close(p[1]);
	pfd = (struct pollfd){ p[0], POLLIN, 0 };
	CHECK(poll(&pfd, 1, 0) == 1 && pfd.revents == POLLHUP, "an empty read end whose writers closed is POLLHUP");
	close(p[0]);

	CHECK(pipe(p) == 0, "pipe");
	close(p[0]);
	pfd = (struct pollfd){ p[1], POLLOUT, 0 };
	CHECK(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR), "a write end whose readers closed is POLLERR");
	close(p[1]);
	/* p[1] is now a closed descriptor. */
	pfd = (struct pollfd){ p[1], POLLIN, 0 };
	CHECK(poll(&pfd, 1, 0) == 1 && pfd.revents == POLLNVAL, "a closed fd is POLLNVAL");
}

static void check_files_and_limits(void)
{
	char path[64];
	snprintf(path, sizeof(path), "/tmp/waiting-poll.%d", (int)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0, "create a regular file in /tmp");
	struct pollfd pfd = { fd, POLLIN | POLLOUT, 0 };
	CHECK(poll(&pfd, 1, 0) == 1 && pfd.revents == (POLLIN | POLLOUT), "a regular file is always POLLIN|POLLOUT");
	close(fd);
	unlink(path);

	pfd = (struct pollfd){ 1, POLLOUT, 0 };
	CHECK(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLOUT), "stdout (the console) is POLLOUT");

	struct rlimit rl;
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0, "getrlimit RLIMIT_NOFILE");
	pfd = (struct pollfd){ 1, POLLOUT, 0 };
	CHECK(poll(&pfd, (nfds_t)rl.rlim_cur + 1, 0) == -1 && errno == EINVAL, "poll with nfds beyond RLIMIT_NOFILE fails with EINVAL");

	void *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(none != MAP_FAILED, "mmap a PROT_NONE page");
	CHECK(poll(none, 1, 0) == -1 && errno == EFAULT, "poll with the fds array in an inaccessible page fails with EFAULT");
	struct pollfd *volatile low = (struct pollfd *)16; /* volatile: the compiler refuses a constant */
	CHECK(poll(low, 1, 0) == -1 && errno == EFAULT, "poll with the fds array at address 16 fails with EFAULT");
	munmap(none, 4096);
}

void check_poll(void)
{
	check_timeouts_and_wakeup();
	check_files_and_limits();
}

/* A pending SIGUSR1, blocked outside ppoll and let in by its mask, interrupts it whatever FLAGS say. */
static void check_mask_lets_signal_in(int flags, const char *what)
{
	int p[2];
	CHECK(pipe(p) == 0, "pipe");
	count_signal(SIGUSR1, flags);
	sigset_t block, during, now;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &block, NULL) == 0, "block SIGUSR1");
	raise(SIGUSR1);
	CHECK(caught[SIGUSR1] == 0, "a blocked SIGUSR1 stays pending");
	sigprocmask(SIG_SETMASK, NULL, &during);
	sigdelset(&during, SIGUSR1);
	struct pollfd pfd = { p[0], POLLIN, 0 };
	struct timespec second = { 1, 0 }; /* a bound, should the signal not come in */
	int ready = ppoll(&pfd, 1, &second, &during);
	CHECK(ready == -1 && errno == EINTR, what);
	CHECK(caught[SIGUSR1] == 1, "the handler ran for the signal ppoll's mask let in");
	sigprocmask(SIG_SETMASK, NULL, &now);
	CHECK(sigismember(&now, SIGUSR1), "ppoll restores the caller's mask (SIGUSR1 blocked again)");
	CHECK(sigprocmask(SIG_UNBLOCK, &block, NULL) == 0, "unblock SIGUSR1");
	close(p[0]);
	close(p[1]);
}

void check_ppoll(void)
{
	check_mask_lets_signal_in(0, "a signal blocked outside and unblocked by ppoll's mask interrupts it with EINTR");
	check_mask_lets_signal_in(SA_RESTART, "ppoll is not restarted under SA_RESTART: EINTR");

	/* Another thread's signal interrupts a poll(-1); SA_RESTART does not restart it. */
	int p[2];
	CHECK(pipe(p) == 0, "pipe");
	count_signal(SIGUSR1, SA_RESTART);
	struct nagger n;
	nagger_start(&n, SIGUSR1, p[1]);
	struct pollfd pfd = { p[0], POLLIN, 0 };
	int ready = poll(&pfd, 1, -1);
	int err = errno;
	nagger_stop(&n);
	CHECK(ready == -1 && err == EINTR, "poll(-1) interrupted by another thread's signal fails with EINTR even under SA_RESTART");
	CHECK(caught[SIGUSR1] >= 1, "the handler ran during poll");
	signal(SIGUSR1, SIG_DFL);
	close(p[0]);
	close(p[1]);
}
