/*
 * Pipes that block: a reader woken by a writer or by the last writer's close,
 * a writer on a full pipe woken by a reader, O_NONBLOCK, SIGPIPE and EPIPE;
 * and a blocked read or write that a signal interrupts (EINTR) or restarts
 * (SA_RESTART).
 */
#include "waiting.h"

#include <fcntl.h>
#include <unistd.h>

struct transfer {
	int fd;
	char buf[512];
	size_t want;
	ssize_t done;
	int err;
	volatile int finished;
};

static void *reader_body(void *arg)
{
	struct transfer *t = arg;
	t->done = read(t->fd, t->buf, t->want);
	t->err = errno;
	t->finished = 1;
	return NULL;
}

static void *writer_body(void *arg)
{
	struct transfer *t = arg;
	t->done = write(t->fd, t->buf, t->want);
	t->err = errno;
	t->finished = 1;
	return NULL;
}

static pthread_t start(void *(*body)(void *), struct transfer *t)
{
	pthread_t thread;
	CHECK(pthread_create(&thread, NULL, body, t) == 0, "pthread_create");
	return thread;
}

/* Reads exactly LEN bytes from FD (which has them), or fewer on an error. */
static size_t read_fully(int fd, char *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

static void check_reader_woken(void)
{
	int p[2];
	CHECK(pipe(p) == 0, "pipe");
	struct transfer t = { .fd = p[0], .want = sizeof(t.buf) };
	pthread_t reader = start(reader_body, &t);
	sleep_ms(DELAY_MS);
	CHECK(write(p[1], "wake the reader", 15) == 15, "write to the pipe a reader waits on");
	join(reader);
	CHECK(t.done == 15 && memcmp(t.buf, "wake the reader", 15) == 0,
	      "a reader blocked on an empty pipe gets exactly the bytes another thread wrote");

	/* The last writer closes while the reader waits: end of file. */
	t = (struct transfer){ .fd = p[0], .want = sizeof(t.buf) };
	reader = start(reader_body, &t);
	join(later_close(p[1]));
	join(reader);
	CHECK(t.done == 0, "a reader blocked on an empty pipe reads 0 (EOF) when the last writer closes");
	close(p[0]);
}

/* A new pipe in P, filled with 'f' through nonblocking writes, its write end blocking again; its size. */
static size_t full_pipe(int p[2])
{
	char chunk[1024];
	memset(chunk, 'f', sizeof(chunk));
	CHECK(pipe(p) == 0, "pipe");
	CHECK(fcntl(p[1], F_SETFL, O_NONBLOCK) == 0, "F_SETFL O_NONBLOCK on the write end");
	size_t size = 0;
	ssize_t n;
	while ((n = write(p[1], chunk, sizeof(chunk))) > 0)
		size += (size_t)n;
	CHECK(n == -1 && errno == EAGAIN, "a nonblocking write to a full pipe fails with EAGAIN");
	CHECK(size >= 4096, "a pipe holds at least a page before it is full");
	CHECK(fcntl(p[1], F_SETFL, 0) == 0, "F_SETFL 0 makes the write end blocking again");
	return size;
}

static void check_writer_woken(void)
{
	int p[2];
	ssize_t n;
	size_t size = full_pipe(p);

	struct transfer t = { .fd = p[1], .want = sizeof(t.buf) };
	memset(t.buf, 'w', sizeof(t.buf));
	pthread_t writer = start(writer_body, &t);
	sleep_ms(DELAY_MS);
	CHECK(!t.finished, "a write to a full pipe blocks until a reader makes room");
	/* A whole page read: Linux frees a slot of its ring only then. */
	static char drained[1 << 20];
	CHECK(read_fully(p[0], drained, 4096) == 4096, "read 4096 bytes from the full pipe");
	join(writer);
	CHECK(t.done == (ssize_t)sizeof(t.buf), "the blocked writer completes once the reader drained a page");
	CHECK(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0, "F_SETFL O_NONBLOCK on the read end");
	size_t rest = 0;
	while (rest < sizeof(drained) && (n = read(p[0], drained + rest, sizeof(drained) - rest)) > 0)
		rest += (size_t)n;
	CHECK(4096 + rest == size + sizeof(t.buf), "every byte written to the full pipe is read once");
	CHECK(rest >= sizeof(t.buf) && memcmp(drained + rest - sizeof(t.buf), t.buf, sizeof(t.buf)) == 0,
	      "the blocked writer's bytes come last, whole");
	close(p[0]);
	close(p[1]);
}

static void check_nonblocking_and_epipe(void)
{
	int p[2];
	char c;
	CHECK(pipe2(p, O_NONBLOCK) == 0, "pipe2 O_NONBLOCK");
	CHECK(read(p[0], &c, 1) == -1 && errno == EAGAIN, "an O_NONBLOCK read of an empty pipe fails with EAGAIN");
	close(p[0]);

	/* No reader: SIGPIPE to a handler, then EPIPE. */
	count_signal(SIGPIPE, 0);
	CHECK(write(p[1], "x", 1) == -1 && errno == EPIPE, "a write to a pipe with no reader fails with EPIPE");
	CHECK(caught[SIGPIPE] == 1, "a write to a pipe with no reader raises SIGPIPE, which the handler caught");
	signal(SIGPIPE, SIG_IGN);
	caught[SIGPIPE] = 0;
	CHECK(write(p[1], "x", 1) == -1 && errno == EPIPE, "with SIGPIPE ignored the write fails with EPIPE");
	CHECK(caught[SIGPIPE] == 0, "with SIGPIPE ignored no handler runs");
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);
}

void check_pipes(void)
{
	check_reader_woken();
	check_writer_woken();
	check_nonblocking_and_epipe();
	check_big_writes();
}

struct signal_then_write {
	pthread_t target;
	int fd;
};

/* Signals the reader, then writes: the read that the signal interrupted must be restarted to see it. */
static void *signal_then_write_body(void *arg)
{
	struct signal_then_write *sw = arg;
	sleep_ms(DELAY_MS);
	pthread_kill(sw->target, SIGUSR1);
	sleep_ms(DELAY_MS);
	CHECK(write(sw->fd, "restarted", 9) == 9, "write after the signal");
	return NULL;
}

/*
 * A writer blocked on a full pipe gets a signal: without SA_RESTART its write
 * fails with EINTR (nothing was written); with it the write resumes and
 * completes once the reader makes room.
 */
static void check_interrupted_write(int flags)
{
	int p[2];
	static char drain[1 << 17];
	full_pipe(p);
	count_signal(SIGUSR2, flags);
	struct transfer t = { .fd = p[1], .want = sizeof(t.buf) };
	memset(t.buf, 'r', sizeof(t.buf));
	pthread_t writer = start(writer_body, &t);
	sleep_ms(DELAY_MS);
	pthread_kill(writer, SIGUSR2);
	sleep_ms(DELAY_MS);
	if (flags & SA_RESTART) {
		CHECK(!t.finished, "a blocked pipe write interrupted by an SA_RESTART handler is restarted (still blocked)");
		CHECK(read_fully(p[0], drain, 4096) == 4096, "read 4096 bytes from the full pipe");
		join(writer);
		CHECK(t.done == (ssize_t)sizeof(t.buf), "the restarted pipe write completes once the reader made room");
	} else {
		for (int i = 0; i < 50 && !t.finished; i++)
			sleep_ms(DELAY_MS);
		CHECK(t.finished && t.done == -1 && t.err == EINTR,
		      "a blocked pipe write interrupted by a handler without SA_RESTART fails with EINTR");
		if (!t.finished) /* it wrongly still blocks: make room so it ends */
			read_fully(p[0], drain, 4096);
		join(writer);
	}
	CHECK(caught[SIGUSR2] == 1, "the handler ran in the blocked writer");
	signal(SIGUSR2, SIG_DFL);
	close(p[0]);
	close(p[1]);
}

void check_interrupted_pipes(void)
{
	check_interrupted_write(0);
	check_interrupted_write(SA_RESTART);

	int p[2];
	char buf[32];
	CHECK(pipe(p) == 0, "pipe");

	/* No SA_RESTART: a signal ends the blocked read with EINTR. */
	struct nagger n;
	count_signal(SIGUSR1, 0);
	nagger_start(&n, SIGUSR1, p[1]);
	ssize_t got = read(p[0], buf, sizeof(buf));
	int err = errno;
	nagger_stop(&n);
	CHECK(got == -1 && err == EINTR, "a blocked pipe read interrupted by a handler without SA_RESTART fails with EINTR");
	CHECK(caught[SIGUSR1] >= 1, "the handler ran during the blocked read");

	/* SA_RESTART: the read resumes after the handler and gets the data written later. */
	count_signal(SIGUSR1, SA_RESTART);
	struct signal_then_write sw = { pthread_self(), p[1] };
	pthread_t helper;
	CHECK(pthread_create(&helper, NULL, signal_then_write_body, &sw) == 0, "pthread_create");
	got = read(p[0], buf, sizeof(buf));
	join(helper);
	CHECK(got == 9 && memcmp(buf, "restarted", 9) == 0,
	      "a blocked pipe read interrupted by an SA_RESTART handler is restarted and gets the later data");
	CHECK(caught[SIGUSR1] == 1, "the SA_RESTART handler ran once");
	signal(SIGUSR1, SIG_DFL);
	close(p[0]);
	close(p[1]);
}
