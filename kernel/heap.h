/*
 * The kernel heap, on top of the frame allocator.
 *
 * Sizes up to HEAP_MAX_SMALL come from slab pages (one 4 KiB frame split into
 * objects of one power-of-two size class); larger sizes get a whole
 * frame_alloc block of their own.  Needs a successful frame_init first.
 *
 * Not reentrant, like the frame allocator: single hart, never called from
 * interrupt context.
 */
#ifndef KERNEL_HEAP_H
#define KERNEL_HEAP_H

#include <stddef.h>
#include <stdint.h>

#define HEAP_MIN_SMALL 16
#define HEAP_MAX_SMALL 2048

/* At least SIZE bytes, 16-byte aligned (allocations above HEAP_MAX_SMALL are
 * page aligned); NULL when size is 0 or memory is exhausted.  Not zeroed. */
void *kmalloc(size_t size);

/* kmalloc, zeroed. */
void *kzalloc(size_t size);

/* Free what kmalloc returned; NULL is ignored.  A pointer kmalloc did not
 * return, or one already freed, panics: it is a kernel bug. */
void kfree(void *p);

struct heap_stats {
	uint64_t bytes_in_use;	 /* handed out now, rounded up to the size class or block */
	uint64_t bytes_reserved; /* held from the frame allocator: slab pages and large blocks */
	uint64_t allocs;	 /* successful kmalloc/kzalloc calls */
	uint64_t frees;		 /* kfree calls on non-NULL pointers */
	uint64_t slab_pages;	 /* slab pages held now */
	uint64_t failures;	 /* kmalloc calls refused for lack of memory */
};

void heap_get_stats(struct heap_stats *out);

/* Host tests: forget every slab and statistic (after frame_init starts over). */
void heap_reset_for_test(void);

#endif
