/*
 * Signals, self-checking (issue 13, item 2):
 *   signals all             every check below; prints "signals: ok" and exits 0
 *   signals default-term    raise(SIGTERM) with no handler: the program ends with 143
 *   signals forged-return   rt_sigreturn with a frame whose pc is in the kernel: ends with 139
 *   signals bad-handler     a handler at a kernel address: its call faults, 139
 *   signals bench           bench: signal_instret=N, raise() of a signal with an empty handler
 *                           to the return from raise (tgkill, delivery, the handler,
 *                           rt_sigreturn), the median of 31 in retired instructions
 */
#define _GNU_SOURCE
#pragma GCC diagnostic ignored "-Wunused-parameter" /* handlers share one signature */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "measure.h"

static int failures;
#define CHECK(cond)                                                                 \
	do {                                                                        \
		if (!(cond)) {                                                      \
			printf("signals: FAILED %s (line %d)\n", #cond, __LINE__); \
			failures++;                                                 \
		}                                                                   \
	} while (0)

static void on(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(sig, &sa, NULL) == 0);
}

/* --- a fault the handler repairs: the page is mapped (or made accessible) and the access resumes --- */
static volatile siginfo_t last;
/* Shared with a handler that runs in the middle of a store: volatile, so written before it. */
static char *volatile repair_page;
static volatile int repair_prot_none;

static void repair(int sig, siginfo_t *si, void *uc)
{
	last = *si;
	if (repair_prot_none)
		mprotect(repair_page, 4096, PROT_READ | PROT_WRITE);
	else
		mmap(repair_page, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}

static void check_repairing_faults(void)
{
	on(SIGSEGV, repair, 0);
	/* A PROT_NONE page: the region exists, so SEGV_ACCERR. */
	repair_page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	repair_prot_none = 1;
	repair_page[100] = 42;
	CHECK(repair_page[100] == 42);
	CHECK(last.si_signo == SIGSEGV && last.si_code == SEGV_ACCERR && last.si_addr == repair_page + 100);
	/* An unmapped page: SEGV_MAPERR; the handler maps it and the store lands. */
	munmap(repair_page, 4096);
	repair_prot_none = 0;
	((volatile char *)repair_page)[7] = 9;
	CHECK(repair_page[7] == 9);
	CHECK(last.si_signo == SIGSEGV && last.si_code == SEGV_MAPERR && last.si_addr == repair_page + 7);
	munmap(repair_page, 4096);
	signal(SIGSEGV, SIG_DFL);
}

/* --- the handler changes the ucontext: skip the faulting instruction --- */
static void skip_instruction(int sig, siginfo_t *si, void *ucp)
{
	ucontext_t *uc = ucp;
	last = *si;
	uc->uc_mcontext.__gregs[REG_PC] += 4;
}

static void check_context_changes(void)
{
	on(SIGILL, skip_instruction, 0);
	__asm__ volatile(".4byte 0"); /* an illegal instruction */
	CHECK(last.si_signo == SIGILL && last.si_code == ILL_ILLOPC);
	on(SIGTRAP, skip_instruction, 0);
	__asm__ volatile(".4byte 0x00100073"); /* ebreak */
	CHECK(last.si_signo == SIGTRAP && last.si_code == TRAP_BRKPT);
	/* RISC-V raises no floating-point or divide traps: SIGFPE comes from raise. */
	on(SIGFPE, repair, 0);
	raise(SIGFPE);
	CHECK(last.si_signo == SIGFPE && last.si_code == SI_TKILL);
	signal(SIGILL, SIG_DFL);
	signal(SIGTRAP, SIG_DFL);
	signal(SIGFPE, SIG_DFL);
}

/* --- kill, tgkill, raise; masks and pending; flags --- */
static volatile int count, depth, max_depth, on_altstack;
static char altstack[16384];

static void counter(int sig, siginfo_t *si, void *uc)
{
	last = *si;
	count++;
}

static void nested(int sig, siginfo_t *si, void *uc)
{
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	if (count++ == 0)
		raise(sig); /* delivered inside under SA_NODEFER, after the handler otherwise */
	depth--;
}

static void where_am_i(int sig, siginfo_t *si, void *uc)
{
	char here;
	stack_t ss;
	sigaltstack(NULL, &ss);
	on_altstack = &here >= altstack && &here < altstack + sizeof(altstack) && (ss.ss_flags & SS_ONSTACK);
}

static void check_sending_and_masks(void)
{
	on(SIGUSR1, counter, 0);
	count = 0;
	CHECK(kill(getpid(), SIGUSR1) == 0);
	CHECK(count == 1 && last.si_code == SI_USER && last.si_pid == 1);
	CHECK(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1) == 0);
	CHECK(count == 2 && last.si_code == SI_TKILL);
	/* Blocked: pending, not delivered; unblocked: delivered at once. */
	sigset_t set, pending;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	raise(SIGUSR1);
	CHECK(count == 2);
	CHECK(sigpending(&pending) == 0 && sigismember(&pending, SIGUSR1));
	CHECK(sigprocmask(SIG_UNBLOCK, &set, NULL) == 0);
	CHECK(count == 3);
	/* SA_NODEFER nests; without it the second waits for the first to return. */
	on(SIGUSR2, nested, SA_NODEFER);
	count = depth = max_depth = 0;
	raise(SIGUSR2);
	CHECK(count == 2 && max_depth == 2);
	on(SIGUSR2, nested, 0);
	count = depth = max_depth = 0;
	raise(SIGUSR2);
	CHECK(count == 2 && max_depth == 1);
	/* SA_RESETHAND: the first delivery puts the default action back. */
	on(SIGUSR2, counter, SA_RESETHAND);
	count = 0;
	raise(SIGUSR2);
	struct sigaction now;
	CHECK(sigaction(SIGUSR2, NULL, &now) == 0 && now.sa_handler == SIG_DFL && count == 1);
	/* SA_ONSTACK on an alternate stack. */
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack), .ss_flags = 0 };
	CHECK(sigaltstack(&ss, NULL) == 0);
	on(SIGUSR1, where_am_i, SA_ONSTACK);
	raise(SIGUSR1);
	CHECK(on_altstack);
	/* Ignored by default: nothing happens. */
	CHECK(raise(SIGCHLD) == 0 && raise(SIGWINCH) == 0);
}

/* --- timers --- */
static void check_timers(void)
{
	on(SIGALRM, counter, 0);
	count = 0;
	struct itimerval it = { { 0, 10000 }, { 0, 10000 } }; /* every 10 ms */
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	sigset_t none;
	sigemptyset(&none);
	while (count < 3)
		sigsuspend(&none); /* returns -1/EINTR after each delivery */
	struct itimerval off = { { 0, 0 }, { 0, 0 } }, old;
	CHECK(setitimer(ITIMER_REAL, &off, &old) == 0 && old.it_interval.tv_usec == 10000);
	CHECK(count == 3 && last.si_signo == SIGALRM);
	count = 0;
	alarm(1); /* glibc's alarm is setitimer, its pause ppoll with no descriptors */
	CHECK(pause() == -1 && errno == EINTR && count == 1);
	struct itimerval bad = { { 0, 0 }, { 0, 1000000 } };
	CHECK(setitimer(ITIMER_REAL, &bad, NULL) == -1 && errno == EINVAL);
}

/* Seconds on the monotonic clock. */
static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * ITIMER_VIRTUAL and ITIMER_PROF count the CPU time the program spends: a
 * sleep spends none, a loop spends it until the timer fires, then again
 * every interval.
 */
static void check_cpu_timers(void)
{
	static const int which[2] = { ITIMER_VIRTUAL, ITIMER_PROF }, sig[2] = { SIGVTALRM, SIGPROF };
	for (int i = 0; i < 2; i++) {
		on(sig[i], counter, 0);
		count = 0;
		struct itimerval it = { { 0, 20000 }, { 0, 30000 } }, left, off = { { 0, 0 }, { 0, 0 } };
		CHECK(setitimer(which[i], &it, NULL) == 0);
		struct timespec nap = { 0, 100000000 };
		CHECK(nanosleep(&nap, NULL) == 0);
		CHECK(count == 0 && getitimer(which[i], &left) == 0 && left.it_value.tv_sec == 0 &&
		      left.it_value.tv_usec > 10000 && left.it_interval.tv_usec == 20000);
		volatile unsigned long spins = 0;
		double start = now_s();
		while (count < 2 && now_s() - start < 5)
			spins++;
		CHECK(count >= 2 && last.si_signo == sig[i]);
		CHECK(setitimer(which[i], &off, &left) == 0 && left.it_interval.tv_usec == 20000);
		signal(sig[i], SIG_DFL);
	}
}

/* --- a signal interrupts a wait (EINTR) or restarts it (SA_RESTART) --- */
static uint32_t word;
static volatile long wait_result, wait_errno, waiting;

static void *waiter(void *arg)
{
	waiting = 1;
	wait_result = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	wait_errno = errno;
	return arg;
}

static void check_interrupted_waits(void)
{
	pthread_t t;
	on(SIGUSR1, counter, 0); /* no SA_RESTART: the wait ends with EINTR */
	waiting = 0;
	pthread_create(&t, NULL, waiter, NULL);
	while (!waiting)
		sched_yield();
	sched_yield();
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	CHECK(wait_result == -1 && wait_errno == EINTR);
	on(SIGUSR1, counter, SA_RESTART); /* restarted: only the wake ends it */
	waiting = 0;
	count = 0;
	pthread_create(&t, NULL, waiter, NULL);
	while (!waiting)
		sched_yield();
	sched_yield();
	pthread_kill(t, SIGUSR1);
	for (int i = 0; i < 5; i++)
		sched_yield();
	CHECK(count == 1);
	syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	pthread_join(t, NULL);
	CHECK(wait_result == 0);
	/* A sleep is interrupted too. */
	on(SIGALRM, counter, 0);
	struct itimerval it = { { 0, 0 }, { 0, 20000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	struct timespec ten = { 10, 0 };
	CHECK(nanosleep(&ten, NULL) == -1 && errno == EINTR);
}

/* --- what Linux refuses --- */
static void check_refusals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	CHECK(syscall(SYS_rt_sigaction, 0, &sa, NULL, 8) == -1 && errno == EINVAL);
	CHECK(syscall(SYS_rt_sigaction, 65, &sa, NULL, 8) == -1 && errno == EINVAL);
	CHECK(sigaction(SIGKILL, &sa, NULL) == -1 && errno == EINVAL);
	CHECK(syscall(SYS_rt_sigaction, SIGUSR1, &sa, NULL, 4) == -1 && errno == EINVAL);
	CHECK(syscall(SYS_rt_sigaction, SIGUSR1, (void *)0x10, NULL, 8) == -1 && errno == EFAULT);
	CHECK(kill(getpid(), 65) == -1 && errno == EINVAL);
	CHECK(kill(12345, SIGUSR1) == -1 && errno == ESRCH);
	CHECK(kill(getpid(), 0) == 0);
	CHECK(syscall(SYS_tgkill, getpid(), 99999, SIGUSR1) == -1 && errno == ESRCH);
	CHECK(syscall(SYS_tgkill, 2, gettid(), SIGUSR1) == -1 && errno == ESRCH);
	stack_t small = { .ss_sp = altstack, .ss_size = 1024, .ss_flags = 0 };
	CHECK(sigaltstack(&small, NULL) == -1 && errno == ENOMEM);
	stack_t odd = { .ss_sp = altstack, .ss_size = sizeof(altstack), .ss_flags = 0x40 };
	CHECK(sigaltstack(&odd, NULL) == -1 && errno == EINVAL);
	struct itimerval it;
	CHECK(getitimer(5, &it) == -1 && errno == EINVAL);
}

static void forged_return(void)
{
	/* A frame on the stack whose saved pc is a kernel address. */
	static uint64_t frame[1088 / 8 + 2] __attribute__((aligned(16)));
	memset(frame, 0, sizeof(frame));
	frame[128 / 8 + 176 / 8] = 0xffff800080200000ull; /* uc_mcontext's pc */
	__asm__ volatile("mv sp, %0\n\tli a7, 139\n\tecall" : : "r"(frame) : "memory");
	printf("signals: the forged frame was taken\n");
}

static void empty_handler(int sig, siginfo_t *si, void *uc)
{
}

static int bench(void)
{
	uint64_t samples[31];
	on(SIGUSR1, empty_handler, 0);
	raise(SIGUSR1); /* the return page and the stack are touched before measuring */
	for (int i = 0; i < 31; i++) {
		uint64_t t0 = instret();
		raise(SIGUSR1);
		samples[i] = instret() - t0;
	}
	printf("bench: signal_instret=%llu\n", (unsigned long long)median(samples, 31));
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "all";
	setvbuf(stdout, NULL, _IONBF, 0);
	if (strcmp(mode, "bench") == 0)
		return bench();
	if (strcmp(mode, "default-term") == 0) {
		raise(SIGTERM);
		printf("signals: SIGTERM did not end the program\n");
		return 1;
	}
	if (strcmp(mode, "forged-return") == 0) {
		forged_return();
		return 1;
	}
	if (strcmp(mode, "bad-handler") == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = (void (*)(int))0xffff800080200000ull;
		sigaction(SIGUSR1, &sa, NULL);
		raise(SIGUSR1);
		printf("signals: the kernel handler ran\n");
		return 1;
	}
	check_refusals();
	check_repairing_faults();
	check_context_changes();
	check_sending_and_masks();
	check_timers();
	check_cpu_timers();
	check_interrupted_waits();
	if (failures) {
		printf("signals: %d checks failed\n", failures);
		return 1;
	}
	printf("signals: ok\n");
	return 0;
}
