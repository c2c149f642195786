/*
 * The operations of the all-or-nothing cases (all_or_nothing.c), each with
 * the effect it must have when it succeeds.
 */
#include "arch.h"
#include "kernel/error.h"
#include "tests/vmm-suite/all_or_nothing.h"
#include "vmm/vmm.h"

/* ------------------------------------------------ one view per space --- */

static int map_user(struct world *w)
{
	return vmm_map(w->s[1], U_BASE + 512 * GiB - 2 * MiB - 2 * P, P_BASE + 0x123000,
		       4 * MiB + 8 * P, URX);
}
static int map_user_done(struct world *w)
{
	return mapped_as(w->s[1], U_BASE + 512 * GiB - 2 * MiB - 2 * P, 4 * MiB + 8 * P,
			 P_BASE + 0x123000, URX);
}

static int map_kernel(struct world *w)
{
	return vmm_map(vmm_kernel_space(), K_BASE + 3 * GiB - 2 * MiB - P, P_BASE + 0x300000,
		       4 * MiB + 2 * P, KRW);
}
static int map_kernel_done(struct world *w)
{
	int ok = mapped_as(vmm_kernel_space(), K_BASE + 3 * GiB - 2 * MiB - P, 4 * MiB + 2 * P,
			   P_BASE + 0x300000, KRW);
	for (unsigned i = 0; i < NSPACES; i++)
		ok = ok && mapped_as(w->s[i], K_BASE + 3 * GiB - 2 * MiB - P, 4 * MiB + 2 * P,
				     P_BASE + 0x300000, KRW);
	return ok;
}

static int unmap_split_user(struct world *w)
{
	return vmm_unmap(w->s[0], W_LARGE + 5 * P, P);
}
static int unmap_split_user_done(struct world *w)
{
	paddr_t pa = P_BASE + 4 * 2 * MiB;
	return unmapped(w->s[0], W_LARGE + 5 * P, P) &&
	       mapped_as(w->s[0], W_LARGE, 5 * P, pa, URW) &&
	       mapped_as(w->s[0], W_LARGE + 6 * P, 2 * MiB - 6 * P, pa + 6 * P, URW);
}

static int unmap_split_kernel(struct world *w)
{
	return vmm_unmap(vmm_kernel_space(), W_KLARGE + 5 * P, P);
}
static int unmap_split_kernel_done(struct world *w)
{
	int ok = 1;
	for (unsigned i = 0; i < NSPACES; i++)
		ok = ok && unmapped(w->s[i], W_KLARGE + 5 * P, P) &&
		     mapped_as(w->s[i], W_KLARGE + 6 * P, 2 * MiB - 6 * P, P_BASE + 2 * MiB + 6 * P,
			       KRW);
	return ok;
}

static int protect_split_user(struct world *w)
{
	return vmm_protect(w->s[2], W_LARGE + 7 * P, 3 * P, UR);
}
static int protect_split_user_done(struct world *w)
{
	paddr_t pa = P_BASE + 6 * 2 * MiB;
	return mapped_as(w->s[2], W_LARGE + 7 * P, 3 * P, pa + 7 * P, UR) &&
	       mapped_as(w->s[2], W_LARGE + 10 * P, 2 * MiB - 10 * P, pa + 10 * P, URW);
}

static int hold_split_user(struct world *w)
{
	return vmm_protect(w->s[2], W_LARGE + 7 * P, 3 * P, VMM_USER);
}
static int hold_split_user_done(struct world *w)
{
	paddr_t pa = P_BASE + 6 * 2 * MiB;
	return mapped_as(w->s[2], W_LARGE + 7 * P, 3 * P, pa + 7 * P, VMM_USER) &&
	       mapped_as(w->s[2], W_LARGE, 7 * P, pa, URW);
}

static int protect_split_kernel(struct world *w)
{
	return vmm_protect(vmm_kernel_space(), W_KLARGE + P, P, KR);
}
static int protect_split_kernel_done(struct world *w)
{
	int ok = 1;
	for (unsigned i = 0; i < NSPACES; i++)
		ok = ok && mapped_as(w->s[i], W_KLARGE + P, P, P_BASE + 2 * MiB + P, KR) &&
		     mapped_as(w->s[i], W_KLARGE, P, P_BASE + 2 * MiB, KRW);
	return ok;
}

static int fault_far(struct world *w)
{
	return vmm_fault(w->s[1], 0, W_FAR + P + 8, VMM_WRITE);
}
static int fault_far_done(struct world *w)
{
	struct vmm_mapping m;
	return vmm_translate(w->s[1], W_FAR + P, &m) == 0 && page_is_zero(m.pa);
}

static int fault_huge(struct world *w)
{
	return vmm_fault(w->s[0], 0, W_HUGE + 2 * MiB + 5 * P, VMM_WRITE);
}
static int fault_huge_done(struct world *w)
{
	struct vmm_mapping m;
	return vmm_translate(w->s[0], W_HUGE + 2 * MiB, &m) == 0 && m.len == 2 * MiB;
}

static int fault_stack(struct world *w)
{
	return vmm_fault(w->s[2], 0, W_STACK + 2 * P, VMM_WRITE); /* far below the top */
}
static int fault_stack_done(struct world *w)
{
	struct vmm_mapping m;
	return vmm_translate(w->s[2], W_STACK + 2 * P, &m) == 0 &&
	       (m.rights & VMM_RIGHTS_MASK) == URW;
}

static int region_protect(struct world *w)
{
	return vmm_region_protect(w->s[0], W_ANON + 2 * P, 16 * P, UR);
}
static int region_hold(struct world *w)
{
	return vmm_region_protect(w->s[0], W_ANON + 2 * P, 16 * P, VMM_USER);
}
static int region_rights_at(struct world *w, vaddr_t va, unsigned want)
{
	struct vmm_mapping m;
	return vmm_translate(w->s[0], va, &m) == 0 && (m.rights & VMM_RIGHTS_MASK) == want;
}
static int region_protect_done(struct world *w)
{
	return region_rights_at(w, W_ANON + P, URW) && region_rights_at(w, W_ANON + 2 * P, UR) &&
	       region_rights_at(w, W_RO + P, UR);
}
static int region_hold_done(struct world *w)
{
	return region_rights_at(w, W_ANON + P, URW) &&
	       region_rights_at(w, W_ANON + 3 * P, VMM_USER) &&
	       region_rights_at(w, W_RO + P, VMM_USER);
}

static int region_protect_huge(struct world *w)
{
	return vmm_region_protect(w->s[0], W_HUGE, 2 * MiB, UR);
}
static int region_protect_huge_done(struct world *w)
{
	return region_rights_at(w, W_HUGE + MiB, UR);
}

static int region_remove(struct world *w)
{
	return vmm_region_remove(w->s[1], W_ANON + P, 2 * P);
}
static int region_remove_done(struct world *w)
{
	return unmapped(w->s[1], W_ANON + P, 2 * P) &&
	       !vmm_region_allows(w->s[1], W_ANON + P, P, 0) &&
	       vmm_region_allows(w->s[1], W_ANON + 3 * P, P, VMM_WRITE);
}

static int region_replace(struct world *w)
{
	return vmm_region_map(w->s[2], W_ANON + 2 * P, 20 * P, URX, REGION_ANON, NULL, 1);
}
static int region_replace_done(struct world *w)
{
	return unmapped(w->s[2], W_ANON + 2 * P, 20 * P) &&
	       vmm_region_allows(w->s[2], W_ANON + 2 * P, 20 * P, VMM_EXEC);
}

/* ------------------------------------------------------------ views --- */

/* What VIEW of the views space translates at VA (without A/D), or ~0 when nothing. */
static unsigned view_at(struct world *w, unsigned view, vaddr_t va)
{
	struct vmm_mapping m;
	return vmm_translate_view(w->v, view, va, &m) == 0 ? m.rights & VMM_RIGHTS_MASK : ~0u;
}

/* VA's page is the space's frame in VIEW too, with at least ACCESS. */
static int view_serves(struct world *w, unsigned view, vaddr_t va, unsigned access)
{
	struct vmm_mapping m, mv;
	return vmm_translate(w->v, va, &m) == 0 && vmm_translate_view(w->v, view, va, &mv) == 0 &&
	       mv.pa == m.pa && (mv.rights & access) == access;
}

/* A grant: view 2 may read pages 2-5, in the middle of the pages 0-7 present. */
static int view_grant_cut(struct world *w)
{
	return vmm_region_view(w->v, 2, W_VANON + 2 * P, 4 * P, VMM_READ);
}
static int view_grant_cut_done(struct world *w)
{
	return vmm_view_rights(w->v, 2, W_VANON + P) == 0 &&
	       vmm_view_rights(w->v, 2, W_VANON + 2 * P) == UR &&
	       vmm_view_rights(w->v, 2, W_VANON + 5 * P) == UR &&
	       vmm_view_rights(w->v, 2, W_VANON + 6 * P) == 0 &&
	       view_at(w, 2, W_VANON + P) == ~0u && view_at(w, 2, W_VANON + 6 * P) == ~0u &&
	       view_serves(w, 0, W_VANON + 3 * P, VMM_WRITE) &&
	       view_serves(w, 1, W_VANON + 3 * P, VMM_READ);
}

/* A revoke: view 1 loses pages 1-2 of the pages 0-3 it has. */
static int view_revoke_cut(struct world *w)
{
	return vmm_region_view(w->v, 1, W_VANON + P, 2 * P, 0);
}
static int view_revoke_cut_done(struct world *w)
{
	return view_at(w, 1, W_VANON + P) == ~0u && view_at(w, 1, W_VANON + 2 * P) == ~0u &&
	       vmm_view_rights(w->v, 1, W_VANON + 2 * P) == 0 &&
	       vmm_view_rights(w->v, 1, W_VANON + 3 * P) == UR &&
	       (view_at(w, 1, W_VANON) == UR || view_at(w, 1, W_VANON) == ~0u) &&
	       view_serves(w, 0, W_VANON + P, VMM_WRITE);
}

/* View 1 reads a page nobody has touched: a new page, in its translation. */
static int fault_view_new(struct world *w)
{
	return vmm_fault(w->v, 1, W_VANON + 12 * P + 8, VMM_READ);
}
static int fault_view_new_done(struct world *w)
{
	struct vmm_mapping m;
	return view_serves(w, 1, W_VANON + 12 * P, VMM_READ) &&
	       vmm_translate(w->v, W_VANON + 12 * P, &m) == 0 && page_is_zero(m.pa) &&
	       view_at(w, 2, W_VANON + 12 * P) == ~0u;
}

/* View 1 reads a page view 0 wrote: the same frame (on Sv48 a refill of view 1's root). */
static int fault_view_refill(struct world *w)
{
	return vmm_fault(w->v, 1, W_VANON + 6 * P, VMM_READ);
}
static int fault_view_refill_done(struct world *w)
{
	return view_serves(w, 1, W_VANON + 6 * P, VMM_READ) &&
	       view_at(w, 1, W_VANON + 6 * P) == UR && view_serves(w, 0, W_VANON + 6 * P, VMM_WRITE);
}

#define OP(name)                                                                                   \
	const struct op op_##name = { #name, name, name##_done }

OP(map_user);
OP(map_kernel);
OP(unmap_split_user);
OP(unmap_split_kernel);
OP(protect_split_user);
OP(hold_split_user);
OP(protect_split_kernel);
OP(fault_far);
OP(fault_huge);
OP(fault_stack);
OP(region_protect);
OP(region_hold);
OP(region_protect_huge);
OP(region_remove);
OP(region_replace);
OP(view_grant_cut);
OP(view_revoke_cut);
OP(fault_view_new);
OP(fault_view_refill);
