/*
 * The Sv48 walker of the translation model: from the deepest table the
 * page-walk cache holds for VA (else the root satp names) down to the leaf,
 * one memory reference per entry read; a leaf above level 0 is a huge page
 * and ends the walk there.  Each pointer read on the way is cached.
 */
#include "platform/riscv64/sv48.h"
#include "tools/tlbmodel/model_parts.h"

/* Bits 63..48 of a Sv48 address copy bit 47. */
static bool sv48_canonical(uint64_t va)
{
	int64_t top = (int64_t)va >> 47;

	return top == 0 || top == -1;
}

bool walk_sv48(struct tlbmodel *model, const struct tlbmodel_hart *hart, uint64_t va,
	       enum tlbmodel_access kind, struct tlbmodel_entry *fill)
{
	uint64_t asid = satp_asid(hart->satp);
	uint64_t table = satp_table(hart->satp);
	unsigned level = SV48_ROOT_LEVEL;

	if (!sv48_canonical(va))
		return false;
	for (unsigned cached = 1; cached <= SV48_ROOT_LEVEL; cached++) {
		uint64_t below = pwc_find(model, asid, cached, va, model->clock);

		if (below) {
			table = below;
			level = cached - 1;
			model->stats.pwc_hits++;
			break;
		}
	}
	for (;;) {
		pte_t pte;

		model->stats.walk_refs++;
		if (!model->memory.read(model->memory.context, table + 8ull * sv48_index(va, level), &pte,
					sizeof pte) ||
		    !pte_valid(pte))
			return false;
		if (pte & PTE_RWX) {
			uint64_t size = sv48_level_size(level);

			*fill = (struct tlbmodel_entry){
				.base = va & ~(size - 1), .size = size, .pa_base = pte_pa(pte),
				.tag = asid, .mode = SATP_MODE_SV48, .rights = entry_rights(pte & PTE_R, pte & PTE_W, pte & PTE_X, pte & PTE_D, kind),
				.global = (pte & PTE_G) != 0,
			};
			return true;
		}
		if (level == 0)
			return false;
		table = pte_pa(pte);
		pwc_fill(model, asid, level, va, table, model->clock);
		level--;
	}
}
