/*
 * Writes larger than a pipe holds: a blocking write writes every byte,
 * waiting for a reader to make room as often as it must (Linux's
 * pipe_write); a signal that ends the wait after some bytes went in ends the
 * write with their count, not EINTR, even under SA_RESTART.  And a readv
 * that has read something does not wait for more.
 */
#define _GNU_SOURCE /* F_GETPIPE_SZ */
#include "waiting.h"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#define BIG (3 * 65536 + 123) /* three pipes' worth and a bit: the writer waits three times at least */

static char out[BIG], in[BIG];

struct big_writer {
	int fd;
	size_t len;
	ssize_t done;
	int err;
	volatile int finished;
};

static void *big_writer_body(void *arg)
{
	struct big_writer *w = arg;
	w->done = write(w->fd, out, w->len);
	w->err = errno;
	w->finished = 1;
	return NULL;
}

/* A reader thread drains the pipe while one write of BIG bytes waits for room: all of them, in order. */
static void check_whole_write(void)
{
	int p[2];
	CHECK(pipe(p) == 0, "pipe");
	for (size_t i = 0; i < BIG; i++)
		out[i] = (char)(i * 7 + i / 251);
	struct big_writer w = { .fd = p[1], .len = BIG };
	pthread_t writer;
	CHECK(pthread_create(&writer, NULL, big_writer_body, &w) == 0, "pthread_create");
	size_t got = 0;
	while (got < BIG) {
		sleep_ms(1); /* let the writer fill the pipe and wait */
		ssize_t n = read(p[0], in + got, BIG - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	join(writer);
	CHECK(w.done == BIG, "one blocking write of 196,731 bytes to a pipe returns them all");
	CHECK(got == BIG && memcmp(in, out, BIG) == 0, "the reader gets every byte of it, once, in order");
	close(p[0]);
	close(p[1]);
}

/* A write of BIG bytes into an empty pipe nobody reads: a signal after the first 64 KiB ends it with 65,536. */
static void check_interrupted_after_some(int flags)
{
	int p[2];
	CHECK(pipe(p) == 0, "pipe");
	long size = fcntl(p[1], F_GETPIPE_SZ);
	count_signal(SIGUSR2, flags);
	struct big_writer w = { .fd = p[1], .len = BIG };
	pthread_t writer;
	CHECK(pthread_create(&writer, NULL, big_writer_body, &w) == 0, "pthread_create");
	for (int i = 0; i < 100 && caught[SIGUSR2] == 0 && !w.finished; i++) {
		sleep_ms(DELAY_MS);
		pthread_kill(writer, SIGUSR2);
	}
	for (int i = 0; i < 50 && !w.finished; i++)
		sleep_ms(DELAY_MS);
	if (!w.finished) { /* it wrongly still waits: take its reader away so it ends */
		signal(SIGPIPE, SIG_IGN);
		close(p[0]);
		p[0] = -1;
	}
	join(writer);
	CHECK(w.finished && w.done == size,
	      flags ? "a pipe write that a handler (SA_RESTART) interrupts after some bytes returns their count"
		    : "a pipe write that a handler interrupts after some bytes returns their count");
	signal(SIGUSR2, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	if (p[0] >= 0)
		close(p[0]);
	close(p[1]);
}

/* A readv whose first vector the pipe fills returns at once: it waits only while it has read nothing. */
static void check_readv_does_not_wait_after_data(void)
{
	int p[2];
	char a[4], b[16];
	struct iovec iov[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	CHECK(pipe(p) == 0 && write(p[1], "abcd", 4) == 4, "pipe with 4 bytes");
	CHECK(readv(p[0], iov, 2) == 4 && memcmp(a, "abcd", 4) == 0,
	      "readv of a pipe holding exactly the first vector's bytes returns them without waiting");
	close(p[0]);
	close(p[1]);
}

void check_big_writes(void)
{
	check_readv_does_not_wait_after_data();
	check_whole_write();
	check_interrupted_after_some(0);
	check_interrupted_after_some(SA_RESTART);
}
