/*
 * All or nothing with several spaces, at every allocation (vmm/backend.h):
 * for each operation, with the kernel space, three user spaces of one view
 * and one of three views alive and populated, make its 1st, 2nd, ... allocation fail (tests/host/alloc_fail.h)
 * until it makes fewer allocations than the one set to fail.  After each
 * failure every space's translations (a traversal of both halves), what
 * each view of the space of views may and translates there, the regions
 * around the range, the table bytes, the heap in use and the free
 * frames are exactly as before; after each success the operation's effect
 * is there; and after each round, with the world torn down, every frame is
 * back (so a failure path that leaks is caught even if the spaces look fine).
 */
#include <stdint.h>
#include <string.h>

#include "arch.h"
#include "kernel/error.h"
#include "kernel/frame.h"
#include "kernel/heap.h"
#include "tests/host/alloc_fail.h"
#include "tests/host/check.h"
#include "tests/vmm-suite/all_or_nothing.h"
#include "tests/vmm-suite/vmm_suite.h"
#include "vmm/vmm.h"

#define MAX_RUNS 96	/* merged translations recorded per space */
#define MAX_POINTS 4000 /* allocations tried per operation at most */

static int build(struct world *w)
{
	struct vmm_space *k = vmm_kernel_space();
	if (vmm_map(k, W_KLARGE, P_BASE + 2 * MiB, 2 * MiB, KRW) ||
	    vmm_map(k, W_KSMALL, P_BASE + 0x8000, 2 * P, KR))
		return 0;
	for (unsigned i = 0; i < NSPACES; i++) {
		struct vmm_space *s = w->s[i] = space_new();
		paddr_t pa = P_BASE + (uint64_t)(i + 4) * 2 * MiB;
		if (!s || vmm_map(s, W_LARGE, pa, 2 * MiB, URW) ||
		    vmm_map(s, W_SMALL, pa + 0x10000, 3 * P, UR) ||
		    vmm_region_add(s, W_ANON, 16 * P, URW, REGION_ANON) ||
		    vmm_region_add(s, W_RO, 8 * P, UR, REGION_ANON) ||
		    vmm_region_add(s, W_FAR, 4 * P, URW, REGION_ANON) ||
		    vmm_region_add(s, W_HUGE, 4 * MiB, URW, REGION_HUGE) ||
		    vmm_region_add(s, W_STACK, W_STACK_LEN, URW, REGION_STACK))
			return 0;
		for (unsigned p = 0; p < 4; p++)
			if (vmm_fault(s, 0, W_ANON + p * P, VMM_WRITE))
				return 0;
		if (vmm_fault(s, 0, W_RO + P, VMM_READ) || vmm_fault(s, 0, W_HUGE + 8, VMM_WRITE) ||
		    vmm_fault(s, 0, W_STACK + W_STACK_LEN - 8, VMM_WRITE))
			return 0;
	}
	struct vmm_space *v = w->v = space_new();
	if (!v || vmm_views_set(v, NVIEWS) ||
	    vmm_region_map_views(v, W_VANON, 16 * P, URW, REGION_ANON, NULL, 0, 1u << 0 | 1u << 1) ||
	    vmm_region_view(v, 1, W_VANON, 16 * P, VMM_READ) ||
	    vmm_region_map_views(v, W_VX, 8 * P, URX, REGION_ANON, NULL, 0, 1u << 2) ||
	    vmm_fault(v, 2, W_VX + P, VMM_EXEC))
		return 0;
	for (unsigned p = 0; p < 8; p++)
		if (vmm_fault(v, 0, W_VANON + p * P, VMM_WRITE) ||
		    (p < 4 && vmm_fault(v, 1, W_VANON + p * P, VMM_READ)))
			return 0;
	return 1;
}

static void tear_down(struct world *w)
{
	for (unsigned i = 0; i < NSPACES; i++)
		if (w->s[i])
			vmm_space_destroy(w->s[i]);
	if (w->v)
		vmm_space_destroy(w->v);
	CHECK_EQ(vmm_unmap(vmm_kernel_space(), K_BASE, K_LEN), 0);
}

/* ---------------------------------------------------- what is there --- */

struct runs {
	unsigned n, overflow;
	struct vmm_mapping m[MAX_RUNS];
};

static int record(const struct vmm_mapping *m, void *ctx)
{
	struct runs *r = ctx;
	struct vmm_mapping *last = r->n ? &r->m[r->n - 1] : NULL;
	if (last && last->va + last->len == m->va && last->pa + last->len == m->pa &&
	    last->rights == m->rights)
		last->len += m->len;
	else if (r->n < MAX_RUNS) /* field by field: the padding is no part of the state */
		r->m[r->n++] = (struct vmm_mapping){ m->va, m->pa, m->len, m->rights };
	else
		r->overflow = 1;
	return 0;
}

struct region_probe {
	int err;
	vaddr_t start, end;
	unsigned rights;
	enum region_kind kind;
};

static const vaddr_t probes[] = {
	W_ANON,
	W_ANON + P,
	W_ANON + 3 * P,
	W_ANON + 15 * P,
	W_RO,
	W_RO + 7 * P,
	W_FAR,
	W_HUGE,
	W_HUGE + 2 * MiB,
	W_STACK,
	W_STACK + W_STACK_LEN - P,
};

/* What a view of the space of views may do at a page and what its own translation gives. */
struct view_probe {
	unsigned may;
	int err;
	paddr_t pa;
	unsigned rights;
};
/* The pages of the space of views probed: its regions, and one page either side. */
#define VIEW_PROBES (W_VPAGES + 2)
#define VIEW_PROBE_VA(p) (W_VANON - P + (p) * P)

struct state {
	struct runs user[NSPACES + 2], kernel; /* the kernel space, s[], the space of views */
	struct region_probe region[NSPACES][NELEM(probes)];
	struct view_probe view[NVIEWS][VIEW_PROBES];
	uint64_t table_bytes, free_bytes, heap_in_use;
};

static void take(struct world *w, struct state *st)
{
	struct vmm_space *all[NSPACES + 2] = { vmm_kernel_space(), w->s[0], w->s[1], w->s[2],
					       w->v };
	struct heap_stats h;
	memset(st, 0, sizeof(*st));
	for (unsigned i = 0; i < NSPACES + 2; i++)
		CHECK_EQ(vmm_traverse(all[i], 0, USER_TOP, record, &st->user[i]), 0);
	for (unsigned v = 0; v < NVIEWS; v++)
		for (unsigned p = 0; p < VIEW_PROBES; p++) {
			struct view_probe *vp = &st->view[v][p];
			struct vmm_mapping m = { 0 };
			vp->may = vmm_view_rights(w->v, v, VIEW_PROBE_VA(p));
			vp->err = vmm_translate_view(w->v, v, VIEW_PROBE_VA(p), &m);
			vp->pa = m.pa;
			vp->rights = m.rights;
		}
	CHECK_EQ(vmm_traverse(vmm_kernel_space(), K_BASE, K_LEN, record, &st->kernel), 0);
	for (unsigned i = 0; i < NSPACES; i++)
		for (unsigned p = 0; p < NELEM(probes); p++) {
			struct region_probe *r = &st->region[i][p];
			r->err = vmm_region_at(w->s[i], probes[p], &r->start, &r->end, &r->rights,
					       &r->kind);
		}
	st->table_bytes = table_bytes();
	st->free_bytes = free_bytes();
	heap_get_stats(&h);
	st->heap_in_use = h.bytes_in_use;
}

/* The first difference between two records of translations, told; 1 when there
 * is none. */
static int same_runs(const char *what, unsigned space, const struct runs *a, const struct runs *b)
{
	if (a->overflow || b->overflow)
		return diag("%s of space %u: more than %u runs", what, space, MAX_RUNS);
	for (unsigned i = 0; i < a->n || i < b->n; i++) {
		const struct vmm_mapping *x = &a->m[i], *y = &b->m[i];
		if (i >= a->n || i >= b->n || x->va != y->va || x->pa != y->pa ||
		    x->len != y->len || x->rights != y->rights)
			return diag("%s of space %u, run %u: [%#lx, +%#lx) pa %#lx rights %#x, "
				    "was [%#lx, +%#lx) pa %#lx rights %#x (%u runs, were %u)",
				    what, space, i, y->va, y->len, y->pa, y->rights, x->va, x->len,
				    x->pa, x->rights, b->n, a->n);
	}
	return 1;
}

static int same_state(const struct state *a, const struct state *b)
{
	for (unsigned i = 0; i < NSPACES + 2; i++)
		if (!same_runs("user half", i, &a->user[i], &b->user[i]))
			return 0;
	for (unsigned v = 0; v < NVIEWS; v++)
		for (unsigned p = 0; p < VIEW_PROBES; p++) {
			const struct view_probe *x = &a->view[v][p], *y = &b->view[v][p];
			if (x->may != y->may || x->err != y->err || x->pa != y->pa ||
			    x->rights != y->rights)
				return diag("view %u at %#lx: may %#x, translates (%d) pa %#lx "
					    "rights %#x; was may %#x, (%d) pa %#lx rights %#x",
					    v, VIEW_PROBE_VA(p), y->may, y->err, y->pa, y->rights,
					    x->may, x->err, x->pa, x->rights);
		}
	if (!same_runs("kernel window", 0, &a->kernel, &b->kernel))
		return 0;
	if (memcmp(a->region, b->region, sizeof(a->region)))
		return diag("a region changed");
	if (a->table_bytes != b->table_bytes)
		return diag("table bytes %lu, were %lu", b->table_bytes, a->table_bytes);
	if (a->free_bytes != b->free_bytes)
		return diag("free bytes %lu, were %lu", b->free_bytes, a->free_bytes);
	if (a->heap_in_use != b->heap_in_use)
		return diag("heap in use %lu, was %lu", b->heap_in_use, a->heap_in_use);
	return 1;
}

/* ----------------------------------------------------------- the run --- */

/* Build the world, run OP, tear it down; the state before and after a failed
 * run. */
static int round_of(const struct op *op, unsigned long n, int *fired, unsigned long *failures)
{
	static struct state before, after;
	struct world w = { { NULL }, NULL };
	uint64_t free_at_start = free_bytes();
	int ok = 1;
	if (!build(&w)) {
		tear_down(&w);
		return diag("the world could not be built");
	}
	take(&w, &before);
	alloc_fail_arm(n);
	int r = op->run(&w);
	alloc_fail_disarm();
	*fired = alloc_fail_fired();
	if (r == 0) {
		if (!op->done(&w))
			ok = diag(
				"%s: succeeded (allocation %lu set to fail, fired %d) without its "
				"effect",
				op->name, n, *fired);
	} else if (r != -ENOMEM || !*fired) {
		ok = diag("%s: %d with allocation %lu set to fail (fired %d)", op->name, r, n,
			  *fired);
	} else {
		++*failures;
		take(&w, &after);
		if (!same_state(&before, &after))
			ok = diag("%s: changed something, failing at allocation %lu", op->name, n);
	}
	tear_down(&w);
	if (free_bytes() != free_at_start)
		ok = diag("%s, allocation %lu failing: %ld bytes not given back", op->name, n,
			  (long)(free_at_start - free_bytes()));
	return ok;
}

static void one_op(const struct op *op)
{
	unsigned long n, failures = 0, failed_in_turn = 0;
	int fired = 1, ok = 1;
	/* A first round without failures, so structures that grow once (registries) have grown. */
	CHECK(round_of(op, 0, &fired, &failures));
	fired = 1;
	for (n = 1; n <= MAX_POINTS && fired && ok; n++) {
		ok = round_of(op, n, &fired, &failures);
		failed_in_turn += fired;
	}
	CHECK(ok);
	CHECK(!fired);
	printf("# %s: allocations 1 to %lu failed in turn: %lu refused whole, the rest worked "
	       "around\n",
	       op->name, failed_in_turn, failures);
}

#define CASE(name)                                                                                 \
	static void all_or_nothing_##name(void)                                                    \
	{                                                                                          \
		one_op(&op_##name);                                                                \
	}
CASE(map_user)
CASE(map_kernel)
CASE(unmap_split_user)
CASE(unmap_split_kernel)
CASE(protect_split_user)
CASE(hold_split_user)
CASE(protect_split_kernel)
CASE(fault_far)
CASE(fault_huge)
CASE(fault_stack)
CASE(region_protect)
CASE(region_hold)
CASE(region_protect_huge)
CASE(region_remove)
CASE(region_replace)
CASE(view_grant_cut)
CASE(view_revoke_cut)
CASE(fault_view_new)
CASE(fault_view_refill)

int vmm_suite_all_or_nothing_run(void)
{
	RUN(all_or_nothing_map_user);
	RUN(all_or_nothing_map_kernel);
	RUN(all_or_nothing_unmap_split_user);
	RUN(all_or_nothing_unmap_split_kernel);
	RUN(all_or_nothing_protect_split_user);
	RUN(all_or_nothing_hold_split_user);
	RUN(all_or_nothing_protect_split_kernel);
	RUN(all_or_nothing_fault_far);
	RUN(all_or_nothing_fault_huge);
	RUN(all_or_nothing_fault_stack);
	RUN(all_or_nothing_region_protect);
	RUN(all_or_nothing_region_hold);
	RUN(all_or_nothing_region_protect_huge);
	RUN(all_or_nothing_region_remove);
	RUN(all_or_nothing_region_replace);
	RUN(all_or_nothing_view_grant_cut);
	RUN(all_or_nothing_view_revoke_cut);
	RUN(all_or_nothing_fault_view_new);
	RUN(all_or_nothing_fault_view_refill);
	return check_failures;
}