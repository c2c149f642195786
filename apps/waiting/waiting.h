/*
 * What the sections of apps/waiting share: the CHECK that counts failures,
 * the clock, sleeps, signal handlers that count, and the helper threads
 * that act on a descriptor (or signal a thread) after a delay.
 */
#ifndef WAITING_H
#define WAITING_H

#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

extern int failures;

/* A failed check names itself and the errno it saw (the last call's, often the cause). */
#define CHECK(cond, what)                                                                   \
	do {                                                                                \
		if (!(cond)) {                                                              \
			printf("waiting: FAILED %s (%s, line %d, errno %d %s)\n", what, #cond, \
			       __LINE__, errno, strerror(errno));                           \
			failures++;                                                         \
		}                                                                           \
	} while (0)

/* How long a helper thread waits before it acts: long enough that the waiter is
 * usually blocked by then, though no check depends on it. */
#define DELAY_MS 10

int64_t now_ns(void);
void sleep_ms(int ms);

/* Signals caught by counting_handler, by number. */
extern volatile sig_atomic_t caught[65];
void counting_handler(int sig);
/* Installs counting_handler for SIG with FLAGS (0 or SA_RESTART). */
void count_signal(int sig, int flags);

/* A thread that, after DELAY_MS, writes LEN bytes of BUF to FD (or closes FD when BUF is NULL). */
pthread_t later_write(int fd, const void *buf, size_t len);
pthread_t later_close(int fd);
void join(pthread_t t);

/*
 * A thread that sends SIG to TARGET every DELAY_MS until nagger_stop; after
 * enough tries (the signal never interrupted the wait) it writes one byte to
 * UNBLOCK_FD, if >= 0, so a wait that ignores signals ends and its check fails
 * instead of hanging.
 */
struct nagger {
	pthread_t thread, target;
	int sig, unblock_fd;
	volatile int stop, sent;
};
void nagger_start(struct nagger *n, int sig, int unblock_fd);
void nagger_stop(struct nagger *n);

/* The sections: each counts its failed checks in failures. */
void check_pipes(void);
void check_interrupted_pipes(void);
void check_poll(void);
void check_ppoll(void);
void check_select(void);
void check_epoll(void);
void check_epoll_events(void);
void check_eventfd(void);
void check_big_writes(void);
int waiting_bench(void);
void check_console(void);
void check_deadlock(void);

#endif
