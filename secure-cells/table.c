/*
 * The SecureCells permission table (see table.h for the layout).
 *
 * Every edit keeps the struct's copies of R, T, M, N and the metacell in
 * step.  Cells move by memmove of the descriptor area and of the same slot
 * range in each permission and grant row in use: at 1,024 cells an insert
 * moves at most 16 KiB of descriptors plus 5 bytes per cell and division.
 * A slot that is being filled is written before N counts it, and a slot
 * that is being vacated is cleared after N stops counting it, so the MMU
 * never searches a slot beyond the cells it should see.
 */
#include <string.h>

#include "kernel/error.h"
#include "secure-cells/layout.h"

/* Every slot of the descriptor area (64T, the metacell's included) is in use. */
static int full(const struct cell_table *t)
{
	return t->N >= 64u * t->T;
}

int cells_get(const struct cell_table *t, uint32_t i, struct cell *out)
{
	if (!slot_ok(t, i))
		return -EINVAL;
	desc_decode(desc(t, i), out);
	return 0;
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

/* The first slot in 1..N-1 whose first VPN is above VPN, or N. */
static uint32_t first_above(const struct cell_table *t, uint64_t vpn)
{
	uint32_t lo = 1, hi = t->N;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (desc_first(desc(t, mid)) > vpn)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/*
 * Copy slots FROM..N-1 to FROM+1..N: descriptors, then every row in use.
 * Slot FROM keeps a copy of its old contents, for the caller to overwrite;
 * slot N must be free (N itself is the caller's to update).
 */
static void shift_up(struct cell_table *t, uint32_t from)
{
	uint64_t n = t->N - from;

	memmove(desc(t, from + 1), desc(t, from), 16 * n);
	for (uint32_t s = 0; s < t->M; s++) {
		memmove(perm_row(t, s) + from + 1, perm_row(t, s) + from, n);
		/* Rows of nothing but empty entries look the same shifted. */
		if (t->grants)
			memmove(grant_row(t, s) + from + 1, grant_row(t, s) + from, 4 * n);
	}
}

/* Copy slots FROM+1..N-1 to FROM..N-2; slot N-1 keeps a stale copy. */
static void shift_down(struct cell_table *t, uint32_t from)
{
	uint64_t n = t->N - from - 1;

	memmove(desc(t, from), desc(t, from + 1), 16 * n);
	for (uint32_t s = 0; s < t->M; s++) {
		memmove(perm_row(t, s) + from, perm_row(t, s) + from + 1, n);
		if (t->grants)
			memmove(grant_row(t, s) + from, grant_row(t, s) + from + 1, 4 * n);
	}
}

/* Slot I as an unused slot is: descriptor 0, no rights, no grants (rows in use). */
static void clear_slot(struct cell_table *t, uint32_t i)
{
	desc(t, i)[0] = 0;
	desc(t, i)[1] = 0;
	for (uint32_t s = 0; s < t->M; s++) {
		perm_row(t, s)[i] = 0;
		grant_row(t, s)[i] = CELL_GRANT_EMPTY;
	}
}

/* *c is a range the descriptor format and physical addresses can hold. */
static int range_ok(const struct cell *c)
{
	return c->vpn_first <= c->vpn_last && c->vpn_last <= CELL_VPN_MAX &&
	       c->ppn <= CELL_PPN_MAX && c->vpn_last - c->vpn_first <= CELL_PPN_MAX - c->ppn;
}

int cells_insert(struct cell_table *t, const struct cell *c, uint32_t *slot)
{
	if (!range_ok(c))
		return -EINVAL;
	uint32_t pos = first_above(t, c->vpn_first);
	if (pos > 1 && desc_last(desc(t, pos - 1)) >= c->vpn_first)
		return -EEXIST;
	if (pos < t->N && desc_first(desc(t, pos)) <= c->vpn_last)
		return -EEXIST;
	if (full(t))
		return -ENOSPC;
	shift_up(t, pos);
	for (uint32_t s = 0; s < t->M; s++) {
		perm_row(t, s)[pos] = 0;
		grant_row(t, s)[pos] = CELL_GRANT_EMPTY;
	}
	desc_encode(desc(t, pos), c);
	set_N(t, t->N + 1);
	if (slot)
		*slot = pos;
	return 0;
}

int cells_extend(struct cell_table *t, uint32_t slot, uint64_t vpn_last)
{
	struct cell c;

	if (!slot_ok(t, slot))
		return -EINVAL;
	desc_decode(desc(t, slot), &c);
	if (vpn_last < c.vpn_last)
		return -EINVAL;
	c.vpn_last = vpn_last;
	if (!range_ok(&c))
		return -EINVAL;
	if (slot + 1 < t->N && desc_first(desc(t, slot + 1)) <= vpn_last)
		return -EEXIST;
	desc_encode(desc(t, slot), &c);
	return 0;
}

unsigned cells_extension(const struct cell_table *t, uint32_t slot, uint64_t vpn_first,
			 uint64_t vpn_last, uint64_t ppn, const uint8_t *rights, uint32_t n,
			 uint8_t loose)
{
	struct cell c;
	if (!slot_ok(t, slot) || n != t->M || vpn_last < vpn_first)
		return 0;
	desc_decode(desc(t, slot), &c);
	if (!c.valid || c.vpn_last + 1 != vpn_first || c.ppn + (vpn_first - c.vpn_first) != ppn)
		return 0;
	for (uint32_t s = 0; s < n; s++)
		if ((perm_row(t, s)[slot] ^ rights[s]) & ~loose)
			return 0;
	unsigned how = CELL_EXTENDS;
	/* The last VPN's bits above the first word live in the second one. */
	unsigned low_bits = 64 - CELL_VPN_BITS;
	if ((c.vpn_last >> low_bits) == (vpn_last >> low_bits))
		how |= CELL_EXTEND_ONE_STORE;
	if (slot + 1 < t->N && desc_first(desc(t, slot + 1)) == vpn_last + 1)
		how |= CELL_EXTEND_MEETS_NEXT;
	return how;
}

int cells_gap(const struct cell_table *t, uint64_t vpn_first, uint64_t vpn_last, uint32_t *below)
{
	uint32_t above = first_above(t, vpn_first);
	*below = above - 1;
	if (*below >= 1 && desc_last(desc(t, *below)) >= vpn_first)
		return -EEXIST;
	if (above < t->N && desc_first(desc(t, above)) <= vpn_last)
		return -EEXIST;
	return 0;
}

int cells_remove(struct cell_table *t, uint32_t slot)
{
	if (!slot_ok(t, slot))
		return -EINVAL;
	shift_down(t, slot);
	set_N(t, t->N - 1);
	clear_slot(t, t->N);
	return 0;
}

int cells_split(struct cell_table *t, uint32_t slot, uint64_t vpn)
{
	struct cell a, b;

	if (!slot_ok(t, slot))
		return -EINVAL;
	desc_decode(desc(t, slot), &a);
	if (vpn <= a.vpn_first || vpn > a.vpn_last)
		return -EINVAL;
	if (full(t))
		return -ENOSPC;
	shift_up(t, slot + 1);
	for (uint32_t s = 0; s < t->M; s++) {
		perm_row(t, s)[slot + 1] = perm_row(t, s)[slot];
		grant_row(t, s)[slot + 1] = grant_row(t, s)[slot];
	}
	b = a;
	b.vpn_first = vpn;
	b.ppn = a.ppn + (vpn - a.vpn_first);
	desc_encode(desc(t, slot + 1), &b);
	set_N(t, t->N + 1);
	/* Until this store both slots hold [vpn, last], translating alike. */
	a.vpn_last = vpn - 1;
	desc_encode(desc(t, slot), &a);
	return 0;
}

/* Slots I and I+1 may merge (see cells_merge_next), A and D aside. */
static int mergeable(const struct cell_table *t, uint32_t i)
{
	struct cell a, b;

	desc_decode(desc(t, i), &a);
	desc_decode(desc(t, i + 1), &b);
	if (a.vpn_last + 1 != b.vpn_first || a.ppn + (b.vpn_first - a.vpn_first) != b.ppn ||
	    a.valid != b.valid)
		return 0;
	for (uint32_t s = 0; s < t->M; s++) {
		if ((perm_row(t, s)[i] ^ perm_row(t, s)[i + 1]) & ~(CELL_A | CELL_D))
			return 0;
		if (grant_row(t, s)[i] != grant_row(t, s)[i + 1])
			return 0;
	}
	return 1;
}

int cells_merge_next(struct cell_table *t, uint32_t slot)
{
	struct cell a;

	if (slot < 1 || slot >= t->N - 1) /* N >= 1: no wrap */
		return -EINVAL;
	if (!mergeable(t, slot))
		return 0;
	for (uint32_t s = 0; s < t->M; s++)
		perm_row(t, s)[slot] |= perm_row(t, s)[slot + 1];
	/* Grow SLOT over its neighbour first: while both cover the upper part
	 * they translate it alike. */
	desc_decode(desc(t, slot), &a);
	a.vpn_last = desc_last(desc(t, slot + 1));
	desc_encode(desc(t, slot), &a);
	cells_remove(t, slot + 1);
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
	if (!slot_ok(t, slot) || div >= t->M)
		return -EINVAL;
	perm_row(t, div)[slot] = bits;
	return 0;
}

int cells_set_valid(struct cell_table *t, uint32_t slot, int valid)
{
	if (!slot_ok(t, slot))
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
	if (!slot_ok(t, slot) || div >= t->M)
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
		desc_decode(desc(t, i), &c);
		if (c.vpn_first > vpn_hi)
			break;
		int r = v(t, i, &c, ctx);
		if (r)
			return r;
	}
	return 0;
}
