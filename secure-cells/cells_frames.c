/*
 * The frames the cells backend's faults allocate (cells_fault.c): the
 * space's own, marked by their cells having no witness byte (divisions.h).
 * No map of them is kept: unmapping frees each block by the frame
 * allocator's own record of its order (a huge fault's 2 MiB frame whole, a
 * stack block's pages one by one), and a cut that would split a 2 MiB frame
 * is refused before anything changes.
 */
#include "kernel/frame.h"
#include "secure-cells/cells_space.h"

int cells_owned_cut(uint64_t ppn, int below)
{
	/* A 2 MiB frame holds every page of its aligned block, this one too. */
	uint64_t block = ppn & ~(HUGE_PAGES - 1);
	int inside = below ? ppn != block : ppn != block + HUGE_PAGES - 1;
	return inside && frame_block_order(block << PAGE_SHIFT) == HUGE_ORDER;
}

void cells_owned_release(uint64_t ppn, uint64_t n)
{
	for (uint64_t i = 0; i < n;) {
		paddr_t pa = (ppn + i) << PAGE_SHIFT;
		int order = frame_block_order(pa);
		if (order < 0) /* cannot be: a page of the space's own is allocated */
			order = 0;
		else
			frame_free(pa, (unsigned)order);
		i += 1ul << order;
	}
}
