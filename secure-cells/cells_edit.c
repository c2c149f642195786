/*
 * Edits of one permission table (see cells_edit.h for what they promise,
 * and why a live table is edited off itself).
 */
#include "secure-cells/cells_edit.h"

#include "arch.h"
#include "kernel/error.h"
#include "kernel/memory.h"

extern char boot_root_table[];
static int editing;
static uint64_t grows;

void cells_edit_begin(struct cell_table *t, int live)
{
	if (!live || editing++)
		return;
	csr_write(satp, (SATP_MODE_SV48 << SATP_MODE_SHIFT) |
				(virt_to_phys(boot_root_table) >> PAGE_SHIFT));
	sfence_vma_all();
}

void cells_edit_end(struct cell_table *t, int live)
{
	if (!live || --editing)
		return;
	csr_write(satp, cells_satp(t));
	sfence_vma_all();
}

uint64_t cells_edit_grows(void)
{
	return grows;
}

/*
 * Room for N more cells in T, with a quarter of the table left as slack
 * (the gaps that keep inserts cheap): grow it when it would be fuller (its
 * base moves; the caller follows).  The only allocation an edit makes.
 */
int cells_edit_reserve(struct cell_table *t, uint32_t n)
{
	uint64_t want = (uint64_t)cells_count(t) + n;
	if (4 * want <= 3ull * cells_capacity(t))
		return 0;
	int err = cells_grow(t, (uint32_t)(want + want / 3 + 1));
	if (!err)
		grows++;
	return err;
}

/* Split the cell of T that covers VPN without starting there, if any. */
static int split_at(struct cell_table *t, uint64_t vpn)
{
	uint32_t slot;
	struct cell c;
	if (vpn > CELL_VPN_MAX || cells_lookup(t, vpn, &slot) != 0)
		return 0;
	cells_get(t, slot, &c);
	return c.vpn_first == vpn ? 0 : cells_split(t, slot, vpn);
}

int cells_edit_isolate(struct cell_table *t, uint64_t vf, uint64_t vl)
{
	int err = cells_edit_reserve(t, 2);
	if (!err)
		err = split_at(t, vf);
	if (!err)
		err = split_at(t, vl + 1);
	return err;
}

static int note_slot(const struct cell_table *t, uint32_t slot, const struct cell *c, void *ctx)
{
	*(uint32_t *)ctx = slot;
	return 1;
}

int cells_edit_first(const struct cell_table *t, uint64_t vf, uint64_t vl, uint32_t *slot)
{
	return cells_traverse(t, vf, vl, note_slot, slot);
}

/* Merge the cell in slot I of T with its neighbours where the table allows (contiguous, equal rows).
 * Out of line, as extend_above: the insert's common paths then save fewer registers. */
static __attribute__((noinline)) void merge_around(struct cell_table *t, uint32_t i)
{
	if (i + 1 < t->N)
		cells_merge_next(t, i);
	struct cell c;
	cells_get(t, i, &c);
	uint32_t before = c.vpn_first ? cells_cell_before(t, i, c.vpn_first - 1) : 0;
	if (before)
		cells_merge_next(t, before);
}

/* Add BITS to division DIV's byte of SLOT: one store, made only when it changes something. */
static void add_bits(struct cell_table *t, uint32_t slot, uint32_t div, uint8_t bits)
{
	uint8_t now = cells_get_rights(t, slot, div);
	if (bits & ~now)
		cells_set_rights(t, slot, div, now | bits);
}

/*
 * A cell grown over new pages takes their A/D bits too: more only spare the
 * MMU a fault.  Always inlined: as a call it costs the map path 22
 * instructions (map4k 477 -> 499).
 */
static inline __attribute__((always_inline)) void add_ad_bits(struct cell_table *t, uint32_t slot, const uint8_t *rows)
{
	for (uint32_t d = 0; d < t->M; d++)
		if (rows[d] & (CELL_A | CELL_D))
			add_bits(t, slot, d, rows[d] & (CELL_A | CELL_D));
}

/*
 * Extend the cell in slot BELOW, which ends at VF - 1, when [vf, vl] -> PPN
 * continues it with the same rows (sequential growth: heaps, stacks, the
 * direct map): 1 when done, 0 when the range must be a cell of its own.
 */
static int extend_below(struct cell_table *t, int live, uint32_t below, uint64_t vf, uint64_t vl,
			uint64_t ppn, const uint8_t *rows)
{
	/* Equal rows but for the A/D bits, which the cell then keeps as they are. */
	const uint8_t ad = CELL_A | CELL_D;
	unsigned how = cells_extension(t, below, vf, vl, ppn, rows, t->M, ad);
	if (!how)
		return 0;
	int in_place = (how & CELL_EXTEND_ONE_STORE) && !(how & CELL_EXTEND_MEETS_NEXT);
	if (!in_place)
		cells_edit_begin(t, live);
	cells_extend_as(t, below, vl, how);
	add_ad_bits(t, below, rows);
	if (how & CELL_EXTEND_MEETS_NEXT)
		cells_merge_next(t, below);
	if (!in_place)
		cells_edit_end(t, live);
	return 1;
}

/*
 * The mirror of extend_below: extend the cell in slot ABOVE, which starts at
 * VL + 1, down over [vf, vl] when PPN continues it from below with the same
 * rows (memory touched from the top down whose fault took the frame below
 * the cell's: cells_fault.c), then merge it with BELOW, the cell ending at
 * VF - 1 (0: none).  1 when done, 0 when the range must be a cell of its own.
 */
static __attribute__((noinline)) int extend_above(struct cell_table *t, int live, uint32_t above, uint32_t below,
			uint64_t vf, uint64_t vl, uint64_t ppn, const uint8_t *rows)
{
	const uint8_t ad = CELL_A | CELL_D;
	if (!cells_extension_down(t, above, vf, vl, ppn, rows, t->M, ad))
		return 0;
	/* Two words of the descriptor change: never in place on a live table. */
	cells_edit_begin(t, live);
	cells_extend_down_as(t, above, vf);
	add_ad_bits(t, above, rows);
	/* Growing down moves no slot: BELOW is still the cell under it. */
	if (below)
		cells_merge_next(t, below);
	cells_edit_end(t, live);
	return 1;
}

/*
 * One search (cells_find_place) gives the place, the overlap check and the
 * neighbours; a range that touches a cell may grow it, and otherwise the
 * cell is written at the place found, merging only with what it touches.
 * The table's growth (reserve) comes before any store; only when it grew
 * are the slots elsewhere and the place found again.
 */
int cells_edit_insert(struct cell_table *t, int live, uint64_t vf, uint64_t vl, uint64_t ppn,
		      const uint8_t *rows)
{
	struct cell_place p;
	/* Overlap is checked first: extending must never hide a collision. */
	if (cells_find_place(t, vf, vl, &p) != 0)
		return -EEXIST;
	if (p.below && extend_below(t, live, p.below, vf, vl, ppn, rows))
		return 0;
	if (p.above && extend_above(t, live, p.above, p.below, vf, vl, ppn, rows))
		return 0;
	cells_edit_begin(t, live);
	uint32_t T = t->T;
	int err = cells_edit_reserve(t, 1);
	if (!err && t->T != T)
		cells_find_place(t, vf, vl, &p);
	uint32_t slot;
	if (!err)
		err = cells_insert_at(t, &(struct cell){ vf, vl, ppn, 1 }, p.pos, rows, &slot);
	/* A cell that touches no neighbour merges with none: no attempt. */
	if (!err && (p.below || p.above))
		merge_around(t, slot);
	cells_edit_end(t, live);
	return err;
}

static int note_last(const struct cell_table *t, uint32_t slot, const struct cell *c, void *ctx)
{
	*(uint32_t *)ctx = slot;
	return 0;
}

void cells_edit_set_rows(struct cell_table *t, uint64_t vf, uint64_t vl, uint32_t first_row,
			 uint32_t count, const uint8_t *b, uint8_t keep)
{
	uint32_t first, last;
	if (!cells_edit_first(t, vf, vl, &first))
		return;
	cells_traverse(t, vf, vl, note_last, &last);
	/* Whole cells from FIRST to LAST (isolated): each gets the bytes. */
	for (uint32_t i = first; i <= last; i++)
		if (!cells_is_gap(t, i))
			for (uint32_t r = first_row; r < first_row + count; r++)
				cells_set_rights(t, i, r, (uint8_t)(b[r - first_row] |
								  (cells_get_rights(t, i, r) & keep)));
	/* From the top down: a merge turns the upper cell into a gap and moves no other. */
	for (uint32_t i = last; i >= first; i--)
		if (i < t->N && !cells_is_gap(t, i))
			merge_around(t, i);
}
