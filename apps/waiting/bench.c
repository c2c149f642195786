/*
 * What a wait costs (`make bench APP=waiting ARGS=bench`): a byte handed
 * to another thread through a pipe, and through an eventfd, and a wake seen
 * through epoll_wait, each as half a round trip (the write, the wake of the
 * partner's wait, the switch, its call made again and returning), medians
 * of ROUNDS, counted by the program with rdinstret.
 */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "measure.h"
#include "waiting.h"

#define ROUNDS 31

/* Two channels, one each way: pipes or eventfds (the same descriptor both ends). */
struct pingpong {
	int to_partner[2], to_main[2];
	int epoll; /* >= 0: the partner waits in epoll_wait before each read */
};

static void *partner_body(void *arg)
{
	struct pingpong *pp = arg;
	uint64_t v;
	for (int i = 0; i < ROUNDS + 1; i++) {
		if (pp->epoll >= 0) {
			struct epoll_event ev;
			if (epoll_wait(pp->epoll, &ev, 1, -1) != 1)
				break;
		}
		if (read(pp->to_partner[0], &v, sizeof(v)) != sizeof(v) ||
		    write(pp->to_main[1], &v, sizeof(v)) != sizeof(v))
			break;
	}
	return NULL;
}

/* Half a round trip through PP, the median of ROUNDS (the first, which starts the partner, is left out). */
static uint64_t handoff(struct pingpong *pp)
{
	uint64_t sample[ROUNDS], v = 1;
	pthread_t partner;
	CHECK(pthread_create(&partner, NULL, partner_body, pp) == 0, "pthread_create");
	for (int i = 0; i < ROUNDS + 1; i++) {
		uint64_t t0 = instret();
		CHECK(write(pp->to_partner[1], &v, sizeof(v)) == sizeof(v), "bench write");
		CHECK(read(pp->to_main[0], &v, sizeof(v)) == sizeof(v), "bench read");
		if (i)
			sample[i - 1] = instret() - t0;
	}
	join(partner);
	return median(sample, ROUNDS) / 2;
}

int waiting_bench(void)
{
	struct pingpong pipes = { .epoll = -1 }, events = { .epoll = -1 }, polled;
	CHECK(pipe(pipes.to_partner) == 0 && pipe(pipes.to_main) == 0, "pipes");
	uint64_t pipe_cost = handoff(&pipes);
	int a = eventfd(0, 0), b = eventfd(0, 0);
	CHECK(a >= 0 && b >= 0, "eventfds");
	events.to_partner[0] = events.to_partner[1] = a;
	events.to_main[0] = events.to_main[1] = b;
	uint64_t eventfd_cost = handoff(&events);
	polled = pipes;
	polled.epoll = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN };
	CHECK(polled.epoll >= 0 && epoll_ctl(polled.epoll, EPOLL_CTL_ADD, pipes.to_partner[0], &ev) == 0,
	      "epoll");
	uint64_t epoll_cost = handoff(&polled);
	if (failures)
		return 1;
	printf("bench: pipe_handoff_instret=%llu eventfd_handoff_instret=%llu epoll_handoff_instret=%llu\n",
	       (unsigned long long)pipe_cost, (unsigned long long)eventfd_cost, (unsigned long long)epoll_cost);
	return 0;
}
