/* The countdown of alloc_fail.h: the wrappers of the allocation entry points.
 */
#include <stddef.h>

#include "kernel/error.h"
#include "kernel/frame.h"
#include "kernel/heap.h"
#include "tests/host/alloc_fail.h"

int __real_frame_alloc(unsigned order, paddr_t *pa);
int __real_frame_alloc_tagged(unsigned order, unsigned tag, paddr_t *pa);
void *__real_kmalloc(size_t size);
void *__real_kzalloc(size_t size);
int __wrap_frame_alloc(unsigned order, paddr_t *pa);
int __wrap_frame_alloc_tagged(unsigned order, unsigned tag, paddr_t *pa);
void *__wrap_kmalloc(size_t size);
void *__wrap_kzalloc(size_t size);

static int armed;
static unsigned long fail_at, attempts;
static int fired;
/* The heap's own frame allocations belong to its caller's kmalloc. */
static int inside_heap;

void alloc_fail_arm(unsigned long n)
{
	armed = 1;
	fail_at = n;
	attempts = 0;
	fired = 0;
}

unsigned long alloc_fail_disarm(void)
{
	armed = 0;
	return attempts;
}

int alloc_fail_fired(void)
{
	return fired;
}

/* Count one allocation: whether it is the one to fail. */
static int this_one_fails(void)
{
	if (!armed || inside_heap)
		return 0;
	if (++attempts != fail_at)
		return 0;
	fired = 1;
	return 1;
}

int __wrap_frame_alloc(unsigned order, paddr_t *pa)
{
	return this_one_fails() ? -ENOMEM : __real_frame_alloc(order, pa);
}

int __wrap_frame_alloc_tagged(unsigned order, unsigned tag, paddr_t *pa)
{
	return this_one_fails() ? -ENOMEM : __real_frame_alloc_tagged(order, tag, pa);
}

void *__wrap_kmalloc(size_t size)
{
	if (this_one_fails())
		return NULL;
	inside_heap++;
	void *p = __real_kmalloc(size);
	inside_heap--;
	return p;
}

void *__wrap_kzalloc(size_t size)
{
	if (this_one_fails())
		return NULL;
	inside_heap++;
	void *p = __real_kzalloc(size);
	inside_heap--;
	return p;
}
