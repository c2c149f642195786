/* eventfd counters (kernel/eventfd.h). */
#include "kernel/eventfd.h"

#include <string.h>

#include "kernel/error.h"
#include "kernel/heap.h"
#include "kernel/poll_events.h"

#define EVENTFD_MAX (UINT64_MAX - 1) /* the largest count; UINT64_MAX itself is never reached */

struct eventfd *eventfd_new(uint64_t initval, int semaphore)
{
	struct eventfd *e = kzalloc(sizeof(*e));
	if (!e)
		return NULL;
	e->count = initval;
	e->semaphore = semaphore;
	waitable_init(&e->w, 0);
	return e;
}

void eventfd_free(struct eventfd *e)
{
	kfree(e);
}

long eventfd_read(struct eventfd *e, void *buf, size_t n)
{
	if (n < sizeof(uint64_t))
		return -EINVAL;
	if (e->count == 0)
		return -EAGAIN;
	uint64_t value = e->semaphore ? 1 : e->count;
	e->count -= value;
	memcpy(buf, &value, sizeof(value));
	waitable_changed(&e->w, 0);
	return sizeof(value);
}

long eventfd_write(struct eventfd *e, const void *buf, size_t n)
{
	uint64_t value;
	if (n < sizeof(value))
		return -EINVAL;
	memcpy(&value, buf, sizeof(value));
	if (value == UINT64_MAX)
		return -EINVAL;
	if (value > EVENTFD_MAX - e->count)
		return -EAGAIN;
	e->count += value;
	if (value)
		waitable_changed(&e->w, 1);
	return sizeof(value);
}

unsigned eventfd_poll(const struct eventfd *e)
{
	unsigned events = 0;
	if (e->count)
		events |= POLLIN | POLLRDNORM;
	if (e->count < EVENTFD_MAX)
		events |= POLLOUT | POLLWRNORM;
	return events;
}
