/*
 * Waiting, self-checking (issue 13, item 3), written to Linux's semantics:
 * blocking pipes, SIGPIPE, poll/ppoll, select/pselect, epoll, eventfd, and
 * signals that interrupt (EINTR) or restart (SA_RESTART) a wait.
 *   waiting all        every section; each prints "waiting: ok <section>",
 *                      then "waiting: ok"; exits 0 only if every check passed
 *   waiting <section>  one section (pipes, interrupted-pipes, poll, ppoll,
 *                      select, epoll, epoll-events, eventfd; and, not in all,
 *                      console (lines typed at it) and deadlock (ends with 137))
 *   waiting bench      what a wait costs (bench.c)
 * It builds and passes natively on Linux too, the reference:
 *   gcc -static -pthread -O2 -Iapps/include apps/waiting/[a-z]*.c
 */
#include "waiting.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int failures;
volatile sig_atomic_t caught[65];

int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

void counting_handler(int sig)
{
	caught[sig]++;
}

void count_signal(int sig, int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = counting_handler;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(sig, &sa, NULL) == 0, "sigaction installs the counting handler");
	caught[sig] = 0;
}

struct later {
	int fd;
	const void *buf; /* NULL: close fd */
	size_t len;
};

static void *later_body(void *arg)
{
	struct later *l = arg;
	sleep_ms(DELAY_MS);
	if (l->buf)
		CHECK(write(l->fd, l->buf, l->len) == (ssize_t)l->len, "the helper thread's delayed write");
	else
		CHECK(close(l->fd) == 0, "the helper thread's delayed close");
	free(l);
	return NULL;
}

static pthread_t later_start(int fd, const void *buf, size_t len)
{
	struct later *l = malloc(sizeof(*l));
	pthread_t t;
	*l = (struct later){ fd, buf, len };
	if (pthread_create(&t, NULL, later_body, l) != 0) {
		printf("waiting: FAILED pthread_create for a helper thread\n");
		exit(1);
	}
	return t;
}

pthread_t later_write(int fd, const void *buf, size_t len)
{
	return later_start(fd, buf, len);
}

pthread_t later_close(int fd)
{
	return later_start(fd, NULL, 0);
}

void join(pthread_t t)
{
	pthread_join(t, NULL);
}

/* A hundred tries: a second of nagging, far more than any wait here needs. */
#define NAGGER_TRIES 100

static void *nagger_body(void *arg)
{
	struct nagger *n = arg;
	while (!n->stop && n->sent < NAGGER_TRIES) {
		sleep_ms(DELAY_MS);
		if (n->stop)
			break;
		pthread_kill(n->target, n->sig);
		n->sent++;
	}
	if (!n->stop && n->unblock_fd >= 0) {
		printf("waiting: %d signals did not interrupt the wait; unblocking it\n", n->sent);
		CHECK(write(n->unblock_fd, "!", 1) == 1, "the nagger's unblocking write");
	}
	return NULL;
}

void nagger_start(struct nagger *n, int sig, int unblock_fd)
{
	n->target = pthread_self();
	n->sig = sig;
	n->unblock_fd = unblock_fd;
	n->stop = 0;
	n->sent = 0;
	if (pthread_create(&n->thread, NULL, nagger_body, n) != 0) {
		printf("waiting: FAILED pthread_create for the nagger\n");
		exit(1);
	}
}

void nagger_stop(struct nagger *n)
{
	n->stop = 1;
	pthread_join(n->thread, NULL);
}

static const struct section {
	const char *name;
	void (*run)(void);
} sections[] = {
	{ "pipes", check_pipes },
	{ "interrupted-pipes", check_interrupted_pipes },
	{ "poll", check_poll },
	{ "ppoll", check_ppoll },
	{ "select", check_select },
	{ "epoll", check_epoll },
	{ "epoll-events", check_epoll_events },
	{ "eventfd", check_eventfd },
	/* Not in "all": */
	{ "console", check_console },
	{ "deadlock", check_deadlock },
};
#define SECTIONS_IN_ALL 8

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "all";
	int all = strcmp(mode, "all") == 0, ran = 0;
	if (strcmp(mode, "bench") == 0)
		return waiting_bench();
	setvbuf(stdout, NULL, _IONBF, 0);
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		if (all ? i >= SECTIONS_IN_ALL : strcmp(mode, sections[i].name) != 0)
			continue;
		ran++;
		int before = failures;
		sections[i].run();
		if (failures == before)
			printf("waiting: ok %s\n", sections[i].name);
		else
			printf("waiting: %s: %d checks failed\n", sections[i].name, failures - before);
	}
	if (!ran) {
		printf("waiting: unknown mode '%s'\n", mode);
		return 2;
	}
	if (failures) {
		printf("waiting: %d checks failed\n", failures);
		return 1;
	}
	printf("waiting: ok\n");
	return 0;
}
