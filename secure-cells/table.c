/*
 * The SecureCells permission table (see table.h for the layout).
 *
 * Every edit keeps the struct's copies of R, T, M, N and the metacell in
 * step.  The descriptor area keeps slack (slack.h: empty gaps among the
 * cells, which the MMU's search passes over), so an insert moves a few
 * slots near it, with their permission bytes and grant entries, instead of
 * every slot above it; a removal leaves a gap.
 */
#include <string.h>

#include "kernel/error.h"
#include "secure-cells/slack.h"

int cells_get(const struct cell_table *t, uint32_t i, struct cell *out)
{
	if (!slot_ok(t, i))
		return -EINVAL;
	desc_decode(desc(t, i), out);
	return 0;
}

uint32_t cells_cell_before(const struct cell_table *t, uint32_t i, uint64_t vpn)
{
	/* A gap at b <= VPN proves the cell before it ends below b. */
	while (--i >= 1 && i < t->N && is_gap(t, i))
		if (desc_first(desc(t, i)) <= vpn)
			return 0;
	return i < t->N ? i : 0;
}

int cells_is_gap(const struct cell_table *t, uint32_t i)
{
	return slot_ok(t, i) && is_gap(t, i);
}

uint32_t cells_count(const struct cell_table *t)
{
	return t->cells;
}

int cells_lookup(const struct cell_table *t, uint64_t vpn, uint32_t *slot)
{
	uint32_t lo = 1, hi = t->N ? t->N - 1 : 0;

	/* The MMU's search: hi may reach lo - 1 = 0 but never wraps. */
	while (lo <= hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const uint64_t *d = desc(t, mid);
		if (vpn < desc_first(d)) {
			hi = mid - 1;
		} else if (vpn > desc_last(d)) {
			lo = mid + 1;
		} else {
			*slot = mid;
			return 0;
		}
	}
	return -ENOENT;
}

/* *c is a range the descriptor format and physical addresses can hold. */
static int range_ok(const struct cell *c)
{
	return c->vpn_first <= c->vpn_last && c->vpn_last <= CELL_VPN_MAX &&
	       c->ppn <= CELL_PPN_MAX && c->vpn_last - c->vpn_first <= CELL_PPN_MAX - c->ppn;
}

/* Gaps under the hint cells_find_place looks through before it searches instead. */
#define DOWN_HINT_GAPS 8

/*
 * The checks below P->pos for [vf, vl]: slot POS - 1 starts at or below VF;
 * a cell there overlaps when it reaches VF, a gap there (b <= VF) never
 * does.  A cell ending right at VF - 1 is P->below, also when a gap at
 * b = VF stands between.
 */
static int check_below(const struct cell_table *t, uint64_t vf, struct cell_place *p)
{
	if (p->pos <= 1)
		return 0;
	const uint64_t *d = desc(t, p->pos - 1);
	uint64_t last = desc_last(d);
	if (last >= vf)
		return -EEXIST;
	if (last + 1 != vf)
		return 0;
	uint32_t b = desc_first(d) > last ? cells_cell_before(t, p->pos, vf - 1) : p->pos - 1;
	if (b && desc_last(desc(t, b)) == vf - 1)
		p->below = b;
	return 0;
}

/*
 * The checks from P->pos up for [vf, vl]: the first cell there, unless a
 * gap on the way proves it starts past VL + 1, overlaps when it starts at
 * or below VL, and is P->above when it starts at VL + 1.
 */
static int check_above(const struct cell_table *t, uint64_t vl, struct cell_place *p)
{
	uint32_t next = cell_reaching(t, p->pos, vl + 1);
	if (next >= t->N)
		return 0;
	uint64_t first = desc_first(desc(t, next));
	if (first <= vl)
		return -EEXIST;
	if (first == vl + 1)
		p->above = next;
	return 0;
}

/* Gaps under the hint cells_find_place looks through before it searches instead. */
#define DOWN_HINT_GAPS 8

int cells_find_place(const struct cell_table *t, uint64_t vf, uint64_t vl, struct cell_place *p)
{
	*p = (struct cell_place){ 0, 0, 0 };
	/* Growth in order (a heap, a stack filled ahead, the direct map, each
	 * upward or downward): the range continues the cell last grown or
	 * placed, which gives the place and one neighbour without a search. */
	uint32_t h = t->hint;
	if (h >= 1 && h < t->N && !is_gap(t, h)) {
		const uint64_t *d = desc(t, h);
		if (vf && desc_last(d) == vf - 1) {
			p->pos = h + 1;
			p->below = h;
		} else if (desc_first(d) == vl + 1) {
			/* Under it a few gaps whose b passed VF, then the place. */
			uint32_t i = h - 1;
			while (i >= 1 && i + DOWN_HINT_GAPS >= h && is_gap(t, i) &&
			       desc_first(desc(t, i)) > vf)
				i--;
			if (i == 0 || desc_first(desc(t, i)) <= vf) {
				p->pos = i + 1;
				p->above = h;
			}
		}
	}
	if (!p->pos)
		p->pos = first_above(t, vf);
	/* The side the hint gave is checked already. */
	int err = p->below ? 0 : check_below(t, vf, p);
	if (!err && !p->above)
		err = check_above(t, vl, p);
	return err;
}

uint32_t cells_recent_above(const struct cell_table *t, uint64_t vpn)
{
	uint32_t h = t->hint;
	if (h >= 1 && h < t->N && vpn < CELL_VPN_MAX && desc_first(desc(t, h)) == vpn + 1 &&
	    !is_gap(t, h))
		return h;
	return 0;
}

/* Write *C to a slot opened for it at POS (first_above), bytes ROWS (NULL: 0), empty grants: its slot. */
static int place(struct cell_table *t, uint32_t pos, const struct cell *c, const uint8_t *rows,
		 uint32_t *slot)
{
	uint32_t q = open_slot(t, pos, c->vpn_first);
	if (!q)
		return -ENOSPC;
	desc_encode(desc(t, q), c);
	uint8_t *row = perm_row(t, 0);
	for (uint32_t s = 0; s < t->M; s++, row += 64ul * t->T) {
		row[q] = rows ? rows[s] : 0;
		grant_row(t, s)[q] = CELL_GRANT_EMPTY;
	}
	t->cells++;
	fix_gaps_around(t, q);
	*slot = q;
	return 0;
}

int cells_insert(struct cell_table *t, const struct cell *c, uint32_t *slot)
{
	if (!range_ok(c))
		return -EINVAL;
	struct cell_place p;
	if (cells_find_place(t, c->vpn_first, c->vpn_last, &p) != 0)
		return -EEXIST;
	return cells_insert_at(t, c, p.pos, NULL, slot);
}

int cells_insert_at(struct cell_table *t, const struct cell *c, uint32_t pos, const uint8_t *rows,
		    uint32_t *slot)
{
	uint32_t q;
	if (!range_ok(c) || pos < 1 || pos > t->N)
		return -EINVAL;
	if (t->cells >= cells_capacity(t))
		return -ENOSPC;
	int err = place(t, pos, c, rows, &q);
	if (!err)
		t->hint = q;
	if (!err && slot)
		*slot = q;
	return err;
}

int cells_extend(struct cell_table *t, uint32_t slot, uint64_t vpn_last)
{
	struct cell c;

	if (!slot_ok(t, slot) || is_gap(t, slot))
		return -EINVAL;
	uint64_t *d = desc(t, slot);
	desc_decode(d, &c);
	if (vpn_last < c.vpn_last)
		return -EINVAL;
	c.vpn_last = vpn_last;
	if (!range_ok(&c))
		return -EINVAL;
	uint32_t next = cell_reaching(t, slot + 1, vpn_last);
	if (next < t->N && desc_first(desc(t, next)) <= vpn_last)
		return -EEXIST;
	desc_encode(d, &c);
	t->hint = slot;
	/* The gaps above, when the longer cell reaches them, all move to the next
	 * cell's first VPN: a cell growing in steps moves them once, not at every
	 * step.  (Gaps always have a cell above them.) */
	if (slot + 1 < t->N && is_gap(t, slot + 1) && desc_first(desc(t, slot + 1)) <= vpn_last) {
		next = next_cell(t, slot + 1);
		for (uint32_t i = slot + 1; i < next; i++)
			move_gap(t, i, desc_first(desc(t, next)));
	}
	return 0;
}

void cells_extend_as(struct cell_table *t, uint32_t slot, uint64_t vpn_last, unsigned how)
{
	/* The last VPN alone: bits 63:36 of the first word, 7:0 of the second
	 * (unchanged when HOW says one store does). */
	uint64_t *d = desc(t, slot);
	d[0] = (d[0] & CELL_VPN_MAX) | (vpn_last << CELL_VPN_BITS);
	d[1] = (d[1] & ~((1ull << (2 * CELL_VPN_BITS - 64)) - 1)) | (vpn_last >> (64 - CELL_VPN_BITS));
	t->hint = slot;
	if (how & CELL_EXTEND_GAPS_MOVE) {
		uint32_t next = next_cell(t, slot + 1);
		for (uint32_t i = slot + 1; i < next; i++)
			move_gap(t, i, desc_first(desc(t, next)));
	}
}

unsigned cells_extension(const struct cell_table *t, uint32_t slot, uint64_t vpn_first,
			 uint64_t vpn_last, uint64_t ppn, const uint8_t *rights, uint32_t n,
			 uint8_t loose)
{
	if (!slot_ok(t, slot) || n != t->M || vpn_last < vpn_first)
		return 0;
	const uint64_t *d = desc(t, slot);
	uint64_t first = desc_first(d), last = desc_last(d);
	/* A gap (first > last) never continues into anything. */
	if (!(d[1] >> 63) || last + 1 != vpn_first || first > last || vpn_last > CELL_VPN_MAX ||
	    ppn > CELL_PPN_MAX || vpn_last - vpn_first > CELL_PPN_MAX - ppn)
		return 0;
	if (((d[1] >> (2 * CELL_VPN_BITS - 64)) & CELL_PPN_MAX) + (vpn_first - first) != ppn)
		return 0;
	const uint8_t *row = perm_row(t, 0);
	for (uint32_t s = 0; s < n; s++, row += 64ul * t->T)
		if ((row[slot] ^ rights[s]) & ~loose)
			return 0;
	unsigned how = CELL_EXTENDS;
	/* A gap just above that the longer cell reaches must move too. */
	if (slot + 1 < t->N && is_gap(t, slot + 1) && desc_first(desc(t, slot + 1)) <= vpn_last)
		how |= CELL_EXTEND_GAPS_MOVE;
	uint32_t next = cell_reaching(t, slot + 1, vpn_last + 1);
	/* The last VPN's bits above the first word live in the second one. */
	unsigned low_bits = 64 - CELL_VPN_BITS;
	if ((last >> low_bits) == (vpn_last >> low_bits) && !(how & CELL_EXTEND_GAPS_MOVE))
		how |= CELL_EXTEND_ONE_STORE;
	if (next < t->N && desc_first(desc(t, next)) <= vpn_last)
		return 0; /* the range reaches the next cell */
	if (next < t->N && desc_first(desc(t, next)) == vpn_last + 1)
		how |= CELL_EXTEND_MEETS_NEXT;
	return how;
}

int cells_remove(struct cell_table *t, uint32_t slot)
{
	if (!slot_ok(t, slot) || is_gap(t, slot))
		return -EINVAL;
	/* At its own first VPN: above the cells below, and the gaps below it, and
	 * not above the gaps above it (or at 1, for a cell from VPN 0: nothing is
	 * below it, and the next cell starts higher). */
	uint64_t first = desc_first(desc(t, slot));
	make_gap(t, slot, first ? first : 1); /* [0, -1] would be no gap */
	t->cells--;
	normalize(t);
	return 0;
}

int cells_remove_range(struct cell_table *t, uint64_t vpn_first, uint64_t vpn_last)
{
	uint32_t i = vpn_first ? first_above(t, vpn_first - 1) : 1;
	/* Every slot of the range becomes a gap at VPN_FIRST: above the cells and
	 * gaps below the range, and not above anything after it (at 1 for a range
	 * from VPN 0: nothing is below it). */
	uint64_t b = vpn_first ? vpn_first : 1; /* [0, -1] would be no gap */
	uint32_t removed = 0;
	for (; i < t->N; i++) {
		int gap = is_gap(t, i);
		if (!gap && desc_first(desc(t, i)) > vpn_last)
			break;
		if (!gap && desc_last(desc(t, i)) > vpn_last)
			return -EINVAL; /* not whole: isolate first (nothing removed) */
		removed += !gap;
	}
	/* Checked; now the stores. */
	t->cells -= removed;
	for (uint32_t j = vpn_first ? first_above(t, vpn_first - 1) : 1; j < i; j++)
		make_gap(t, j, b);
	normalize(t);
	return (int)removed;
}

int cells_split(struct cell_table *t, uint32_t slot, uint64_t vpn)
{
	struct cell a, b;
	uint32_t q;

	if (!slot_ok(t, slot) || is_gap(t, slot))
		return -EINVAL;
	desc_decode(desc(t, slot), &a);
	if (vpn <= a.vpn_first || vpn > a.vpn_last)
		return -EINVAL;
	if (t->cells >= cells_capacity(t))
		return -ENOSPC;
	b = a;
	b.vpn_first = vpn;
	b.ppn = a.ppn + (vpn - a.vpn_first);
	a.vpn_last = vpn - 1;
	/* The lower half first, so that the upper one finds its place above it. */
	desc_encode(desc(t, slot), &a);
	if (place(t, first_above(t, b.vpn_first), &b, NULL, &q) != 0) { /* cannot be: a cell fewer than the capacity */
		desc_encode(desc(t, slot), &(struct cell){ a.vpn_first, b.vpn_last, a.ppn, a.valid });
		return -ENOSPC;
	}
	/* Opening the slot may have moved the lower half: it is the cell right before. */
	uint32_t at = prev_cell(t, q - 1);
	for (uint32_t s = 0; s < t->M; s++) {
		perm_row(t, s)[q] = perm_row(t, s)[at];
		grant_row(t, s)[q] = grant_row(t, s)[at];
	}
	return 0;
}

/* Cells I and J (the next cell) may merge (see cells_merge_next), A and D aside. */
static int mergeable(const struct cell_table *t, uint32_t i, uint32_t j)
{
	struct cell a, b;

	/* Adjacent at all, before decoding the rest. */
	if (desc_last(desc(t, i)) + 1 != desc_first(desc(t, j)))
		return 0;
	desc_decode(desc(t, i), &a);
	desc_decode(desc(t, j), &b);
	if (a.vpn_last + 1 != b.vpn_first || a.ppn + (b.vpn_first - a.vpn_first) != b.ppn ||
	    a.valid != b.valid)
		return 0;
	for (uint32_t s = 0; s < t->M; s++) {
		if ((perm_row(t, s)[i] ^ perm_row(t, s)[j]) & ~(CELL_A | CELL_D))
			return 0;
		if (grant_row(t, s)[i] != grant_row(t, s)[j])
			return 0;
	}
	return 1;
}

int cells_merge_next(struct cell_table *t, uint32_t slot)
{
	struct cell a;

	if (slot < 1 || slot >= t->N - 1) /* N >= 1: no wrap */
		return -EINVAL;
	/* The next cell, and whether it starts right after this one, before anything else. */
	const uint64_t *d = desc(t, slot);
	uint64_t last = desc_last(d);
	if (desc_first(d) > last)
		return 0; /* a gap merges with nothing */
	uint32_t j = cell_reaching(t, slot + 1, last + 1);
	if (j >= t->N || desc_first(desc(t, j)) != last + 1 || !mergeable(t, slot, j))
		return 0;
	for (uint32_t s = 0; s < t->M; s++)
		perm_row(t, s)[slot] |= perm_row(t, s)[j];
	desc_decode(desc(t, slot), &a);
	a.vpn_last = desc_last(desc(t, j));
	desc_encode(desc(t, slot), &a);
	/* J and the gaps up to it become gaps above the longer cell. */
	for (uint32_t i = slot + 1; i < j; i++)
		move_gap(t, i, a.vpn_last + 1);
	make_gap(t, j, a.vpn_last + 1);
	t->cells--;
	trim_top(t);
	return 1;
}

uint8_t cells_get_rights(const struct cell_table *t, uint32_t slot, uint32_t div)
{
	if (!slot_ok(t, slot) || div >= t->M)
		return 0;
	return perm_row(t, div)[slot];
}

int cells_set_rights(struct cell_table *t, uint32_t slot, uint32_t div, uint8_t bits)
{
	if (!slot_ok(t, slot) || div >= t->M || is_gap(t, slot))
		return -EINVAL;
	perm_row(t, div)[slot] = bits;
	return 0;
}

int cells_set_valid(struct cell_table *t, uint32_t slot, int valid)
{
	if (!slot_ok(t, slot) || is_gap(t, slot))
		return -EINVAL;
	uint64_t *d = desc(t, slot);
	d[1] = (d[1] & ~(1ull << 63)) | ((uint64_t)(valid != 0) << 63);
	return 0;
}

uint32_t cells_get_grant(const struct cell_table *t, uint32_t slot, uint32_t div)
{
	if (!slot_ok(t, slot) || div >= t->M)
		return CELL_GRANT_EMPTY;
	return grant_row(t, div)[slot];
}

int cells_set_grant(struct cell_table *t, uint32_t slot, uint32_t div, uint32_t entry)
{
	if (!slot_ok(t, slot) || div >= t->M || is_gap(t, slot))
		return -EINVAL;
	grant_row(t, div)[slot] = entry;
	t->grants |= entry != CELL_GRANT_EMPTY;
	return 0;
}

int cells_traverse(const struct cell_table *t, uint64_t vpn_lo, uint64_t vpn_hi, cells_visitor v,
		   void *ctx)
{
	struct cell c;

	if (vpn_lo > vpn_hi)
		return 0;
	/* Cells are disjoint, so the one before the first starting above
	 * vpn_lo is the only earlier one that can reach it. */
	uint32_t i = first_above(t, vpn_lo);
	if (i > 1 && desc_last(desc(t, i - 1)) >= vpn_lo)
		i--;
	for (; i < t->N; i++) {
		if (is_gap(t, i))
			continue;
		desc_decode(desc(t, i), &c);
		if (c.vpn_first > vpn_hi)
			break;
		int r = v(t, i, &c, ctx);
		if (r)
			return r;
	}
	return 0;
}
