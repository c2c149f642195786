/*
 * Reading the tree and operations over a range below a page-table tablet:
 * locating and translating an address, finding the data tablet an address
 * cuts, visiting the data tablets, taking every placement out, giving new
 * rights.  Each goes through the one walker (tablet_walk): a walk finds the
 * deepest table at an address, a range loop reads that table's entries up
 * to the next table to walk into, or the range's end.
 */
#include "kernel/error.h"
#include "tablet/internal.h"

/* The page-table tablet TOP_ID names, or NULL. */
static struct tablet *table_named(handler_id top_id)
{
	struct tablet *top = tablet_by_id(top_id);
	return top && top->kind == TABLET_TABLE ? top : NULL;
}

int tablet_locate(handler_id top_id, vaddr_t va, unsigned size_bits, struct tablet_info *out)
{
	struct tablet *top = table_named(top_id), *t;
	if (!top)
		return -ESRCH;
	tablet_walk(top, va, size_bits, NULL, &t, NULL);
	int err = tablet_name(t); /* asked for where it is: by name from now on */
	if (!err)
		tablet_fill_info(t, out);
	return err;
}

int tablet_translate(handler_id top_id, vaddr_t va, struct vmm_mapping *out)
{
	struct tablet *top = table_named(top_id), *t;
	if (!top)
		return -ESRCH;
	if (tablet_walk(top, va, TABLET_BITS_4K, NULL, &t, NULL) == -ENOENT)
		return -ENOENT;
	if (t->kind != TABLET_DATA) /* a segment's top asked for itself: nothing below it */
		return -ENOENT;
	uint64_t off = va - t->va;
	*out = (struct vmm_mapping){ va, t->frame + off, (1ul << t->size_bits) - off,
				     tablet_entry_rights(*holding_entry(t)) };
	return 0;
}

int tablet_cut_at(handler_id top_id, vaddr_t va)
{
	struct tablet *top = table_named(top_id), *t;
	if (!top)
		return -ESRCH;
	if (tablet_walk(top, va, TABLET_BITS_4K, NULL, &t, NULL) != -EEXIST)
		return 0; /* a hole, or a 4 KiB page: VA is a boundary */
	return t->va != va ? (int)t->size_bits : 0;
}

/* One step of a range operation on data tablet T: non-zero stops the operation. */
typedef int (*data_step)(struct tablet *t, void *ctx);

static unsigned index_of(const struct tablet *t, vaddr_t va)
{
	return (va >> (t->size_bits - TABLET_ENTRY_BITS)) & (TABLET_ENTRIES - 1);
}

/*
 * Apply STEP to each data tablet below TOP overlapping [va, end), in address
 * order; EMPTY_STEP, when given, to each table below TOP that holds nothing
 * and lies all inside the range.
 */
static int for_each_data(struct tablet *top, vaddr_t va, vaddr_t end, data_step step,
			 data_step empty_step, void *ctx)
{
	while (va < end) {
		struct tablet *t;
		int r = 0;
		if (tablet_walk(top, va, TABLET_BITS_2M, NULL, &t, NULL) == -EEXIST) {
			/* A data tablet covers VA: from its start, wherever VA fell in it. */
			vaddr_t next = t->va + (1ul << t->size_bits);
			if ((r = step(t, ctx)) != 0)
				return r;
			va = next;
			continue;
		}
		/* T holds VA's entry: read on until a table to walk into, or T's end. */
		uint64_t span = entry_span(t);
		vaddr_t table_end = t->va + TABLET_ENTRIES * span;
		vaddr_t next = table_end == 0 || table_end > end ? end : table_end;
		if (empty_step && t != top && t->used == 0 && t->va == va && next == table_end) {
			/* A table that holds nothing, all of it inside the range. */
			if ((r = empty_step(t, ctx)) != 0)
				return r;
			va = next;
			continue;
		}
		for (unsigned i = index_of(t, va); va < next; i++, va = t->va + i * span) {
			struct tablet *c = child_at(t, i);
			if (c && c->kind == TABLET_TABLE)
				break; /* walk into it */
			if (c && (r = step(c, ctx)) != 0)
				return r;
		}
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
	struct tablet *top = table_named(top_id);
	struct info_visit v = { visit, ctx };
	return top ? for_each_data(top, va, va + len, visit_info, NULL, &v) : -ESRCH;
}

/*
 * Take T out, and the tables its going leaves empty (up to, not including,
 * TOP).  T is a data tablet, or a table found empty: a table can be left
 * empty by a path that takes data out without pruning (a finite rental that
 * expired), and clearing the range must take it out too, or the segment's
 * top could never be deleted.
 */
static int clear_data(struct tablet *t, void *top)
{
	struct tablet *holder = t->holder;
	tablet_evict(t);
	while (holder != top && holder->used == 0 && holder->placed) {
		struct tablet *up = holder->holder;
		tablet_evict(holder);
		holder = up;
	}
	return 0;
}

int tablet_clear(handler_id top_id, vaddr_t va, uint64_t len)
{
	struct tablet *top = table_named(top_id);
	return top ? for_each_data(top, va, va + len, clear_data, clear_data, top) : -ESRCH;
}

static int set_rights(struct tablet *t, void *ctx)
{
	/* The A/D state the entry holds now stays with the page. */
	unsigned ad = tablet_entry_rights(*holding_entry(t)) & (VMM_ACCESSED | VMM_DIRTY);
	return tablet_remap(t, *(const unsigned *)ctx | ad);
}

int tablet_set_rights(handler_id top_id, vaddr_t va, uint64_t len, unsigned rights)
{
	struct tablet *top = table_named(top_id);
	return top ? for_each_data(top, va, va + len, set_rights, NULL, &rights) : -ESRCH;
}
