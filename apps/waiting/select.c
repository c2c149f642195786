/*
 * select and pselect (both pselect6 on riscv64): the three sets, the timeout
 * and the time left written back (Linux does), EBADF and EINVAL, pselect's
 * mask, and a signal that interrupts select even under SA_RESTART.
 */
#include "waiting.h"

#include <sys/select.h>
#include <unistd.h>

static long long micros(const struct timeval *tv)
{
	return (long long)tv->tv_sec * 1000000 + tv->tv_usec;
}

static void check_sets_and_timeouts(void)
{
	int full[2], empty[2];
	CHECK(pipe(full) == 0 && pipe(empty) == 0, "pipe");
	CHECK(write(full[1], "data", 4) == 4, "write to a pipe");
	int nfds = (full[1] > empty[1] ? full[1] : empty[1]) + 1;
	fd_set rd, wr, ex;
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_ZERO(&ex);
	FD_SET(full[0], &rd);
	FD_SET(empty[0], &rd);
	FD_SET(full[1], &wr);
	FD_SET(full[0], &ex);
	FD_SET(empty[0], &ex);
	struct timeval zero = { 0, 0 };
	CHECK(select(nfds, &rd, &wr, &ex, &zero) == 2, "select counts one readable and one writable descriptor");
	CHECK(FD_ISSET(full[0], &rd) && !FD_ISSET(empty[0], &rd), "readfds keeps only the pipe with data");
	CHECK(FD_ISSET(full[1], &wr), "writefds keeps the writable pipe end");
	CHECK(!FD_ISSET(full[0], &ex) && !FD_ISSET(empty[0], &ex), "exceptfds is cleared: pipes have no exceptional condition");

	FD_ZERO(&rd);
	FD_SET(empty[0], &rd);
	struct timeval tv = { 0, 50000 };
	int64_t t0 = now_ns();
	CHECK(select(nfds, &rd, NULL, NULL, &tv) == 0 && !FD_ISSET(empty[0], &rd), "select with a 50 ms timeout on an empty pipe returns 0");
	CHECK(now_ns() - t0 >= 50000000, "select's 50 ms timeout lasts at least 50 ms of CLOCK_MONOTONIC");
	CHECK(micros(&tv) == 0, "an expired select writes back a timeout of 0");

	FD_SET(empty[0], &rd);
	tv = (struct timeval){ 2, 0 };
	pthread_t writer = later_write(empty[1], "w", 1);
	int ready = select(nfds, &rd, NULL, NULL, &tv);
	join(writer);
	CHECK(ready == 1 && FD_ISSET(empty[0], &rd), "select wakes when another thread writes");
	CHECK(micros(&tv) > 0 && micros(&tv) < 2000000, "select writes back the time left (between 0 and 2 s)");

	/* A closed descriptor in a set: EBADF. */
	close(full[0]);
	FD_ZERO(&rd);
	FD_SET(full[0], &rd);
	zero = (struct timeval){ 0, 0 };
	CHECK(select(nfds, &rd, NULL, NULL, &zero) == -1 && errno == EBADF, "select with a closed fd in readfds fails with EBADF");
	zero = (struct timeval){ 0, 0 };
	CHECK(select(-1, NULL, NULL, NULL, &zero) == -1 && errno == EINVAL, "select with nfds < 0 fails with EINVAL");
	close(full[1]);
	close(empty[0]);
	close(empty[1]);
}

static void check_signals(void)
{
	int p[2];
	CHECK(pipe(p) == 0, "pipe");
	fd_set rd;

	/* pselect's mask lets a pending signal in: EINTR, and the caller's mask is back after. */
	count_signal(SIGUSR1, SA_RESTART);
	sigset_t block, during, now;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &block, &during) == 0, "block SIGUSR1");
	raise(SIGUSR1);
	sigdelset(&during, SIGUSR1);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	struct timespec second = { 1, 0 };
	CHECK(pselect(p[0] + 1, &rd, NULL, NULL, &second, &during) == -1 && errno == EINTR,
	      "a signal blocked outside and unblocked by pselect's mask interrupts it with EINTR");
	CHECK(caught[SIGUSR1] == 1, "the handler ran for the signal pselect's mask let in");
	sigprocmask(SIG_SETMASK, NULL, &now);
	CHECK(sigismember(&now, SIGUSR1), "pselect restores the caller's mask");
	sigprocmask(SIG_UNBLOCK, &block, NULL);

	/* Another thread's signal ends a select with no timeout, SA_RESTART or not. */
	struct nagger n;
	caught[SIGUSR1] = 0;
	nagger_start(&n, SIGUSR1, p[1]);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	int ready = select(p[0] + 1, &rd, NULL, NULL, NULL);
	int err = errno;
	nagger_stop(&n);
	CHECK(ready == -1 && err == EINTR, "select interrupted by another thread's signal fails with EINTR even under SA_RESTART");
	CHECK(caught[SIGUSR1] >= 1, "the handler ran during select");
	signal(SIGUSR1, SIG_DFL);
	close(p[0]);
	close(p[1]);
}

void check_select(void)
{
	check_sets_and_timeouts();
	check_signals();
}
