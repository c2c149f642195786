/*
 * eventfd(2): a 64-bit counter behind a descriptor.  A write adds to it
 * (never to the maximum, 2^64 - 1), a read takes it all, or one under
 * EFD_SEMAPHORE.  As with pipes (kernel/pipe.h), nothing here blocks:
 * -EAGAIN, and the caller waits on the counter's channel.
 */
#ifndef KERNEL_EVENTFD_H
#define KERNEL_EVENTFD_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/waitable.h"

#define EFD_SEMAPHORE 1

struct eventfd {
	uint64_t count;
	int semaphore;
	struct waitable w; /* in: added to; out: read */
};

/* A counter at INITVAL, or NULL (-ENOMEM). */
struct eventfd *eventfd_new(uint64_t initval, int semaphore);
void eventfd_free(struct eventfd *e);

/* Read the counter as 8 bytes into BUF: 8, -EINVAL (N < 8), -EAGAIN (it is 0). */
long eventfd_read(struct eventfd *e, void *buf, size_t n);

/* Add the 8 bytes at BUF: 8, -EINVAL (N < 8, or the value 2^64 - 1), -EAGAIN (it would overflow). */
long eventfd_write(struct eventfd *e, const void *buf, size_t n);

/* POLLIN when above 0, POLLOUT while 1 more could be added. */
unsigned eventfd_poll(const struct eventfd *e);

#endif
