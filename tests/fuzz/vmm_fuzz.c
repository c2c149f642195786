/*
 * libFuzzer: a differential check of a vmm backend against a reference
 * model (vmm_fuzz_model.h).  Built once per backend (tests/host/host.mk:
 * vmm_fuzz_sv48 with the tablets and segments, vmm_fuzz_cells with the
 * permission table; both define the same backend symbols), and run on the
 * same inputs.
 *
 * Each input drives three user spaces and the shared kernel half through
 * map, unmap, protect (holds included), translate and traverse in a raw
 * window, region add / protect (holds) / remove and faults in a region
 * window, and map, unmap and protect in a kernel window that every space
 * must see alike.  Before any operation the input may set one of its
 * allocations to fail (tests/host/alloc_fail.h): a failure must be -ENOMEM
 * with nothing changed in any space.  After each operation the pages it
 * touched are compared with the model, now and then every window of every
 * space, and at the end of the input, with every space destroyed and the
 * kernel window unmapped, every frame and heap byte must be back.
 *
 * Views (vmm.h): space 0 keeps one view (a flat program), the others get 1
 * to FUZZ_VIEWS.  Regions are added for a random set of views, a view's
 * mask is set on a random range (vmm_region_view) and faults come from a
 * random view.  Checked against the model's masks: each view's rights,
 * each view's own translation (never more than the view may, never another
 * frame than the space's), the view's translation serving the access after
 * its fault, and every view's translations as they were after a refusal.
 *
 * The count of operations executed over the whole run is printed at exit
 * ("vmm_fuzz: N operations"), so make fuzz can show it is past 10^6.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kernel/error.h"
#include "kernel/frame.h"
#include "kernel/heap.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/vmm_fuzz_model.h"
#include "tests/host/alloc_fail.h"
#include "vmm/space.h"

#define ARENA_PA 0x80000000ull
#define ARENA_SIZE (128ull << 20)
#define P_BASE 0x0000004000000000ul /* what raw maps name: recorded, never touched */
#define MAX_OPS 256		    /* per input */
#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static unsigned long long operations;
/* An allocation of the operation running now is set to fail: every view is recorded before it. */
static int armed;
/* VMM_FUZZ_TRACE=1 in the environment: every operation on stderr, to replay a crash by hand. */
static int trace;
/* VMM_FUZZ_OPS=N: only the first N operations of each input (to find the one a crash needs). */
static unsigned max_ops = MAX_OPS;

static void print_count(void)
{
	printf("vmm_fuzz: %s backend, %llu operations\n", vmm_backend_name(), operations);
	fflush(stdout);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *arena = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (arena == MAP_FAILED)
		abort();
	direct_map_offset = (uintptr_t)arena - (uintptr_t)ARENA_PA;
	struct mem_range ram = { ARENA_PA, ARENA_SIZE };
	struct mem_range res = { ARENA_PA, 0x40000 };
	if (frame_init(&ram, 1, &res, 1) != 0 || vmm_kernel_space_init() != 0)
		abort();
	/*
	 * The kernel half's tables are shared by every space and may stay once
	 * made: make those of the kernel window now, so that the check at the
	 * end of each run sees only what the run itself kept.
	 */
	vaddr_t k = K_WIN + PAGE_SIZE;
	uint64_t klen = K_PAGES * PAGE_SIZE - 2 * PAGE_SIZE;
	if (vmm_map(vmm_kernel_space(), k, P_BASE + PAGE_SIZE, klen, VMM_GLOBAL | VMM_READ) ||
	    vmm_unmap(vmm_kernel_space(), k, klen))
		abort();
	/* The same for what a backend makes once, with the first user space (a trap page). */
	struct vmm_space *s;
	if (vmm_space_create(&s) ||
	    vmm_region_add(s, REG_BASE, PAGE_SIZE, VMM_USER | VMM_READ, REGION_ANON) ||
	    vmm_fault(s, 0, REG_BASE, VMM_READ))
		abort();
	vmm_space_destroy(s);
	atexit(print_count);
	trace = getenv("VMM_FUZZ_TRACE") != NULL;
	if (getenv("VMM_FUZZ_OPS"))
		max_ops = (unsigned)strtoul(getenv("VMM_FUZZ_OPS"), NULL, 0);
	return 0;
}

static const unsigned user_rights[] = {
	VMM_USER | VMM_READ,
	VMM_USER | VMM_READ | VMM_WRITE,
	VMM_USER | VMM_READ | VMM_EXEC,
	VMM_USER | VMM_EXEC,
	VMM_USER | VMM_READ | VMM_WRITE | VMM_EXEC,
	VMM_USER | VMM_READ | VMM_DEVICE,
	VMM_USER,			    /* hold (protect); invalid for map */
	VMM_READ,			    /* invalid in the user half */
	VMM_USER | VMM_WRITE,		    /* invalid */
	VMM_USER | VMM_READ | VMM_ACCESSED, /* invalid */
};
static const unsigned kernel_rights[] = {
	VMM_GLOBAL | VMM_READ,
	VMM_GLOBAL | VMM_READ | VMM_WRITE,
	VMM_GLOBAL | VMM_READ | VMM_EXEC,
	VMM_READ | VMM_WRITE,
	VMM_USER | VMM_READ,
	VMM_USER,
	VMM_GLOBAL,
};
static const unsigned region_rights[] = {
	VMM_USER | VMM_READ,
	VMM_USER | VMM_READ | VMM_WRITE,
	VMM_USER | VMM_READ | VMM_EXEC,
	VMM_USER,
	VMM_USER | VMM_WRITE, /* invalid */
};

/* The rules of vmm.h for RIGHTS in half USER; HOLD: protect, where VMM_USER alone holds. */
static int rights_valid(unsigned rights, int user, int hold)
{
	if (rights & ~VMM_RIGHTS_MASK)
		return 0;
	if (hold && user && rights == VMM_USER)
		return 1;
	if (!(rights & (VMM_READ | VMM_EXEC)) || ((rights & VMM_WRITE) && !(rights & VMM_READ)))
		return 0;
	return !!(rights & VMM_USER) == user;
}

/* A range of a window from two bytes: mostly short, sometimes 2 MiB aligned and whole blocks. */
static void pick_range(struct input *in, uint64_t pages, uint64_t *first, uint64_t *n)
{
	uint8_t a = next8(in), b = next8(in);
	if (a & 0x80) { /* a 2 MiB block, or a piece of one */
		*first = (a & 1) * 512 + ((a & 2) ? (uint64_t)b * 2 : 0);
		*n = (a & 2) ? 1 + (next8(in) & 31) : 512 * (1 + ((a >> 2) & 1));
	} else {
		*first = ((uint64_t)(a & 0x7f) << 8 | b) % pages;
		*n = 1 + (next8(in) & 15);
	}
	*first %= pages;
	if (*first + *n > pages)
		*n = pages - *first;
}

/* Run OP's call: the error it returned, with the injected failure (if any) taken into account. */
struct outcome {
	int err, fired;
};

/* Space S (NULL: the kernel half) before an operation that may fail: its views as they are. */
static void views_before(struct vmm_space *s, unsigned i, int reg)
{
	if (armed && s)
		model_views_take(s, i, reg, 0, reg ? REG_PAGES : RAW_PAGES);
}

static int expect(struct vmm_space *s, const char *what, struct outcome o, int want)
{
	if (o.err == want)
		return 1;
	/*
	 * Refused for the injected failure: the model stays as it was (also
	 * where it expected another refusal: a backend may meet the failure
	 * before it finds, say, the page that makes it -EEXIST), and so does
	 * every view.
	 */
	if (o.err == -ENOMEM && o.fired) {
		if (s)
			model_views_unchanged(s, what);
		return 0;
	}
	diverged("%s: %d, the model says %d (allocation failure injected: %d)", what, o.err, want,
		 o.fired);
}

/* ------------------------------------------------ raw and kernel maps --- */

static void raw_op(struct vmm_space *s, unsigned i, struct input *in, unsigned kind)
{
	int kernel = i == NSPACES;
	struct raw_page *pages = kernel ? model.kernel : model.raw[i];
	vaddr_t base = kernel ? K_WIN : RAW_BASE;
	uint64_t first, n, npages = kernel ? K_PAGES : RAW_PAGES;
	pick_range(in, npages, &first, &n);
	uint8_t rb = next8(in);
	unsigned rights = kernel ? kernel_rights[rb % NELEMS(kernel_rights)]
				 : user_rights[rb % NELEMS(user_rights)];
	vaddr_t va = base + first * PAGE_SIZE;
	uint64_t len = n * PAGE_SIZE, any = 0, all = 1;
	for (uint64_t p = first; p < first + n; p++) {
		any |= pages[p].mapped;
		all &= pages[p].mapped;
	}
	struct outcome o;
	struct vmm_space *viewed = kernel ? NULL : s;
	views_before(viewed, i, 0);
	if (kind == 0) {
		/* 2 MiB-aligned physical addresses for whole blocks, so large pages can be used. */
		paddr_t pa = P_BASE + (uint64_t)next8(in) * (2ul << 20) + (first % 512) * PAGE_SIZE;
		int want = !rights_valid(rights, !kernel, 0) ? -EINVAL : any ? -EEXIST : 0;
		o.err = vmm_map(s, va, pa, len, rights);
		if (trace)
			fprintf(stderr, "map %u [%#lx, +%#lx) pa %#lx rights %#x: %d\n", i, va, len,
				pa, rights, o.err);
		o.fired = alloc_fail_fired();
		if (expect(viewed, "map", o, want) && want == 0)
			for (uint64_t p = first; p < first + n; p++)
				pages[p] = (struct raw_page){ 1, (uint8_t)rights,
							      pa + (p - first) * PAGE_SIZE };
	} else if (kind == 1) {
		o.err = vmm_unmap(s, va, len);
		if (trace)
			fprintf(stderr, "unmap %u [%#lx, +%#lx): %d\n", i, va, len, o.err);
		o.fired = alloc_fail_fired();
		if (expect(viewed, "unmap", o, 0))
			for (uint64_t p = first; p < first + n; p++)
				pages[p].mapped = 0;
	} else {
		int want = !rights_valid(rights, !kernel, 1) ? -EINVAL : !all ? -ENOENT : 0;
		o.err = vmm_protect(s, va, len, rights);
		if (trace)
			fprintf(stderr, "protect %u [%#lx, +%#lx) %#x: %d\n", i, va, len, rights,
				o.err);
		o.fired = alloc_fail_fired();
		if (expect(viewed, "protect", o, want) && want == 0)
			for (uint64_t p = first; p < first + n; p++)
				pages[p].rights = (uint8_t)rights;
	}
	uint64_t lo = first ? first - 1 : 0, hi = first + n < npages ? first + n + 1 : npages;
	model_check_raw(s, i, lo, hi - lo);
}

/* ---------------------------------------------------------- regions --- */

/* Add a region on pages [first, first+n), its rights given to a random set of views. */
static void region_add_op(struct vmm_space *s, unsigned i, struct input *in, uint64_t first,
			  uint64_t n, unsigned rights)
{
	struct reg_page *pages = model.reg[i];
	uint8_t vb = next8(in);
	/* Mostly every view; else a set that may name none of the space's (refused) or more. */
	unsigned views = (vb & 0xc0) == 0xc0 ? VMM_ALL_VIEWS : vb & 0x1f;
	int any = 0;
	for (uint64_t p = first; p < first + n; p++)
		any |= pages[p].in_region;
	int want = !rights_valid(rights, 1, 1) || !(views & ((1u << model.nviews[i]) - 1)) ? -EINVAL
		   : any								 ? -EEXIST
											 : 0;
	vaddr_t va = REG_BASE + first * PAGE_SIZE;
	struct outcome o;
	o.err = vmm_region_map_views(s, va, n * PAGE_SIZE, rights, REGION_ANON, NULL, 0, views);
	if (trace)
		fprintf(stderr, "region_add %u [%#lx, +%#lx) %#x views %#x: %d\n", i, va,
			n * PAGE_SIZE, rights, views, o.err);
	o.fired = alloc_fail_fired();
	if (expect(s, "region_add", o, want) && want == 0)
		for (uint64_t p = first; p < first + n; p++) {
			pages[p] = (struct reg_page){ .in_region = 1,
						      .region_rights = (uint8_t)rights };
			for (unsigned v = 0; v < FUZZ_VIEWS; v++)
				pages[p].mask[v] = (views >> v) & 1 ? MASK_RWX : 0;
		}
}

/* Set a random view's mask (a grant, a revoke, a restrict) on pages [first, first+n). */
static void region_view_op(struct vmm_space *s, unsigned i, struct input *in, uint64_t first,
			   uint64_t n)
{
	struct reg_page *pages = model.reg[i];
	uint8_t vb = next8(in), mb = next8(in);
	/* Now and then one past the space's last view, or a bit that is not a right: refused. */
	unsigned view = (vb & 31) % (model.nviews[i] + (vb >> 7));
	unsigned mask = (mb & MASK_RWX) | ((mb & 0xf0) == 0xf0 ? VMM_USER : 0);
	int all = 1;
	for (uint64_t p = first; p < first + n; p++)
		all &= pages[p].in_region;
	int want = view >= model.nviews[i] || (mask & ~MASK_RWX) ? -EINVAL : !all ? -ENOENT : 0;
	vaddr_t va = REG_BASE + first * PAGE_SIZE;
	struct outcome o;
	o.err = vmm_region_view(s, view, va, n * PAGE_SIZE, mask);
	if (trace)
		fprintf(stderr, "region_view %u view %u [%#lx, +%#lx) mask %#x: %d\n", i, view, va,
			n * PAGE_SIZE, mask, o.err);
	o.fired = alloc_fail_fired();
	if (expect(s, "region_view", o, want) && want == 0)
		for (uint64_t p = first; p < first + n; p++)
			pages[p].mask[view] = (uint8_t)mask;
}

/* A fault of a random view at page FIRST: resolved exactly when that view may make the access. */
static void fault_op(struct vmm_space *s, unsigned i, struct input *in, uint64_t first)
{
	static const unsigned access[] = { VMM_READ, VMM_WRITE, VMM_EXEC };
	struct reg_page *r = &model.reg[i][first];
	unsigned a = access[next8(in) % 3], view = next8(in) % model.nviews[i];
	vaddr_t va = REG_BASE + first * PAGE_SIZE;
	model_forget_reclaimed(s, i);
	int want = (model_view_rights(i, first, view) & a) != a ? -EFAULT : 0;
	struct outcome o;
	o.err = vmm_fault(s, view, va + (next8(in) & 0xff8), a);
	if (trace)
		fprintf(stderr, "fault %u view %u %#lx access %u: %d\n", i, view, va, a, o.err);
	o.fired = alloc_fail_fired();
	if (!expect(s, "fault", o, want) || want != 0)
		return;
	struct vmm_mapping m, mv;
	if (!r->present) {
		if (vmm_translate(s, va, &m) != 0 || !model_page_fresh(m.pa))
			diverged("fault at %#lx: no zeroed page after it", va);
		r->present = 1;
		r->rights = r->region_rights;
		r->ad = (uint8_t)(VMM_ACCESSED | (a == VMM_WRITE ? VMM_DIRTY : 0));
		r->ad_known = 1;
		r->pa = m.pa;
		if (a == VMM_WRITE) /* the application's store, as the hardware saw it */
			model_tag(i, first);
		model_adopt_filled(s, i);
	}
	/* The instruction is retried in VIEW: its own translation must serve it, with the space's frame. */
	if (vmm_translate_view(s, view, va, &mv) != 0 || (mv.rights & a) != a || mv.pa != r->pa)
		diverged("fault %u view %u %#lx access %u: then the view has (%d) pa %#lx rights %#x, "
			 "the page is at %#lx",
			 i, view, va, a, vmm_translate_view(s, view, va, &mv), mv.pa, mv.rights,
			 r->pa);
}

static void region_op(struct vmm_space *s, unsigned i, struct input *in, unsigned kind)
{
	struct reg_page *pages = model.reg[i];
	uint64_t first, n;
	pick_range(in, REG_PAGES, &first, &n);
	unsigned rights = region_rights[next8(in) % NELEMS(region_rights)];
	int valid = rights_valid(rights, 1, 1);
	vaddr_t va = REG_BASE + first * PAGE_SIZE;
	uint64_t len = n * PAGE_SIZE, all = 1;
	for (uint64_t p = first; p < first + n; p++)
		all &= pages[p].in_region;
	struct outcome o;
	views_before(s, i, 1);
	if (kind == 0) {
		region_add_op(s, i, in, first, n, rights);
	} else if (kind == 1) {
		int want = !valid ? -EINVAL : !all ? -ENOMEM : 0;
		o.err = vmm_region_protect(s, va, len, rights);
		if (trace)
			fprintf(stderr, "region_protect %u [%#lx, +%#lx) %#x: %d\n", i, va, len,
				rights, o.err);
		o.fired = alloc_fail_fired();
		if (expect(s, "region_protect", o, want) && want == 0)
			for (uint64_t p = first; p < first + n; p++) {
				pages[p].region_rights = (uint8_t)rights;
				pages[p].rights = (uint8_t)rights;
			}
	} else if (kind == 2) {
		o.err = vmm_region_remove(s, va, len);
		if (trace)
			fprintf(stderr, "region_remove %u [%#lx, +%#lx): %d\n", i, va, len, o.err);
		o.fired = alloc_fail_fired();
		if (expect(s, "region_remove", o, 0))
			for (uint64_t p = first; p < first + n; p++)
				pages[p] = (struct reg_page){ 0 };
	} else if (kind == 3) {
		region_view_op(s, i, in, first, n);
	} else {
		fault_op(s, i, in, first);
		n = 1;
	}
	uint64_t lo = first ? first - 1 : 0, hi = first + n < REG_PAGES ? first + n + 1 : REG_PAGES;
	model_check_reg(s, i, lo, hi - lo);
}

/* ------------------------------------------------------------ a run --- */

/*
 * The input, and past its end bytes drawn from a generator seeded by it, so
 * that every input, however short, drives MAX_OPS operations (the count
 * make fuzz must reach) while the input's own bytes steer the first ones.
 */
static struct input extended(const uint8_t *data, size_t size)
{
	static uint8_t buf[MAX_OPS * 10];
	uint64_t x = 0xcbf29ce484222325ull;
	size_t own = size < sizeof(buf) ? size : sizeof(buf);
	for (size_t i = 0; i < size; i++)
		x = (x ^ data[i]) * 0x100000001b3ull;
	memcpy(buf, data, own);
	for (size_t i = own; i < sizeof(buf); i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (uint8_t)(x >> 24);
	}
	return (struct input){ buf, sizeof(buf) };
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = extended(data, size);
	struct vmm_space *sp[NSPACES + 1];
	struct heap_stats h0, h1;
	struct frame_stats f0, f1;
	struct vmm_stats v0, v1;
	frame_get_stats(&f0);
	heap_get_stats(&h0);
	vmm_get_stats(&v0);
	memset(&model, 0, sizeof(model));
	/* Space 0 keeps one view (a flat program); the others get 1 to FUZZ_VIEWS. */
	uint8_t vb = next8(&in);
	for (unsigned i = 0; i < NSPACES; i++) {
		model.nviews[i] = i == 0 ? 1 : 1 + (vb >> (3 * i)) % FUZZ_VIEWS;
		if (vmm_space_create(&sp[i]) != 0 || vmm_views_set(sp[i], model.nviews[i]) != 0)
			diverged("space_create or views_set(%u) failed", model.nviews[i]);
	}
	sp[NSPACES] = vmm_kernel_space();

	for (unsigned ops = 0; ops < max_ops && in.n; ops++) {
		uint8_t c = next8(&in);
		unsigned i = (c >> 4) % (NSPACES + 1), what = c & 15;
		uint8_t f = next8(&in);
		/* One allocation in eight ops set to fail: which one, 1 to 16. */
		armed = (f & 7) == 0;
		alloc_fail_arm(armed ? 1 + (f >> 4) : 0);
		if (trace && (f & 7) == 0)
			fprintf(stderr, "(allocation %u fails)\n", 1 + (f >> 4));
		if (what < 6 || i == NSPACES) {
			raw_op(sp[i], i, &in, what % 3);
		} else if (what < 8) {
			struct vmm_mapping m;
			uint64_t p = next8(&in) * 4ul % RAW_PAGES;
			/* Translate is checked with every other op; here a traversal of everything.
			 */
			(void)vmm_translate(sp[i], RAW_BASE + p * PAGE_SIZE, &m);
			model_check_space(sp[i], i);
		} else {
			region_op(sp[i], i, &in, (what - 8) % 5);
		}
		alloc_fail_disarm();
		operations++;
	}
	for (unsigned i = 0; i < NSPACES; i++)
		model_check_space(sp[i], i);
	for (unsigned i = 0; i < NSPACES; i++)
		vmm_space_destroy(sp[i]);
	if (vmm_unmap(vmm_kernel_space(), K_WIN, K_PAGES * PAGE_SIZE) != 0)
		diverged("unmap of the kernel window failed");
	frame_get_stats(&f1);
	heap_get_stats(&h1);
	vmm_get_stats(&v1);
	if (f1.free_bytes != f0.free_bytes || h1.bytes_in_use != h0.bytes_in_use)
		diverged("after the run %ld frame bytes and %ld heap bytes were not given back "
			 "(table bytes %lu, were %lu)",
			 (long)(f0.free_bytes - f1.free_bytes),
			 (long)(h1.bytes_in_use - h0.bytes_in_use), v1.table_bytes, v0.table_bytes);
	return 0;
}
