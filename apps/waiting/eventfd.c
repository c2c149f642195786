/*
 * eventfd: the counter (writes add, a read takes all), EFD_SEMAPHORE (a read
 * takes one), the sizes and values refused, a reader blocked on zero woken by
 * a write, and readiness to poll and epoll (POLLIN when above 0, POLLOUT
 * while another 1 fits below 0xfffffffffffffffe + 1).
 */
#include "waiting.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

static int add(int fd, uint64_t n)
{
	return write(fd, &n, sizeof(n)) == sizeof(n);
}

/* The value read, or UINT64_MAX (never a count) when the read failed. */
static uint64_t take(int fd)
{
	uint64_t n;
	return read(fd, &n, sizeof(n)) == sizeof(n) ? n : UINT64_MAX;
}

static short readiness(int fd)
{
	struct pollfd pfd = { fd, POLLIN | POLLOUT, 0 };
	return poll(&pfd, 1, 0) == 1 ? pfd.revents : 0;
}

static void check_counter(void)
{
	int fd = eventfd(0, EFD_NONBLOCK);
	CHECK(fd >= 0, "eventfd(0, EFD_NONBLOCK)");
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK, "EFD_NONBLOCK makes the descriptor O_NONBLOCK");
	CHECK(add(fd, 3) && add(fd, 4), "write 3 then 4 to an eventfd");
	CHECK(take(fd) == 7, "a read of an eventfd returns the sum of the writes (7)");
	uint64_t n;
	CHECK(read(fd, &n, sizeof(n)) == -1 && errno == EAGAIN, "a nonblocking read of a zero eventfd fails with EAGAIN");
	char small[4];
	CHECK(read(fd, small, sizeof(small)) == -1 && errno == EINVAL, "a read of an eventfd into fewer than 8 bytes fails with EINVAL");
	CHECK(write(fd, small, sizeof(small)) == -1 && errno == EINVAL, "a write of fewer than 8 bytes fails with EINVAL");
	CHECK(!add(fd, UINT64_MAX) && errno == EINVAL, "a write of 0xffffffffffffffff fails with EINVAL");

	CHECK(readiness(fd) == POLLOUT, "an eventfd at 0 is POLLOUT only");
	CHECK(add(fd, 1) && readiness(fd) == (POLLIN | POLLOUT), "an eventfd above 0 is POLLIN|POLLOUT");
	CHECK(add(fd, 0xfffffffffffffffdull), "fill the eventfd to 0xfffffffffffffffe");
	CHECK(readiness(fd) == POLLIN, "an eventfd at 0xfffffffffffffffe is POLLIN only");
	CHECK(!add(fd, 1) && errno == EAGAIN, "a nonblocking write past 0xfffffffffffffffe fails with EAGAIN");

	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.u64 = 42 }, out[2];
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0, "EPOLL_CTL_ADD of an eventfd");
	CHECK(epoll_wait(ep, out, 2, 0) == 1 && out[0].events == EPOLLIN && out[0].data.u64 == 42,
	      "epoll reports a full eventfd as EPOLLIN only");
	CHECK(take(fd) == 0xfffffffffffffffeull, "read the full count");
	CHECK(epoll_wait(ep, out, 2, 0) == 1 && out[0].events == EPOLLOUT, "epoll reports an eventfd at 0 as EPOLLOUT only");
	close(ep);
	close(fd);

	fd = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
	CHECK(fd >= 0, "eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK)");
	CHECK(take(fd) == 1 && take(fd) == 1 && take(fd) == 1, "EFD_SEMAPHORE: each read returns 1");
	CHECK(read(fd, &n, sizeof(n)) == -1 && errno == EAGAIN, "EFD_SEMAPHORE: the fourth read of 3 fails with EAGAIN");
	close(fd);

	CHECK(eventfd(0, 0x10) == -1 && errno == EINVAL, "eventfd with an unknown flag fails with EINVAL");
	fd = eventfd(0, EFD_CLOEXEC);
	CHECK(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC), "EFD_CLOEXEC sets FD_CLOEXEC");
	close(fd);
}

struct blocked_read {
	int fd;
	uint64_t value;
};

static void *take_body(void *arg)
{
	struct blocked_read *b = arg;
	b->value = take(b->fd);
	return NULL;
}

static void check_blocked_reader(void)
{
	struct blocked_read b = { eventfd(0, 0), 0 };
	CHECK(b.fd >= 0, "eventfd(0, 0)");
	pthread_t reader;
	CHECK(pthread_create(&reader, NULL, take_body, &b) == 0, "pthread_create");
	sleep_ms(DELAY_MS);
	CHECK(add(b.fd, 5), "write 5");
	join(reader);
	CHECK(b.value == 5, "a reader blocked on a zero eventfd is woken by a write and reads 5");
	close(b.fd);
}

void check_eventfd(void)
{
	check_counter();
	check_blocked_reader();
}
