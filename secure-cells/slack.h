/*
 * Slack in a permission table: the empty slots (gaps) kept among the cells
 * so that an insert moves a bounded number of slots.  Internal to table.c
 * and slack.c.
 *
 * A gap is a descriptor whose range is empty: first = b, last = b - 1,
 * invalid, PPN 0, a 0 byte in every row and an empty grant entry.  The
 * MMU's binary search (SECURECELLS.md) compares a VPN with first and last:
 * below b it goes down, from b up it goes up, and it never stops on a gap.
 * So a gap with prev.last < b <= next.first (the cells around it) steers
 * every search as the cells do, and no address ever names it: no access,
 * no A/D update and no SecureCells instruction (they take an address)
 * reaches it, and `reval` has nothing to bring to life.
 *
 * The invariants slack.c keeps: slot N-1 holds a cell (gaps on top are
 * dropped from N); every gap's b lies between its neighbouring cells
 * (prev.last < b <= next.first; below every cell, 1 <= b <= next.first, as
 * b = 0 would make last = b - 1 wrap to the whole space), and gaps in a run
 * are sorted.
 */
#ifndef SECURE_CELLS_SLACK_H
#define SECURE_CELLS_SLACK_H

#include "secure-cells/layout.h"

/* Slot I (1..N-1) is a gap. */
static inline int is_gap(const struct cell_table *t, uint32_t i)
{
	const uint64_t *d = desc(t, i);
	return desc_first(d) > desc_last(d);
}

/* The first slot in 1..N-1 whose first VPN is above VPN, or N (gaps sort in). */
uint32_t first_above(const struct cell_table *t, uint64_t vpn);

/* The first slot from I up that holds a cell, or N. */
uint32_t next_cell(const struct cell_table *t, uint32_t i);
/*
 * The first cell from slot I up if it may start at or below VPN, else N: a
 * gap at b > VPN on the way proves the next cell starts above VPN (b never
 * passes the next cell's first), so a long run of gaps is not walked.
 */
static inline uint32_t cell_reaching(const struct cell_table *t, uint32_t i, uint64_t vpn)
{
	for (; i < t->N && is_gap(t, i); i++)
		if (desc_first(desc(t, i)) > vpn)
			return t->N;
	return i;
}

/* The last slot from I down that holds a cell, or 0. */
uint32_t prev_cell(const struct cell_table *t, uint32_t i);

/* Make slot I a gap at B (descriptor, every row in use). */
void make_gap(struct cell_table *t, uint32_t i, uint64_t b);

/* Move the gap in slot I to B: its descriptor only (its rows are clear already). */
static inline void move_gap(struct cell_table *t, uint32_t i, uint64_t b)
{
	uint64_t *d = desc(t, i);
	d[0] = b | ((b - 1) << CELL_VPN_BITS);
	d[1] = (b - 1) >> (64 - CELL_VPN_BITS);
}

/* Slot I as unused slots are: descriptor 0, no rights, no grants. */
void clear_slot(struct cell_table *t, uint32_t i);

/*
 * Room for a new slot between slot POS - 1 and slot POS (POS =
 * first_above(FIRST), the search's place for a new first VPN FIRST): cells between there and the nearest gap
 * move one slot, and when no gap is near, the slots around are spread out
 * first.  Returns the free slot (its contents stale: the caller writes all
 * of it), or 0 when the table holds 64T - 1 cells.  The cells keep their
 * order; a cell below the free slot may have moved down by one.
 */
uint32_t open_slot(struct cell_table *t, uint32_t pos, uint64_t first);

/* After a cell [f, l] was written to slot Q: the gaps next to it agree with it. */
void fix_gaps_around(struct cell_table *t, uint32_t q);

/* After cells became gaps: no gap in slot N-1, and too many gaps are
 * squeezed out (every slot may move). */
void normalize(struct cell_table *t);
/* No gap in slot N-1 (only slots at the top change): after a merge. */
void trim_top(struct cell_table *t);

/* Copy slot FROM (descriptor and every row in use) to slot TO. */
void move_slot(struct cell_table *t, uint32_t from, uint32_t to);

#endif
