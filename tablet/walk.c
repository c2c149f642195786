/*
 * The walkers of the Sv48 tree below a page-table tablet.  tablet_walk, as
 * xv6's walk, goes from a table down toward one address, one entry per
 * level, building the missing tables when asked: placing a data tablet and
 * tablet_locate go through it.  for_each_in, its counterpart over a range,
 * visits the tablets below a table in address order: every range operation
 * (visiting, clearing, new rights) goes through it.  Both follow the
 * tables' child pointers, so neither reads a registry.
 */
#include "kernel/error.h"
#include "tablet/internal.h"

static unsigned index_of(const struct tablet *t, vaddr_t va)
{
	return (va >> (t->size_bits - TABLET_ENTRY_BITS)) & (TABLET_ENTRIES - 1);
}

int tablet_walk(struct tablet *t, vaddr_t va, unsigned bits, struct segment *parent,
		struct tablet **out, struct tablet **built_below)
{
	while (t->size_bits > bits) {
		unsigned i = index_of(t, va);
		struct tablet *child;
		if ((child = child_at(t, i)) != NULL) {
			if (child->kind == TABLET_DATA) {
				*out = child;
				return -EEXIST;
			}
		} else if (!parent) {
			*out = t;
			return -ENOENT;
		} else {
			int err = table_new(parent, t->size_bits - TABLET_ENTRY_BITS, &child);
			if (!err && (err = tablet_place(t, i, child, 0, RENTAL_FOREVER, NULL)) != 0)
				tablet_destroy(child);
			if (err) {
				*out = t;
				return err;
			}
			if (built_below && !*built_below)
				*built_below = t;
		}
		t = child;
	}
	*out = t;
	return 0;
}

/* Take the empty tables on the way from TOP to VA out again, deepest first (down to STOP). */
static void prune(struct tablet *top, vaddr_t va, struct tablet *stop)
{
	for (;;) {
		struct tablet *t;
		tablet_walk(top, va, TABLET_BITS_2M, NULL, &t, NULL);
		if (t == top || t == stop || t->kind != TABLET_TABLE || t->used)
			return;
		tablet_evict(t);
		tablet_destroy(t);
	}
}

int tablet_place_at(handler_id top_id, vaddr_t va, handler_id data, unsigned rights,
		    uint64_t duration)
{
	struct tablet *top = tablet_by_id(top_id), *self = tablet_by_id(data), *t;
	if (!top || !self)
		return -ESRCH;
	if (top->kind != TABLET_TABLE || self->kind != TABLET_DATA ||
	    self->size_bits >= top->size_bits || (va & ((1ul << self->size_bits) - 1)))
		return -EINVAL;
	/* The tables this call builds (below BUILT_BELOW) it takes back on failure. */
	struct tablet *built_below = NULL;
	int err = tablet_walk(top, va, self->size_bits + TABLET_ENTRY_BITS, self->parent, &t,
			      &built_below);
	if (!err)
		err = tablet_place(t, index_of(t, va), self, rights, duration, NULL);
	if (err && built_below)
		prune(top, va, built_below);
	return err;
}

int tablet_locate(handler_id top_id, vaddr_t va, unsigned size_bits, struct tablet_info *out)
{
	struct tablet *top = tablet_by_id(top_id), *t;
	if (!top || top->kind != TABLET_TABLE)
		return -ESRCH;
	tablet_walk(top, va, size_bits, NULL, &t, NULL);
	tablet_fill_info(t, out);
	return 0;
}

/* ------------------------------------------------------------- ranges --- */

/*
 * Visit, in address order, each data tablet below table T overlapping
 * [va, end): DATA(tablet, ctx).  After the entries of a table below T
 * were visited, TABLE(that table, ctx) when given.  Either may take the
 * tablet it is given out of its entry.  Stops at a non-zero return.
 */
typedef int (*tablet_step)(struct tablet *t, void *ctx);
static int for_each_in(struct tablet *t, vaddr_t va, vaddr_t end, tablet_step data,
		       tablet_step table, void *ctx)
{
	uint64_t span = entry_span(t);
	unsigned first = va > t->va ? (unsigned)((va - t->va) / span) : 0;
	for (unsigned i = first; i < TABLET_ENTRIES && t->va + i * span < end; i++) {
		struct tablet *c = child_at(t, i);
		int r = 0;
		if (!c)
			continue;
		if (c->kind == TABLET_DATA) {
			r = data(c, ctx);
		} else {
			r = for_each_in(c, va, end, data, table, ctx);
			if (!r && table)
				r = table(c, ctx);
		}
		if (r)
			return r;
	}
	return 0;
}

struct info_visit {
	tablet_visitor visit;
	void *ctx;
};

static int visit_info(struct tablet *t, void *arg)
{
	struct info_visit *v = arg;
	struct tablet_info info;
	tablet_fill_info(t, &info);
	return v->visit(&info, v->ctx);
}

int tablet_for_each_data(handler_id top_id, vaddr_t va, uint64_t len, tablet_visitor visit,
			 void *ctx)
{
	struct tablet *top = tablet_by_id(top_id);
	if (!top || top->kind != TABLET_TABLE)
		return -ESRCH;
	struct info_visit v = { visit, ctx };
	return for_each_in(top, va, va + len, visit_info, NULL, &v);
}

static int clear_data(struct tablet *t, void *ctx)
{
	tablet_evict(t);
	return 0;
}

static int clear_if_empty(struct tablet *t, void *ctx)
{
	if (t->used == 0)
		tablet_evict(t);
	return 0;
}

int tablet_clear(handler_id top_id, vaddr_t va, uint64_t len)
{
	struct tablet *top = tablet_by_id(top_id);
	if (!top || top->kind != TABLET_TABLE)
		return -ESRCH;
	return for_each_in(top, va, va + len, clear_data, clear_if_empty, NULL);
}

static int set_rights(struct tablet *t, void *ctx)
{
	/* The A/D state the entry holds now stays with the page. */
	unsigned ad = tablet_entry_rights(*entry_ptr(table_by_frame(t->rental.frame),
						     t->rental.index)) &
		      (VMM_ACCESSED | VMM_DIRTY);
	return tablet_remap(t, *(const unsigned *)ctx | ad);
}

int tablet_set_rights(handler_id top_id, vaddr_t va, uint64_t len, unsigned rights)
{
	struct tablet *top = tablet_by_id(top_id);
	if (!top || top->kind != TABLET_TABLE)
		return -ESRCH;
	return for_each_in(top, va, va + len, set_rights, NULL, &rights);
}
