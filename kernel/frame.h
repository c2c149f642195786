/*
 * The physical frame allocator: a binary buddy system over 4 KiB frames.
 *
 * It hands out blocks of 2^order frames, each aligned on its physical address
 * to its own size, so a 2 MiB or 1 GiB block can be mapped as one huge page.
 * Its metadata is one byte per frame of the managed span, carved out of RAM
 * at frame_init; free blocks are linked through their own first bytes.
 *
 * Not reentrant: the kernel runs on a single hart and never calls these from
 * interrupt context, so there is no lock.
 */
#ifndef KERNEL_FRAME_H
#define KERNEL_FRAME_H

#include <stdint.h>

#include "kernel/memory.h"

#define FRAME_ORDER_4K 0
#define FRAME_ORDER_2M 9
#define FRAME_ORDER_1G 18
#define FRAME_MAX_ORDER 18

/* frame_init refuses a span (lowest to highest managed byte) above this:
 * its metadata alone would be 256 MiB. */
#define FRAME_MAX_SPAN (1ull << 40)

/*
 * Owner tags an allocated block can carry, so a caller can tell its own
 * blocks from everybody else's (kfree uses them to refuse foreign pointers).
 */
#define FRAME_TAG_NONE 0
#define FRAME_TAG_SLAB 1	/* a kernel heap slab page */
#define FRAME_TAG_HEAP 2	/* a large kernel heap object */
#define FRAME_TAG_MAX 5

/*
 * Manage the page-aligned interior of each RAM range, minus the reserved
 * ranges (rounded out to whole pages; they may overlap RAM partially or not
 * at all).  Overlapping RAM ranges are managed once.  The metadata is carved
 * out of that RAM itself and reached with phys_to_virt, so the direct map
 * must already cover it.  Cost: one pass of stores over the metadata (a
 * quarter of a MiB per GiB of span) plus a few operations per free block.
 * Returns 0; -EINVAL when there are no RAM ranges, a range wraps around the
 * address space or the span exceeds FRAME_MAX_SPAN; -ENOMEM when no free
 * piece holds the metadata.  Calling it again forgets everything and starts
 * over; after a failure the allocator is empty.
 */
int frame_init(const struct mem_range *ram, unsigned nram, const struct mem_range *reserved,
	       unsigned nreserved);

/*
 * frame_init, but hand over only the free memory inside [lo, hi) (the
 * metadata goes there too); the rest of RAM waits for frame_online.  The
 * kernel uses it to bring RAM online as its direct map grows.
 */
int frame_init_window(const struct mem_range *ram, unsigned nram, const struct mem_range *reserved,
		      unsigned nreserved, paddr_t lo, paddr_t hi);

/* Hand over the free memory of [lo, hi) that frame_init_window held back: 0 or -EINVAL. */
int frame_online(paddr_t lo, paddr_t hi);

/*
 * Call HOOK when free memory drops below WATERMARK bytes, or below the
 * managed memory >> SHIFT when that is more (0: no such share), after an
 * allocation; and before failing one whatever the total (the free memory
 * may be too fragmented); never while HOOK itself runs.  The hook may
 * allocate and may bring memory online: the share lets its own largest
 * allocation grow with the memory it manages.
 */
void frame_set_low_hook(void (*hook)(void), uint64_t watermark, unsigned shift);

/* Allocate one block of 2^order frames; contents are NOT zeroed.  Returns 0
 * and *pa, -EINVAL (order > FRAME_MAX_ORDER), or -ENOMEM (none free). */
int frame_alloc(unsigned order, paddr_t *pa);

/*
 * frame_alloc, but the highest block of ORDER inside the smallest free block
 * that holds one (frame_alloc takes the lowest): the blocks just below it
 * are then free, for memory that grows downward (frame_alloc_at).
 */
int frame_alloc_high(unsigned order, paddr_t *pa);

/*
 * Allocate exactly the block of 2^order frames at PA when all of it is
 * free, splitting the free block that holds it (its other parts stay
 * free): 0; -EBUSY when any of it is allocated or unmanaged; -EINVAL for
 * an order above FRAME_MAX_ORDER or a PA that is not a managed address
 * aligned to the block's size.  Contents are not zeroed.
 */
int frame_alloc_at(paddr_t pa, unsigned order);

/* frame_alloc, recording TAG (<= FRAME_TAG_MAX, else -EINVAL) with the block. */
int frame_alloc_tagged(unsigned order, unsigned tag, paddr_t *pa);

/* Free a block from frame_alloc.  Returns 0, or -EINVAL when pa is not the
 * head of an allocated block of exactly that order (double free, wrong order,
 * misaligned, outside managed RAM), and then changes nothing. */
int frame_free(paddr_t pa, unsigned order);

/*
 * Turn the allocated block of ORDER at PA into 2^(ORDER - NEW_ORDER)
 * allocated blocks of NEW_ORDER with the same tag, each to be freed on its
 * own (a huge page broken into pages).  0, or -EINVAL as frame_free.
 */
int frame_split(paddr_t pa, unsigned order, unsigned new_order);

/*
 * The inverse of frame_split: the 2^(NEW_ORDER - ORDER) allocated blocks of
 * ORDER from PA (naturally aligned to NEW_ORDER, same tag) become one.
 * 0, or -EINVAL (changing nothing) when they are not exactly that.
 */
int frame_join(paddr_t pa, unsigned order, unsigned new_order);

/* The order of the allocated block whose head is pa, or -EINVAL. */
int frame_block_order(paddr_t pa);

/* The tag of the allocated block whose head is pa, or -EINVAL. */
int frame_block_tag(paddr_t pa);

struct frame_stats {
	uint64_t managed_bytes;	 /* handed to the allocator at init (metadata excluded) */
	uint64_t free_bytes;	 /* of those, not allocated now */
	uint64_t metadata_bytes; /* carved out of RAM for the metadata */
	uint64_t allocs;	 /* successful frame_alloc calls */
	uint64_t frees;		 /* successful frame_free calls */
	uint64_t failures;	 /* frame_alloc calls refused with -ENOMEM */
	uint64_t bad_frees;	 /* frame_free calls refused with -EINVAL */
	uint64_t free_blocks[FRAME_MAX_ORDER + 1]; /* free blocks of each order */
};

void frame_get_stats(struct frame_stats *out);

/* Check every invariant of the free lists and metadata (a pass over all the
 * metadata, so for tests and debugging).  Returns 0 or -EINVAL. */
int frame_check(void);

#endif
