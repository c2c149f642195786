/*
 * What every object a thread can wait for keeps (pipes, eventfds, epolls,
 * the console): the channel its waiters block on (kernel/sched.h), and
 * when each side last changed, as stamps of one clock of changes: each
 * change takes the next stamp, so "changed since" is a comparison, and
 * stamps never repeat or go back.  The readers' side (IN) changes when
 * there may be more to read or nothing more will come; the writers' side
 * (OUT) when there may be room or no reader is left.  epoll's edge trigger
 * compares stamps (kernel/epoll.h); a wake of the channel makes each
 * waiter's call again (kernel/poll.h).
 */
#ifndef KERNEL_WAITABLE_H
#define KERNEL_WAITABLE_H

#include <stdint.h>

struct waitable {
	uint64_t channel;
	uint64_t in_changed, out_changed; /* stamps; 0: not yet */
};

/* W on a channel of its own (CHANNEL 0) or on CHANNEL, unchanged so far. */
void waitable_init(struct waitable *w, uint64_t channel);

/* W's readers' side (FOR_READERS) or writers' side changed: stamped, its waiters woken. */
void waitable_changed(struct waitable *w, int for_readers);

#endif
