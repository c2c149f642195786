/*
 * The translation model's front: an access looks in its TLB, and a miss
 * walks the structure satp names and fills the TLB; fences drop what they
 * reach.  Counts as tlbmodel.h lists them.
 */
#include <stdio.h>
#include <string.h>

#include "tools/tlbmodel/model_parts.h"

int tlbmodel_config_check(const struct tlbmodel_config *config, const char **why)
{
	if (config->tlb_entries == 0 || config->tlb_entries > TLBMODEL_MAX_ENTRIES) {
		*why = "tlb_entries must be 1..1024";
		return -1;
	}
	if (config->tlb_ways == 0 || config->tlb_entries % config->tlb_ways != 0) {
		*why = "tlb_ways must divide tlb_entries";
		return -1;
	}
	if (config->pwc_entries > TLBMODEL_MAX_PWC) {
		*why = "pwc_entries must be 0..256";
		return -1;
	}
	return 0;
}

void tlbmodel_init(struct tlbmodel *model, const struct tlbmodel_config *config,
		   struct tlbmodel_memory memory)
{
	memset(model, 0, sizeof *model);
	model->config = *config;
	model->memory = memory;
	for (unsigned i = 0; i < 2; i++) {
		model->tlb[i].entries = config->tlb_entries;
		model->tlb[i].ways = config->tlb_ways;
	}
}

static unsigned rights_needed(enum tlbmodel_access kind)
{
	switch (kind) {
	case TLBMODEL_FETCH:
		return TLBMODEL_X;
	case TLBMODEL_STORE:
		return TLBMODEL_W;
	default:
		return TLBMODEL_R;
	}
}

/* Fill TLB WHICH for a miss at VA; false when the walk found nothing. */
static bool refill(struct tlbmodel *model, const struct tlbmodel_hart *hart, unsigned which, uint64_t va,
		   enum tlbmodel_access kind, uint64_t pa)
{
	unsigned mode = satp_mode(hart->satp);
	struct tlbmodel_entry fill;
	bool found;

	model->stats.misses[which]++;
	if (hart->priv == 0)
		model->stats.misses_user++;
	else
		model->stats.misses_kernel++;
	found = mode == SATP_MODE_SV48 ? walk_sv48(model, hart, va, kind, &fill)
				       : walk_cells(model, hart, va, kind, &fill);
	if (!found) {
		model->stats.walk_faults++;
		return false;
	}
	if (pa != UINT64_MAX) {
		model->stats.pa_checked++;
		if (fill.pa_base + (va - fill.base) != pa)
			model->stats.pa_mismatches++;
	}
	fill.last_use = model->clock;
	tlb_fill(&model->tlb[which], &fill);
	return true;
}

void tlbmodel_access(struct tlbmodel *model, const struct tlbmodel_hart *hart, uint64_t va,
		     enum tlbmodel_access kind, uint64_t pa)
{
	unsigned mode = satp_mode(hart->satp);
	unsigned which = kind == TLBMODEL_FETCH ? 0 : 1;
	struct tlbmodel_tlb *tlb = &model->tlb[which];
	uint64_t tag;
	struct tlbmodel_entry *hit;

	if (hart->priv == 3 || (mode != SATP_MODE_SV48 && mode != SATP_MODE_CELLS))
		return;
	model->clock++;
	model->stats.accesses[which]++;
	tag = mode == SATP_MODE_SV48 ? satp_asid(hart->satp) : hart->division;
	hit = tlb_find(tlb, mode, va, tag);
	if (hit && (hit->rights & rights_needed(kind))) {
		hit->last_use = model->clock;
	} else {
		/* An entry without the right asked for is walked again (a store setting D, an upgrade). */
		if (hit)
			tlb_drop(tlb, hit);
		refill(model, hart, which, va, kind, pa);
	}
	if (hart->priv == 0) {
		model->stats.user_accesses[which]++;
		model->stats.reach_sum[which] += tlb->user_bytes;
	}
}

void tlbmodel_fence(struct tlbmodel *model, uint64_t va, uint64_t asid, unsigned scope)
{
	model->stats.fences++;
	if (!(scope & (TLBMODEL_FENCE_VA | TLBMODEL_FENCE_ASID)))
		model->stats.fences_whole++;
	for (unsigned i = 0; i < 2; i++)
		tlb_fence(&model->tlb[i], va, asid, scope);
	pwc_fence(model, va, asid, scope);
	model->meta_satp = 0;
}

void tlbmodel_fence_lost(struct tlbmodel *model)
{
	model->stats.fences_lost++;
	tlbmodel_fence(model, 0, 0, 0);
}

uint64_t tlbmodel_mean_reach(const struct tlbmodel *model, unsigned which)
{
	uint64_t n = model->stats.user_accesses[which];

	return n ? (uint64_t)(model->stats.reach_sum[which] / n) : 0;
}

int tlbmodel_format(const struct tlbmodel *model, char *buf, size_t len)
{
	const struct tlbmodel_stats *s = &model->stats;

	return snprintf(buf, len,
			"tlb_entries=%u tlb_ways=%u pwc_entries=%u itlb_accesses=%llu dtlb_accesses=%llu "
			"itlb_misses=%llu dtlb_misses=%llu tlb_misses_user=%llu tlb_misses_kernel=%llu "
			"walk_refs=%llu pwc_hits=%llu walk_faults=%llu pa_checked=%llu pa_mismatches=%llu "
			"fences=%llu fences_whole=%llu fences_lost=%llu itlb_user_reach_bytes=%llu dtlb_user_reach_bytes=%llu",
			model->config.tlb_entries, model->config.tlb_ways, model->config.pwc_entries,
			(unsigned long long)s->accesses[0], (unsigned long long)s->accesses[1],
			(unsigned long long)s->misses[0], (unsigned long long)s->misses[1],
			(unsigned long long)s->misses_user, (unsigned long long)s->misses_kernel,
			(unsigned long long)s->walk_refs, (unsigned long long)s->pwc_hits,
			(unsigned long long)s->walk_faults, (unsigned long long)s->pa_checked,
			(unsigned long long)s->pa_mismatches, (unsigned long long)s->fences,
			(unsigned long long)s->fences_whole, (unsigned long long)s->fences_lost, (unsigned long long)tlbmodel_mean_reach(model, 0),
			(unsigned long long)tlbmodel_mean_reach(model, 1));
}
