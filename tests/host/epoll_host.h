/*
 * What the epoll and eventfd host tests share (tests/host/test_epoll.c,
 * test_epoll_nest.c, test_eventfd.c): a fresh descriptor table on the RAM
 * file system, files made and installed, and epoll_ctl / epoll_wait as
 * the system calls make them.  Included once per test binary.
 */
#ifndef TESTS_HOST_EPOLL_HOST_H
#define TESTS_HOST_EPOLL_HOST_H

#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel/epoll.h"
#include "kernel/error.h"
#include "kernel/eventfd.h"
#include "kernel/fd.h"
#include "kernel/file_ready.h"
#include "kernel/fs.h"
#include "kernel/sched.h"
#include "tests/host/check.h"
#include "tests/host/fs_host.h"
#include "tests/host/wait_host.h"

static struct fs_node *R;
static struct epoll_batch B;

/* A fresh tree and descriptor table: fds 0 to 2 on the console. */
static inline void setup(void)
{
	R = fs_host_init();
	CHECK(R != NULL);
	CHECK_EQ(fd_init(), 0);
	wait_host_reset();
}

/* Close every descriptor (freeing every file) and the tree: LeakSanitizer sees what is left. */
static inline void teardown(void)
{
	for (long fd = 0; fd < FD_MAX; fd++)
		fd_close(fd);
	fs_reset();
}

/* F at the lowest free descriptor, the table's reference the only one. */
static inline long install(struct file *f)
{
	long fd = fd_install(f, 0, 0);
	file_put(f);
	return fd;
}

static inline long new_epoll(void)
{
	return install(file_epoll(0));
}

static inline long new_eventfd(uint64_t initval, int semaphore)
{
	return install(file_eventfd(initval, semaphore, 0));
}

static inline void new_pipe(long *rd, long *wr)
{
	struct file *r, *w;
	CHECK_EQ(file_pipe(0, &r, &w), 0);
	*rd = install(r);
	*wr = install(w);
}

/* epoll_ctl as sys_epoll_ctl makes it: on the epoll open on EPFD, for FD. */
static inline long ctl(long epfd, int op, long fd, uint32_t events, uint64_t data)
{
	struct file *self = fd_get(epfd), *target = fd_get(fd);
	if (!self || !target)
		return -EBADF;
	if (self->kind != FILE_EPOLL)
		return -EINVAL;
	return epoll_ctl(self->epoll, self, op, fd, target, events, data);
}

/* epoll_wait with a copy that succeeds: look, then consume. */
static inline int wait_events(long epfd, int max)
{
	struct epoll *ep = fd_get(epfd)->epoll;
	int n = epoll_look(ep, &B, max);
	epoll_consume(ep, &B);
	return n;
}

/* A look whose copy to the program failed: nothing consumed. */
static inline int look(long epfd, int max)
{
	return epoll_look(fd_get(epfd)->epoll, &B, max);
}

static inline long put(long fd, const char *s)
{
	return file_write(fd_get(fd), s, strlen(s), -1);
}

static inline long take(long fd, size_t n)
{
	char buf[64];
	return file_read(fd_get(fd), buf, n, -1);
}

#endif
