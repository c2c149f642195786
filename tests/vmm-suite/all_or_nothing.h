/*
 * The world the all-or-nothing cases run in (all_or_nothing.c) and the
 * operations they fail at each allocation (all_or_nothing_ops.c).
 */
#ifndef TESTS_VMM_SUITE_ALL_OR_NOTHING_H
#define TESTS_VMM_SUITE_ALL_OR_NOTHING_H

#include "tests/vmm-suite/suite_util.h"

#define NSPACES 3 /* spaces of one view */
#define NVIEWS 3  /* the views of the world's one space of several */

/* Where the world lives. */
#define W_LARGE (U_BASE + 6 * MiB)  /* a 2 MiB mapping in each space */
#define W_SMALL (U_BASE + 64 * MiB) /* three 4 KiB mappings */
#define W_ANON R_BASE		    /* URW anon, 16 pages, pages 0-3 touched */
#define W_RO (R_BASE + 16 * P)	    /* UR anon next to it, 8 pages, page 1 touched */
#define W_FAR (R_BASE + 600 * GiB)   /* URW anon in another 512 GiB slot, untouched */
#define W_HUGE (R_BASE + GiB)	     /* huge, 4 MiB, first block touched */
#define W_STACK (U_BASE + 100 * GiB) /* a stack of 4 MiB, its top page touched */
#define W_STACK_LEN (4 * MiB)
#define W_KLARGE (K_BASE + 2 * MiB) /* kernel: 2 MiB */
#define W_KSMALL (K_BASE + 8 * P)   /* kernel: two pages */
/*
 * The space of NVIEWS views: URW anon of 16 pages for views 0 and 1, view 1
 * restricted to read, pages 0-7 written by view 0 and 0-3 read by view 1;
 * next to it URX anon of 8 pages for view 2 alone, page 1 executed by it.
 */
#define W_VANON R_BASE
#define W_VX (R_BASE + 16 * P)
#define W_VPAGES 24

struct world {
	struct vmm_space *s[NSPACES];
	struct vmm_space *v; /* the space of NVIEWS views */
};

struct op {
	const char *name;
	int (*run)(struct world *w);
	int (*done)(struct world *w); /* the operation's effect, after a success */
};

extern const struct op op_map_user,
	op_map_kernel,
	op_unmap_split_user,
	op_unmap_split_kernel,
	op_protect_split_user,
	op_hold_split_user,
	op_protect_split_kernel,
	op_fault_far,
	op_fault_huge,
	op_fault_stack,
	op_region_protect,
	op_region_hold,
	op_region_protect_huge,
	op_region_remove,
	op_region_replace,
	op_view_grant_cut,
	op_view_revoke_cut,
	op_fault_view_new,
	op_fault_view_refill;

#endif
