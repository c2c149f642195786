/*
 * The stack: demand-zero 4 KiB pages with a little read-ahead downwards,
 * the direction a stack grows, never below the page above the region's
 * guard (the region layer refuses faults on the guard page itself, the
 * same way on both backends).
 */
#include "kernel/error.h"
#include "segment/reclaim.h"
#include "segment/segment.h"

#define STACK_READ_AHEAD 3 /* pages below the faulting one mapped with it */

static int stack_pagefault(struct segment *seg, const struct segment_fault *f)
{
	vaddr_t page = ALIGN_DOWN(f->va, PAGE_SIZE);
	vaddr_t guard = f->region_start; /* REGION_STACK: its lowest page */
	if (f->backing) /* a page with contents of its own: no read-ahead of zeros around it */
		return segproc_anon.pagefault(seg, f);
	int err = segment_place_zeroed(seg, page, TABLET_BITS_4K, segment_fault_rights(f));
	if (err)
		return err;
	for (unsigned i = 1; i <= STACK_READ_AHEAD && page - i * PAGE_SIZE > guard; i++)
		if (segment_place_zeroed(seg, page - i * PAGE_SIZE, TABLET_BITS_4K, f->rights))
			break; /* already there, or no memory: read-ahead is optional */
	return 0;
}

const struct segproc segproc_stack = {
	.name = "stack",
	.pagefault = stack_pagefault,
	.reclaim = reclaim_clean,
	.unreachable = segment_delete_unreachable,
};
