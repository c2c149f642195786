/*
 * Host tests of epolls watching epolls (kernel/epoll.c): readiness
 * through them, and the -ELOOP that keeps their graph free of loops and of
 * chains longer than EPOLL_MAX_NESTS; and two bugs this suite found once
 * (an item brought back to life, an edge missed), kept as regressions.
 */
#include "tests/host/epoll_host.h"

/* An epoll watching an epoll: the inner one is POLLIN while one of its items would report. */
static void test_nested_readiness(void)
{
	setup();
	long outer = new_epoll(), inner = new_epoll(), r, w;
	new_pipe(&r, &w);
	CHECK_EQ(ctl(inner, EPOLL_CTL_ADD, r, POLLIN, 1), 0);
	CHECK_EQ(ctl(outer, EPOLL_CTL_ADD, inner, POLLIN, 2), 0);
	CHECK_EQ(wait_events(outer, 4), 0);
	CHECK_EQ(put(w, "x"), 1);
	CHECK_EQ(file_poll(fd_get(inner), 0), POLLIN | POLLRDNORM);
	CHECK_EQ(file_poll(fd_get(outer), 0), POLLIN | POLLRDNORM);
	CHECK_EQ(wait_events(outer, 4), 1);
	CHECK(B.events[0].data == 2 && B.events[0].events == POLLIN);
	/* Outer's wait consumed nothing of inner: inner still reports the pipe. */
	CHECK_EQ(wait_events(inner, 4), 1);
	CHECK_EQ(B.events[0].data, 1);
	/* Edge-triggered outer: once per change below. */
	CHECK_EQ(ctl(outer, EPOLL_CTL_MOD, inner, POLLIN | EPOLLET, 3), 0);
	CHECK_EQ(wait_events(outer, 4), 1);
	CHECK_EQ(wait_events(outer, 4), 0);
	CHECK_EQ(put(w, "y"), 1); /* the pipe changed: inner's changes did too */
	CHECK_EQ(wait_events(outer, 4), 1);
	/* A one-shot item below that has reported makes inner not ready. */
	CHECK_EQ(ctl(inner, EPOLL_CTL_MOD, r, POLLIN | EPOLLONESHOT, 1), 0);
	CHECK_EQ(wait_events(inner, 4), 1);
	CHECK_EQ(file_poll(fd_get(inner), 0), 0);
	teardown();
}

/* Loops and chains longer than EPOLL_MAX_NESTS (4 epoll-in-epoll links) are -ELOOP. */
static void test_loops(void)
{
	setup();
	long a = new_epoll(), b = new_epoll(), c = new_epoll();
	CHECK_EQ(ctl(a, EPOLL_CTL_ADD, b, POLLIN, 0), 0);
	CHECK_EQ(ctl(b, EPOLL_CTL_ADD, a, POLLIN, 0), -ELOOP); /* a->b->a */
	CHECK_EQ(ctl(b, EPOLL_CTL_ADD, c, POLLIN, 0), 0);
	CHECK_EQ(ctl(c, EPOLL_CTL_ADD, a, POLLIN, 0), -ELOOP); /* a->b->c->a */
	CHECK_EQ(ctl(c, EPOLL_CTL_ADD, b, POLLIN, 0), -ELOOP); /* b->c->b */
	CHECK_EQ(ctl(a, EPOLL_CTL_ADD, c, POLLIN, 0), 0);      /* a->c beside a->b->c: no loop */
	CHECK_EQ(ctl(a, EPOLL_CTL_DEL, b, 0, 0), 0);
	CHECK_EQ(ctl(b, EPOLL_CTL_ADD, a, POLLIN, 0), 0);      /* b->a->c and b->c: no loop now */
	CHECK_EQ(ctl(a, EPOLL_CTL_ADD, b, POLLIN, 0), -ELOOP); /* a->b->a again */
	teardown();
}

/*
 * A chain e0->e1->...->e5 (ei watching ei+1) has 5 links, one more than
 * EPOLL_MAX_NESTS: the link that would complete it is refused, whichever
 * end it is built from.  ORDER lists the links i (ei->ei+1) in the order
 * they are added; the last is the fifth and must be -ELOOP.
 */
static void chain_built(const int order[5])
{
	setup();
	long e[6];
	for (int i = 0; i < 6; i++)
		e[i] = new_epoll();
	for (int k = 0; k < 4; k++)
		CHECK_EQ(ctl(e[order[k]], EPOLL_CTL_ADD, e[order[k] + 1], POLLIN, 0), 0);
	CHECK_EQ(ctl(e[order[4]], EPOLL_CTL_ADD, e[order[4] + 1], POLLIN, 0), -ELOOP);
	/* A pipe at the bottom of the 4-link chain still makes its top ready. */
	long r, w, top = order[4] == 0 ? 1 : 0, bottom = order[4] == 4 ? 4 : 5;
	new_pipe(&r, &w);
	CHECK_EQ(put(w, "z"), 1);
	if (order[4] == 0 || order[4] == 4) {
		CHECK_EQ(ctl(e[bottom], EPOLL_CTL_ADD, r, POLLIN, 0), 0);
		CHECK_EQ(file_poll(fd_get(e[top]), 0), POLLIN | POLLRDNORM);
	}
	/* Removing a link lets the refused one in. */
	CHECK_EQ(ctl(e[order[0]], EPOLL_CTL_DEL, e[order[0] + 1], 0, 0), 0);
	CHECK_EQ(ctl(e[order[4]], EPOLL_CTL_ADD, e[order[4] + 1], POLLIN, 0), 0);
	teardown();
}

static void test_chain_too_long(void)
{
	static const int from_top[5] = { 0, 1, 2, 3, 4 };    /* the new link below the chain */
	static const int from_bottom[5] = { 4, 3, 2, 1, 0 }; /* the new link above it */
	static const int in_middle[5] = { 0, 1, 3, 4, 2 };   /* two chains of 2 joined */
	chain_built(from_top);
	chain_built(from_bottom);
	chain_built(in_middle);
}


/*
 * Found by this suite: when items named their file by descriptor and file
 * id, an item whose descriptor was closed came back to life if the same
 * file was put at the same number before the epoll was read again (dup2,
 * or dup taking the lowest free number), after the loop check had passed
 * over it while it was dead: a loop a->b->a, around which the change
 * stamps recursed until the stack overflowed.  Items now name the
 * descriptor's opening (fd_opening), which never comes back.
 */
static void test_revived_item_makes_no_loop(void)
{
	setup();
	long a = new_epoll(), b = new_epoll(), r, w;
	new_pipe(&r, &w);
	CHECK_EQ(put(w, "x"), 1);
	CHECK_EQ(ctl(a, EPOLL_CTL_ADD, r, POLLIN, 'r'), 0);
	CHECK_EQ(ctl(a, EPOLL_CTL_ADD, b, POLLIN, 'b'), 0); /* a->b */
	long b2 = fd_dup_to(b, 100, 0);
	CHECK_EQ(fd_close(b), 0);                            /* a's item for b is dead */
	CHECK_EQ(ctl(b2, EPOLL_CTL_ADD, a, POLLIN, 'a'), 0); /* b->a: no loop while it is dead */
	CHECK_EQ(fd_dup_to(b2, b, 0), b);                    /* b names b again */
	/* a reports the pipe only: its item on b died with b's first opening. */
	CHECK_EQ(look(a, 4), 1);
	CHECK(B.n >= 1 && B.events[0].data == 'r');
	/* A wait on b (a is ready: it reports) must return, not overflow the stack: in a child. */
	fflush(stdout);
	pid_t child = fork();
	if (child == 0) {
		close(2); /* the sanitizer's stack-overflow report: the status below says it */
		wait_events(b2, 4);
		_exit(0);
	}
	int status = 0;
	CHECK_EQ(waitpid(child, &status, 0), child);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		printf("#   the wait on the loop did not return (status %#x)\n", status);
	teardown();
}

/*
 * Found by this suite: when an epoll's changes were the sum of its items'
 * files' change counts, adding a ready item did not change it, and an
 * outer epoll watching it EPOLLET missed the new event (Linux's ep_insert
 * wakes the epolls above).  An ADD or MOD now takes a change stamp.
 */
static void test_nested_edge_sees_new_item(void)
{
	setup();
	long outer = new_epoll(), inner = new_epoll(), x = new_eventfd(1, 0), y = new_eventfd(1, 0);
	CHECK_EQ(ctl(inner, EPOLL_CTL_ADD, x, POLLIN, 1), 0);
	CHECK_EQ(ctl(outer, EPOLL_CTL_ADD, inner, POLLIN | EPOLLET, 2), 0);
	CHECK_EQ(wait_events(outer, 4), 1); /* inner became ready: once */
	CHECK_EQ(wait_events(outer, 4), 0);
	/* x and y were made with a count, never written: both 0 changes, inner's sum stays 0. */
	CHECK_EQ(ctl(inner, EPOLL_CTL_ADD, y, POLLIN, 3), 0);
	CHECK_EQ(wait_events(inner, 4), 2); /* inner has a new event ... */
	CHECK_EQ(wait_events(outer, 4), 1); /* ... which outer (EPOLLET) must report */
	teardown();
}

int main(void)
{
	RUN(test_nested_readiness);
	RUN(test_loops);
	RUN(test_chain_too_long);
	RUN(test_revived_item_makes_no_loop);
	RUN(test_nested_edge_sees_new_item);
	CHECK_EXIT();
}
