/*
 * Host tests of epoll instances (kernel/epoll.c) through the descriptor
 * table (kernel/fd.c), with pipes and eventfds as the files watched:
 * epoll_ctl and its errors, level, edge and one-shot reports, the order
 * of reports, and items whose descriptor was closed or reused.  Each
 * expected value is worked out in the comment beside it.
 */
#include "tests/host/epoll_host.h"

static void test_ctl_errors(void)
{
	setup();
	long ep = new_epoll(), r, w;
	new_pipe(&r, &w);
	struct fs_node *n;
	CHECK_EQ(fs_open(R, "/tmp/f", O_CREAT | O_RDWR, 0644, &n), 0);
	long reg = install(file_new(n, O_RDWR));
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, r, POLLIN, 7), 0);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, r, POLLIN, 8), -EEXIST);
	CHECK_EQ(ctl(ep, EPOLL_CTL_MOD, w, POLLOUT, 0), -ENOENT); /* w was never added */
	CHECK_EQ(ctl(ep, EPOLL_CTL_DEL, w, 0, 0), -ENOENT);
	/* A regular file is always ready, so waiting on it makes no sense: -EPERM, before the op is looked at. */
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, reg, POLLIN, 0), -EPERM);
	CHECK_EQ(ctl(ep, 99, reg, POLLIN, 0), -EPERM);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, ep, POLLIN, 0), -EINVAL); /* itself */
	CHECK_EQ(ctl(ep, EPOLL_CTL_MOD, r, POLLIN | EPOLLEXCLUSIVE, 0), -EINVAL);
	CHECK_EQ(ctl(ep, 99, r, POLLIN, 0), -EINVAL);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, w, POLLOUT | EPOLLONESHOT | EPOLLEXCLUSIVE, 9), -EINVAL);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, w, POLLOUT | EPOLLEXCLUSIVE, 9), 0); /* allowed with ADD */
	CHECK_EQ(ctl(ep, EPOLL_CTL_MOD, w, POLLOUT, 9), -EINVAL);           /* and never modified */
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, 0, POLLIN, 10), 0);                 /* the console can wait */
	/* The refusals changed nothing: r still reports data 7 (after a write), w data 9. */
	CHECK_EQ(put(w, "x"), 1);
	CHECK_EQ(wait_events(ep, 8), 2);
	CHECK(B.events[0].data == 7 && B.events[0].events == POLLIN);
	CHECK(B.events[1].data == 9 && B.events[1].events == POLLOUT);
	CHECK_EQ(ctl(ep, EPOLL_CTL_DEL, r, 0, 0), 0);
	CHECK_EQ(ctl(ep, EPOLL_CTL_DEL, r, 0, 0), -ENOENT);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, r, POLLIN, 11), 0); /* deleted: may be added again */
	teardown();
}

static void test_level_triggered(void)
{
	setup();
	long ep = new_epoll(), r, w;
	new_pipe(&r, &w);
	const uint64_t data = 0x1234567890abcdefull; /* given back whole, all 64 bits */
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, r, POLLIN, data), 0);
	CHECK_EQ(wait_events(ep, 4), 0); /* empty pipe */
	CHECK_EQ(file_poll(fd_get(ep), 0), 0);
	CHECK_EQ(put(w, "ab"), 2);
	CHECK_EQ(file_poll(fd_get(ep), 0), POLLIN | POLLRDNORM);
	for (int i = 0; i < 3; i++) { /* level: every wait while the bytes are there */
		CHECK_EQ(wait_events(ep, 4), 1);
		/* The pipe is POLLIN|POLLRDNORM, the item asked for POLLIN only. */
		CHECK(B.events[0].events == POLLIN && B.events[0].data == data);
	}
	CHECK_EQ(take(r, 2), 2);
	CHECK_EQ(wait_events(ep, 4), 0);
	/* The writer gone: POLLHUP is reported though not asked for. */
	CHECK_EQ(fd_close(w), 0);
	CHECK_EQ(wait_events(ep, 4), 1);
	CHECK_EQ(B.events[0].events, POLLHUP);
	/* MOD to ask for nothing still reports POLLHUP (as Linux's POLLERR/POLLHUP, always). */
	CHECK_EQ(ctl(ep, EPOLL_CTL_MOD, r, 0, 3), 0);
	CHECK_EQ(wait_events(ep, 4), 1);
	CHECK(B.events[0].events == POLLHUP && B.events[0].data == 3);
	teardown();
}

static void test_edge_triggered(void)
{
	setup();
	long ep = new_epoll(), r, w;
	new_pipe(&r, &w);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, r, POLLIN | EPOLLET, 1), 0);
	CHECK_EQ(wait_events(ep, 4), 0);
	CHECK_EQ(put(w, "a"), 1);
	CHECK_EQ(wait_events(ep, 4), 1); /* the change: once */
	CHECK_EQ(wait_events(ep, 4), 0); /* still readable, no new change */
	CHECK_EQ(file_poll(fd_get(ep), 0), 0);
	CHECK_EQ(put(w, "b"), 1);
	CHECK_EQ(file_poll(fd_get(ep), 0), POLLIN | POLLRDNORM);
	CHECK_EQ(wait_events(ep, 4), 1); /* a second write: reported again */
	CHECK_EQ(wait_events(ep, 4), 0);
	/* A read that leaves bytes changes the writers' side only: nothing new for a reader (as Linux). */
	CHECK_EQ(take(r, 1), 1);
	CHECK_EQ(wait_events(ep, 4), 0);
	CHECK_EQ(put(w, "b"), 1);
	CHECK_EQ(wait_events(ep, 4), 1);
	/* An empty pipe changing (read out) reports nothing: no POLLIN to report. */
	CHECK_EQ(take(r, 2), 2);
	CHECK_EQ(wait_events(ep, 4), 0);
	/* MOD forgets what was reported: a readable file reports at once. */
	CHECK_EQ(put(w, "c"), 1);
	CHECK_EQ(wait_events(ep, 4), 1);
	CHECK_EQ(ctl(ep, EPOLL_CTL_MOD, r, POLLIN | EPOLLET, 2), 0);
	CHECK_EQ(wait_events(ep, 4), 1);
	CHECK_EQ(B.events[0].data, 2);
	CHECK_EQ(wait_events(ep, 4), 0);
	teardown();
}

static void test_oneshot(void)
{
	setup();
	long ep = new_epoll(), efd = new_eventfd(1, 0);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, efd, POLLIN | EPOLLONESHOT, 1), 0);
	CHECK_EQ(wait_events(ep, 4), 1);
	CHECK_EQ(wait_events(ep, 4), 0); /* still readable, but disabled */
	uint64_t one = 1;
	CHECK_EQ(file_write(fd_get(efd), &one, 8, -1), 8);
	CHECK_EQ(wait_events(ep, 4), 0); /* a change does not re-arm it either */
	CHECK_EQ(file_poll(fd_get(ep), 0), 0);
	CHECK_EQ(ctl(ep, EPOLL_CTL_MOD, efd, POLLIN | EPOLLONESHOT, 2), 0); /* re-armed */
	CHECK_EQ(wait_events(ep, 4), 1);
	CHECK_EQ(B.events[0].data, 2);
	CHECK_EQ(wait_events(ep, 4), 0);
	CHECK_EQ(ctl(ep, EPOLL_CTL_MOD, efd, POLLIN, 3), 0); /* level from now on */
	CHECK_EQ(wait_events(ep, 4), 1);
	CHECK_EQ(wait_events(ep, 4), 1);
	teardown();
}

/* A look whose events never reached the program (its copy failed) consumes nothing. */
static void test_look_without_consume(void)
{
	setup();
	long ep = new_epoll(), a = new_eventfd(1, 0), b = new_eventfd(1, 0);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, a, POLLIN | EPOLLET, 1), 0);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, b, POLLIN | EPOLLONESHOT, 2), 0);
	CHECK_EQ(look(ep, 4), 2);
	CHECK_EQ(look(ep, 4), 2); /* the edge and the one shot are both still there */
	CHECK_EQ(look(ep, 1), 1);
	CHECK_EQ(B.events[0].data, 1); /* and the order unchanged: a first */
	CHECK_EQ(wait_events(ep, 4), 2);
	CHECK_EQ(wait_events(ep, 4), 0); /* now both are used up */
	teardown();
}

/* With max 1, two ready items take turns: a reported item goes to the end. */
static void test_rotation(void)
{
	setup();
	long ep = new_epoll(), a = new_eventfd(1, 0), b = new_eventfd(1, 0), c = new_eventfd(0, 0);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, a, POLLIN, 10), 0);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, c, POLLIN, 30), 0); /* never ready: no turn */
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, b, POLLIN, 20), 0);
	uint64_t expect[] = { 10, 20, 10, 20, 10 };
	for (int i = 0; i < 5; i++) {
		CHECK_EQ(wait_events(ep, 1), 1);
		CHECK_EQ(B.events[0].data, expect[i]);
	}
	/* The list is now c, b, a (a reported last): max 2 gives b then a. */
	CHECK_EQ(wait_events(ep, 2), 2);
	CHECK(B.events[0].data == 20 && B.events[1].data == 10);
	CHECK_EQ(wait_events(ep, EPOLL_BATCH + 5), 2); /* max above the batch is capped, not an overrun */
	teardown();
}

/* An item names its file by descriptor and file: closing the descriptor, or reusing it, ends it. */
static void test_dead_items(void)
{
	setup();
	long ep = new_epoll(), r, w;
	new_pipe(&r, &w);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, r, POLLIN, 5), 0);
	CHECK_EQ(put(w, "x"), 1);
	CHECK_EQ(look(ep, 4), 1);
	/* A dup keeps the file open, but the item named r: it is gone (unlike Linux, documented). */
	long r2 = install((file_get(fd_get(r)), fd_get(r)));
	CHECK_EQ(fd_close(r), 0);
	CHECK_EQ(wait_events(ep, 4), 0);
	CHECK_EQ(ctl(ep, EPOLL_CTL_DEL, r, 0, 0), -EBADF); /* as sys_epoll_ctl: no such descriptor */
	/* The number r reused for a ready eventfd: not reported as the old item (data 5). */
	long efd = new_eventfd(1, 0);
	CHECK_EQ(efd, r);
	CHECK_EQ(wait_events(ep, 4), 0);
	CHECK_EQ(file_poll(fd_get(ep), 0), 0);
	CHECK_EQ(ctl(ep, EPOLL_CTL_MOD, efd, POLLIN, 6), -ENOENT);
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, efd, POLLIN, 6), 0); /* a new item, not -EEXIST */
	CHECK_EQ(wait_events(ep, 4), 1);
	CHECK_EQ(B.events[0].data, 6);
	/* Closed and reused before any look: the old item must not report the new file. */
	CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, r2, POLLIN, 7), 0);
	CHECK_EQ(fd_close(r2), 0);
	long efd2 = new_eventfd(1, 0);
	CHECK_EQ(efd2, r2);
	CHECK_EQ(wait_events(ep, 4), 1); /* efd's item only (data 6) */
	CHECK_EQ(B.events[0].data, 6);
	/* The watched epoll closed: its item in another epoll goes too. */
	long outer = new_epoll();
	CHECK_EQ(ctl(outer, EPOLL_CTL_ADD, ep, POLLIN, 8), 0);
	CHECK_EQ(wait_events(outer, 4), 1);
	CHECK_EQ(fd_close(ep), 0);
	CHECK_EQ(wait_events(outer, 4), 0);
	teardown();
}

int main(void)
{
	RUN(test_ctl_errors);
	RUN(test_level_triggered);
	RUN(test_edge_triggered);
	RUN(test_oneshot);
	RUN(test_look_without_consume);
	RUN(test_rotation);
	RUN(test_dead_items);
	CHECK_EXIT();
}
