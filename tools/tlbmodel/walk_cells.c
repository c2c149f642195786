/*
 * The SecureCells walker of the translation model, as the MMU searches
 * (SECURECELLS.md, our emulator's riscv_seccells_find): the metacell (held
 * until the next fence or satp change), a binary search over slots
 * 1..N-1 with one reference per descriptor probed, then the permission
 * byte of the current division.  The entry it fills covers the whole cell.
 */
#include "secure-cells/layout.h"
#include "tools/tlbmodel/model_parts.h"

static bool read_slot(struct tlbmodel *model, uint64_t pa, uint64_t slot[2])
{
	model->stats.walk_refs++;
	return model->memory.read(model->memory.context, pa, slot, 16);
}

/* Hold the metacell of the table HART's satp names. */
static bool load_meta(struct tlbmodel *model, const struct tlbmodel_hart *hart)
{
	uint64_t words[2];

	if (model->meta_satp == hart->satp)
		return true;
	if (!read_slot(model, satp_table(hart->satp), words))
		return false;
	model->meta_T = (uint32_t)(words[0] >> 32);
	model->meta_M = (uint32_t)words[1];
	model->meta_N = (uint32_t)(words[1] >> 32);
	model->meta_satp = hart->satp;
	return true;
}

/* The slot of the cell holding VPN (0: none), its descriptor in D. */
static uint32_t search(struct tlbmodel *model, uint64_t base, uint64_t vpn, uint64_t d[2])
{
	uint32_t lo = 1, hi = model->meta_N ? model->meta_N - 1 : 0;

	while (lo <= hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (!read_slot(model, base + 16ull * mid, d))
			return 0;
		if (vpn < desc_first(d))
			hi = mid - 1;
		else if (vpn > desc_last(d))
			lo = mid + 1;
		else
			return mid;
	}
	return 0;
}

/* A cell's first VPN as a virtual address: 48 bits, sign-extended from bit 47. */
static uint64_t vpn_address(uint64_t vpn)
{
	return (uint64_t)((int64_t)(vpn << 28) >> 16);
}

bool walk_cells(struct tlbmodel *model, const struct tlbmodel_hart *hart, uint64_t va,
		enum tlbmodel_access kind, struct tlbmodel_entry *fill)
{
	uint64_t base = satp_table(hart->satp), d[2];
	int64_t top = (int64_t)va >> 47;
	struct cell cell;
	uint32_t slot;
	uint8_t perm;

	if ((top != 0 && top != -1) || !load_meta(model, hart) || hart->division >= model->meta_M)
		return false;
	slot = search(model, base, (va >> 12) & CELL_VPN_MAX, d);
	if (slot == 0)
		return false;
	desc_decode(d, &cell);
	if (!cell.valid)
		return false;
	model->stats.walk_refs++;
	if (!model->memory.read(model->memory.context,
				base + perm_row_offset(model->meta_T, (uint32_t)hart->division) + slot, &perm, 1) ||
	    !(perm & CELL_V))
		return false;
	*fill = (struct tlbmodel_entry){
		.base = vpn_address(cell.vpn_first), .size = (cell.vpn_last - cell.vpn_first + 1) << 12,
		.pa_base = cell.ppn << 12, .tag = hart->division, .mode = SATP_MODE_CELLS,
		.rights = entry_rights(perm & CELL_R, perm & CELL_W, perm & CELL_X, perm & CELL_D, kind),
	};
	return true;
}
