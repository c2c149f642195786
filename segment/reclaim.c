#include "segment/reclaim.h"

#include "sv48.h"

struct reclaim_ctx {
	uint64_t want, freed;
};

static int drop_if_clean(struct segment *seg, const struct tablet_info *t, void *arg)
{
	struct reclaim_ctx *c = arg;
	const pte_t *e = (const pte_t *)phys_to_virt(t->rental.frame) + t->rental.index;
	if (t->owns_frames && !(tablet_entry_rights(*e) & VMM_DIRTY)) {
		handler_unmap(t->id, &t->rental);
		tablet_delete(t->id);
		c->freed += 1ul << t->size_bits;
	}
	return c->freed >= c->want;
}

uint64_t reclaim_clean(struct segment *seg, uint64_t want)
{
	struct reclaim_ctx c = { want, 0 };
	segment_for_each_data(seg, seg->base, SEGMENT_SIZE, drop_if_clean, &c);
	return c.freed;
}
