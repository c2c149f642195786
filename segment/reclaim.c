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
		/*
		 * Taken out the way an unmap takes it out, so that the tables it
		 * leaves empty go too (queued for this segproc, which deletes
		 * them); a bare unmap of its entry would leave them placed and
		 * empty, and nothing would ever free them.  The page is queued
		 * with them and deleted by record (it may never have been named)
		 * when segment_reclaim_all hands the queue over, before it
		 * returns to whoever is waiting for the memory.
		 */
		segment_unmap(seg, t->va, 1ul << t->size_bits); /* and from the views' caches */
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
