/*
 * The segproc of every user segment: how a fault's memory is laid out,
 * chosen by the kind of region it falls in (never by its address).
 *   REGION_HUGE   one zeroed 2 MiB data tablet for the aligned block (the
 *                 region is 2 MiB aligned, so it covers the block)
 *   REGION_STACK  a zeroed 4 KiB page and a little read-ahead downwards,
 *                 the way a stack grows, inside the region (whose start is
 *                 already above the guard page)
 *   others        a zeroed 4 KiB page, or a backed page: the caller's page
 *                 adopted in place, or a copy of its first bytes
 *
 * reclaim gives back pages that were never written since they were placed
 * (reclaim.c).
 */
#include "kernel/error.h"
#include "segment/reclaim.h"
#include "segment/segment.h"

#define STACK_READ_AHEAD 3 /* pages below the faulting one mapped with it */

/*
 * A new data tablet of 2^BITS bytes holding the first BYTES of the memory
 * at SRC and zeros after them, placed at VA with RIGHTS for good.  When no
 * memory is left, every segment is asked once to give back clean pages.
 */
static int place_new(struct segment *seg, vaddr_t va, unsigned bits, unsigned rights, paddr_t src,
		     uint64_t bytes)
{
	int err = tablet_place_new(seg->top, va, bits, rights, RENTAL_FOREVER, src, bytes);
	if (err == -ENOMEM && segment_reclaim_all(1ul << bits) > 0)
		err = tablet_place_new(seg->top, va, bits, rights, RENTAL_FOREVER, src, bytes);
	return err;
}

static int backed_fault(struct segment *seg, const struct segment_fault *f)
{
	vaddr_t page = ALIGN_DOWN(f->va, PAGE_SIZE);
	if (f->copy)
		return place_new(seg, page, TABLET_BITS_4K, f->rights, f->backing, f->copy);
	/* A read-only backed page: adopt the caller's memory; it never becomes the segment's. */
	return tablet_adopt_at(seg->top, page, f->backing, TABLET_BITS_4K, f->rights,
			       RENTAL_FOREVER);
}

static int stack_fault(struct segment *seg, const struct segment_fault *f)
{
	vaddr_t page = ALIGN_DOWN(f->va, PAGE_SIZE);
	int err = place_new(seg, page, TABLET_BITS_4K, f->rights, 0, 0);
	if (err)
		return err;
	/* Pages read ahead were not touched: accessed and dirty only once they are. */
	unsigned ahead = f->rights & ~(VMM_ACCESSED | VMM_DIRTY);
	for (unsigned i = 1; i <= STACK_READ_AHEAD && page - i * PAGE_SIZE >= f->region_start &&
			     page - i * PAGE_SIZE < page;
	     i++)
		if (place_new(seg, page - i * PAGE_SIZE, TABLET_BITS_4K, ahead, 0, 0))
			break; /* already there, or no memory: read-ahead is optional */
	return 0;
}

static int user_pagefault(struct segment *seg, const struct segment_fault *f)
{
	if (f->backing)
		return backed_fault(seg, f);
	switch (f->kind) {
	case REGION_HUGE:
		return place_new(seg, ALIGN_DOWN(f->va, MEGAPAGE_SIZE), TABLET_BITS_2M, f->rights,
				 0, 0);
	case REGION_STACK:
		return stack_fault(seg, f);
	default:
		return place_new(seg, ALIGN_DOWN(f->va, PAGE_SIZE), TABLET_BITS_4K, f->rights, 0,
				 0);
	}
}

const struct segproc segproc_user = {
	.name = "user",
	.pagefault = user_pagefault,
	.reclaim = reclaim_clean,
	.unreachable = segment_delete_unreachable,
};
