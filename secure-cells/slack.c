/*
 * Slack in a permission table (slack.h): finding a gap near an insert,
 * spreading gaps out when none is near, and squeezing them out when a
 * table holds more gaps than cells.
 *
 * The costs: an insert scans and moves at most NEAR slots when a gap is
 * near; when none is, a window around the insert doubles until it has the
 * room its size asks for (spread_around), and its cells are spread evenly
 * over it (each moves twice).  That is the packed-memory array's bound,
 * O(log^2 n) slots moved per insert amortised, whatever the order of the
 * inserts (inserts coming down, as a stack's or a heap's touched from the
 * top, cost about what random ones do).
 */
#include <string.h>

#include "secure-cells/slack.h"

#define NEAR 32	      /* slots an insert looks at on either side for a gap */
#define SQUEEZE_SHARE 8 /* a squeezed table keeps one gap per SQUEEZE_SHARE cells */

uint32_t next_cell(const struct cell_table *t, uint32_t i)
{
	while (i < t->N && is_gap(t, i))
		i++;
	return i;
}

uint32_t prev_cell(const struct cell_table *t, uint32_t i)
{
	while (i >= 1 && is_gap(t, i))
		i--;
	return i;
}

void make_gap(struct cell_table *t, uint32_t i, uint64_t b)
{
	struct cell g = { b, b - 1, 0, 0 };
	desc_encode(desc(t, i), &g);
	for (uint32_t s = 0; s < t->M; s++) {
		perm_row(t, s)[i] = 0;
		grant_row(t, s)[i] = CELL_GRANT_EMPTY;
	}
}

void clear_slot(struct cell_table *t, uint32_t i)
{
	desc(t, i)[0] = 0;
	desc(t, i)[1] = 0;
	for (uint32_t s = 0; s < t->M; s++) {
		perm_row(t, s)[i] = 0;
		grant_row(t, s)[i] = CELL_GRANT_EMPTY;
	}
}

void move_slot(struct cell_table *t, uint32_t from, uint32_t to)
{
	uint64_t *d = desc(t, to), *f = desc(t, from);
	d[0] = f[0];
	d[1] = f[1];
	uint8_t *row = perm_row(t, 0);
	uint64_t stride = 64ul * t->T;
	for (uint32_t s = 0; s < t->M; s++, row += stride)
		row[to] = row[from];
	/* Rows of nothing but empty entries look the same moved. */
	if (t->grants)
		for (uint32_t s = 0; s < t->M; s++)
			grant_row(t, s)[to] = grant_row(t, s)[from];
}

/* Few slots move one at a time: a memmove call per row costs more than they do. */
#define FEW_SLOTS 16

/* Move slots [from, to) up by one (slot TO is free; FROM keeps a stale copy). */
static void shift_up(struct cell_table *t, uint32_t from, uint32_t to)
{
	uint64_t n = to - from;
	if (n <= FEW_SLOTS) {
		for (uint32_t i = to; i > from; i--)
			move_slot(t, i - 1, i);
		return;
	}
	memmove(desc(t, from + 1), desc(t, from), 16 * n);
	for (uint32_t s = 0; s < t->M; s++) {
		memmove(perm_row(t, s) + from + 1, perm_row(t, s) + from, n);
		if (t->grants)
			memmove(grant_row(t, s) + from + 1, grant_row(t, s) + from, 4 * n);
	}
}

/* Move slots (to, from] down by one (slot TO is free; FROM keeps a stale copy). */
static void shift_down(struct cell_table *t, uint32_t to, uint32_t from)
{
	uint64_t n = from - to;
	if (n <= FEW_SLOTS) {
		for (uint32_t i = to; i < from; i++)
			move_slot(t, i + 1, i);
		return;
	}
	memmove(desc(t, to), desc(t, to + 1), 16 * n);
	for (uint32_t s = 0; s < t->M; s++) {
		memmove(perm_row(t, s) + to, perm_row(t, s) + to + 1, n);
		if (t->grants)
			memmove(grant_row(t, s) + to, grant_row(t, s) + to + 1, 4 * n);
	}
}

uint32_t first_above(const struct cell_table *t, uint64_t vpn)
{
	/*
	 * Every slot below D starts at or below VPN, every slot from D + N up
	 * above it.  Each step halves N and moves D to the middle slot when that
	 * one starts at or below VPN: one load, one compare and a few adds (the
	 * MMU's search in the fewest instructions; keeping the middle slot in the
	 * range spares the extra adds of skipping it).
	 */
	const uint64_t *base = desc(t, 1), *d = base;
	uint64_t n = t->N - 1; /* 64 bits: no zero-extension a step */
	if (n == 0)
		return 1;
	while (n > 1) {
		uint64_t half = n / 2;
		if ((d[2 * half] & CELL_VPN_MAX) <= vpn)
			d += 2 * half;
		n -= half;
	}
	return (uint32_t)((d - base) / 2) + 1 + ((d[0] & CELL_VPN_MAX) <= vpn);
}

/* A free slot for the place POS by moving at most REACH slots, or 0. */
static uint32_t open_near(struct cell_table *t, uint32_t pos, uint32_t reach)
{
	if (pos > 1 && is_gap(t, pos - 1))
		return pos - 1;
	uint32_t cap = 64u * t->T;
	for (uint32_t d = 0; d <= reach; d++) {
		uint32_t up = pos + d;
		if (up < t->N && is_gap(t, up)) {
			shift_up(t, pos, up);
			return pos;
		}
		if (up == t->N && up < cap) {
			shift_up(t, pos, up);
			set_N(t, t->N + 1);
			return pos;
		}
		/* Slot pos - 1 holds a cell here; one below it may be a gap. */
		if (pos >= 3 + d && is_gap(t, pos - 2 - d)) {
			shift_down(t, pos - 2 - d, pos - 1);
			return pos - 1;
		}
	}
	return 0;
}

/*
 * Spread the cells of slots [lo, hi) over them, with the gaps among them:
 * a quarter of the gaps in one run where the next insert goes (after the
 * last cell that starts at or below HOT, or before the first), so that inserts in a
 * row at one place (a stack, a heap touched from the top down) each find a
 * gap next to them, and the rest evenly.  When HI reaches N (the window
 * takes in the unused slots above the last cell, up to 64T), at most KEEP
 * gaps go between the cells, none after the last, and N becomes the slot
 * after it.
 */
static void spread(struct cell_table *t, uint32_t lo, uint32_t hi, uint32_t keep, uint64_t hot)
{
	uint32_t top = hi >= t->N, end = top ? t->N : hi;
	/* The cells to the top of the window, in order. */
	uint32_t dest = hi;
	for (uint32_t i = end; i-- > lo;)
		if (!is_gap(t, i))
			move_slot(t, i, --dest);
	uint32_t cells = hi - dest, gaps = hi - lo - cells;
	if (top && gaps > keep)
		gaps = keep;
	if (cells == 0)
		return;
	/* The run goes before the first cell when the insert comes below every
	 * cell of the window, else after the last cell starting at or below HOT
	 * (in the top window, never after the last cell).  Its gaps take the
	 * lowest b they may, so that inserts coming down from above land at its
	 * end with no gap to move: right above what is below the window (1 when
	 * nothing is, so a first cell at VPN 0 gets no run before it). */
	uint32_t shares = top ? cells - 1 : cells, run_after = 0, k = lo;
	uint64_t first0 = desc_first(desc(t, dest)), low_b = 1;
	if (lo > 1)
		low_b = is_gap(t, lo - 1) ? desc_first(desc(t, lo - 1)) : desc_last(desc(t, lo - 1)) + 1;
	int run_first = first0 > hot && first0 >= low_b;
	while (run_after + 1 < cells && desc_first(desc(t, dest + run_after + 1)) <= hot)
		run_after++;
	uint32_t run = run_first || (shares && run_after < shares) ? gaps / 4 : 0, even = gaps - run;
	if (run_first)
		for (uint32_t n = run; n--;)
			make_gap(t, k++, low_b);
	/* Then down to their places, each followed by its share of the gaps. */
	for (uint32_t j = 0; j < cells; j++) {
		move_slot(t, dest + j, k);
		uint64_t b = desc_last(desc(t, k)) + 1;
		k++;
		uint32_t n = j < shares ? (uint32_t)((uint64_t)(j + 1) * even / shares -
						     (uint64_t)j * even / shares) : 0;
		if (j == run_after && !run_first)
			n += run;
		while (n--)
			make_gap(t, k++, b);
	}
	if (top) {
		for (uint32_t i = k; i < hi; i++)
			clear_slot(t, i);
		set_N(t, k);
	}
}

/*
 * Spread the smallest window around POS that has room for its level: a
 * window of 4 NEAR slots (level 0) needs a 1/16 share free, so that spread
 * evenly it has a gap within 16 slots of every slot (a short scan); each
 * doubling needs a little more, up to a quarter for the whole table (which
 * the reserve of cells_edit keeps free).  Thresholds that tighten with the level are what
 * bound the amortised cost (the packed-memory array's argument): a spread
 * window leaves every smaller window inside it well under its own limit.
 */
static void spread_around(struct cell_table *t, uint32_t pos, uint64_t hot)
{
	uint32_t cap = 64u * t->T, levels = 0;
	while ((4u * NEAR << levels) < cap)
		levels++;
	for (uint32_t k = 0, size = 4 * NEAR;; k++, size *= 2) {
		uint32_t lo = pos > size / 2 ? pos - size / 2 : 1;
		uint32_t hi = lo + size < cap ? lo + size : cap;
		if (hi == cap)
			lo = hi > size ? hi - size : 1;
		uint32_t cells = 0;
		for (uint32_t i = lo; i < hi && i < t->N; i++)
			cells += !is_gap(t, i);
		uint64_t room = hi - lo - cells;
		/* room / (hi - lo) >= 1/16 + (1/4 - 1/16) k / levels, in integers. */
		int enough = levels == 0 || room * 16 * levels >= (uint64_t)(hi - lo) * (levels + 3 * k);
		if (enough || (lo == 1 && hi == cap)) {
			if (room)
				spread(t, lo, hi, (uint32_t)room, hot);
			return;
		}
	}
}

uint32_t open_slot(struct cell_table *t, uint32_t pos, uint64_t first)
{
	uint32_t q = open_near(t, pos, NEAR);
	if (!q) {
		/* Spread out, the gap is near; in a nearly full table it may still be
		 * anywhere (a quarter of it is kept free: cells_edit's reserve). */
		spread_around(t, first_above(t, first), first);
		q = open_near(t, first_above(t, first), 64u * t->T);
	}
	return q;
}

void fix_gaps_around(struct cell_table *t, uint32_t q)
{
	int below = q > 1 && is_gap(t, q - 1), above = q + 1 < t->N && is_gap(t, q + 1);
	if (!below && !above)
		return;
	uint64_t f = desc_first(desc(t, q)), l = desc_last(desc(t, q));
	for (uint32_t i = q - 1; below && i >= 1 && is_gap(t, i) && desc_first(desc(t, i)) > f; i--)
		move_gap(t, i, f);
	for (uint32_t i = q + 1; above && i < t->N && is_gap(t, i) && desc_first(desc(t, i)) <= l; i++)
		move_gap(t, i, l + 1);
}

void trim_top(struct cell_table *t)
{
	while (t->N > 1 && is_gap(t, t->N - 1)) {
		clear_slot(t, t->N - 1);
		set_N(t, t->N - 1);
	}
}

void normalize(struct cell_table *t)
{
	trim_top(t);
	/* More gaps than cells (and than a table's worth): squeeze them out. */
	uint32_t gaps = t->N - 1 - t->cells;
	if (gaps > t->cells + 64)
		spread(t, 1, t->N, t->cells / SQUEEZE_SHARE, ~0ull);
}
