/*
 * Views on the Sv48 backend, all or nothing: each operation on a space of
 * three views with each allocation failed in turn (tests/host/alloc_fail.h)
 * changes nothing, in the space root or any view root (read as the MMU
 * reads it), and gives every frame and heap byte back.
 */
#include <stdio.h>
#include <string.h>

#include "tests/host/alloc_fail.h"
#include "tests/host/sv48_views_env.h"

/* ----------------------------------------------------- state, all or nothing --- */

struct state {
	uint64_t hash[VMM_MAX_VIEWS + 1], leaves[VMM_MAX_VIEWS + 1];
	uint64_t free_bytes, heap_bytes, tables, data_tablets, table_bytes;
};

static int add_piece(const struct vmm_mapping *m, void *ctx)
{
	uint64_t *h = ctx;
	*h = (*h ^ m->va ^ (m->pa * 7) ^ (m->len * 13) ^ m->rights) * 0x100000001b3ull;
	return 0;
}

static void snapshot(struct state *st)
{
	memset(st, 0, sizeof(*st));
	backend_traverse(s, 0, 1ull << 47, add_piece, &st->hash[VMM_MAX_VIEWS]);
	for (unsigned v = 0; v < s->nviews; v++)
		hash_table(phys_to_virt(view_root(s, v)), SV48_ROOT_LEVEL, 0, &st->hash[v],
			   &st->leaves[v]);
	struct frame_stats f;
	struct heap_stats h;
	struct tablet_stats t;
	frame_get_stats(&f);
	heap_get_stats(&h);
	tablet_get_stats(&t);
	st->free_bytes = f.free_bytes;
	st->heap_bytes = h.bytes_in_use;
	st->tables = t.tables;
	st->data_tablets = t.data_tablets;
	st->table_bytes = t.table_bytes;
}

static int same_state(const struct state *a, const struct state *b)
{
	if (!memcmp(a, b, sizeof(*a)))
		return 1;
	for (unsigned v = 0; v <= VMM_MAX_VIEWS; v++)
		if (a->hash[v] != b->hash[v])
			printf("#   %s %u reads differently (%lu leaves, was %lu)\n",
			       v == VMM_MAX_VIEWS ? "the space" : "view", v, b->leaves[v], a->leaves[v]);
	printf("#   free %lu -> %lu, heap %lu -> %lu, tables %lu -> %lu, data %lu -> %lu\n",
	       a->free_bytes, b->free_bytes, a->heap_bytes, b->heap_bytes, a->tables, b->tables,
	       a->data_tablets, b->data_tablets);
	return 0;
}

/* OP with the Nth allocation failing, N = 1, 2, ...: nothing changed on failure; UNDO after success. */
static void fail_each(const char *name, int (*op)(void), void (*undo)(void))
{
	struct state before, after;
	unsigned n;
	for (n = 0; n < 10000; n++) {
		snapshot(&before);
		alloc_fail_arm(n + 1);
		int err = op();
		alloc_fail_disarm();
		int fired = alloc_fail_fired();
		if (!err)
			undo();
		snapshot(&after);
		if ((err && (!fired || err != -ENOMEM)) || !same_state(&before, &after)) {
			printf("#   %s: %d with allocation %u failing\n", name, err, n + 1);
			CHECK(!"not all or nothing");
			return;
		}
		if (!err && !fired)
			break;
	}
	printf("# %s: %u allocation points failed in turn\n", name, n);
	CHECK(n > 0);
}

/* ------------------------------------------------------ all or nothing --- */

#define AVA ((9ull << 39) + 3 * GiB + 9 * P)
/* View 0 given less than the page: it caches the new segment (view 1 shares it). */
static int fault_new_segment(void)
{
	return fault(AVA, 0, VMM_READ, REGION_ANON, rights3(URW, UR, URW, 0));
}

static int fault_stack(void)
{
	return fault(AVA, 2, VMM_WRITE, REGION_STACK, rights3(URW, 0, UR, URW));
}

/* Every view given the page rights: all three share the new segment. */
static int fault_shared(void)
{
	return fault(AVA, 1, VMM_WRITE, REGION_ANON, rights3(URW, URW, URW, URW));
}

static int fault_huge(void)
{
	return fault(AVA, 0, VMM_READ, REGION_HUGE, rights3(URW, UR, UR, 0));
}

static void unmap_a(void)
{
	CHECK_EQ(backend_unmap(s, ALIGN_DOWN(AVA, 2 * MiB), 2 * MiB), 0);
}

/* View 0's refill of a page view 1 faulted in, with view 0's cache there already. */
static int refill_view0(void)
{
	return fault(AVA, 0, VMM_READ, REGION_ANON, rights3(URW, UR, URW, 0));
}

static void drop_view0(void)
{
	struct view_rights r = rights3(URW, 0, URW, 0);
	CHECK_EQ(backend_protect(s, AVA, P, &r), 0);
}

static int map_across(void)
{
	return backend_map(s, MAPVA, FAR_PA, MAPLEN, URW);
}

static void unmap_across(void)
{
	CHECK_EQ(backend_unmap(s, MAPVA, MAPLEN), 0);
}

/* Protect and unmap inside a 2 MiB mapping all three views hold: splits at both ends. */
#define BVA ((2ull << 39) + 6 * MiB)
static int protect_inside(void)
{
	struct view_rights r = rights3(URW, UR, 0, URW);
	return backend_protect(s, BVA + 3 * P, 5 * P, &r);
}

static int unmap_inside(void)
{
	return backend_unmap(s, BVA + 3 * P, 5 * P);
}

static void map_back(void)
{
	CHECK_EQ(backend_unmap(s, BVA, 2 * MiB), 0);
	CHECK_EQ(backend_map(s, BVA, FAR_PA, 2 * MiB, URW), 0);
}

static struct backend_space *fresh;
static int init_views(void)
{
	return backend_views_init(fresh, 4);
}

static void back_to_one(void)
{
	CHECK_EQ(backend_views_init(fresh, 1), 0);
}

static void all_or_nothing(void)
{
	fail_each("fault, new segment and cache", fault_new_segment, unmap_a);
	fail_each("stack fault", fault_stack, unmap_a);
	fail_each("huge fault", fault_huge, unmap_a);
	fail_each("fault, new segment shared", fault_shared, unmap_a);
	/* View 0's cache holds a page of the segment; view 1 has AVA. */
	CHECK_EQ(fault(AVA + 2 * GiB, 0, VMM_READ, REGION_ANON, rights3(URW, UR, UR, 0)), 0);
	CHECK_EQ(fault(AVA, 1, VMM_WRITE, REGION_ANON, rights3(URW, UR, URW, 0)), 0);
	fail_each("refill in a second view", refill_view0, drop_view0);
	CHECK_EQ(backend_unmap(s, AVA - 9 * P, 4 * GiB), 0);
	fail_each("map in every view", map_across, unmap_across);
	CHECK_EQ(backend_map(s, BVA, FAR_PA, 2 * MiB, URW), 0);
	fail_each("protect inside 2 MiB", protect_inside, map_back);
	fail_each("unmap inside 2 MiB", unmap_inside, map_back);
	CHECK_EQ(backend_unmap(s, BVA, 2 * MiB), 0);
	CHECK_EQ(backend_space_create(kernel, &fresh), 0);
	struct backend_space *keep = s;
	s = fresh; /* the state read is FRESH's */
	fail_each("views_init", init_views, back_to_one);
	s = keep;
	backend_space_destroy(fresh);
}

/* A space with views and pages in each, destroyed: every byte back. */
static void destroy_frees_everything(void)
{
	struct frame_stats f0, f1;
	struct heap_stats h0, h1;
	struct tablet_stats t0, t1;
	frame_get_stats(&f0);
	heap_get_stats(&h0);
	tablet_get_stats(&t0);
	struct backend_space *keep = s;
	CHECK_EQ(backend_space_create(kernel, &s), 0);
	CHECK_EQ(backend_views_init(s, 3), 0);
	/* Views 0 and 2 share the segment, view 1 caches it. */
	for (unsigned v = 0; v < 3; v++)
		CHECK_EQ(fault(AVA + v * GiB, v, VMM_READ, REGION_ANON, rights3(URW, URW, UR, URW)), 0);
	CHECK_EQ(fault(AVA, 1, VMM_READ, REGION_ANON, rights3(URW, URW, UR, URW)), 0);
	CHECK_EQ(s->user[AVA >> 39]->caches->shared, 5);
	CHECK_EQ(backend_map(s, MAPVA, FAR_PA, MAPLEN, UR), 0);
	backend_space_destroy(s);
	s = keep;
	frame_get_stats(&f1);
	heap_get_stats(&h1);
	tablet_get_stats(&t1);
	CHECK_EQ(f1.free_bytes, f0.free_bytes);
	CHECK_EQ(h1.bytes_in_use, h0.bytes_in_use);
	CHECK_EQ(t1.tables, t0.tables);
	CHECK_EQ(t1.table_bytes, t0.table_bytes);
	CHECK_EQ(t1.data_tablets, t0.data_tablets);
}

int main(void)
{
	setup();
	CHECK_EQ(backend_views_init(s, 3), 0);
	RUN(all_or_nothing);
	RUN(destroy_frees_everything);
	CHECK_EXIT();
}
