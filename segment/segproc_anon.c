/*
 * Demand-zero anonymous memory in 4 KiB data tablets, and backed pages (the
 * program image, file snapshots) mapped or copied on first touch: the
 * default segproc of user segments (program text and data, bss, brk, mmap),
 * and the one the others hand backed pages to.
 *
 * reclaim gives back pages that were never written since they were placed
 * (the entry's dirty bit is clear): their contents are still what the fault
 * put there (zeros, or a copy of the backing, which the region keeps), so a
 * later fault recreates them exactly.
 */
#include "segment/reclaim.h"
#include "segment/segment.h"

static int anon_pagefault(struct segment *seg, const struct segment_fault *f)
{
	vaddr_t page = ALIGN_DOWN(f->va, PAGE_SIZE);
	/* A read-only backed page: adopt the caller's memory; it never becomes the segment's. */
	if (f->backing && !f->copy)
		return segment_map_fixed(seg, page, f->backing, PAGE_SIZE, segment_fault_rights(f));
	return segment_place_copy(seg, page, TABLET_BITS_4K, segment_fault_rights(f), f->backing,
				  f->copy);
}

const struct segproc segproc_anon = {
	.name = "anon",
	.pagefault = anon_pagefault,
	.reclaim = reclaim_clean,
	.unreachable = segment_delete_unreachable,
};
