/*
 * A cell growing downward (table.h: cells_extension_down,
 * cells_extend_down_as): the mirror of cells_extension/cells_extend_as for
 * memory touched from the top down, a stack or a heap filled backwards,
 * whose fault took the frame just below the cell's first one
 * (frame_alloc_at).  The cell's first VPN and its PPN move down together;
 * its permission bytes and grant entries stay as they are.
 */
#include "secure-cells/slack.h"

unsigned cells_extension_down(const struct cell_table *t, uint32_t slot, uint64_t vpn_first,
			      uint64_t vpn_last, uint64_t ppn, const uint8_t *rights, uint32_t n,
			      uint8_t loose)
{
	if (!slot_ok(t, slot) || n != t->M || vpn_last < vpn_first || vpn_last >= CELL_VPN_MAX)
		return 0;
	const uint64_t *d = desc(t, slot);
	/* A gap (first > last) or an invalid cell never continues into anything. */
	if (!(d[1] >> 63) || desc_first(d) != vpn_last + 1 || desc_first(d) > desc_last(d))
		return 0;
	uint64_t cell_ppn = (d[1] >> (2 * CELL_VPN_BITS - 64)) & CELL_PPN_MAX;
	if (ppn > CELL_PPN_MAX || cell_ppn < vpn_last - vpn_first + 1 ||
	    cell_ppn - (vpn_last - vpn_first + 1) != ppn)
		return 0;
	const uint8_t *row = perm_row(t, 0);
	for (uint32_t s = 0; s < n; s++, row += 64ul * t->T)
		if ((row[slot] ^ rights[s]) & ~loose)
			return 0;
	return CELL_EXTENDS;
}

void cells_extend_down_as(struct cell_table *t, uint32_t slot, uint64_t vpn_first)
{
	uint64_t *d = desc(t, slot);
	struct cell c;
	desc_decode(d, &c);
	c.ppn -= c.vpn_first - vpn_first;
	c.vpn_first = vpn_first;
	desc_encode(d, &c);
	t->hint = slot;
	/*
	 * The gaps right below whose b the longer cell passed move down, all to
	 * the lowest b they may take (right above what is below them, or 1), so
	 * that later steps down find none to move.
	 */
	uint32_t i = slot;
	while (i > 1 && is_gap(t, i - 1) && desc_first(desc(t, i - 1)) > vpn_first)
		i--;
	if (i == slot)
		return;
	uint64_t low_b = 1;
	if (i > 1)
		low_b = is_gap(t, i - 1) ? desc_first(desc(t, i - 1)) : desc_last(desc(t, i - 1)) + 1;
	for (; i < slot; i++)
		move_gap(t, i, low_b);
}
