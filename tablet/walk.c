/*
 * The one walker of the Sv48 tree below a page-table tablet, as xv6's walk:
 * from a table down toward an address, one entry per level, building the
 * missing tables when asked.  Every descent in tablet/ goes through it:
 * placing a data tablet at an address, and tablet_locate.
 */
#include "kernel/error.h"
#include "tablet/internal.h"

static unsigned index_of(const struct tablet *t, vaddr_t va)
{
	return (va >> (t->size_bits - TABLET_ENTRY_BITS)) & (TABLET_ENTRIES - 1);
}

int tablet_walk(struct tablet *t, vaddr_t va, unsigned bits, struct segment *parent,
		struct tablet **out)
{
	while (t->size_bits > bits) {
		unsigned i = index_of(t, va);
		struct tablet *child;
		if ((child = t->children[i]) != NULL) {
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
		tablet_walk(top, va, TABLET_BITS_2M, NULL, &t);
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
	/* Where the tables end today: what this call builds below it, it takes back on failure. */
	struct tablet *existing;
	tablet_walk(top, va, self->size_bits + TABLET_ENTRY_BITS, NULL, &existing);
	int err = tablet_walk(top, va, self->size_bits + TABLET_ENTRY_BITS, self->parent, &t);
	if (!err)
		err = tablet_place(t, index_of(t, va), self, rights, duration, NULL);
	if (err && err != -EEXIST)
		prune(top, va, existing);
	return err;
}

int tablet_locate(handler_id top_id, vaddr_t va, unsigned size_bits, struct tablet_info *out)
{
	struct tablet *top = tablet_by_id(top_id), *t;
	if (!top || top->kind != TABLET_TABLE)
		return -ESRCH;
	tablet_walk(top, va, size_bits, NULL, &t);
	tablet_fill_info(t, out);
	return 0;
}
