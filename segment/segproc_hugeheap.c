/*
 * A heap in 2 MiB data tablets: a fault maps the whole naturally aligned
 * 2 MiB block around it, with one rental, when the region holds all of it;
 * otherwise it falls back to a 4 KiB page.  Applications reach it with
 * mmap(MAP_HUGETLB), which places the mapping in this segment.
 */
#include "kernel/error.h"
#include "segment/reclaim.h"
#include "segment/segment.h"

static int huge_pagefault(struct segment *seg, const struct segment_fault *f)
{
	vaddr_t block = ALIGN_DOWN(f->va, MEGAPAGE_SIZE);
	if (f->backing) /* a page with contents of its own (a file mapped here) */
		return segproc_anon.pagefault(seg, f);
	if (block >= f->region_start && block + MEGAPAGE_SIZE <= f->region_end) {
		int err = segment_place_zeroed(seg, block, TABLET_BITS_2M, segment_fault_rights(f));
		/* -EEXIST: 4 KiB pages already live in the block; add one more. */
		if (err != -EEXIST)
			return err;
	}
	return segment_place_zeroed(seg, ALIGN_DOWN(f->va, PAGE_SIZE), TABLET_BITS_4K,
				    segment_fault_rights(f));
}

const struct segproc segproc_hugeheap = {
	.name = "hugeheap",
	.pagefault = huge_pagefault,
	.reclaim = reclaim_clean,
	.unreachable = segment_delete_unreachable,
};
