#include "segment/reclaim.h"

struct reclaim_ctx {
	uint64_t want, freed;
};

static int drop_if_clean(struct segment *seg, const struct tablet_info *t, void *arg)
{
	struct reclaim_ctx *c = arg;
	/* A held page is kept as it is: the application made it inaccessible, not the kernel. */
	if (t->owns_frames && !(t->entry_rights & VMM_DIRTY) &&
	    (t->entry_rights & VMM_RIGHTS_MASK) != VMM_USER) {
		struct tablet_info placed; /* the visit says where it is; its rental is asked by ID */
		tablet_get_info(t->id, &placed);
		handler_unmap(t->id, &placed.rental);
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
