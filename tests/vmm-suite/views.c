/*
 * Views (vmm.h: one per compartment) as every backend must keep them: a
 * view reaches a page only with the rights its mask leaves of the region's,
 * faults bring the page to the view that faulted, the same frame is seen by
 * every view that may see it, and a right taken from a view is gone at once
 * from its own translation (translate_view), whatever the others keep.
 */
#include <stdint.h>
#include <string.h>

#include "arch.h"
#include "kernel/error.h"
#include "tests/host/check.h"
#include "tests/vmm-suite/suite_util.h"
#include "tests/vmm-suite/vmm_suite.h"
#include "vmm/vmm.h"

#define V_BASE (R_BASE + 200 * MiB)
#define RW (VMM_READ | VMM_WRITE)

/* What VIEW's own translation of VA allows (without A/D), or ~0 when it has none. */
static unsigned view_at(struct vmm_space *s, unsigned view, vaddr_t va)
{
	struct vmm_mapping m = { 0 };
	return vmm_translate_view(s, view, va, &m) == 0 ? m.rights & VMM_RIGHTS_MASK : ~0u;
}

static paddr_t view_pa(struct vmm_space *s, unsigned view, vaddr_t va)
{
	struct vmm_mapping m = { 0 };
	return vmm_translate_view(s, view, va, &m) == 0 ? m.pa : 0;
}

/* A space of N views, or NULL (reported). */
static struct vmm_space *views_new(unsigned n)
{
	struct vmm_space *s = space_new();
	if (s && vmm_views_set(s, n) != 0) {
		diag("vmm_views_set(%u) failed", n);
		check_failures++;
		vmm_space_destroy(s);
		return NULL;
	}
	return s;
}

static void views_set_rules(void)
{
	struct vmm_space *s = space_new();
	if (!s)
		return;
	CHECK_EQ(vmm_views(s), 1u);
	CHECK_EQ(vmm_views_set(s, 0), -EINVAL);
	CHECK_EQ(vmm_views_set(s, VMM_MAX_VIEWS + 1), -EINVAL);
	CHECK_EQ(vmm_region_add(s, V_BASE, P, URW, REGION_ANON), 0);
	CHECK_EQ(vmm_views_set(s, 3), -EBUSY);
	CHECK_EQ(vmm_views(s), 1u);
	vmm_space_destroy(s);
	s = views_new(3);
	if (!s)
		return;
	CHECK_EQ(vmm_views(s), 3u);
	CHECK_EQ(vmm_region_view(s, 3, V_BASE, P, RW), -EINVAL);
	CHECK_EQ(vmm_region_view(s, 0, V_BASE, P, RW), -ENOENT);
	CHECK_EQ(vmm_region_map_views(s, V_BASE, P, URW, REGION_ANON, NULL, 0, 1u << 3), -EINVAL);
	vmm_space_destroy(s);
}

/* A region given to view 1 only: the others neither fault it in nor see it. */
static void fault_in_one_view(void)
{
	struct vmm_space *s = views_new(3);
	if (!s)
		return;
	CHECK_EQ(vmm_region_map_views(s, V_BASE, 4 * P, URW, REGION_ANON, NULL, 0, 1u << 1), 0);
	CHECK_EQ(vmm_view_rights(s, 1, V_BASE), URW);
	CHECK_EQ(vmm_view_rights(s, 0, V_BASE), 0u);
	CHECK_EQ(vmm_fault(s, 0, V_BASE, VMM_READ), -EFAULT);
	CHECK_EQ(vmm_fault(s, 2, V_BASE, VMM_WRITE), -EFAULT);
	CHECK_EQ(vmm_fault(s, 1, V_BASE + 8, VMM_WRITE), 0);
	CHECK_EQ(view_at(s, 1, V_BASE), URW);
	CHECK_EQ(view_at(s, 0, V_BASE), ~0u);
	CHECK_EQ(view_at(s, 2, V_BASE), ~0u);
	/* Nothing of it leaks into the next page either. */
	CHECK_EQ(view_at(s, 2, V_BASE + P), ~0u);
	/* The space has the page (translate reports it with its own rights). */
	struct vmm_mapping m;
	CHECK_EQ(vmm_translate(s, V_BASE, &m), 0);
	CHECK_EQ(m.rights & VMM_RIGHTS_MASK, URW);
	vmm_space_destroy(s);
}

/* A grant (view 2's mask raised) shows view 2 the same frame; a revoke takes it away at once. */
static void grant_then_revoke(void)
{
	struct vmm_space *s = views_new(3);
	if (!s)
		return;
	CHECK_EQ(vmm_region_map_views(s, V_BASE, 4 * P, URW, REGION_ANON, NULL, 0, 1u << 1), 0);
	CHECK_EQ(vmm_fault(s, 1, V_BASE + P, VMM_WRITE), 0);
	paddr_t pa = view_pa(s, 1, V_BASE + P);
	CHECK(pa != 0);
	CHECK_EQ(vmm_region_view(s, 2, V_BASE + P, P, VMM_READ), 0);
	CHECK_EQ(vmm_view_rights(s, 2, V_BASE + P), UR);
	CHECK_EQ(vmm_view_rights(s, 2, V_BASE), 0u);
	CHECK_EQ(vmm_fault(s, 2, V_BASE + P, VMM_READ), 0);
	CHECK_EQ(view_at(s, 2, V_BASE + P), UR);
	CHECK_EQ(view_pa(s, 2, V_BASE + P), pa);
	CHECK_EQ(vmm_fault(s, 2, V_BASE + P, VMM_WRITE), -EFAULT);
	CHECK_EQ(vmm_fault(s, 2, V_BASE, VMM_READ), -EFAULT);
	/* Revoked: gone from view 2's translation before the call returns; view 1 keeps its own. */
	CHECK_EQ(vmm_region_view(s, 2, V_BASE + P, P, 0), 0);
	CHECK_EQ(view_at(s, 2, V_BASE + P), ~0u);
	CHECK_EQ(vmm_fault(s, 2, V_BASE + P, VMM_READ), -EFAULT);
	CHECK_EQ(view_at(s, 1, V_BASE + P), URW);
	CHECK_EQ(view_pa(s, 1, V_BASE + P), pa);
	/* Taking write from the owner (restrict) leaves it read. */
	CHECK_EQ(vmm_region_view(s, 1, V_BASE, 4 * P, VMM_READ), 0);
	CHECK(view_at(s, 1, V_BASE + P) == UR || view_at(s, 1, V_BASE + P) == ~0u);
	CHECK_EQ(vmm_fault(s, 1, V_BASE + P, VMM_WRITE), -EFAULT);
	CHECK_EQ(vmm_fault(s, 1, V_BASE + P, VMM_READ), 0);
	CHECK_EQ(view_at(s, 1, V_BASE + P), UR);
	CHECK_EQ(view_pa(s, 1, V_BASE + P), pa);
	vmm_space_destroy(s);
}

/* mprotect (the region's rights) and a mask compose; PROT_NONE holds the data in every view. */
static void protect_composes_with_masks(void)
{
	struct vmm_space *s = views_new(2);
	if (!s)
		return;
	CHECK_EQ(vmm_region_add(s, V_BASE, 2 * P, URW, REGION_ANON), 0);
	CHECK_EQ(vmm_region_view(s, 1, V_BASE, 2 * P, VMM_READ), 0);
	CHECK_EQ(vmm_fault(s, 0, V_BASE, VMM_WRITE), 0);
	CHECK_EQ(vmm_fault(s, 1, V_BASE, VMM_READ), 0);
	paddr_t pa = view_pa(s, 0, V_BASE);
	memset(phys_to_virt(pa), 0x5a, 64);
	CHECK_EQ(vmm_region_protect(s, V_BASE, 2 * P, UR), 0);
	CHECK_EQ(vmm_view_rights(s, 0, V_BASE), UR);
	CHECK_EQ(vmm_fault(s, 0, V_BASE, VMM_WRITE), -EFAULT);
	CHECK(view_at(s, 0, V_BASE) == UR || view_at(s, 0, V_BASE) == ~0u);
	CHECK_EQ(vmm_region_protect(s, V_BASE, 2 * P, VMM_USER), 0);
	CHECK_EQ(view_at(s, 0, V_BASE), ~0u);
	CHECK_EQ(view_at(s, 1, V_BASE), ~0u);
	CHECK_EQ(vmm_fault(s, 1, V_BASE, VMM_READ), -EFAULT);
	CHECK_EQ(vmm_region_protect(s, V_BASE, 2 * P, URW), 0);
	/* Back: view 0 may write again, view 1 still only reads, and the data is as it was. */
	CHECK_EQ(vmm_view_rights(s, 0, V_BASE), URW);
	CHECK_EQ(vmm_view_rights(s, 1, V_BASE), UR);
	CHECK_EQ(vmm_fault(s, 0, V_BASE, VMM_WRITE), 0);
	CHECK_EQ(vmm_fault(s, 1, V_BASE, VMM_WRITE), -EFAULT);
	CHECK_EQ(vmm_fault(s, 1, V_BASE, VMM_READ), 0);
	CHECK_EQ(view_pa(s, 1, V_BASE), pa);
	CHECK_EQ(((uint8_t *)phys_to_virt(pa))[63], 0x5a);
	/* A mask of write alone gives nothing: a page is written only when it can be read. */
	CHECK_EQ(vmm_region_view(s, 1, V_BASE + P, P, VMM_WRITE), 0);
	CHECK_EQ(vmm_view_rights(s, 1, V_BASE + P), 0u);
	vmm_space_destroy(s);
}

/* Unmapping takes the page from every view; a mask over several regions reaches each. */
static void unmap_and_several_regions(void)
{
	struct vmm_space *s = views_new(3);
	if (!s)
		return;
	CHECK_EQ(vmm_region_add(s, V_BASE, 2 * P, URW, REGION_ANON), 0);
	CHECK_EQ(vmm_region_add(s, V_BASE + 2 * P, 2 * P, URX, REGION_ANON), 0);
	CHECK_EQ(vmm_region_view(s, 2, V_BASE + P, 2 * P, VMM_READ | VMM_EXEC), 0);
	CHECK_EQ(vmm_view_rights(s, 2, V_BASE), URW);
	CHECK_EQ(vmm_view_rights(s, 2, V_BASE + P), UR);
	CHECK_EQ(vmm_view_rights(s, 2, V_BASE + 2 * P), URX);
	CHECK_EQ(vmm_view_rights(s, 2, V_BASE + 3 * P), URX);
	CHECK_EQ(vmm_region_view(s, 2, V_BASE, 5 * P, 0), -ENOENT);
	for (unsigned v = 0; v < 3; v++)
		CHECK_EQ(vmm_fault(s, v, V_BASE + P, VMM_READ), 0);
	CHECK_EQ(vmm_region_remove(s, V_BASE, 4 * P), 0);
	for (unsigned v = 0; v < 3; v++)
		CHECK_EQ(view_at(s, v, V_BASE + P), ~0u);
	CHECK(unmapped(s, V_BASE, 4 * P));
	vmm_space_destroy(s);
}

/* One view: translate_view is the space's own translation (what flat programs run on). */
static void one_view_is_the_space(void)
{
	struct vmm_space *s = space_new();
	if (!s)
		return;
	CHECK_EQ(vmm_region_add(s, V_BASE, P, URW, REGION_ANON), 0);
	CHECK_EQ(vmm_fault(s, 0, V_BASE, VMM_WRITE), 0);
	struct vmm_mapping m;
	CHECK_EQ(vmm_translate(s, V_BASE, &m), 0);
	CHECK_EQ(view_at(s, 0, V_BASE), URW);
	CHECK_EQ(view_pa(s, 0, V_BASE), m.pa);
	vmm_space_destroy(s);
}

/*
 * One view restricting itself (a flat program's restrict): its translation
 * is the space's, and gives no more than the mask leaves, present page or
 * not; taken to nothing, the page is held with its data and comes back.
 */
static void one_view_mask_holds(void)
{
	struct vmm_space *s = space_new();
	if (!s)
		return;
	CHECK_EQ(vmm_region_add(s, V_BASE, 2 * P, URX | VMM_WRITE, REGION_ANON), 0);
	CHECK_EQ(vmm_fault(s, 0, V_BASE, VMM_WRITE), 0);
	paddr_t pa = view_pa(s, 0, V_BASE);
	CHECK(pa != 0);
	if (pa)
		memset(phys_to_virt(pa), 0x3c, 64);
	CHECK_EQ(vmm_region_view(s, 0, V_BASE, 2 * P, VMM_READ), 0);
	CHECK_EQ(vmm_view_rights(s, 0, V_BASE), UR);
	CHECK_EQ(view_at(s, 0, V_BASE), UR);
	CHECK_EQ(vmm_fault(s, 0, V_BASE, VMM_EXEC), -EFAULT);
	CHECK_EQ(vmm_fault(s, 0, V_BASE + P, VMM_READ), 0);
	CHECK_EQ(view_at(s, 0, V_BASE + P), UR);
	CHECK_EQ(vmm_region_view(s, 0, V_BASE, 2 * P, 0), 0);
	CHECK_EQ(view_at(s, 0, V_BASE), ~0u);
	CHECK_EQ(vmm_fault(s, 0, V_BASE, VMM_READ), -EFAULT);
	CHECK_EQ(vmm_region_view(s, 0, V_BASE, 2 * P, VMM_READ | VMM_WRITE | VMM_EXEC), 0);
	CHECK_EQ(vmm_fault(s, 0, V_BASE, VMM_EXEC), 0);
	CHECK_EQ(view_pa(s, 0, V_BASE), pa);
	if (pa)
		CHECK_EQ(((uint8_t *)phys_to_virt(pa))[63], 0x3c);
	vmm_space_destroy(s);
}

int vmm_suite_views_run(void)
{
	RUN(views_set_rules);
	RUN(fault_in_one_view);
	RUN(grant_then_revoke);
	RUN(protect_composes_with_masks);
	RUN(unmap_and_several_regions);
	RUN(one_view_is_the_space);
	RUN(one_view_mask_holds);
	return check_failures;
}
