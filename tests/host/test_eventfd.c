/*
 * Host tests of eventfd counters (kernel/eventfd.c) and of the wakes that
 * changes of eventfds and pipes send (the channels of tests/host/wait_host.c
 * count them).
 */
#include "tests/host/epoll_host.h"

/* Changes wake the changed file's channel, once each, and no other. */
static void test_wakes(void)
{
	setup();
	long ep = new_epoll(), efd = new_eventfd(0, 0), r, w;
	new_pipe(&r, &w);
	struct file *e = fd_get(efd), *p = fd_get(r);
	uint64_t ech = e->eventfd->w.channel, pch = p->pipe->w.channel;
	CHECK(file_channel(e) == ech && file_channel(p) == pch && file_channel(fd_get(w)) == pch);
	CHECK(ech != pch && ech != WAIT_CHANNEL_CONSOLE && pch != WAIT_CHANNEL_CONSOLE);
	CHECK_EQ(file_channel(fd_get(ep)), WAIT_CHANNEL_ANY); /* an epoll waits on everything */
	CHECK_EQ(file_channel(fd_get(0)), WAIT_CHANNEL_CONSOLE);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, efd, POLLIN, 1), 0);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, r, POLLIN, 2), 0);
	wait_host_reset();
	uint64_t v = 3, zero = 0, got = 0;
	CHECK_EQ(file_write(e, &v, 8, -1), 8);
	CHECK(wait_host_wakes(ech) == 1 && wait_host_wakes(pch) == 0);
	CHECK_EQ(file_write(e, &zero, 8, -1), 8); /* adding 0 changes nothing: no wake */
	CHECK_EQ(wait_host_wakes(ech), 1);
	CHECK_EQ(file_read(e, &got, 8, -1), 8);
	CHECK(got == 3 && wait_host_wakes(ech) == 2);
	CHECK_EQ(file_read(e, &got, 8, -1), -EAGAIN); /* nothing taken, no wake */
	CHECK_EQ(wait_host_wakes(ech), 2);
	CHECK_EQ(put(w, "ab"), 2);
	CHECK(wait_host_wakes(pch) == 1 && wait_host_wakes(ech) == 2);
	CHECK_EQ(wait_events(ep, 4), 1); /* looking wakes nothing */
	CHECK(wait_host_wakes(pch) == 1 && wait_host_wakes(ech) == 2);
	CHECK_EQ(fd_close(w), 0); /* the readers are told */
	CHECK_EQ(wait_host_wakes(pch), 2);
	/* The console: an epoll watching it (at any depth) says so; a typed line makes it ready. */
	long outer = new_epoll();
	CHECK_EQ(ctl(outer, EPOLL_CTL_ADD, ep, POLLIN, 3), 0);
	CHECK(!file_watches_console(fd_get(outer), 0));
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, 0, POLLIN, 4), 0);
	CHECK(file_watches_console(fd_get(outer), 0));
	CHECK_EQ(ctl(ep, EPOLL_CTL_DEL, r, 0, 0), 0);
	CHECK_EQ(wait_events(ep, 4), 0);
	wait_host_console_line("hi\n");
	CHECK_EQ(wait_events(ep, 4), 1);
	CHECK_EQ(B.events[0].data, 4);
	teardown();
}

static void test_eventfd(void)
{
	struct eventfd *e = eventfd_new(3, 0);
	uint64_t v = 0;
	char small[7];
	CHECK_EQ(eventfd_poll(e), POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM);
	CHECK_EQ(eventfd_read(e, small, sizeof(small)), -EINVAL); /* fewer than 8 bytes */
	CHECK_EQ(eventfd_write(e, small, sizeof(small)), -EINVAL);
	CHECK_EQ(eventfd_read(e, &v, 8), 8);
	CHECK_EQ(v, 3); /* all of it */
	CHECK_EQ(eventfd_read(e, &v, 8), -EAGAIN);
	CHECK_EQ(eventfd_poll(e), POLLOUT | POLLWRNORM);
	v = UINT64_MAX; /* never a value */
	CHECK_EQ(eventfd_write(e, &v, 8), -EINVAL);
	v = UINT64_MAX - 1; /* the largest count: full, no POLLOUT */
	CHECK_EQ(eventfd_write(e, &v, 16), 8);
	CHECK_EQ(eventfd_poll(e), POLLIN | POLLRDNORM);
	v = 1;
	CHECK_EQ(eventfd_write(e, &v, 8), -EAGAIN); /* would pass UINT64_MAX - 1 */
	CHECK_EQ(e->count, UINT64_MAX - 1);         /* and added nothing */
	CHECK_EQ(eventfd_read(e, &v, 8), 8);
	CHECK_EQ(v, UINT64_MAX - 1);
	v = 5;
	CHECK_EQ(eventfd_write(e, &v, 8), 8);
	v = UINT64_MAX - 6; /* 5 + that = UINT64_MAX - 1: fits exactly */
	CHECK_EQ(eventfd_write(e, &v, 8), 8);
	v = 0;
	CHECK_EQ(eventfd_write(e, &v, 8), 8); /* 0 always fits */
	eventfd_free(e);

	e = eventfd_new(2, EFD_SEMAPHORE); /* a read takes 1 */
	CHECK_EQ(eventfd_read(e, &v, 8), 8);
	CHECK(v == 1 && e->count == 1);
	CHECK_EQ(eventfd_read(e, &v, 8), 8);
	CHECK(v == 1 && e->count == 0);
	CHECK_EQ(eventfd_read(e, &v, 8), -EAGAIN);
	eventfd_free(e);

	/* Through its file: reads and writes, no offsets. */
	struct file *f = file_eventfd(7, 0, 0);
	CHECK_EQ(file_poll(f, 0), POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM);
	CHECK_EQ(file_read(f, &v, 8, 0), -ESPIPE);
	CHECK_EQ(file_read(f, &v, 8, -1), 8);
	CHECK_EQ(v, 7);
	/* The read changed the writers' side only (a stamp): none yet on the readers'. */
	CHECK(file_changed_at(f, POLLOUT, 0) > 0);
	CHECK_EQ(file_changed_at(f, POLLIN, 0), 0);
	CHECK_EQ(file_poll(f, 0), POLLOUT | POLLWRNORM);
	file_put(f);
}

int main(void)
{
	RUN(test_eventfd);
	RUN(test_wakes);
	CHECK_EXIT();
}
