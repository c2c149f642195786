/*
 * Views on the Sv48 backend (docs/compartments.md, "Sv48: roots"): a space
 * of three views, each with its own root and ASID, checked through
 * backend_translate_view and through a reference walk of each root as the
 * MMU would read it.  test_sv48_views_atomic checks all or nothing.
 */
#include <stdio.h>
#include <string.h>

#include "tests/host/alloc_fail.h"
#include "tests/host/sv48_views_env.h"

/* -------------------------------------------------------------- cases --- */

static void views_init_checks(void)
{
	CHECK_EQ(backend_views_init(s, 0), -EINVAL);
	CHECK_EQ(backend_views_init(s, VMM_MAX_VIEWS + 1), -EINVAL);
	CHECK_EQ(backend_views_init(s, 3), 0);
	CHECK_EQ(s->nviews, 3);
	/* Own roots, own ASIDs, none the space root's or 0; the kernel half in each. */
	for (unsigned v = 0; v < 3; v++) {
		CHECK(s->views[v].root != s->root);
		CHECK(s->views[v].asid != 0);
		for (unsigned w = 0; w < v; w++)
			CHECK(s->views[w].asid != s->views[v].asid && s->views[w].root != s->views[v].root);
		CHECK(mmu_leaf(s->views[v].root, KERNEL_VA + 4096) != 0);
	}
	/* Not once something is mapped. */
	struct backend_space *busy;
	CHECK_EQ(backend_space_create(kernel, &busy), 0);
	CHECK_EQ(backend_map(busy, 1ull << 30, FAR_PA, P, UR), 0);
	CHECK_EQ(backend_views_init(busy, 2), -EBUSY);
	backend_space_destroy(busy);
}

#define VA1 ((3ull << 39) + 5 * GiB + 7 * P)
static void fault_goes_to_its_view_only(void)
{
	struct view_rights r = rights3(URW, UR, URW, 0);
	struct vmm_mapping m;
	cache_only(VA1);
	CHECK_EQ(fault(VA1, 2, VMM_READ, REGION_ANON, r), -EFAULT); /* view 2 has no rights */
	CHECK_EQ(backend_translate(s, VA1, &m), -ENOENT);
	CHECK_EQ(fault(VA1, 1, VMM_READ, REGION_ANON, r), 0);
	CHECK_EQ(backend_translate(s, VA1, &m), 0);
	CHECK_EQ(m.rights, URW | VMM_ACCESSED); /* the space: its page rights, clean */
	/* View 1 has it, read only until its first store; views 0 and 2 do not. */
	CHECK_EQ(seen(1, VA1), UR);
	CHECK_EQ(seen(0, VA1), 0);
	CHECK_EQ(seen(2, VA1), 0);
	CHECK_EQ(mmu_leaf(s->views[0].root, VA1), 0);
	CHECK_EQ(pte_pa(mmu_leaf(s->views[1].root, VA1)), m.pa);
	CHECK_EQ(fault(VA1, 1, VMM_READ, REGION_ANON, r), -EEXIST);
	/* The first store: the space's page is dirty, and view 1 may write. */
	CHECK_EQ(fault(VA1, 1, VMM_WRITE, REGION_ANON, r), 0);
	CHECK_EQ(seen(1, VA1), URW);
	CHECK_EQ(backend_translate(s, VA1, &m), 0);
	CHECK(m.rights & VMM_DIRTY);
	CHECK_EQ(fault(VA1, 1, VMM_WRITE, REGION_ANON, r), -EEXIST);
	/* View 0 refills from the space: the same frame, its own rights. */
	CHECK_EQ(fault(VA1, 0, VMM_READ, REGION_ANON, r), 0);
	CHECK_EQ(seen(0, VA1), UR);
	CHECK_EQ(pte_pa(mmu_leaf(s->views[0].root, VA1)), m.pa);
	CHECK_EQ(fault(VA1, 0, VMM_WRITE, REGION_ANON, r), -EFAULT); /* not its right */
	/* The space root has what it had: one page. */
	CHECK_EQ(pte_pa(mmu_leaf(s->root, VA1)), m.pa);
}

static void protect_drops_what_a_view_loses(void)
{
	/* Take W from view 1: no writable entry in its root, its read kept in place; view 0 keeps its read. */
	struct view_rights r = rights3(URW, UR, UR, 0);
	CHECK_EQ(backend_protect(s, VA1 - P, 3 * P, &r), 0);
	pte_t e = mmu_leaf(s->views[1].root, VA1);
	CHECK(!(e & PTE_W));
	CHECK(e & PTE_R);
	CHECK_EQ(seen(1, VA1) & VMM_WRITE, 0);
	CHECK_EQ(seen(0, VA1), UR);
	CHECK(mmu_leaf(s->views[0].root, VA1) != 0);
	/* Back to W: the refill (a write) brings it, the space still dirty. */
	r = rights3(URW, UR, URW, 0);
	CHECK_EQ(backend_protect(s, VA1, P, &r), 0);
	CHECK_EQ(fault(VA1, 1, VMM_WRITE, REGION_ANON, r), 0);
	CHECK(mmu_leaf(s->views[1].root, VA1) & PTE_W);
	/* A hold: no view reaches the page, the space keeps it. */
	r = rights3(VMM_USER, VMM_USER, VMM_USER, VMM_USER);
	CHECK_EQ(backend_protect(s, VA1, P, &r), 0);
	for (unsigned v = 0; v < 3; v++)
		CHECK_EQ(mmu_leaf(s->views[v].root, VA1), 0);
	struct vmm_mapping m;
	CHECK_EQ(backend_translate(s, VA1, &m), 0);
	CHECK_EQ(m.rights & ~AD, VMM_USER);
}

static void unmap_removes_from_every_root(void)
{
	struct view_rights r = rights3(URW, UR, URW, UR);
	struct frame_stats f0, f1;
	struct tablet_stats t0, t1;
	CHECK_EQ(backend_protect(s, VA1, P, &r), 0);
	frame_get_stats(&f0);
	tablet_get_stats(&t0);
	for (unsigned v = 0; v < 3; v++)
		CHECK_EQ(fault(VA1, v, VMM_READ, REGION_ANON, r), 0);
	CHECK_EQ(fault(VA1 + P, 2, VMM_WRITE, REGION_ANON, r), -EFAULT);
	CHECK_EQ(fault(VA1 + P, 1, VMM_WRITE, REGION_ANON, r), 0);
	CHECK_EQ(backend_unmap(s, VA1 - P, 3 * P), 0);
	cache_only_done(VA1);
	for (unsigned v = 0; v < 3; v++) {
		CHECK_EQ(seen(v, VA1), 0);
		CHECK_EQ(mmu_leaf(s->views[v].root, VA1), 0);
		CHECK_EQ(mmu_leaf(s->views[v].root, VA1 + P), 0);
	}
	/* The segment is empty: it went, with every cache and table; the frames are back. */
	frame_get_stats(&f1);
	tablet_get_stats(&t1);
	CHECK_EQ(t1.data_tablets, t0.data_tablets - 2); /* VA1's page and the one far off */
	CHECK(t1.tables < t0.tables);
	CHECK(f1.free_bytes > f0.free_bytes);
	CHECK_EQ(s->user[3], NULL);
}

/* A fixed map goes to the space and every view at once: nothing to fault for. */
static void map_goes_to_every_view(void)
{
	CHECK_EQ(backend_map(s, MAPVA, FAR_PA, MAPLEN, URW), 0);
	for (unsigned v = 0; v < 3; v++) {
		CHECK_EQ(seen(v, MAPVA), URW);
		CHECK_EQ(seen(v, MAPVA + MAPLEN - P), URW);
		CHECK_EQ(pte_pa(mmu_leaf(s->views[v].root, MAPVA + 2 * MiB + 2 * P)),
			 FAR_PA + 2 * MiB + 2 * P);
	}
	CHECK_EQ(backend_map(s, MAPVA + P, FAR_PA, P, UR), -EEXIST);
	CHECK_EQ(backend_unmap(s, MAPVA, MAPLEN), 0);
	for (unsigned v = 0; v < 3; v++)
		CHECK_EQ(seen(v, MAPVA + 2 * MiB + 2 * P), 0);
}

/* A kernel segment opened after the views: in every root. */
static void kernel_half_in_every_root(void)
{
	vaddr_t k = 0xffffa00000000000ull;
	CHECK_EQ(backend_map(kernel, k, FAR_PA, P, VMM_READ), 0);
	for (unsigned v = 0; v < 3; v++)
		CHECK(mmu_leaf(s->views[v].root, k) != 0);
	CHECK(mmu_leaf(s->root, k) != 0 && mmu_leaf(flat->root, k) != 0);
	CHECK_EQ(backend_unmap(kernel, k, P), 0);
	for (unsigned v = 0; v < 3; v++)
		CHECK_EQ(mmu_leaf(s->views[v].root, k), 0);
}

/* A 2 MiB page is cached whole; cut by a protect, the cache drops it, and refills a piece. */
#define HUGEVA ((6ull << 39) + 4 * MiB)
static void huge_pages_cached_whole(void)
{
	struct view_rights r = rights3(URW, URW, UR, 0);
	cache_only(HUGEVA);
	CHECK_EQ(fault(HUGEVA + 5 * P, 0, VMM_WRITE, REGION_HUGE, r), 0);
	struct vmm_mapping m;
	CHECK_EQ(backend_translate_view(s, 0, HUGEVA, &m), 0);
	CHECK_EQ(m.len, 2 * MiB);
	CHECK_EQ(seen(1, HUGEVA), 0);
	/* View 0 loses W in one page: its 2 MiB entry goes; a touch brings back that page alone. */
	r = rights3(URW, UR, 0, 0);
	CHECK_EQ(backend_protect(s, HUGEVA + P, P, &r), 0);
	CHECK_EQ(mmu_leaf(s->views[0].root, HUGEVA), 0);
	CHECK_EQ(fault(HUGEVA + P, 0, VMM_WRITE, REGION_HUGE, r), -EFAULT);
	CHECK_EQ(fault(HUGEVA + P, 0, VMM_READ, REGION_HUGE, r), 0);
	CHECK_EQ(backend_translate_view(s, 0, HUGEVA + P, &m), 0);
	CHECK_EQ(m.len, P);
	CHECK_EQ(m.rights & ~AD, UR);
	CHECK_EQ(fault(HUGEVA + 9 * P, 0, VMM_WRITE, REGION_HUGE, rights3(URW, URW, 0, 0)), 0);
	CHECK_EQ(seen(0, HUGEVA + 9 * P), URW);
	CHECK_EQ(seen(0, HUGEVA + 8 * P), 0);
	CHECK_EQ(backend_unmap(s, HUGEVA, 2 * MiB), 0);
	CHECK_EQ(seen(0, HUGEVA + P), 0);
	/* A protect of the whole 2 MiB page: view 1's entry stays, with less. */
	r = rights3(URW, 0, URW, 0);
	CHECK_EQ(fault(HUGEVA, 1, VMM_WRITE, REGION_HUGE, r), 0);
	CHECK(mmu_leaf(s->views[1].root, HUGEVA + MiB) & PTE_W);
	r = rights3(URW, 0, UR, 0);
	CHECK_EQ(backend_protect(s, HUGEVA, 2 * MiB, &r), 0);
	CHECK_EQ(backend_translate_view(s, 1, HUGEVA, &m), 0);
	CHECK_EQ(m.len, 2 * MiB);
	CHECK_EQ(m.rights & ~AD, UR);
	CHECK_EQ(backend_unmap(s, HUGEVA, 2 * MiB), 0);
	cache_only_done(HUGEVA);
}

/*
 * Reclaim takes a clean page out of the space when memory runs out: out of
 * every view's root in the same step, or a view would keep a freed frame.
 */
static void reclaim_drops_from_every_view(void)
{
	vaddr_t va = (11ull << 39) + 5 * P, fva = 1ull << 30;
	struct view_rights r = rights3(URW, UR, UR, 0);
	cache_only(va);
	CHECK_EQ(fault(va, 1, VMM_READ, REGION_ANON, r), 0);
	CHECK_EQ(fault(va, 0, VMM_READ, REGION_ANON, r), 0);
	CHECK(mmu_leaf(s->views[1].root, va) != 0);
	/* FLAT's segment exists: the first allocation of its fault is the page's, which reclaim then finds. */
	CHECK_EQ(backend_map(flat, 2 * fva, FAR_PA, P, UR), 0);
	struct backend_fault f = { .va = fva, .access = VMM_WRITE, .kind = REGION_ANON,
				   .rights = view_rights_all(URW | AD), .region_start = fva,
				   .region_end = fva + P };
	alloc_fail_arm(1);
	int err = backend_fault(flat, &f);
	alloc_fail_disarm();
	CHECK(alloc_fail_fired());
	CHECK_EQ(err, 0);
	struct vmm_mapping m;
	CHECK_EQ(backend_translate(s, va, &m), -ENOENT);
	CHECK_EQ(mmu_leaf(s->views[0].root, va), 0);
	CHECK_EQ(mmu_leaf(s->views[1].root, va), 0);
	CHECK_EQ(backend_unmap(flat, fva, 2 * fva), 0);
	CHECK_EQ(backend_unmap(s, va, P), 0);
	cache_only_done(va);
}

/*
 * A segment whose first fault gives views the page rights is theirs too:
 * the space's own top in their roots.  A fault or protect that gives one
 * of them less ends its sharing before it returns; it caches from then on.
 */
#define SVA ((12ull << 39) + 7 * GiB)
static void segments_shared_while_rights_agree(void)
{
	struct view_rights all = rights3(URW, URW, URW, URW);
	struct view_rights no2 = rights3(URW, URW, URW, 0), less1 = rights3(URW, URW, UR, URW);
	CHECK_EQ(fault(SVA, 1, VMM_WRITE, REGION_ANON, all), 0);
	pte_t e = mmu_leaf(s->root, SVA);
	CHECK(e & PTE_D);
	for (unsigned v = 0; v < 3; v++) {
		CHECK_EQ(mmu_leaf(s->views[v].root, SVA), e); /* the space's own entry */
		CHECK_EQ(seen(v, SVA), URW);
	}
	CHECK_EQ(fault(SVA, 2, VMM_READ, REGION_ANON, all), -EEXIST);
	/* A fault that finds no memory changes nothing: view 2 still shares. */
	alloc_fail_arm(1);
	CHECK_EQ(fault(SVA + P, 0, VMM_READ, REGION_ANON, no2), -ENOMEM);
	alloc_fail_disarm();
	CHECK_EQ(mmu_leaf(s->views[2].root, SVA), e);
	/* A page view 2 may not see: view 2 stops sharing the whole segment. */
	CHECK_EQ(fault(SVA + P, 0, VMM_READ, REGION_ANON, no2), 0);
	CHECK_EQ(mmu_leaf(s->views[2].root, SVA + P), 0);
	CHECK_EQ(mmu_leaf(s->views[2].root, SVA), 0);
	CHECK(mmu_leaf(s->views[1].root, SVA + P) != 0);
	CHECK_EQ(fault(SVA, 2, VMM_READ, REGION_ANON, all), 0); /* its cache, from now on */
	CHECK_EQ(seen(2, SVA), URW);                            /* the page is dirty */
	CHECK_EQ(seen(2, SVA + P), 0);
	/* A protect that gives view 1 less: it stops sharing too; view 0 still shares. */
	CHECK_EQ(backend_protect(s, SVA, P, &less1), 0);
	CHECK_EQ(mmu_leaf(s->views[1].root, SVA), 0);
	CHECK_EQ(mmu_leaf(s->views[0].root, SVA), mmu_leaf(s->root, SVA));
	CHECK_EQ(fault(SVA, 1, VMM_WRITE, REGION_ANON, less1), -EFAULT);
	CHECK_EQ(fault(SVA, 1, VMM_READ, REGION_ANON, less1), 0);
	CHECK_EQ(seen(1, SVA), UR);
	CHECK_EQ(s->user[12]->caches->shared, 1);
	CHECK_EQ(backend_unmap(s, SVA, 2 * P), 0);
	CHECK_EQ(s->user[12], NULL);
	for (unsigned v = 0; v < 3; v++)
		CHECK_EQ(mmu_leaf(s->views[v].root, SVA), 0);
}

/* ------------------------------------------------------ one view, ASIDs --- */

static void one_view_is_the_space(void)
{
	CHECK_EQ(backend_views_init(flat, 1), 0);
	CHECK_EQ(flat->nviews, 1);
	CHECK_EQ(flat->views, NULL);
	CHECK_EQ(backend_map(flat, 1ull << 30, FAR_PA, P, URW), 0);
	struct vmm_mapping m;
	CHECK_EQ(backend_translate_view(flat, 0, 1ull << 30, &m), 0);
	CHECK_EQ(pte_pa(mmu_leaf(flat->root, 1ull << 30)), FAR_PA);
	CHECK_EQ(backend_translate_view(flat, 1, 1ull << 30, &m), -ENOENT);
	CHECK_EQ(backend_unmap(flat, 1ull << 30, P), 0);
}

/* More view roots than ASIDs: the rest run under ASID 0; ASIDs come back with their spaces. */
static void asids_run_out_and_come_back(void)
{
	enum { N = 40 };
	static struct backend_space *many[N];
	unsigned zero = 0;
	for (unsigned i = 0; i < N; i++) {
		CHECK_EQ(backend_space_create(kernel, &many[i]), 0);
		CHECK_EQ(backend_views_init(many[i], VMM_MAX_VIEWS), 0);
		for (unsigned v = 0; v < VMM_MAX_VIEWS; v++)
			zero += many[i]->views[v].asid == 0;
	}
	CHECK_EQ(zero, N * VMM_MAX_VIEWS + 3 - 255); /* S holds three */
	for (unsigned i = 0; i < N; i++)
		backend_space_destroy(many[i]);
	CHECK_EQ(backend_space_create(kernel, &many[0]), 0);
	CHECK_EQ(backend_views_init(many[0], VMM_MAX_VIEWS), 0);
	for (unsigned v = 0; v < VMM_MAX_VIEWS; v++)
		CHECK(many[0]->views[v].asid != 0);
	backend_space_destroy(many[0]);
}

int main(void)
{
	setup();
	RUN(views_init_checks);
	RUN(fault_goes_to_its_view_only);
	RUN(protect_drops_what_a_view_loses);
	RUN(unmap_removes_from_every_root);
	RUN(map_goes_to_every_view);
	RUN(kernel_half_in_every_root);
	RUN(huge_pages_cached_whole);
	RUN(reclaim_drops_from_every_view);
	RUN(segments_shared_while_rights_agree);
	RUN(one_view_is_the_space);
	RUN(asids_run_out_and_come_back);
	CHECK_EXIT();
}
