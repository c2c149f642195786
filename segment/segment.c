/*
 * The segment library: creating segments and the sequences of tablet
 * primitives segprocs use.  Nothing here writes a translation entry; every
 * change goes through a rental.
 */

#include "kernel/console.h"
#include "kernel/error.h"
#include "kernel/heap.h"
#include "segment/segment.h"

static struct segment *segments;

/* What is left of rental R's time, as a duration for a new rental. */
static uint64_t remaining(const struct rental *r)
{
	if (r->expiry == RENTAL_FOREVER)
		return RENTAL_FOREVER;
	uint64_t now = tablet_now();
	return r->expiry > now ? r->expiry - now : 1;
}

void segment_deliver_unreachable(void)
{
	struct tablet_info t;
	while (tablet_next_unreachable(&t) == 0)
		if (t.parent && t.parent->proc->unreachable)
			t.parent->proc->unreachable(t.parent, &t);
}

void segment_delete_unreachable(struct segment *seg, const struct tablet_info *t)
{
	/* By record: a tablet the kernel placed and took out alone was never named. */
	tablet_delete_unreachable(t);
}

int segment_create(unsigned slot, const struct segproc *proc, struct segment **out)
{
	struct segment *seg = kzalloc(sizeof(*seg));
	if (!seg)
		return -ENOMEM;
	vaddr_t base = (vaddr_t)slot << SEGMENT_BITS;
	seg->slot = slot;
	seg->base = slot >= TABLET_ENTRIES / 2 ? base | ~((1ul << 48) - 1) : base;
	seg->proc = proc;
	int err = tablet_alloc(seg, TABLET_TABLE, SEGMENT_BITS, &seg->top);
	if (!err && proc->init && (err = proc->init(seg)) != 0)
		tablet_delete(seg->top);
	if (err) {
		kfree(seg);
		return err;
	}
	seg->next = segments;
	segments = seg;
	*out = seg;
	return 0;
}

void segment_destroy(struct segment *seg)
{
	segment_unmap(seg, seg->base, SEGMENT_SIZE);
	/* The tablets just taken out still name SEG as their parent: it deletes them now. */
	segment_deliver_unreachable();
	/*
	 * The top went with the queue when its last root slot let go (-ESRCH
	 * here); otherwise it goes now.  Anything else would leak its tables:
	 * say so rather than lose them silently.
	 */
	int err = tablet_delete(seg->top);
	if (err && err != -ESRCH)
		kprintf("segment: slot %u's top table could not be freed (%d): its tables are lost\n",
			seg->slot, err);
	for (struct segment **p = &segments; *p; p = &(*p)->next)
		if (*p == seg) {
			*p = seg->next;
			break;
		}
	kfree(seg);
}

int segment_empty(struct segment *seg)
{
	struct tablet_info top;
	return tablet_get_info(seg->top, &top) != 0 || top.used == 0;
}

/* ------------------------------------------------------------- placing --- */

/* ------------------------------------------------------------- walking --- */

struct segment_visit {
	struct segment *seg;
	segment_visitor visit;
	void *ctx;
};

static int visit_in_segment(const struct tablet_info *t, void *arg)
{
	struct segment_visit *v = arg;
	return v->visit(v->seg, t, v->ctx);
}

int segment_for_each_data(struct segment *seg, vaddr_t va, uint64_t len, segment_visitor visit,
			  void *ctx)
{
	struct segment_visit v = { seg, visit, ctx };
	return tablet_for_each_data(seg->top, va, len, visit_in_segment, &v);
}

/* ------------------------------------------------------------ splitting --- */

/*
 * Replace the placed data tablet D by a table of 512 pieces of the next
 * smaller size, mapping the same memory with the same rights.  -ENOMEM
 * leaves D as it was (placed again with an equal rental).
 */
static int split_data(struct segment *seg, const struct tablet_info *where, handler_id *made)
{
	static handler_id pieces[TABLET_ENTRIES];
	handler_id table;
	struct tablet_info parent, placed;
	/* WHERE was located; its rental, to unmap it with, is asked for by ID. */
	tablet_get_info(where->id, &placed);
	const struct tablet_info *d = &placed;
	/* The rights its entry gives now: the A/D bits the hardware set go with every piece. */
	unsigned rights = d->entry_rights;
	uint64_t duration = remaining(&d->rental);
	/*
	 * The table holding D, named before anything changes: naming it may
	 * need memory, and the placements below must not be the ones to fail.
	 */
	int err = tablet_locate(seg->top, d->va, d->size_bits + TABLET_ENTRY_BITS, &parent);
	if (err)
		return err;
	err = tablet_alloc(seg, TABLET_TABLE, d->size_bits, &table);
	if (err)
		return err;
	err = tablet_reserve(TABLET_ENTRIES + 1, duration != RENTAL_FOREVER);
	if (err) {
		tablet_delete(table);
		return err;
	}
	handler_unmap(d->id, &d->rental);
	err = tablet_split(d->id, pieces);
	if (err) {
		handler_place(parent.id, d->rental.index, d->id, rights, duration, NULL);
		tablet_delete(table);
		tablet_unreserve();
		return err;
	}
	handler_place(parent.id, d->rental.index, table, 0, RENTAL_FOREVER, NULL);
	for (unsigned i = 0; i < TABLET_ENTRIES; i++)
		handler_place(table, i, pieces[i], rights, duration, NULL);
	tablet_unreserve();
	*made = table;
	return 0;
}

/* Put back the data tablet ORIGINAL that split_data replaced by TABLE. */
static void undo_split(struct segment *seg, handler_id table, handler_id original)
{
	static handler_id pieces[TABLET_ENTRIES];
	struct tablet_info t, c, parent;
	unsigned rights = 0;
	uint64_t duration = RENTAL_FOREVER;
	tablet_get_info(table, &t);
	for (unsigned i = 0; i < TABLET_ENTRIES; i++) {
		tablet_child(table, i, &c);
		pieces[i] = c.id;
		/* One entry again: accessed or dirty if any piece was (dirty more is safe, less loses data). */
		rights = c.entry_rights | (rights & (VMM_ACCESSED | VMM_DIRTY));
		duration = remaining(&c.rental);
		handler_unmap(c.id, &c.rental);
	}
	tablet_locate(seg->top, t.va, t.size_bits + TABLET_ENTRY_BITS, &parent);
	handler_unmap(table, &t.rental);
	tablet_delete(table);
	tablet_split_undo(original, pieces);
	handler_place(parent.id, t.rental.index, original, rights, duration, NULL);
}

void segment_undo_splits(struct split_log *log)
{
	while (log->n) {
		log->n--;
		undo_split(log->done[log->n].seg, log->done[log->n].table, log->done[log->n].original);
	}
}

void segment_commit_splits(struct split_log *log)
{
	for (unsigned i = 0; i < log->n; i++)
		tablet_split_commit(log->done[i].original);
	log->n = 0;
}

int segment_split_at(struct segment *seg, vaddr_t e, struct split_log *log)
{
	if (e <= seg->base || e - seg->base >= SEGMENT_SIZE)
		return 0;
	unsigned first = log->n;
	for (;;) {
		struct tablet_info d;
		handler_id table;
		/* Only a data tablet E cuts is located, which names it, and split. */
		int bits = tablet_cut_at(seg->top, e);
		if (bits <= 0)
			return 0;
		int err = tablet_locate(seg->top, e, bits, &d);
		if (!err)
			err = split_data(seg, &d, &table);
		if (!err && log->n == sizeof(log->done) / sizeof(log->done[0]))
			err = -ENOMEM; /* cannot happen: two ends, two levels each */
		if (err) {
			struct split_log mine = *log;
			mine.n -= first;
			for (unsigned i = 0; i < mine.n; i++)
				mine.done[i] = log->done[first + i];
			segment_undo_splits(&mine);
			log->n = first;
			return err;
		}
		log->done[log->n].seg = seg;
		log->done[log->n].table = table;
		log->done[log->n].original = d.id;
		log->n++;
	}
}

/* ------------------------------------------------------------ unmapping --- */

/* SEG's range, and every cache entry it overlaps: one the range cuts goes whole (its view refills the rest). */
static __attribute__((noinline)) int unmap_with_caches(struct segment *seg, vaddr_t va,
						   uint64_t len)
{
	for (unsigned views = seg->caches->cached; views; views &= views - 1)
		tablet_clear(seg->caches->of[__builtin_ctz(views)]->top, va, len);
	return tablet_clear(seg->top, va, len);
}

int segment_unmap(struct segment *seg, vaddr_t va, uint64_t len)
{
	if (seg->caches)
		return unmap_with_caches(seg, va, len);
	/* What is taken out becomes unreachable: this segment's segproc deletes it. */
	return tablet_clear(seg->top, va, len);
}

int segment_map_fixed(struct segment *seg, vaddr_t va, paddr_t pa, uint64_t len, unsigned rights)
{
	vaddr_t end = va + len;
	for (vaddr_t cur = va; cur < end;) {
		paddr_t at = pa + (cur - va);
		unsigned bits = TABLET_BITS_1G;
		while (bits > TABLET_BITS_4K && (end - cur < (1ul << bits) || !IS_ALIGNED(cur | at, 1ul << bits)))
			bits -= TABLET_ENTRY_BITS;
		int err = tablet_adopt_at(seg->top, cur, at, bits, rights, RENTAL_FOREVER);
		if (err) {
			if (cur > va)
				segment_unmap(seg, va, cur - va);
			return err;
		}
		cur += 1ul << bits;
	}
	return 0;
}

/* ----------------------------------------------------------- protecting --- */

void segment_protect(struct segment *seg, vaddr_t va, uint64_t len, unsigned rights)
{
	/* Rentals in user segments never end: new rights in place cannot fail. */
	tablet_set_rights(seg->top, va, len, rights);
}

/* ------------------------------------------------------------- reclaim --- */

uint64_t segment_reclaim_all(uint64_t want)
{
	uint64_t freed = 0;
	for (struct segment *s = segments; s && freed < want; s = s->next)
		if (s->proc->reclaim)
			freed += s->proc->reclaim(s, want - freed);
	/* The tables reclaim left empty are deleted now: their frames are wanted too. */
	segment_deliver_unreachable();
	return freed;
}
