/*
 * Edits of one permission table as the backend makes them: a table stays
 * sorted, disjoint and merged (neighbours contiguous in both address spaces
 * with equal rows in every division become one cell), and a live table
 * (the one S-mode runs on) is never walked half-edited.
 *
 * Why the live table needs care: an edit moves descriptors and permission
 * bytes with several stores, and the MMU may walk the table half way (a
 * TLB miss on the very memory being moved).  So while a live table is
 * edited the kernel runs on the boot table (entry.S: everything mapped, no
 * cells) and comes back with a fence.  The one exception is growing a cell
 * over the pages right after it when that changes a single aligned word of
 * its descriptor and no merge follows: the walk then sees the old cell or
 * the new one, so the live table takes it in place.  Interrupts are off in
 * the kernel, so nothing else runs meanwhile.
 *
 * LIVE arguments say whether T is the live table; every function leaves the
 * table unchanged when it fails.  Errors are negated errno values.
 */
#ifndef SECURE_CELLS_CELLS_EDIT_H
#define SECURE_CELLS_CELLS_EDIT_H

#include <stdint.h>

#include "secure-cells/table.h"

/* Run off T while it is edited (when LIVE); calls nest. */
void cells_edit_begin(struct cell_table *t, int live);
/* Back onto T (at its base now, which an edit may have moved) with a fence, when LIVE. */
void cells_edit_end(struct cell_table *t, int live);

/*
 * Split cells so that [vf, vl] consists of whole cells (a cell covering VF
 * or VL + 1 without starting there is cut).  Splits change no translation.
 * 0 or -ENOMEM (the table could not grow for the pieces).
 */
int cells_edit_isolate(struct cell_table *t, uint64_t vf, uint64_t vl);

/*
 * Room for N more cells in T (it grows, moving its base, when it would be
 * fuller than three quarters): 0 or -ENOMEM.  On a live table, between
 * cells_edit_begin and cells_edit_end.  The only allocation an edit makes.
 */
int cells_edit_reserve(struct cell_table *t, uint32_t n);

/* The first slot of T whose cell overlaps [vf, vl], by binary search: 1 and *SLOT, or 0. */
int cells_edit_first(const struct cell_table *t, uint64_t vf, uint64_t vl, uint32_t *slot);

/*
 * Map [vf, vl] -> PPN with ROWS (one byte per division in use): extend the
 * cell below when the range continues it with the same rows (A and D
 * aside), else insert a cell and merge it with its neighbours.  0,
 * -EEXIST when any page of the range is in a cell (valid or not), -ENOMEM,
 * -EINVAL for a range the format cannot hold.
 */
int cells_edit_insert(struct cell_table *t, int live, uint64_t vf, uint64_t vl, uint64_t ppn,
		      const uint8_t *rows);

/*
 * Give rows FIRST..FIRST+COUNT-1 of every cell inside [vf, vl] (whole
 * cells: isolate first) the bytes B[0..COUNT-1], each keeping the bits KEEP
 * it had, then merge what became equal (in every row).  The other rows are
 * not touched.
 */
void cells_edit_set_rows(struct cell_table *t, uint64_t vf, uint64_t vl, uint32_t first,
			 uint32_t count, const uint8_t *b, uint8_t keep);

/* How many times a table grew (for the stats line). */
uint64_t cells_edit_grows(void);

#endif
