/*
 * Demand-zero anonymous memory in 4 KiB data tablets, and the program
 * image paged in on first touch: the default segproc of user segments
 * (program text and data, bss, brk, mmap).
 *
 * reclaim gives back pages that were never written since they were placed
 * (the entry's dirty bit is clear): their contents are still all zero, so a
 * later fault recreates them exactly.
 */
#include "segment/reclaim.h"
#include "segment/segment.h"

static int anon_pagefault(struct segment *seg, const struct segment_fault *f)
{
	vaddr_t page = ALIGN_DOWN(f->va, PAGE_SIZE);
	/* A page of the program image: adopt the caller's memory, do not copy it. */
	if (f->backing)
		return segment_map_fixed(seg, page, f->backing, PAGE_SIZE, segment_fault_rights(f));
	return segment_place_zeroed(seg, page, TABLET_BITS_4K, segment_fault_rights(f));
}

const struct segproc segproc_anon = {
	.name = "anon",
	.pagefault = anon_pagefault,
	.reclaim = reclaim_clean,
	.unreachable = segment_delete_unreachable,
};
