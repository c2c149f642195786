/*
 * The TLB arrays and the page-walk cache of the translation model.
 *
 * Sv48 entries sit in the set their page number at their own size selects
 * (a lookup probes one set per page size, as hardware with one array per
 * size would); a cell has no natural index, so cells entries go in one set
 * of all the entries whatever tlb_ways says.
 */
#include "tools/tlbmodel/model_parts.h"

static const unsigned sv48_page_shifts[] = { 12, 21, 30, 39 };

static unsigned sets_of(const struct tlbmodel_tlb *tlb, unsigned mode)
{
	return mode == SATP_MODE_SV48 ? tlb->entries / tlb->ways : 1;
}

static bool entry_matches(const struct tlbmodel_entry *e, unsigned mode, uint64_t va, uint64_t tag)
{
	return e->last_use != 0 && e->mode == mode && va - e->base < e->size &&
	       (e->global || e->tag == tag);
}

/* The first entry of the set (of WAYS entries) that SET names. */
static struct tlbmodel_entry *set_start(struct tlbmodel_tlb *tlb, unsigned set, unsigned ways)
{
	return &tlb->entry[(size_t)set * ways];
}

struct tlbmodel_entry *tlb_find(struct tlbmodel_tlb *tlb, unsigned mode, uint64_t va, uint64_t tag)
{
	unsigned sets = sets_of(tlb, mode);
	unsigned ways = tlb->entries / sets;

	if (sets == 1) {
		for (unsigned i = 0; i < tlb->entries; i++)
			if (entry_matches(&tlb->entry[i], mode, va, tag))
				return &tlb->entry[i];
		return NULL;
	}
	for (unsigned s = 0; s < sizeof sv48_page_shifts / sizeof sv48_page_shifts[0]; s++) {
		uint64_t size = 1ull << sv48_page_shifts[s];
		struct tlbmodel_entry *set = set_start(tlb, (unsigned)((va >> sv48_page_shifts[s]) % sets), ways);

		for (unsigned w = 0; w < ways; w++)
			if (set[w].size == size && entry_matches(&set[w], mode, va, tag))
				return &set[w];
	}
	return NULL;
}

void tlb_drop(struct tlbmodel_tlb *tlb, struct tlbmodel_entry *entry)
{
	if (entry->last_use == 0)
		return;
	tlb->resident_bytes -= entry->size;
	if (entry->base < USER_TOP)
		tlb->user_bytes -= entry->size;
	entry->last_use = 0;
}

void tlb_fill(struct tlbmodel_tlb *tlb, const struct tlbmodel_entry *fill)
{
	unsigned sets = sets_of(tlb, fill->mode);
	unsigned ways = tlb->entries / sets;
	unsigned set_index = sets == 1 ? 0 : (unsigned)((fill->base / fill->size) % sets);
	struct tlbmodel_entry *set = set_start(tlb, set_index, ways);
	struct tlbmodel_entry *victim = &set[0];

	for (unsigned w = 0; w < ways; w++) {
		if (set[w].last_use == 0) {
			victim = &set[w];
			break;
		}
		if (set[w].last_use < victim->last_use)
			victim = &set[w];
	}
	tlb_drop(tlb, victim);
	*victim = *fill;
	tlb->resident_bytes += fill->size;
	if (fill->base < USER_TOP)
		tlb->user_bytes += fill->size;
}

/*
 * Sv48 (RISC-V privileged spec, SFENCE.VMA): a VA fence reaches the entries
 * that hold VA, an ASID fence spares global entries.  Cells: the ASID takes
 * no part; a VA fence reaches every division's entry for VA's cell.
 */
void tlb_fence(struct tlbmodel_tlb *tlb, uint64_t va, uint64_t asid, unsigned scope)
{
	for (unsigned i = 0; i < tlb->entries; i++) {
		struct tlbmodel_entry *e = &tlb->entry[i];
		bool by_asid = (scope & TLBMODEL_FENCE_ASID) && e->mode == SATP_MODE_SV48;

		if (e->last_use == 0)
			continue;
		if ((scope & TLBMODEL_FENCE_VA) && va - e->base >= e->size)
			continue;
		if (by_asid && (e->global || e->tag != asid))
			continue;
		tlb_drop(tlb, e);
	}
}

static const unsigned pwc_level_shift[] = { 0, 21, 30, 39 };

uint64_t pwc_find(struct tlbmodel *model, uint64_t asid, unsigned level, uint64_t va, uint64_t clock)
{
	uint64_t key = va >> pwc_level_shift[level];

	for (unsigned i = 0; i < model->config.pwc_entries; i++) {
		struct tlbmodel_pwc_entry *p = &model->pwc[i];

		if (p->level == level && p->key == key && p->asid == asid) {
			p->last_use = clock;
			return p->table_pa;
		}
	}
	return 0;
}

void pwc_fill(struct tlbmodel *model, uint64_t asid, unsigned level, uint64_t va, uint64_t table_pa,
	      uint64_t clock)
{
	struct tlbmodel_pwc_entry *victim = NULL;

	for (unsigned i = 0; i < model->config.pwc_entries; i++) {
		struct tlbmodel_pwc_entry *p = &model->pwc[i];

		if (p->level == 0) {
			victim = p;
			break;
		}
		if (!victim || p->last_use < victim->last_use)
			victim = p;
	}
	if (!victim)
		return;
	*victim = (struct tlbmodel_pwc_entry){ .key = va >> pwc_level_shift[level], .asid = asid,
					       .table_pa = table_pa, .last_use = clock, .level = level };
}

/* A fence drops the walk-cache entries on VA's path (all, without VA), of ASID when given. */
void pwc_fence(struct tlbmodel *model, uint64_t va, uint64_t asid, unsigned scope)
{
	for (unsigned i = 0; i < model->config.pwc_entries; i++) {
		struct tlbmodel_pwc_entry *p = &model->pwc[i];

		if (p->level == 0)
			continue;
		if ((scope & TLBMODEL_FENCE_VA) && p->key != va >> pwc_level_shift[p->level])
			continue;
		if ((scope & TLBMODEL_FENCE_ASID) && p->asid != asid)
			continue;
		p->level = 0;
	}
}
