/*
 * Bringing memory in for the cells backend (backend_fault); the frames it
 * allocates belong to the space and go when they are unmapped
 * (cells_frames.c).
 *
 * What a fault brings in follows the region's kind (f->kind), never its
 * address:
 *   REGION_HUGE   the whole aligned 2 MiB block around the address, one
 *                 2 MiB frame in one cell;
 *   REGION_STACK  the page and, ahead of the stack's downward growth, up to
 *                 STACK_AHEAD - 1 pages below it (inside the region, where no
 *                 cell is yet), in contiguous frames: one cell;
 *   the rest      the page.
 * Frames a fault allocates are the space's own, and their cells say so:
 * no witness byte (divisions.h), where memory the caller mapped has one.
 * Unmapping such a cell frees its frames by the allocator's own record of
 * each block's order (a huge fault's 2 MiB frame whole, a stack block's
 * pages one by one), so no map of owned frames is kept.
 *
 * All or nothing: the frames are taken first, then the table is edited
 * (which may grow it, or fail with nothing changed); a failure gives them
 * back.
 */
#include <string.h>

#include "arch.h"
#include "kernel/error.h"
#include "kernel/frame.h"
#include "kernel/zero.h"
#include "secure-cells/cells_space.h"
#include "secure-cells/divisions.h"

#define STACK_AHEAD_ORDER 2 /* a stack fault fills up to 4 pages */

/*
 * How many pages a stack fault at PAGE fills: 2^k pages ending at PAGE, the
 * most up to STACK_AHEAD_ORDER that stay inside the region and find no cell.
 */
static unsigned stack_order(const struct cell_table *t, vaddr_t page, vaddr_t region_start)
{
	struct cell_place place;
	for (unsigned k = STACK_AHEAD_ORDER; k > 0; k--) {
		uint64_t pages = 1ul << k;
		vaddr_t first = page - (pages - 1) * PAGE_SIZE;
		if (first >= region_start && first <= page &&
		    cells_find_place(t, vpn_of(first), vpn_of(page), &place) == 0)
			return k;
	}
	return 0;
}

/* Give back frames of order ORDER at PA, split into pages when SPLIT. */
static void give_back(paddr_t pa, unsigned order, int split)
{
	if (!split) {
		frame_free(pa, order);
		return;
	}
	for (uint64_t i = 0; i < (1ul << order); i++)
		frame_free(pa + i * PAGE_SIZE, 0);
}

/*
 * The frames for [vf, vf + 2^order) with ROWS in T.  Memory touched from the
 * top down: when the cell last grown or placed starts right above and has
 * the same rows, the frames just before its first one, so that it grows
 * down over the new pages (cells_edit.c) as a cell touched from the bottom
 * up grows over frame_alloc's next ones; when those are taken, the top of a
 * free block, so that the next fault down finds the frames below it free.
 * Otherwise frame_alloc's.  (Only that cell is looked at: a search here
 * would cost every fault what the insert's own search costs.)
 */
static int fault_frames(const struct cell_table *t, uint64_t vf, unsigned order,
			const uint8_t *rows, paddr_t *pa)
{
	uint64_t pages = 1ul << order, vl = vf + pages - 1;
	struct cell c;
	uint32_t above = cells_recent_above(t, vl);
	if (above && cells_get(t, above, &c) == 0 && c.ppn >= pages &&
	    cells_extension_down(t, above, vf, vl, c.ppn - pages, rows, t->M, CELL_A | CELL_D)) {
		*pa = (c.ppn - pages) << PAGE_SHIFT;
		if (frame_alloc_at(*pa, order) == 0)
			return 0;
		return frame_alloc_high(order, pa);
	}
	return frame_alloc(order, pa);
}

/*
 * The fault's page is in a cell already.  -EEXIST (vmm/fault.c retries the
 * access after a fence) when F->view's own byte has V and the access; when
 * it lacks them and the cell is valid, the view's byte is given its rights
 * from F (what its policy allows: vmm/fault.c checked), as a refill of what
 * the view dropped itself (`prot`, `tfer`), A/D kept: 0.  An invalid cell
 * stays as it is (-EEXIST: the access is refused).
 */
static int refill_view(struct cell_table *t, const struct backend_fault *f)
{
	uint32_t slot, div = div_of_view(f->view);
	struct cell c;
	if (cells_lookup(t, vpn_of(f->va), &slot) != 0 || cells_get(t, slot, &c) != 0 || !c.valid)
		return -EEXIST;
	uint8_t now = cells_get_rights(t, slot, div);
	if ((cell_byte_rights(now, 1) & f->access) == f->access)
		return -EEXIST;
	uint8_t want = view_byte(&f->rights, f->view);
	if ((cell_byte_rights(want, 1) & f->access) != f->access)
		return -EEXIST;
	/* One byte of a table that is not live: no other cell changes, no merge is due. */
	cells_set_rights(t, slot, div, (uint8_t)(want | (now & (CELL_A | CELL_D))));
	return 0;
}

/* F's page for a user table of M divisions: the caller's frame, which the kernel relies on. */
static int map_backing(struct cell_table *t, vaddr_t page,
		       const struct backend_fault *f)
{
	uint8_t rows[USER_TABLE_MAX_M];
	user_cell_rows(t->M, &f->rights, 0, 1, rows);
	return cells_insert_in(t, vpn_of(page), vpn_of(page), f->backing >> PAGE_SHIFT, rows);
}

int backend_fault(struct backend_space *s, const struct backend_fault *f)
{
	vaddr_t page = ALIGN_DOWN(f->va, PAGE_SIZE);
	if (f->view >= s->nviews || !va_is_user(page))
		return -EINVAL;
	struct cell_table *t = &s->table;
	if (f->backing && !f->copy) {
		int err = map_backing(t, page, f);
		return err == -EEXIST ? refill_view(t, f) : err;
	}
	vaddr_t first = page;
	unsigned order = 0;
	int huge = f->kind == REGION_HUGE && !f->backing;
	if (huge) {
		first = ALIGN_DOWN(f->va, HUGE_PAGES * PAGE_SIZE);
		order = HUGE_ORDER;
	} else if (f->kind == REGION_STACK && !f->backing) {
		order = stack_order(t, page, f->region_start);
		first = page - ((1ul << order) - 1) * PAGE_SIZE;
	}
	/* The space's own memory: no witness, the application may do with it what it likes. */
	uint8_t rows[USER_TABLE_MAX_M];
	user_cell_rows(t->M, &f->rights, 0, 0, rows);
	uint64_t vf = vpn_of(first);
	paddr_t pa;
	if ((huge ? frame_alloc(order, &pa) : fault_frames(t, vf, order, rows, &pa)) != 0)
		return -ENOMEM;
	/* Pages of a stack block are unmapped one by one: each its own frame. */
	int split = !huge && order > 0;
	if (split)
		frame_split(pa, order, 0);
	/* A private copy of a backed page (vmm/fault.c), or zeros. */
	if (f->copy) {
		memcpy(phys_to_virt(pa), phys_to_virt(f->backing), f->copy);
		memset((char *)phys_to_virt(pa) + f->copy, 0, PAGE_SIZE - f->copy);
	} else {
		zero_pages(phys_to_virt(pa), PAGE_SIZE << order);
	}
	int err = cells_insert_in(t, vf, vf + (1ul << order) - 1, pa >> PAGE_SHIFT, rows);
	if (err)
		give_back(pa, order, split);
	return err == -EEXIST ? refill_view(t, f) : err;
}
