/*
 * The console as a file to wait on: run with two lines and then ^D typed
 * at the console (tests/guest/cases.sh types them; on a host, pipe them in
 * with a pause between the lines).  Not part of "all", which needs no input.
 */
#include <string.h>
#include <sys/epoll.h>
#include <poll.h>
#include <stdio.h>
#include <unistd.h>

#include "waiting.h"

void check_console(void)
{
	char buf[64];
	struct pollfd p = { .fd = 0, .events = POLLIN };
	CHECK(poll(&p, 1, -1) == 1 && (p.revents & POLLIN), "poll: stdin readable once a line is typed");
	ssize_t n = read(0, buf, sizeof(buf));
	CHECK(n == 6 && memcmp(buf, "hello\n", 6) == 0, "read: the first line, alone");
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 7 }, out = { 0 };
	CHECK(ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev) == 0, "epoll watches stdin");
	CHECK(epoll_wait(ep, &out, 1, -1) == 1 && out.data.u64 == 7 && (out.events & EPOLLIN),
	      "epoll: stdin readable at the second line");
	n = read(0, buf, sizeof(buf));
	CHECK(n == 7 && memcmp(buf, "second\n", 7) == 0, "read: the second line");
	CHECK(read(0, buf, sizeof(buf)) == 0, "end of input");
	close(ep);
}

/* A thread alone reading its own empty pipe: nothing can ever write it (the kernel ends the program). */
void check_deadlock(void)
{
	int fds[2];
	char c;
	CHECK(pipe(fds) == 0, "pipe");
	printf("waiting: reading an empty pipe that only this thread could write\n");
	CHECK(read(fds[0], &c, 1) < 0 && 0, "the read returned: it should have waited forever");
}
