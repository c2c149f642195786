/*
 * Time, system identity, signal bookkeeping and futexes from a program's
 * side.  One line per check; "systest: all ok" when every check passed,
 * exit status 1 otherwise.  An argument, the host's time in seconds since
 * 1970, lets the wall clock be checked against it (realtime.c).
 */
#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "systest.h"

static int failures;

void check(int ok, const char *what)
{
	printf("systest: %s: %s\n", what, ok ? "ok" : "FAILED");
	failures += !ok;
}

static uint64_t ns(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000ull + (uint64_t)t->tv_nsec;
}

static void noop_handler(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	struct timespec a, b, req = { 0, 20 * 1000 * 1000 };
	check(clock_gettime(CLOCK_MONOTONIC, &a) == 0, "clock_gettime");
	check(nanosleep(&req, NULL) == 0, "nanosleep 20 ms");
	clock_gettime(CLOCK_MONOTONIC, &b);
	check(ns(&b) - ns(&a) >= 20 * 1000 * 1000, "20 ms passed");
	check(clock_gettime(99, &a) == -1 && errno == EINVAL, "bad clock is EINVAL");
	check(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)8) == -1 && errno == EFAULT,
	      "clock_gettime into a bad pointer is EFAULT");
	struct timeval tv;
	check(gettimeofday(&tv, NULL) == 0 && tv.tv_usec < 1000000, "gettimeofday");
	realtime_checks(argc > 1 ? argv[1] : NULL);

	struct utsname u;
	check(uname(&u) == 0 && strcmp(u.sysname, "Linux") == 0 && strcmp(u.machine, "riscv64") == 0,
	      "uname");
	struct sysinfo si;
	check(sysinfo(&si) == 0 && si.totalram > 0 && si.freeram <= si.totalram, "sysinfo");

	struct sigaction sa, old;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = noop_handler;
	check(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction set");
	check(sigaction(SIGUSR1, NULL, &old) == 0 && old.sa_handler == noop_handler,
	      "sigaction reads back");
	check(sigaction(SIGKILL, &sa, NULL) == -1 && errno == EINVAL, "SIGKILL cannot be caught");
	sigset_t set, got;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	check(sigprocmask(SIG_BLOCK, &set, NULL) == 0, "sigprocmask block");
	check(sigprocmask(SIG_SETMASK, NULL, &got) == 0 && sigismember(&got, SIGUSR2),
	      "sigprocmask reads back");

	static uint32_t word = 5;
	check(syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) == 0, "futex wake");
	check(syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 4, NULL, NULL, 0) == -1 && errno == EAGAIN,
	      "futex wait on a changed word is EAGAIN");
	check(syscall(SYS_futex, (char *)&word + 1, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) == -1 &&
		      errno == EINVAL,
	      "unaligned futex is EINVAL");
	check(sched_yield() == 0, "sched_yield");

	if (failures) {
		printf("systest: %d failed\n", failures);
		return 1;
	}
	printf("systest: all ok\n");
	return 0;
}
