/*
 * Threads on one hart, self-checking: N producer/consumer pairs over a
 * bounded queue (a mutex and two condition variables), a barrier, thread-
 * local counters, timed waits that time out, joins, and the calls threads
 * rely on refused where Linux refuses them.
 *   usage: threads [THREADS] [ITEMS]   (THREADS producers and as many consumers)
 *          threads deadlock            (two threads wait for each other forever)
 *          threads bench               (what a switch costs, in retired instructions:
 *            bench: thread_switch_instret=N futex_handoff_instret=N, medians of 31)
 * Prints "threads: ok ..." and exits 0 when every check holds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "measure.h"

#define QUEUE 16

static struct {
	pthread_mutex_t lock;
	pthread_cond_t not_full, not_empty;
	uint64_t items[QUEUE];
	unsigned head, count;
} queue = { .lock = PTHREAD_MUTEX_INITIALIZER, .not_full = PTHREAD_COND_INITIALIZER, .not_empty = PTHREAD_COND_INITIALIZER };

static pthread_barrier_t barrier;
static __thread uint64_t local_sum, local_count;
static uint64_t items_per_producer;
static int failures;

#define CHECK(cond)                                                                 \
	do {                                                                        \
		if (!(cond)) {                                                      \
			printf("threads: FAILED %s (line %d)\n", #cond, __LINE__); \
			failures++;                                                 \
		}                                                                   \
	} while (0)

static void put(uint64_t v)
{
	pthread_mutex_lock(&queue.lock);
	while (queue.count == QUEUE)
		pthread_cond_wait(&queue.not_full, &queue.lock);
	queue.items[(queue.head + queue.count++) % QUEUE] = v;
	pthread_cond_signal(&queue.not_empty);
	pthread_mutex_unlock(&queue.lock);
}

static uint64_t take(void)
{
	pthread_mutex_lock(&queue.lock);
	while (queue.count == 0)
		pthread_cond_wait(&queue.not_empty, &queue.lock);
	uint64_t v = queue.items[queue.head];
	queue.head = (queue.head + 1) % QUEUE;
	queue.count--;
	pthread_cond_signal(&queue.not_full);
	pthread_mutex_unlock(&queue.lock);
	return v;
}

struct result {
	uint64_t sum, count;
	pid_t tid;
};

static void *producer(void *arg)
{
	uint64_t base = (uint64_t)(uintptr_t)arg * 1000003;
	struct result *r = calloc(1, sizeof(*r));
	pthread_barrier_wait(&barrier);
	for (uint64_t i = 1; i <= items_per_producer; i++) {
		put(base + i);
		local_sum += base + i;
		local_count++;
	}
	r->sum = local_sum;
	r->count = local_count;
	r->tid = gettid();
	return r;
}

/* A consumer takes until it reads 0, the end marker. */
static void *consumer(void *unused)
{
	(void)unused;
	struct result *r = calloc(1, sizeof(*r));
	pthread_barrier_wait(&barrier);
	for (uint64_t v; (v = take()) != 0;) {
		local_sum += v;
		local_count++;
		if (local_count % 1024 == 0)
			sched_yield();
	}
	r->sum = local_sum;
	r->count = local_count;
	r->tid = gettid();
	return r;
}

static void *sleeper(void *arg)
{
	struct timespec t = { 0, 30 * 1000 * 1000 };
	nanosleep(&t, NULL);
	return arg;
}

/* A timed wait on a condition nobody signals times out, at about the right time. */
static void check_timeouts(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	struct timespec start, deadline, end;
	clock_gettime(CLOCK_MONOTONIC, &start);
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&c, &attr);
	deadline = start;
	deadline.tv_nsec += 20 * 1000 * 1000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&m);
	int rc = pthread_cond_timedwait(&c, &m, &deadline);
	pthread_mutex_unlock(&m);
	clock_gettime(CLOCK_MONOTONIC, &end);
	int64_t waited = (end.tv_sec - start.tv_sec) * 1000000000ll + end.tv_nsec - start.tv_nsec;
	CHECK(rc == ETIMEDOUT);
	CHECK(waited >= 20 * 1000 * 1000);
	/* A raw futex wait with a relative timeout. */
	uint32_t word = 7;
	struct timespec rel = { 0, 5 * 1000 * 1000 };
	long r = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 7, &rel, NULL, 0);
	CHECK(r == -1 && errno == ETIMEDOUT);
	r = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 8, &rel, NULL, 0);
	CHECK(r == -1 && errno == EAGAIN);
}

static volatile int spin_flag;

static void *spin_setter(void *arg)
{
	for (volatile uint64_t i = 0; i < 3000000; i++)
		;
	spin_flag = 1;
	return arg;
}

/*
 * Main spins on a flag another thread sets after a busy loop, neither
 * making a system call: only the timer can hand the hart over.
 */
static void check_preemption(void)
{
	pthread_t t;
	CHECK(pthread_create(&t, NULL, spin_setter, NULL) == 0);
	while (!spin_flag)
		;
	CHECK(pthread_join(t, NULL) == 0);
}

/*
 * Each thread keeps its own value in a callee-saved floating-point register
 * and its own rounding mode across yields to the others: the kernel never
 * uses these registers, so only the switch keeps them apart.
 */
static void *fp_keeper(void *arg)
{
	uintptr_t id = (uintptr_t)arg, mode = id % 5, now; /* fcsr's rounding modes 0..4 */
	__asm__ volatile("fsrm %0" : : "r"(mode));
	register double keep asm("fs0") = (double)id + 0.25;
	int kept = 1;
	for (int i = 0; i < 100; i++) {
		__asm__ volatile("" : "+f"(keep));
		sched_yield();
		__asm__ volatile("" : "+f"(keep));
		__asm__ volatile("frrm %0" : "=r"(now));
		kept &= keep == (double)id + 0.25 && now == mode;
	}
	return (void *)(uintptr_t)kept;
}

static void check_fp_state(void)
{
	pthread_t t[4];
	for (uintptr_t i = 0; i < 4; i++)
		CHECK(pthread_create(&t[i], NULL, fp_keeper, (void *)(i + 1)) == 0);
	for (int i = 0; i < 4; i++) {
		void *kept = NULL;
		CHECK(pthread_join(t[i], &kept) == 0 && kept == (void *)1);
	}
}

static void *wait_forever(void *arg)
{
	pthread_mutex_lock(&queue.lock);
	pthread_cond_wait(&queue.not_empty, &queue.lock);
	return arg;
}

/* What Linux refuses, refused. */
static void check_refusals(void)
{
	uint32_t words[2] = { 0, 0 };
	long r = syscall(SYS_futex, (char *)words + 1, FUTEX_WAIT, 0, NULL, NULL, 0);
	CHECK(r == -1 && errno == EINVAL);
	r = syscall(SYS_futex, (void *)0x10, FUTEX_WAIT, 0, NULL, NULL, 0);
	CHECK(r == -1 && errno == EFAULT);
	r = syscall(SYS_futex, words, FUTEX_WAIT_BITSET, 0, NULL, NULL, 0);
	CHECK(r == -1 && errno == EINVAL);
	struct timespec bad = { 0, 1000000000 };
	r = syscall(SYS_futex, words, FUTEX_WAIT, 0, &bad, NULL, 0);
	CHECK(r == -1 && errno == EINVAL);
	r = syscall(SYS_futex, words, FUTEX_WAKE, 1, NULL, NULL, 0);
	CHECK(r == 0);
	/* A fork-like clone (no CLONE_VM) is not a thread: refused. */
	r = syscall(SYS_clone, 17 /* SIGCHLD */, 0, NULL, 0, NULL);
	CHECK(r == -1 && errno == EINVAL);
	r = syscall(SYS_clone3, NULL, 0);
	CHECK(r == -1 && errno == ENOSYS);
	cpu_set_t set;
	CHECK(sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) == 1 && CPU_ISSET(0, &set));
	CHECK(sched_getaffinity(999999, sizeof(set), &set) == -1 && errno == ESRCH);
}

#define ROUNDS 31
static volatile int bench_stop;
static uint32_t handoff_word; /* 1: the partner's turn, 0: main's */

static void *yield_partner(void *arg)
{
	while (!bench_stop)
		sched_yield();
	return arg;
}

static long futex(uint32_t *word, int op, uint32_t val)
{
	return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

static void *handoff_partner(void *arg)
{
	while (!bench_stop) {
		while (__atomic_load_n(&handoff_word, __ATOMIC_ACQUIRE) != 1 && !bench_stop)
			futex(&handoff_word, FUTEX_WAIT_PRIVATE, 0);
		__atomic_store_n(&handoff_word, 0, __ATOMIC_RELEASE);
		futex(&handoff_word, FUTEX_WAKE_PRIVATE, 1);
	}
	return arg;
}

/*
 * A yield to the other ready thread and back is two switches; a futex
 * hand-off (wake the other, wait until it wakes us) and back is two wakes,
 * two waits and two switches.  Each figure is half a round trip.
 */
static int bench(void)
{
	uint64_t yields[ROUNDS], handoffs[ROUNDS];
	pthread_t t;
	pthread_create(&t, NULL, yield_partner, NULL);
	sched_yield(); /* the partner is running its loop from here on */
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t0 = instret();
		sched_yield();
		yields[i] = instret() - t0;
	}
	bench_stop = 1;
	pthread_join(t, NULL);
	bench_stop = 0;
	pthread_create(&t, NULL, handoff_partner, NULL);
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t0 = instret();
		__atomic_store_n(&handoff_word, 1, __ATOMIC_RELEASE);
		futex(&handoff_word, FUTEX_WAKE_PRIVATE, 1);
		while (__atomic_load_n(&handoff_word, __ATOMIC_ACQUIRE) != 0)
			futex(&handoff_word, FUTEX_WAIT_PRIVATE, 1);
		handoffs[i] = instret() - t0;
	}
	bench_stop = 1;
	__atomic_store_n(&handoff_word, 1, __ATOMIC_RELEASE);
	futex(&handoff_word, FUTEX_WAKE_PRIVATE, 1);
	pthread_join(t, NULL);
	printf("bench: thread_switch_instret=%llu futex_handoff_instret=%llu\n",
	       (unsigned long long)median(yields, ROUNDS) / 2, (unsigned long long)median(handoffs, ROUNDS) / 2);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "bench") == 0)
		return bench();
	if (argc > 1 && strcmp(argv[1], "deadlock") == 0) {
		pthread_t t;
		pthread_create(&t, NULL, wait_forever, NULL);
		pthread_join(t, NULL);
		printf("threads: the deadlock ended\n");
		return 1;
	}
	int n = argc > 1 ? atoi(argv[1]) : 4;
	items_per_producer = argc > 2 ? strtoull(argv[2], NULL, 10) : 20000;
	if (n < 1 || n > 64 || items_per_producer < 1) {
		printf("usage: threads [THREADS 1..64] [ITEMS]\n");
		return 2;
	}
	check_refusals();
	check_timeouts();
	check_preemption();
	check_fp_state();

	pthread_t prod[64], cons[64], sleepers[4];
	pthread_barrier_init(&barrier, NULL, (unsigned)(2 * n));
	for (int i = 0; i < 4; i++)
		CHECK(pthread_create(&sleepers[i], NULL, sleeper, (void *)(uintptr_t)(i + 1)) == 0);
	for (int i = 0; i < n; i++) {
		CHECK(pthread_create(&prod[i], NULL, producer, (void *)(uintptr_t)(i + 1)) == 0);
		CHECK(pthread_create(&cons[i], NULL, consumer, NULL) == 0);
	}
	uint64_t produced = 0, consumed = 0, count_in = 0, count_out = 0, expect = 0;
	pid_t tids[128];
	int ntids = 0;
	for (int i = 0; i < n; i++) {
		struct result *r;
		CHECK(pthread_join(prod[i], (void **)&r) == 0);
		produced += r->sum;
		count_in += r->count;
		tids[ntids++] = r->tid;
		free(r);
		uint64_t base = (uint64_t)(i + 1) * 1000003;
		expect += base * items_per_producer + items_per_producer * (items_per_producer + 1) / 2;
	}
	for (int i = 0; i < n; i++)
		put(0);
	for (int i = 0; i < n; i++) {
		struct result *r;
		CHECK(pthread_join(cons[i], (void **)&r) == 0);
		consumed += r->sum;
		count_out += r->count;
		tids[ntids++] = r->tid;
		free(r);
	}
	for (int i = 0; i < 4; i++) {
		void *v;
		CHECK(pthread_join(sleepers[i], &v) == 0 && v == (void *)(uintptr_t)(i + 1));
	}
	/* Thread IDs are distinct and none is the process's. */
	for (int i = 0; i < ntids; i++) {
		CHECK(tids[i] != getpid());
		for (int j = 0; j < i; j++)
			CHECK(tids[i] != tids[j]);
	}
	CHECK(local_count == 0); /* main's own thread-local counter never moved */
	CHECK(count_in == (uint64_t)n * items_per_producer && count_out == count_in);
	CHECK(produced == expect && consumed == expect);
	CHECK(gettid() == getpid());
	if (failures) {
		printf("threads: %d checks failed\n", failures);
		return 1;
	}
	printf("threads: ok %d producers, %d consumers, %llu items, sum %llu\n", n, n,
	       (unsigned long long)count_in, (unsigned long long)consumed);
	return 0;
}
