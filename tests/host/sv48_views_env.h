/*
 * What the tests of views on the Sv48 backend share: a reference walk of a
 * root as the MMU reads it, the arena they run in, and faults as
 * vmm/fault.c makes them.
 */
#ifndef TESTS_HOST_SV48_VIEWS_ENV_H
#define TESTS_HOST_SV48_VIEWS_ENV_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "kernel/error.h"
#include "kernel/frame.h"
#include "kernel/heap.h"
#include "segment/sv48_space.h"
#include "tests/host/check.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define P 4096ull
#define ARENA_PA 0x80000000ull
#define ARENA_SIZE (256 * MiB)
#define FAR_PA 0x4000000000ull /* adopted memory: recorded, never touched */
#define KERNEL_VA 0xffffc00000000000ull
#define UR (VMM_USER | VMM_READ)
#define URW (VMM_USER | VMM_READ | VMM_WRITE)
#define AD (VMM_ACCESSED | VMM_DIRTY)
/* A fixed map across two segments. */
#define MAPVA ((1ull << 39) - 2 * MiB - 2 * P)
#define MAPLEN (4 * MiB + 4 * P)

static struct backend_space *kernel, *flat, *s; /* S: three views (set up by each test) */

/* ------------------------------------------------- the MMU, for reference --- */

/* The leaf the MMU finds for VA from ROOT (its entry), or 0. */
static inline pte_t mmu_leaf(paddr_t root, vaddr_t va)
{
	pte_t *table = phys_to_virt(root);
	for (int level = SV48_ROOT_LEVEL; level >= 0; level--) {
		pte_t e = table[sv48_index(va, level)];
		if (!pte_valid(e))
			return 0;
		if (pte_is_leaf(e))
			return e;
		table = phys_to_virt(pte_pa(e));
	}
	return 0;
}

/* A hash of every valid entry below ROOT's user half, as the MMU reads them. */
static inline void hash_table(pte_t *table, int level, vaddr_t base, uint64_t *h,
			      uint64_t *n)
{
	unsigned entries = level == SV48_ROOT_LEVEL ? SV48_ENTRIES / 2 : SV48_ENTRIES;
	for (unsigned i = 0; i < entries; i++) {
		pte_t e = table[i];
		vaddr_t va = base + ((vaddr_t)i << sv48_level_shift(level));
		if (!pte_valid(e))
			continue;
		if (pte_is_leaf(e)) {
			*h = (*h ^ va ^ (e * 31)) * 0x100000001b3ull;
			++*n;
		} else if (level > 0) {
			hash_table(phys_to_virt(pte_pa(e)), level - 1, va, h, n);
		}
	}
}

static inline paddr_t view_root(struct backend_space *sp, unsigned v)
{
	return sp->nviews > 1 ? sp->views[v].root : sp->root;
}

/* ------------------------------------------------------------- helpers --- */

/* Rights of a page: PAGE in the space, VIEW[v] in view v (0: none). */
static inline struct view_rights rights3(unsigned page, unsigned v0, unsigned v1,
					  unsigned v2)
{
	struct view_rights r = { .page = page, .view = { v0, v1, v2 } };
	return r;
}

static inline int fault(vaddr_t va, unsigned view, unsigned access, enum region_kind kind,
		 struct view_rights r)
{
	unsigned ad = VMM_ACCESSED | (access == VMM_WRITE ? VMM_DIRTY : 0);
	r.page |= ad;
	for (unsigned v = 0; v < VMM_MAX_VIEWS; v++)
		r.view[v] |= v == view && r.view[v] ? ad : 0;
	struct backend_fault f = { .va = va, .access = access, .view = view, .kind = kind,
				   .rights = r, .region_start = ALIGN_DOWN(va, 2 * MiB),
				   .region_end = ALIGN_DOWN(va, 2 * MiB) + 2 * MiB };
	return backend_fault(s, &f);
}

/* View V's rights at VA through translate_view (0: -ENOENT), A/D aside. */
static inline unsigned seen(unsigned v, vaddr_t va)
{
	struct vmm_mapping m;
	return backend_translate_view(s, v, va, &m) == 0 ? m.rights & ~AD : 0;
}

/*
 * Views share a segment a fault creates when it gives them the page
 * rights.  A page far off in VA's segment, faulted first with every view
 * given less, keeps them from sharing it: they cache it.  It is held, so
 * reclaim leaves it alone.
 */
#define FAR_OFF (500ull << 30)
static inline void cache_only(vaddr_t va)
{
	vaddr_t far = ALIGN_DOWN(va, 1ull << 39) + FAR_OFF;
	struct view_rights r = rights3(URW, UR, UR, UR), held = rights3(VMM_USER, 0, 0, 0);
	CHECK_EQ(fault(far, 0, VMM_READ, REGION_ANON, r), 0);
	CHECK_EQ(backend_protect(s, far, P, &held), 0);
	CHECK_EQ(s->user[va >> 39]->caches->shared, 0);
}

static inline void cache_only_done(vaddr_t va)
{
	CHECK_EQ(backend_unmap(s, ALIGN_DOWN(va, 1ull << 39) + FAR_OFF, P), 0);
}

static inline void setup(void)
{
	char *arena = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	direct_map_offset = (uintptr_t)arena - (uintptr_t)ARENA_PA;
	struct mem_range ram = { ARENA_PA, ARENA_SIZE }, res = { ARENA_PA, 0x40000 };
	if (arena == MAP_FAILED || frame_init(&ram, 1, &res, 1) != 0 ||
	    backend_space_create(NULL, &kernel) != 0) {
		printf("# setup failed\n");
		return;
	}
	CHECK_EQ(backend_map(kernel, KERNEL_VA, FAR_PA, 4 * MiB, VMM_READ | VMM_GLOBAL), 0);
	CHECK_EQ(backend_space_create(kernel, &flat), 0);
	CHECK_EQ(backend_space_create(kernel, &s), 0);
}

#endif
