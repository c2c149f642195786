/*
 * The conformance suite of vmm.h (see vmm_suite.h).
 *
 * Only the contract is assumed: no page size but PAGE_SIZE, no table
 * layout, no PTE.  A backend may report adjacent pages together or apart and
 * may report a translation longer than a page (a cell), so traversals are
 * compared after merging pieces that continue each other (contiguous virtual
 * and physical addresses, same rights), and translate's len is held to what
 * it promises: at least to the end of the page, and linear all along.
 *
 * Every case checks "nothing changed" after a failure by looking at the
 * translations (translate and traverse), at table_bytes, and where memory
 * is involved at the frame allocator's free bytes.
 */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "arch.h"
#include "kernel/error.h"
#include "kernel/frame.h"
#include "kernel/heap.h"
#include "tests/host/check.h"
#include "tests/vmm-suite/suite_util.h"
#include "tests/vmm-suite/vmm_suite.h"
#include "vmm/vmm.h"

/* ----------------------------------------------------------- helpers --- */

/* Print why a check is about to fail; returns 0 so helpers can `return diag(...)`. */
int diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("#   ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	return 0;
}

struct vmm_space *space_new(void)
{
	struct vmm_space *s = NULL;
	int r = vmm_space_create(&s);
	CHECK_EQ(r, 0);
	return r == 0 ? s : NULL;
}

static struct vmm_stats vstats(void)
{
	struct vmm_stats v;
	vmm_get_stats(&v);
	return v;
}

uint64_t table_bytes(void)
{
	return vstats().table_bytes;
}

uint64_t free_bytes(void)
{
	struct frame_stats f;
	frame_get_stats(&f);
	return f.free_bytes;
}

/* [va, va+len) translates to [pa, pa+len) with exactly RIGHTS (A/D aside). */
int mapped_as(struct vmm_space *s, vaddr_t va, uint64_t len, paddr_t pa, unsigned rights)
{
	vaddr_t end = va + len;
	for (vaddr_t cur = va; cur < end;) {
		struct vmm_mapping m, last;
		paddr_t want = pa + (cur - va);
		int r = vmm_translate(s, cur, &m);
		if (r != 0)
			return diag("translate %#lx: %d, want pa %#lx", cur, r, want);
		if (m.va != cur || m.pa != want || (m.rights & VMM_RIGHTS_MASK) != rights)
			return diag("translate %#lx: va %#lx pa %#lx rights %#x, want pa %#lx "
				    "rights %#x",
				    cur, m.va, m.pa, m.rights, want, rights);
		if (m.len < P - (cur & (P - 1)) || cur + m.len < cur)
			return diag("translate %#lx: len %#lx", cur, m.len);
		/* The reported len promises linearity: its last byte (inside the range) agrees. */
		vaddr_t stop = m.len < end - cur ? cur + m.len : end;
		r = vmm_translate(s, stop - 1, &last);
		if (r != 0 || last.pa != pa + (stop - 1 - va) ||
		    (last.rights & VMM_RIGHTS_MASK) != rights)
			return diag("translate %#lx said len %#lx, but %#lx: %d pa %#lx", cur,
				    m.len, stop - 1, r, last.pa);
		cur = stop;
	}
	return 1;
}

static int count_visit(const struct vmm_mapping *m, void *ctx)
{
	(*(unsigned *)ctx)++;
	return 0;
}

/* No byte of [va, va+len) translates. */
int unmapped(struct vmm_space *s, vaddr_t va, uint64_t len)
{
	struct vmm_mapping m;
	unsigned visits = 0;
	int r = vmm_traverse(s, va, len, count_visit, &visits);
	if (r != 0 || visits != 0)
		return diag("traverse [%#lx, +%#lx): %d, %u visits, want none", va, len, r, visits);
	if ((r = vmm_translate(s, va, &m)) != -ENOENT)
		return diag("translate %#lx: %d, want -ENOENT", va, r);
	if ((r = vmm_translate(s, va + len - 1, &m)) != -ENOENT)
		return diag("translate %#lx: %d, want -ENOENT", va + len - 1, r);
	return 1;
}

/* What a traversal reported, pieces that continue each other merged. */
#define MAX_PIECES 128
struct pieces {
	vaddr_t va, end; /* the range traversed */
	unsigned n, calls;
	int bad;     /* a piece out of order, outside the range, empty or unaligned */
	int stop_at; /* return STOP_WITH at this call (1-based; 0: never) */
	int stop_with;
	struct vmm_mapping m[MAX_PIECES];
};

/* A visitor: check M's place and append it to the struct pieces CTX. */
static int collect(const struct vmm_mapping *m, void *ctx)
{
	struct pieces *p = ctx;
	struct vmm_mapping *last = p->n ? &p->m[p->n - 1] : NULL;
	vaddr_t prev_end = last ? last->va + last->len : p->va;
	unsigned rights = m->rights & VMM_RIGHTS_MASK;

	p->calls++;
	if (m->len == 0 || !IS_ALIGNED(m->va | m->len | m->pa, P) || m->va < prev_end ||
	    m->va + m->len > p->end || m->va + m->len < m->va) {
		if (!p->bad)
			diag("visit [%#lx, +%#lx) after %#lx in [%#lx, %#lx)", m->va, m->len,
			     prev_end, p->va, p->end);
		p->bad = 1;
	} else if (last && prev_end == m->va && last->pa + last->len == m->pa &&
		   last->rights == rights) {
		last->len += m->len;
	} else if (p->n == MAX_PIECES) {
		p->bad = 1;
	} else {
		p->m[p->n++] = (struct vmm_mapping){ m->va, m->pa, m->len, rights };
	}
	return p->stop_at && (int)p->calls == p->stop_at ? p->stop_with : 0;
}

/* Traversing [va, va+len) reports exactly the N translations WANT (in order, any split). */
int traverse_is(struct vmm_space *s, vaddr_t va, uint64_t len, const struct vmm_mapping *want,
		unsigned n)
{
	static struct pieces got, exp;
	got = (struct pieces){ .va = va, .end = va + len };
	exp = got;
	int r = vmm_traverse(s, va, len, collect, &got);
	if (r != 0 || got.bad)
		return diag("traverse [%#lx, +%#lx): %d", va, len, r);
	for (unsigned i = 0; i < n; i++)
		collect(&want[i], &exp);
	if (exp.bad)
		return diag("bad expectation");
	if (got.n != exp.n)
		return diag("traverse [%#lx, +%#lx): %u pieces, want %u", va, len, got.n, exp.n);
	for (unsigned i = 0; i < got.n; i++) {
		struct vmm_mapping *g = &got.m[i], *e = &exp.m[i];
		if (g->va != e->va || g->pa != e->pa || g->len != e->len || g->rights != e->rights)
			return diag(
				"piece %u: [%#lx, +%#lx) pa %#lx rights %#x, want [%#lx, +%#lx) pa "
				"%#lx rights %#x",
				i, g->va, g->len, g->pa, g->rights, e->va, e->len, e->pa,
				e->rights);
	}
	return 1;
}

/* Write a pattern over a few free frames, so a frame handed out later is likely dirty. */
static void dirty_free_frames(unsigned n)
{
	paddr_t pa[64];
	unsigned got = 0;
	while (got < n && got < NELEM(pa) && frame_alloc(0, &pa[got]) == 0)
		memset(phys_to_virt(pa[got++]), 0xa5, P);
	while (got)
		frame_free(pa[--got], 0);
}

int page_is_zero(paddr_t pa)
{
	const uint64_t *w = phys_to_virt(ALIGN_DOWN(pa, P));
	for (unsigned i = 0; i < P / 8; i++)
		if (w[i])
			return 0;
	return 1;
}

static void hoard_push(struct hoard *h, paddr_t pa, unsigned order)
{
	uint64_t *w = phys_to_virt(pa);
	w[0] = h->head;
	w[1] = order;
	h->head = pa;
	h->blocks++;
}

void hoard_release(struct hoard *h)
{
	while (h->head != HOARD_END) {
		uint64_t *w = phys_to_virt(h->head);
		paddr_t next = w[0];
		CHECK_EQ(frame_free(h->head, (unsigned)w[1]), 0);
		h->head = next;
	}
	h->blocks = 0;
}

/* Take every free frame but SPARE single pages; release with hoard_release. */
/*
 * The amounts of free memory the out-of-memory cases try, in pages: every
 * count up to 64, then coarser steps.  A tablet backend needs more per
 * operation than a plain walker (a split creates 512 tablet records), so
 * the search goes on until the operation succeeds.
 */
unsigned next_spare(unsigned spare)
{
	return spare < 64 ? spare + 1 : spare + spare / 8;
}

struct hoard exhaust(unsigned spare)
{
	struct hoard h = { HOARD_END, 0 }, keep = { HOARD_END, 0 };
	paddr_t pa;
	for (unsigned i = 0; i < spare; i++)
		if (frame_alloc(0, &pa) == 0)
			hoard_push(&keep, pa, 0);
	for (int o = FRAME_MAX_ORDER; o >= 0; o--)
		while (frame_alloc((unsigned)o, &pa) == 0)
			hoard_push(&h, pa, (unsigned)o);
	hoard_release(&keep);
	CHECK_EQ(free_bytes(), spare * P);
	return h;
}

/* ------------------------------------------------- map and translate --- */

static void map_then_translate(void)
{
	struct vmm_space *s = space_new(), *k = vmm_kernel_space();
	struct vmm_mapping m;
	vaddr_t u = U_BASE;
	if (!s)
		return;
	CHECK_EQ(vmm_map(s, u, P_BASE, 3 * P, UR), 0);
	CHECK_EQ(vmm_map(s, u + 4 * P, P_BASE + 0x10000, P, URW), 0);
	CHECK_EQ(vmm_map(s, u + 5 * P, P_BASE + 0x30000, 2 * P, URX), 0);
	CHECK_EQ(vmm_map(s, u + 7 * P, P_BASE + 0x50000, P, UX), 0);
	CHECK_EQ(vmm_map(s, u + 8 * P, P_BASE + 0x60000, P, URW | VMM_EXEC), 0);
	CHECK_EQ(vmm_map(s, u + 9 * P, P_BASE + 0x70000, P, URW | VMM_DEVICE), 0);
	CHECK(mapped_as(s, u, 3 * P, P_BASE, UR));
	CHECK(mapped_as(s, u + 4 * P, P, P_BASE + 0x10000, URW));
	CHECK(mapped_as(s, u + 5 * P, 2 * P, P_BASE + 0x30000, URX));
	CHECK(mapped_as(s, u + 7 * P, P, P_BASE + 0x50000, UX));
	CHECK(mapped_as(s, u + 8 * P, P, P_BASE + 0x60000, URW | VMM_EXEC));
	CHECK(mapped_as(s, u + 9 * P, P, P_BASE + 0x70000, URW | VMM_DEVICE));

	/* A byte inside a page: its va and pa; len to the end of the page, not past the mapping. */
	CHECK_EQ(vmm_translate(s, u + P + 0x123, &m), 0);
	CHECK_EQ(m.va, u + P + 0x123);
	CHECK_EQ(m.pa, P_BASE + P + 0x123);
	CHECK(m.len >= P - 0x123 && m.len <= 2 * P - 0x123);
	CHECK_EQ(m.rights & VMM_RIGHTS_MASK, UR);
	CHECK_EQ(vmm_translate(s, u + 3 * P - 1, &m), 0);
	CHECK_EQ(m.pa, P_BASE + 3 * P - 1);
	CHECK_EQ(m.len, 1);
	CHECK_EQ(vmm_translate(s, u + 4 * P + 0xfff, &m), 0);
	CHECK_EQ(m.pa, P_BASE + 0x10fff);
	CHECK_EQ(m.len, 1); /* the next page maps elsewhere */

	/* Unmapped: around the mappings, the ends of the user half. */
	CHECK_EQ(vmm_translate(s, u + 3 * P, &m), -ENOENT);
	CHECK_EQ(vmm_translate(s, u + 4 * P - 1, &m), -ENOENT);
	CHECK_EQ(vmm_translate(s, u + 10 * P, &m), -ENOENT);
	CHECK_EQ(vmm_translate(s, u - 1, &m), -ENOENT);
	CHECK_EQ(vmm_translate(s, 0, &m), -ENOENT);
	CHECK_EQ(vmm_translate(s, USER_TOP - 1, &m), -ENOENT);
	CHECK_EQ(vmm_translate(s, K_BASE + 0x5000, &m), -ENOENT);
	/* Not canonical. */
	CHECK_EQ(vmm_translate(s, USER_TOP, &m), -EINVAL);
	CHECK_EQ(vmm_translate(s, KERNEL_HALF_BASE - 1, &m), -EINVAL);
	CHECK_EQ(vmm_translate(s, 0x1234567800000000ul, &m), -EINVAL);
	CHECK_EQ(vmm_translate(k, USER_TOP + 0x123, &m), -EINVAL);

	/* Large aligned mappings translate at any offset. */
	vaddr_t h2 = u + 2 * GiB, h1 = u + 3 * GiB;
	CHECK_EQ(vmm_map(s, h2, P_BASE + 2 * MiB, 2 * MiB, URW), 0);
	CHECK_EQ(vmm_map(s, h1, P_BASE + GiB, GiB, URX), 0);
	CHECK(mapped_as(s, h2, 2 * MiB, P_BASE + 2 * MiB, URW));
	CHECK(mapped_as(s, h1, GiB, P_BASE + GiB, URX));
	CHECK_EQ(vmm_translate(s, h2 + 0x12345, &m), 0);
	CHECK_EQ(m.pa, P_BASE + 2 * MiB + 0x12345);
	CHECK(m.len >= P - 0x345 && m.len <= 2 * MiB - 0x12345);
	CHECK_EQ(vmm_translate(s, h1 + 0x2345678, &m), 0);
	CHECK_EQ(m.pa, P_BASE + GiB + 0x2345678);
	CHECK(m.len >= P - 0x678 && m.len <= GiB - 0x2345678);
	CHECK_EQ(vmm_translate(s, h2 + 2 * MiB, &m), -ENOENT);
	CHECK_EQ(vmm_translate(s, h1 - 1, &m), -ENOENT);

	/* The kernel half, mapped in the kernel space. */
	CHECK_EQ(vmm_map(k, K_BASE, P_BASE + 0x100000, 2 * P, KRW), 0);
	CHECK_EQ(vmm_map(k, K_BASE + 2 * P, P_BASE + 0x200000, P, KRX), 0);
	CHECK_EQ(vmm_map(k, K_BASE + 3 * P, P_BASE + 0x300000, P, VMM_READ), 0);
	CHECK_EQ(vmm_map(k, K_BASE + 4 * P, P_BASE + 0x400000, P, KRW | VMM_DEVICE), 0);
	CHECK(mapped_as(k, K_BASE, 2 * P, P_BASE + 0x100000, KRW));
	CHECK(mapped_as(k, K_BASE + 2 * P, P, P_BASE + 0x200000, KRX));
	CHECK(mapped_as(k, K_BASE + 3 * P, P, P_BASE + 0x300000, VMM_READ));
	CHECK(mapped_as(k, K_BASE + 4 * P, P, P_BASE + 0x400000, KRW | VMM_DEVICE));
	CHECK_EQ(vmm_translate(k, K_BASE + P + 0x10, &m), 0);
	CHECK_EQ(m.pa, P_BASE + 0x101010);
	CHECK(m.len >= P - 0x10 && m.len <= P * 2 - 0x10);
	CHECK_EQ(vmm_translate(k, K_BASE + 5 * P, &m), -ENOENT);
	/* ... and not in the user half of either space. */
	CHECK_EQ(vmm_translate(k, u, &m), -ENOENT);
	CHECK_EQ(vmm_unmap(k, K_BASE, 5 * P), 0);
	CHECK(unmapped(k, K_BASE, K_LEN));
	vmm_space_destroy(s);
}

/* ---------------------------------------------------------- -EINVAL --- */

struct map_args {
	vaddr_t va;
	paddr_t pa;
	uint64_t len;
	unsigned rights;
};

static const struct map_args bad_maps[] = {
	/* misaligned va, pa, len; empty */
	{ U_BASE + 0x800, P_BASE, P, UR },
	{ U_BASE + 1, P_BASE, P, UR },
	{ K_BASE + 0x10, P_BASE, P, KR },
	{ U_BASE, P_BASE + 0x10, P, UR },
	{ U_BASE, P_BASE + 0x800, 2 * P, UR },
	{ U_BASE, P_BASE, P + 1, UR },
	{ U_BASE, P_BASE, 0x800, UR },
	{ U_BASE, P_BASE, 0, UR },
	{ K_BASE, P_BASE, 0, KR },
	/* wrapping virtual or physical ranges, or ending at 2^64 */
	{ 0xfffffffffffff000ul, P_BASE, 2 * P, KR },
	{ 0xfffffffffffff000ul, P_BASE, P, KR },
	{ U_BASE, P_BASE, 0xfffffffffffff000ul, UR },
	{ K_BASE, P_BASE, 0ul - K_BASE + P, KR },
	{ U_BASE, 0xfffffffffffff000ul, 2 * P, UR },
	/* physical addresses above the 56 bits both formats can name */
	{ U_BASE, 1ul << 56, P, UR },
	{ U_BASE, (1ul << 56) - P, 2 * P, UR },
	/* ranges leaving their half, or not canonical at all */
	{ USER_TOP - P, P_BASE, 2 * P, UR },
	{ USER_TOP - P, P_BASE, 2 * P, KR },
	{ USER_TOP, P_BASE, P, UR },
	{ USER_TOP, P_BASE, P, KR },
	{ 0x1234567800000000ul, P_BASE, P, KR },
	{ KERNEL_HALF_BASE - P, P_BASE, 2 * P, KR },
	{ KERNEL_HALF_BASE - P, P_BASE, 2 * P, UR },
	{ U_BASE, P_BASE, KERNEL_HALF_BASE + P - U_BASE, UR },
	{ 0, P_BASE, USER_TOP + P, UR },
	/* USER where it cannot be, or missing where it must be */
	{ K_BASE, P_BASE, P, KR | VMM_USER },
	{ K_BASE, P_BASE, P, VMM_USER | VMM_READ },
	{ U_BASE, P_BASE, P, VMM_READ },
	{ U_BASE, P_BASE, P, VMM_READ | VMM_WRITE | VMM_GLOBAL },
	/* WRITE without READ */
	{ U_BASE, P_BASE, P, VMM_USER | VMM_WRITE },
	{ U_BASE, P_BASE, P, UX | VMM_WRITE },
	{ K_BASE, P_BASE, P, VMM_GLOBAL | VMM_WRITE },
	/* neither READ nor EXEC */
	{ U_BASE, P_BASE, P, VMM_USER },
	{ U_BASE, P_BASE, P, VMM_USER | VMM_DEVICE },
	{ K_BASE, P_BASE, P, 0 },
	{ K_BASE, P_BASE, P, VMM_GLOBAL },
	/* unknown bits, the reported-only ones included */
	{ U_BASE, P_BASE, P, UR | VMM_ACCESSED },
	{ U_BASE, P_BASE, P, UR | VMM_DIRTY },
	{ U_BASE, P_BASE, P, UR | (1u << 8) },
	{ K_BASE, P_BASE, P, KR | (1u << 31) },
};

static void map_rejects_invalid(void)
{
	struct vmm_space *s = space_new(), *k = vmm_kernel_space();
	if (!s)
		return;
	/* A witness next to the attempts: it must survive them all. */
	CHECK_EQ(vmm_map(s, U_BASE + 16 * P, P_BASE + 0x40000, 2 * P, URW), 0);
	uint64_t tables = table_bytes();
	for (unsigned i = 0; i < NELEM(bad_maps); i++) {
		const struct map_args *b = &bad_maps[i];
		int r = vmm_map(s, b->va, b->pa, b->len, b->rights);
		if (r != -EINVAL)
			diag("bad_maps[%u]: %d", i, r);
		CHECK_EQ(r, -EINVAL);
		/* Through the kernel space too (where the kernel half is mapped). */
		CHECK_EQ(vmm_map(k, b->va, b->pa, b->len, b->rights), -EINVAL);
	}
	struct vmm_mapping witness = { U_BASE + 16 * P, P_BASE + 0x40000, 2 * P, URW };
	CHECK(traverse_is(s, 0, USER_TOP, &witness, 1));
	CHECK(unmapped(s, K_BASE, K_LEN));
	CHECK(unmapped(k, K_BASE, K_LEN));
	CHECK(unmapped(k, U_BASE, GiB));
	CHECK_EQ(table_bytes(), tables);
	vmm_space_destroy(s);
}

struct bad_range {
	vaddr_t va;
	uint64_t len;
};

static const struct bad_range bad_ranges[] = {
	{ U_BASE + 0x800, P },
	{ U_BASE + 1, 2 * P },
	{ U_BASE, P + 1 },
	{ U_BASE, 0x800 },
	{ U_BASE, 0 },
	{ K_BASE, 0 },
	{ U_BASE, 0xfffffffffffff000ul },
	{ 0xfffffffffffff000ul, 2 * P },
	{ USER_TOP - P, 2 * P },
	{ USER_TOP, P },
	{ 0x1234567800000000ul, P },
	{ KERNEL_HALF_BASE - P, 2 * P },
	{ 0, KERNEL_HALF_BASE + P },
};

/* Unmap, protect and traverse refuse bad ranges and change nothing. */
static void ranges_rejected(void)
{
	struct vmm_space *s = space_new();
	unsigned visits = 0;
	if (!s)
		return;
	CHECK_EQ(vmm_map(s, U_BASE, P_BASE, 2 * P, URW), 0);
	uint64_t tables = table_bytes();
	for (unsigned i = 0; i < NELEM(bad_ranges); i++) {
		const struct bad_range *b = &bad_ranges[i];
		unsigned rights = va_is_user(b->va) ? UR : KR;
		CHECK_EQ(vmm_unmap(s, b->va, b->len), -EINVAL);
		CHECK_EQ(vmm_protect(s, b->va, b->len, rights), -EINVAL);
		CHECK_EQ(vmm_traverse(s, b->va, b->len, count_visit, &visits), -EINVAL);
	}
	CHECK_EQ(visits, 0);
	CHECK(mapped_as(s, U_BASE, 2 * P, P_BASE, URW));
	CHECK_EQ(table_bytes(), tables);
	vmm_space_destroy(s);
}

/* ---------------------------------------------------------- -EEXIST --- */

static void map_overlap_rejected(void)
{
	struct vmm_space *s = space_new();
	vaddr_t a = U_BASE + MiB, h = U_BASE + 64 * MiB, g = U_BASE + 2 * GiB;
	if (!s)
		return;
	CHECK_EQ(vmm_map(s, a, P_BASE, 4 * P, URW), 0);
	CHECK_EQ(vmm_map(s, h, P_BASE + 64 * MiB, 2 * MiB, UR), 0);
	CHECK_EQ(vmm_map(s, g + 100 * MiB, P_BASE + 0x9000, P, URX), 0);
	struct vmm_mapping all[] = {
		{ a, P_BASE, 4 * P, URW },
		{ h, P_BASE + 64 * MiB, 2 * MiB, UR },
		{ g + 100 * MiB, P_BASE + 0x9000, P, URX },
	};
	uint64_t tables = table_bytes();

	static const struct {
		vaddr_t off; /* from a */
		uint64_t len;
	} over[] = {
		{ 0, 4 * P },	      /* the same range */
		{ -2 * P, 4 * P },    /* in front, two pages inside */
		{ 3 * P, 4 * P },     /* the last page, three behind */
		{ -P, 6 * P },	      /* around it */
		{ P, P },	      /* one page inside */
		{ -10 * P, 11 * P },  /* only the first page */
		{ 4 * P - MiB, MiB }, /* all of it, from far below */
	};
	for (unsigned i = 0; i < NELEM(over); i++)
		CHECK_EQ(vmm_map(s, a + over[i].off, P_BASE + 0x800000, over[i].len, URW), -EEXIST);
	/* Against a large mapping: its last page, around it, inside it. */
	CHECK_EQ(vmm_map(s, h + 2 * MiB - P, P_BASE + 0x800000, 2 * P, UR), -EEXIST);
	CHECK_EQ(vmm_map(s, h - 2 * MiB, P_BASE + 0x800000, 6 * MiB, UR), -EEXIST);
	CHECK_EQ(vmm_map(s, h - 2 * MiB, P_BASE + 62 * MiB, 4 * MiB, UR), -EEXIST);
	CHECK_EQ(vmm_map(s, h + 5 * P, P_BASE + 0x800000, P, UR), -EEXIST);
	/* A large aligned range with one page mapped in its middle. */
	CHECK_EQ(vmm_map(s, g, P_BASE + GiB, GiB, URW), -EEXIST);
	CHECK_EQ(vmm_map(s, g + 98 * MiB, P_BASE + GiB, 4 * MiB, URW), -EEXIST);

	/* Nothing of the attempts got mapped, nothing mapped changed. */
	CHECK(traverse_is(s, 0, USER_TOP, all, NELEM(all)));
	CHECK(mapped_as(s, a, 4 * P, P_BASE, URW));
	CHECK(mapped_as(s, h, 2 * MiB, P_BASE + 64 * MiB, UR));
	CHECK(unmapped(s, a - MiB, MiB));
	CHECK(unmapped(s, a + 4 * P, P));
	CHECK(unmapped(s, h - 2 * MiB, 2 * MiB));
	CHECK(unmapped(s, h + 2 * MiB, 2 * MiB));
	CHECK(unmapped(s, g, 100 * MiB));
	CHECK_EQ(table_bytes(), tables);
	/* The free neighbourhood is still free to map. */
	CHECK_EQ(vmm_map(s, a - 2 * P, P_BASE + 0x800000, 2 * P, UR), 0);
	CHECK_EQ(vmm_map(s, a + 4 * P, P_BASE + 0x900000, P, UR), 0);
	CHECK_EQ(vmm_map(s, h + 2 * MiB, P_BASE + 66 * MiB, 2 * MiB, UR), 0);
	CHECK(mapped_as(s, a - 2 * P, 2 * P, P_BASE + 0x800000, UR));
	CHECK(mapped_as(s, a, 4 * P, P_BASE, URW));
	vmm_space_destroy(s);
}

/* ------------------------------------------------------------ unmap --- */

static void unmap_holes_and_neighbours(void)
{
	struct vmm_space *s = space_new();
	vaddr_t u = U_BASE + 5 * MiB;
	if (!s)
		return;
	CHECK_EQ(vmm_map(s, u, P_BASE + 0x10000, 2 * P, URW), 0);
	CHECK_EQ(vmm_map(s, u + 3 * P, P_BASE + 0x30000, 2 * P, UR), 0);
	CHECK_EQ(vmm_map(s, u + 5 * P, P_BASE + 0x50000, P, URX), 0);
	CHECK_EQ(vmm_map(s, u + 6 * P, P_BASE + 0x31000, P, URW), 0);
	/* [u+P, u+5P): A's second page, a hole, both of B's; C and D are neighbours. */
	CHECK_EQ(vmm_unmap(s, u + P, 4 * P), 0);
	struct vmm_mapping left[] = {
		{ u, P_BASE + 0x10000, P, URW },
		{ u + 5 * P, P_BASE + 0x50000, P, URX },
		{ u + 6 * P, P_BASE + 0x31000, P, URW },
	};
	CHECK(traverse_is(s, 0, USER_TOP, left, NELEM(left)));
	CHECK(unmapped(s, u + P, 4 * P));
	/* Nothing there: fine, and changes nothing. */
	CHECK_EQ(vmm_unmap(s, u + P, 4 * P), 0);
	CHECK_EQ(vmm_unmap(s, U_BASE + GiB, GiB), 0);
	CHECK_EQ(vmm_unmap(s, 0, P), 0);
	CHECK(traverse_is(s, 0, USER_TOP, left, NELEM(left)));
	/* The last page of the user half can be mapped and unmapped. */
	CHECK_EQ(vmm_map(s, USER_TOP - P, P_BASE, P, UR), 0);
	CHECK(mapped_as(s, USER_TOP - P, P, P_BASE, UR));
	CHECK_EQ(vmm_unmap(s, USER_TOP - 2 * P, 2 * P), 0);
	CHECK(unmapped(s, USER_TOP - P, P));
	/* One range over all that is left. */
	CHECK_EQ(vmm_unmap(s, u - 4 * MiB, 8 * MiB), 0);
	CHECK(unmapped(s, 0, USER_TOP));
	vmm_space_destroy(s);
}

static void unmap_middle_of_large(void)
{
	struct vmm_space *s = space_new();
	vaddr_t m2 = U_BASE + 6 * MiB, g = U_BASE + 4 * GiB;
	paddr_t p2 = P_BASE + 10 * MiB, pg = P_BASE + 3 * GiB;
	if (!s)
		return;
	/* 2 MiB, aligned, with an aligned neighbour of the same rights and contiguous pa. */
	CHECK_EQ(vmm_map(s, m2, p2, 2 * MiB, URW), 0);
	CHECK_EQ(vmm_map(s, m2 + 2 * MiB, p2 + 2 * MiB, 2 * MiB, URW), 0);
	CHECK_EQ(vmm_unmap(s, m2 + MiB, P), 0);
	struct vmm_mapping want2[] = {
		{ m2, p2, MiB, URW },
		{ m2 + MiB + P, p2 + MiB + P, 3 * MiB - P, URW },
	};
	CHECK(traverse_is(s, m2 - 2 * MiB, 8 * MiB, want2, NELEM(want2)));
	CHECK(mapped_as(s, m2, MiB, p2, URW));
	CHECK(mapped_as(s, m2 + MiB + P, 3 * MiB - P, p2 + MiB + P, URW));
	CHECK(unmapped(s, m2 + MiB, P));
	/* The neighbour goes whole, the first one stays as it is. */
	CHECK_EQ(vmm_unmap(s, m2 + 2 * MiB, 2 * MiB), 0);
	want2[1].len = MiB - P;
	CHECK(traverse_is(s, m2 - 2 * MiB, 8 * MiB, want2, NELEM(want2)));
	CHECK(mapped_as(s, m2 + MiB + P, MiB - P, p2 + MiB + P, URW));

	/* 1 GiB: a page, an aligned 2 MiB, and an unaligned stretch over 2 MiB boundaries. */
	CHECK_EQ(vmm_map(s, g, pg, GiB, URX), 0);
	CHECK_EQ(vmm_unmap(s, g + 300 * MiB + 4 * P, 3 * P), 0);
	CHECK_EQ(vmm_unmap(s, g + 600 * MiB, 2 * MiB), 0);
	CHECK_EQ(vmm_unmap(s, g + 700 * MiB - 3 * P, 4 * MiB + 6 * P), 0);
	struct vmm_mapping wantg[] = {
		{ g, pg, 300 * MiB + 4 * P, URX },
		{ g + 300 * MiB + 7 * P, pg + 300 * MiB + 7 * P, 300 * MiB - 7 * P, URX },
		{ g + 602 * MiB, pg + 602 * MiB, 98 * MiB - 3 * P, URX },
		{ g + 704 * MiB + 3 * P, pg + 704 * MiB + 3 * P, 320 * MiB - 3 * P, URX },
	};
	CHECK(traverse_is(s, g - GiB, 3 * GiB, wantg, NELEM(wantg)));
	for (unsigned i = 0; i < NELEM(wantg); i++)
		CHECK(mapped_as(s, wantg[i].va, wantg[i].len, wantg[i].pa, URX));
	CHECK(unmapped(s, g + 300 * MiB + 4 * P, 3 * P));
	CHECK(unmapped(s, g + 600 * MiB, 2 * MiB));
	CHECK(unmapped(s, g + 700 * MiB - 3 * P, 4 * MiB + 6 * P));
	/* Unmapping the rest in one go leaves nothing. */
	CHECK_EQ(vmm_unmap(s, U_BASE, 8 * GiB), 0);
	CHECK(unmapped(s, 0, USER_TOP));
	vmm_space_destroy(s);
}

/* A scattered set of mappings: small, large, across every boundary up to 512 GiB. */
static const struct map_args scatter[] = {
	{ U_BASE + 7 * P, P_BASE + 0x7000, P, UR },
	{ U_BASE + 2 * MiB - 2 * P, P_BASE + 0x20000, 4 * P, URW },
	{ U_BASE + 8 * MiB, P_BASE + 8 * MiB, 2 * MiB, URW },
	{ U_BASE + GiB - P, P_BASE + 0x50000, 2 * P, URX },
	{ U_BASE + 2 * GiB, P_BASE + GiB, GiB, UR },
	{ U_BASE + 512 * GiB - 3 * P, P_BASE + 0x90000, 6 * P, URW },
	{ U_BASE + 1024 * GiB + 5 * MiB, P_BASE + 0xa0000, 3 * MiB, URW },
};

static void map_scatter(struct vmm_space *s)
{
	for (unsigned i = 0; i < NELEM(scatter); i++) {
		const struct map_args *m = &scatter[i];
		CHECK_EQ(vmm_map(s, m->va, m->pa, m->len, m->rights), 0);
	}
}

static void unmap_returns_table_memory(void)
{
	struct vmm_space *s = space_new(), *k = vmm_kernel_space();
	if (!s)
		return;
	uint64_t base = table_bytes();
	/* Piece by piece: page by page, halves, and ranges with holes. */
	map_scatter(s);
	CHECK(table_bytes() >= base);
	for (unsigned i = 0; i < NELEM(scatter); i++) {
		const struct map_args *m = &scatter[i];
		if (m->len <= 8 * P) {
			for (uint64_t off = 0; off < m->len; off += P)
				CHECK_EQ(vmm_unmap(s, m->va + off, P), 0);
		} else {
			CHECK_EQ(vmm_unmap(s, m->va + m->len / 2, m->len / 2), 0);
			CHECK_EQ(vmm_unmap(s, m->va - P, m->len / 2 + P), 0);
		}
	}
	CHECK(unmapped(s, 0, USER_TOP));
	CHECK_EQ(table_bytes(), base);
	/* All at once, twice over. */
	for (int round = 0; round < 2; round++) {
		map_scatter(s);
		CHECK_EQ(vmm_unmap(s, 0, USER_TOP), 0);
		CHECK(unmapped(s, 0, USER_TOP));
		CHECK_EQ(table_bytes(), base);
	}
	/* The kernel half is shared: it may keep structures, but cycles must not grow it. */
	uint64_t after[3];
	for (int round = 0; round < 3; round++) {
		CHECK_EQ(vmm_map(k, K_BASE + 3 * GiB - P, P_BASE, 4 * P, KRW), 0);
		CHECK_EQ(vmm_map(k, K_BASE + 6 * MiB, P_BASE + 6 * MiB, 2 * MiB, KR), 0);
		CHECK_EQ(vmm_unmap(k, K_BASE + 3 * GiB - P, P), 0);
		CHECK_EQ(vmm_unmap(k, K_BASE, 4 * GiB), 0);
		CHECK(unmapped(k, K_BASE, K_LEN));
		after[round] = table_bytes();
	}
	CHECK_EQ(after[1], after[0]);
	CHECK_EQ(after[2], after[0]);
	vmm_space_destroy(s);
}

/* ---------------------------------------------------------- protect --- */

/*
 * Rights no user mapping may be given by protect (see bad_maps); VMM_USER
 * alone is not among them: protect holds the pages with it (contract.c).
 */
static const unsigned bad_user_rights[] = {
	VMM_READ, VMM_READ | VMM_WRITE,	 VMM_USER | VMM_WRITE, UX | VMM_WRITE,
	VMM_USER | VMM_DEVICE, 0,	 UR | VMM_ACCESSED,    URW | VMM_DIRTY,
	UR | (1u << 9),	       UR | (1u << 30),
};

static void protect_rules(void)
{
	struct vmm_space *s = space_new(), *k = vmm_kernel_space();
	vaddr_t u = U_BASE + 3 * MiB, h = U_BASE + 10 * MiB, g = U_BASE + GiB;
	if (!s)
		return;
	CHECK_EQ(vmm_map(s, u, P_BASE, 3 * P, URW), 0);
	CHECK_EQ(vmm_map(s, u + 4 * P, P_BASE + 0x10000, P, URW), 0);
	uint64_t tables = table_bytes();
	/* -ENOENT when any page is missing: past the end, a hole inside, all missing. */
	CHECK_EQ(vmm_protect(s, u, 4 * P, UR), -ENOENT);
	CHECK_EQ(vmm_protect(s, u, 5 * P, UR), -ENOENT);
	CHECK_EQ(vmm_protect(s, u - P, 2 * P, UR), -ENOENT);
	CHECK_EQ(vmm_protect(s, u + 10 * P, P, UR), -ENOENT);
	CHECK(mapped_as(s, u, 3 * P, P_BASE, URW));
	CHECK(mapped_as(s, u + 4 * P, P, P_BASE + 0x10000, URW));
	CHECK_EQ(table_bytes(), tables);
	/* The same rights rules as map, nothing changed. */
	for (unsigned i = 0; i < NELEM(bad_user_rights); i++)
		CHECK_EQ(vmm_protect(s, u, 3 * P, bad_user_rights[i]), -EINVAL);
	CHECK_EQ(vmm_protect(s, u, 3 * P, KR), -EINVAL);
	CHECK(mapped_as(s, u, 3 * P, P_BASE, URW));
	/* Part of a mapping; then over two mappings at once. */
	CHECK_EQ(vmm_protect(s, u + P, 2 * P, URX), 0);
	CHECK(mapped_as(s, u, P, P_BASE, URW));
	CHECK(mapped_as(s, u + P, 2 * P, P_BASE + P, URX));
	CHECK_EQ(vmm_map(s, u + 3 * P, P_BASE + 0x20000, P, URW), 0);
	CHECK_EQ(vmm_protect(s, u + 2 * P, 3 * P, UR | VMM_DEVICE), 0);
	struct vmm_mapping want[] = {
		{ u, P_BASE, P, URW },
		{ u + P, P_BASE + P, P, URX },
		{ u + 2 * P, P_BASE + 2 * P, P, UR | VMM_DEVICE },
		{ u + 3 * P, P_BASE + 0x20000, P, UR | VMM_DEVICE },
		{ u + 4 * P, P_BASE + 0x10000, P, UR | VMM_DEVICE },
	};
	CHECK(traverse_is(s, u - MiB, 2 * MiB, want, NELEM(want)));
	/* Back to one set of rights for all: pa never changes. */
	CHECK_EQ(vmm_protect(s, u, 5 * P, UX), 0);
	CHECK(mapped_as(s, u, 3 * P, P_BASE, UX));
	CHECK(mapped_as(s, u + 3 * P, P, P_BASE + 0x20000, UX));
	CHECK(mapped_as(s, u + 4 * P, P, P_BASE + 0x10000, UX));

	/* Part of large mappings: only that part changes. */
	CHECK_EQ(vmm_map(s, h, P_BASE + 10 * MiB, 2 * MiB, URW), 0);
	CHECK_EQ(vmm_map(s, g, P_BASE + GiB, GiB, URW), 0);
	CHECK_EQ(vmm_protect(s, h + 5 * P, 2 * P, UR), 0);
	CHECK_EQ(vmm_protect(s, g + 512 * MiB - P, 2 * MiB + 2 * P, URX), 0);
	struct vmm_mapping wantl[] = {
		{ h, P_BASE + 10 * MiB, 5 * P, URW },
		{ h + 5 * P, P_BASE + 10 * MiB + 5 * P, 2 * P, UR },
		{ h + 7 * P, P_BASE + 10 * MiB + 7 * P, 2 * MiB - 7 * P, URW },
		{ g, P_BASE + GiB, 512 * MiB - P, URW },
		{ g + 512 * MiB - P, P_BASE + GiB + 512 * MiB - P, 2 * MiB + 2 * P, URX },
		{ g + 514 * MiB + P, P_BASE + GiB + 514 * MiB + P, 510 * MiB - P, URW },
	};
	CHECK(traverse_is(s, h, 2 * GiB - (h - U_BASE), wantl, NELEM(wantl)));
	/* A large mapping and its unmapped neighbour: -ENOENT, the large one untouched. */
	CHECK_EQ(vmm_protect(s, g + GiB - P, 2 * P, UR), -ENOENT);
	CHECK(traverse_is(s, h, 2 * GiB - (h - U_BASE), wantl, NELEM(wantl)));

	/* The kernel half follows the kernel rules. */
	CHECK_EQ(vmm_map(k, K_BASE, P_BASE, 2 * P, KRW), 0);
	CHECK_EQ(vmm_protect(k, K_BASE, P, KR | VMM_USER), -EINVAL);
	CHECK_EQ(vmm_protect(k, K_BASE, P, VMM_GLOBAL | VMM_WRITE), -EINVAL);
	CHECK_EQ(vmm_protect(k, K_BASE, 3 * P, KR), -ENOENT);
	CHECK(mapped_as(k, K_BASE, 2 * P, P_BASE, KRW));
	CHECK_EQ(vmm_protect(k, K_BASE + P, P, KRX), 0);
	CHECK(mapped_as(k, K_BASE, P, P_BASE, KRW));
	CHECK(mapped_as(k, K_BASE + P, P, P_BASE + P, KRX));
	CHECK_EQ(vmm_unmap(k, K_BASE, 2 * P), 0);
	vmm_space_destroy(s);
}

/* --------------------------------------------------------- traverse --- */

struct stop_at_va {
	vaddr_t va; /* stop at the first translation at or above this */
	paddr_t pa;
	unsigned rights; /* of that translation */
	int after;	 /* visits after the stop (must stay 0) */
	int stopped;
};

static int stop_at_va(const struct vmm_mapping *m, void *ctx)
{
	struct stop_at_va *st = ctx;
	if (st->stopped) {
		st->after++;
		return 0;
	}
	if (m->va < st->va)
		return 0;
	st->stopped = 1;
	st->pa = m->pa;
	st->rights = m->rights & VMM_RIGHTS_MASK;
	return 1;
}

static void traverse_order_and_clipping(void)
{
	struct vmm_space *s = space_new();
	vaddr_t u = U_BASE + 2 * GiB, h = u + 4 * MiB, g = u + GiB;
	struct pieces p;
	unsigned visits = 0;
	if (!s)
		return;
	/* Mapped in descending order, so the order reported is not the order made. */
	CHECK_EQ(vmm_map(s, g, P_BASE + GiB, GiB, URW), 0);
	CHECK_EQ(vmm_map(s, h, P_BASE + 4 * MiB, 2 * MiB, URX), 0);
	CHECK_EQ(vmm_map(s, u + 20 * P, P_BASE + 0x80000, P, UR), 0);
	CHECK_EQ(vmm_map(s, u + 10 * P, P_BASE + 0x40000, 2 * P, URW), 0);
	struct vmm_mapping all[] = {
		{ u + 10 * P, P_BASE + 0x40000, 2 * P, URW },
		{ u + 20 * P, P_BASE + 0x80000, P, UR },
		{ h, P_BASE + 4 * MiB, 2 * MiB, URX },
		{ g, P_BASE + GiB, GiB, URW },
	};
	CHECK(traverse_is(s, u, 2 * GiB, all, NELEM(all)));
	CHECK(traverse_is(s, 0, USER_TOP, all, NELEM(all)));
	/* Total length: the bytes mapped. */
	p = (struct pieces){ .va = 0, .end = USER_TOP };
	CHECK_EQ(vmm_traverse(s, 0, USER_TOP, collect, &p), 0);
	uint64_t total = 0;
	for (unsigned i = 0; i < p.n; i++)
		total += p.m[i].len;
	CHECK_EQ(total, 3 * P + 2 * MiB + GiB);
	CHECK(!p.bad);

	/* Clipped to the range, at both ends, also inside large mappings. */
	struct vmm_mapping clip1[] = {
		{ u + 11 * P, P_BASE + 0x41000, P, URW },
		{ u + 20 * P, P_BASE + 0x80000, P, UR },
	};
	CHECK(traverse_is(s, u + 11 * P, 10 * P, clip1, NELEM(clip1)));
	struct vmm_mapping clip2[] = { { h + 3 * P, P_BASE + 4 * MiB + 3 * P, 2 * P, URX } };
	CHECK(traverse_is(s, h + 3 * P, 2 * P, clip2, 1));
	struct vmm_mapping clip3[] = {
		{ h + 2 * MiB - P, P_BASE + 6 * MiB - P, P, URX },
	};
	CHECK(traverse_is(s, h + 2 * MiB - P, 5 * P, clip3, 1));
	struct vmm_mapping clip4[] = {
		{ g + GiB - 2 * MiB - P, P_BASE + 2 * GiB - 2 * MiB - P, 2 * MiB + P, URW },
	};
	CHECK(traverse_is(s, g + GiB - 2 * MiB - P, 4 * MiB, clip4, 1));
	/* Nothing there: 0, no visit. */
	CHECK_EQ(vmm_traverse(s, u + 12 * P, 8 * P, count_visit, &visits), 0);
	CHECK_EQ(vmm_traverse(s, u + 3 * GiB, GiB, count_visit, &visits), 0);
	CHECK_EQ(visits, 0);

	/* Early stop: the visitor's value, and no visit after it. */
	p = (struct pieces){ .va = u, .end = u + 2 * GiB, .stop_at = 2, .stop_with = 7 };
	CHECK_EQ(vmm_traverse(s, u, 2 * GiB, collect, &p), 7);
	CHECK_EQ(p.calls, 2);
	p = (struct pieces){ .va = u, .end = u + 2 * GiB, .stop_at = 1, .stop_with = -12345 };
	CHECK_EQ(vmm_traverse(s, u, 2 * GiB, collect, &p), -12345);
	CHECK_EQ(p.calls, 1);
	CHECK_EQ(p.m[0].va, u + 10 * P);
	/* Stopping at the large mapping: rights as mapped, nothing after it. */
	struct stop_at_va st = { .va = h };
	CHECK_EQ(vmm_traverse(s, u, 2 * GiB, stop_at_va, &st), 1);
	CHECK_EQ(st.rights, URX);
	CHECK_EQ(st.pa, P_BASE + 4 * MiB);
	CHECK_EQ(st.after, 0);
	vmm_space_destroy(s);
}

/* ----------------------------------------------------------- -ENOMEM --- */

/* A map needing new structures, with 0, 1, 2... frames left: all or nothing. */
static void map_out_of_memory(void)
{
	struct vmm_space *s = space_new();
	/* Next to an existing mapping, and across several boundaries of its own. */
	vaddr_t near = U_BASE + 5 * GiB, va = U_BASE + 512 * GiB - 2 * MiB - 2 * P;
	uint64_t len = 4 * MiB + 8 * P;
	paddr_t pa = P_BASE + 0x123000;
	int failed = 0, done = 0;
	if (!s)
		return;
	CHECK_EQ(vmm_map(s, near, P_BASE, 3 * P, URW), 0);
	for (unsigned spare = 0; spare < SPARE_LIMIT && !done; spare = next_spare(spare)) {
		struct hoard h = exhaust(spare);
		uint64_t tables = table_bytes(), free = free_bytes();
		int r = vmm_map(s, va, pa, len, URX);
		if (r == 0) {
			done = 1;
			CHECK(mapped_as(s, va, len, pa, URX));
		} else {
			failed++;
			CHECK_EQ(r, -ENOMEM);
			CHECK(unmapped(s, va - 2 * GiB, 4 * GiB));
			CHECK_EQ(table_bytes(), tables);
			CHECK_EQ(free_bytes(), free);
		}
		CHECK(mapped_as(s, near, 3 * P, P_BASE, URW));
		hoard_release(&h);
	}
	CHECK(done);
	if (!failed)
		printf("# map_out_of_memory: this backend needed no memory for the map\n");
	CHECK_EQ(vmm_unmap(s, va, len), 0);
	CHECK(unmapped(s, va - 2 * GiB, 4 * GiB));
	/* Enough memory again: the same map just works. */
	CHECK_EQ(vmm_map(s, va, pa, len, URX), 0);
	CHECK(mapped_as(s, va, len, pa, URX));
	vmm_space_destroy(s);
}

/*
 * Unmap or protect (OP 0 or 1) a range cutting into two adjacent 1 GiB
 * mappings, with 0, 1, 2... frames left: all or nothing.
 */
static void split_out_of_memory(int op)
{
	struct vmm_space *s = space_new();
	vaddr_t g = U_BASE + 8 * GiB, va = g + GiB - 3 * P;
	uint64_t len = 2 * MiB + 6 * P;
	paddr_t pg = P_BASE + 2 * GiB;
	int failed = 0, done = 0;
	if (!s)
		return;
	for (unsigned spare = 0; spare < SPARE_LIMIT && !done; spare = next_spare(spare)) {
		CHECK_EQ(vmm_map(s, g, pg, 2 * GiB, URW), 0);
		struct hoard h = exhaust(spare);
		uint64_t tables = table_bytes(), free = free_bytes();
		int r = op ? vmm_protect(s, va, len, UR) : vmm_unmap(s, va, len);
		if (r == 0) {
			done = 1;
			CHECK(mapped_as(s, g, va - g, pg, URW));
			CHECK(mapped_as(s, va + len, g + 2 * GiB - va - len, pg + (va + len - g),
					URW));
			if (op)
				CHECK(mapped_as(s, va, len, pg + (va - g), UR));
			else
				CHECK(unmapped(s, va, len));
		} else {
			failed++;
			CHECK_EQ(r, -ENOMEM);
			CHECK(mapped_as(s, g, 2 * GiB, pg, URW));
			CHECK_EQ(table_bytes(), tables);
			CHECK_EQ(free_bytes(), free);
		}
		hoard_release(&h);
		CHECK_EQ(vmm_unmap(s, g, 2 * GiB), 0);
	}
	CHECK(done);
	if (!failed)
		printf("# split_out_of_memory(%d): this backend needed no memory to split\n", op);
	CHECK(unmapped(s, 0, USER_TOP));
	vmm_space_destroy(s);
}

static void unmap_out_of_memory(void)
{
	split_out_of_memory(0);
}

static void protect_out_of_memory(void)
{
	split_out_of_memory(1);
}

/* ------------------------------------------------------- two spaces --- */

static void two_spaces(void)
{
	struct vmm_space *k = vmm_kernel_space();
	vaddr_t kv = K_BASE + 8 * P, kg = K_BASE + 2 * GiB, u = U_BASE + 7 * P;
	/* Kernel mappings made before the spaces exist. */
	CHECK_EQ(vmm_map(k, kv, P_BASE + MiB, 2 * P, KRW), 0);
	CHECK_EQ(vmm_map(k, kg, P_BASE, GiB, KR), 0);
	struct vmm_space *a = space_new(), *b = space_new();
	if (!a || !b)
		return;
	/* User halves are independent: the same va maps differently, unmap is local. */
	CHECK_EQ(vmm_map(a, u, P_BASE + 0x1000, P, URW), 0);
	CHECK_EQ(vmm_map(b, u, P_BASE + 0x5000, 2 * P, UR), 0);
	CHECK(mapped_as(a, u, P, P_BASE + 0x1000, URW));
	CHECK(mapped_as(b, u, 2 * P, P_BASE + 0x5000, UR));
	CHECK(unmapped(a, u + P, P));
	CHECK(unmapped(k, u, 2 * P));
	CHECK_EQ(vmm_map(a, u + P, P_BASE + 0x9000, P, URX), 0);
	CHECK(mapped_as(b, u, 2 * P, P_BASE + 0x5000, UR));
	CHECK_EQ(vmm_unmap(a, u, 2 * P), 0);
	CHECK(mapped_as(b, u, 2 * P, P_BASE + 0x5000, UR));
	CHECK_EQ(vmm_protect(b, u, 2 * P, URX), 0);
	CHECK(unmapped(a, u, 2 * P));

	/* The kernel half is one for all. */
	struct vmm_space *all[] = { k, a, b };
	for (unsigned i = 0; i < NELEM(all); i++) {
		CHECK(mapped_as(all[i], kv, 2 * P, P_BASE + MiB, KRW));
		CHECK(mapped_as(all[i], kg, GiB, P_BASE, KR));
	}
	/* Changes made there after the spaces were created reach them too. */
	CHECK_EQ(vmm_protect(k, kv + P, P, KR), 0);
	CHECK_EQ(vmm_unmap(k, kg + GiB / 2, 2 * MiB), 0);
	for (unsigned i = 0; i < NELEM(all); i++) {
		CHECK(mapped_as(all[i], kv, P, P_BASE + MiB, KRW));
		CHECK(mapped_as(all[i], kv + P, P, P_BASE + MiB + P, KR));
		CHECK(unmapped(all[i], kg + GiB / 2, 2 * MiB));
		CHECK(mapped_as(all[i], kg + GiB / 2 + 2 * MiB, P, P_BASE + GiB / 2 + 2 * MiB, KR));
	}
	/* Destroying a space leaves the kernel half alone. */
	vmm_space_destroy(a);
	CHECK(mapped_as(b, kv, P, P_BASE + MiB, KRW));
	CHECK(mapped_as(k, kv, P, P_BASE + MiB, KRW));
	CHECK(mapped_as(b, u, 2 * P, P_BASE + 0x5000, URX));
	/* Unmapping the whole kernel window; then churn that reuses freed memory. */
	CHECK_EQ(vmm_unmap(k, K_BASE, K_LEN), 0);
	struct vmm_space *c = space_new();
	if (c) {
		map_scatter(c);
		CHECK(unmapped(c, K_BASE, K_LEN));
	}
	CHECK(unmapped(b, K_BASE, K_LEN));
	CHECK(unmapped(k, K_BASE, K_LEN));
	if (c)
		vmm_space_destroy(c);
	CHECK(unmapped(b, K_BASE, K_LEN));
	CHECK(mapped_as(b, u, 2 * P, P_BASE + 0x5000, URX));
	vmm_space_destroy(b);
}

/* ------------------------------------------------------ model check --- */

#define MODEL_PAGES 16384 /* 64 MiB */
#define MODEL_BASE (U_BASE + 16 * GiB)
#define MODEL_OPS 20000
#define MODEL_HUGE (2 * MiB / P) /* pages in a 2 MiB-aligned "huge" chance */

static struct {
	uint8_t mapped;
	uint8_t rights;
	paddr_t pa;
} model[MODEL_PAGES];

#define MODEL_SEED 0x9e3779b97f4a7c15ul

static uint64_t rng;

static uint64_t rnd(uint64_t below)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (rng * 0x2545f4914f6cdd1dul) % below;
}

static const unsigned model_rights[] = {
	UR, URW, URX, URW | VMM_EXEC, UX, UR | VMM_DEVICE, URW | VMM_DEVICE,
};

static vaddr_t model_va(uint64_t page)
{
	return MODEL_BASE + page * P;
}

static int model_any(uint64_t first, uint64_t n, int mapped)
{
	for (uint64_t i = first; i < first + n; i++)
		if (!!model[i].mapped == mapped)
			return 1;
	return 0;
}

/* A visitor: M covers mapped pages only, as the model says, and skips none. */
static int model_visit(const struct vmm_mapping *m, void *ctx)
{
	uint64_t *next = ctx;
	if (m->va < model_va(*next) || !IS_ALIGNED(m->va | m->len | m->pa, P) || m->len == 0 ||
	    m->va + m->len > model_va(MODEL_PAGES))
		return !diag("model traverse: [%#lx, +%#lx) out of place", m->va, m->len);
	uint64_t first = (m->va - MODEL_BASE) / P, n = m->len / P;
	if (model_any(*next, first - *next, 1))
		return !diag("model traverse skipped a page in [%lu, %lu)", *next, first);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t k = first + i;
		if (!model[k].mapped || model[k].pa != m->pa + i * P ||
		    model[k].rights != (m->rights & VMM_RIGHTS_MASK))
			return !diag("model traverse: page %lu as pa %#lx rights %#x", k,
				     m->pa + i * P, m->rights);
	}
	*next = first + n;
	return 0;
}

/* Pages [first, first+n) translate as the model says. */
static int model_agrees(struct vmm_space *s, uint64_t first, uint64_t n)
{
	for (uint64_t i = first; i < first + n; i++) {
		struct vmm_mapping m;
		uint64_t off = (i * 40) & (P - 1); /* a byte somewhere in the page */
		int r = vmm_translate(s, model_va(i) + off, &m);
		if (!model[i].mapped) {
			if (r != -ENOENT)
				return diag("page %lu: %d, want -ENOENT", i, r);
			continue;
		}
		if (r != 0 || m.pa != model[i].pa + off ||
		    (m.rights & VMM_RIGHTS_MASK) != model[i].rights || m.len < P - off)
			return diag(
				"page %lu: %d pa %#lx rights %#x len %#lx, want pa %#lx rights %#x",
				i, r, m.pa, m.rights, m.len, model[i].pa + off, model[i].rights);
	}
	return 1;
}

/* Every page, translate's len and a traversal of the window against the model. */
static int model_agrees_fully(struct vmm_space *s)
{
	static uint32_t run[MODEL_PAGES + 1]; /* pages continuing page i, itself included */
	if (!model_agrees(s, 0, MODEL_PAGES))
		return 0;
	run[MODEL_PAGES] = 0;
	for (uint64_t i = MODEL_PAGES; i-- > 0;) {
		int cont = i + 1 < MODEL_PAGES && model[i + 1].mapped &&
			   model[i + 1].pa == model[i].pa + P &&
			   model[i + 1].rights == model[i].rights;
		run[i] = model[i].mapped ? 1 + (cont ? run[i + 1] : 0) : 0;
	}
	for (uint64_t i = 0; i < MODEL_PAGES; i++) {
		struct vmm_mapping m;
		if (model[i].mapped && vmm_translate(s, model_va(i), &m) == 0 &&
		    m.len > (uint64_t)run[i] * P)
			return diag("page %lu: len %#lx, but only %u pages continue it", i, m.len,
				    run[i]);
	}
	/* The traversal visits exactly the mapped pages, in order, as the model says. */
	uint64_t next = 0; /* the first page not yet accounted for */
	int r = vmm_traverse(s, model_va(0), MODEL_PAGES * P, model_visit, &next);
	if (r != 0)
		return diag("model traverse: %d (page %lu)", r, next);
	if (model_any(next, MODEL_PAGES - next, 1))
		return diag("model traverse missed a page at or after %lu", next);
	return 1;
}

static void model_check(void)
{
	struct vmm_space *s = space_new();
	if (!s)
		return;
	memset(model, 0, sizeof(model));
	rng = MODEL_SEED; /* the same sequence on every run and backend */
	uint64_t base = table_bytes();
	unsigned nmap = 0, nunmap = 0, nprotect = 0, nfail = 0;
	for (unsigned op = 0; op < MODEL_OPS; op++) {
		uint64_t kind = rnd(100), first, n;
		int huge = rnd(6) == 0;
		if (huge) {
			first = rnd(MODEL_PAGES / MODEL_HUGE) * MODEL_HUGE;
			n = MODEL_HUGE * (1 + rnd(2));
			if (kind >= 45 && rnd(2)) { /* part of a huge range */
				first += rnd(MODEL_HUGE);
				n = 1 + rnd(3 * MODEL_HUGE / 2);
			}
		} else {
			first = rnd(MODEL_PAGES);
			n = 1 + (rnd(4) ? rnd(8) : rnd(700));
		}
		if (kind >= 75 && rnd(2)) {
			/* protect: mostly where pages are mapped, so it usually succeeds */
			uint64_t i = first;
			while (i < MODEL_PAGES && !model[i].mapped)
				i++;
			if (i < MODEL_PAGES) {
				first = i;
				for (n = 0; i + n < MODEL_PAGES && model[i + n].mapped && n < 800;
				     n++)
					;
				n = 1 + rnd(n);
			}
		}
		if (first + n > MODEL_PAGES)
			n = MODEL_PAGES - first;
		vaddr_t va = model_va(first);
		uint64_t len = n * P;
		int invalid = rnd(40) == 0;
		unsigned rights = invalid ? bad_user_rights[rnd(NELEM(bad_user_rights))]
					  : model_rights[rnd(NELEM(model_rights))];
		/* Some protects hold their pages (VMM_USER alone), which map refuses. */
		int hold = !invalid && rnd(10) == 0;
		if (hold)
			rights = VMM_USER;
		int want, got;
		const char *what;
		if (kind < 45) {
			paddr_t pa =
				huge ? P_BASE + rnd(1024) * 2 * MiB : P_BASE + rnd(1u << 20) * P;
			what = "map";
			want = invalid || hold ? -EINVAL : model_any(first, n, 1) ? -EEXIST : 0;
			got = vmm_map(s, va, pa, len, rights);
			for (uint64_t i = first; got == 0 && i < first + n; i++)
				model[i] = (typeof(model[0])){ 1, (uint8_t)rights,
							       pa + (i - first) * P };
			nmap++;
		} else if (kind < 75) {
			what = "unmap";
			want = 0;
			got = vmm_unmap(s, va, len);
			for (uint64_t i = first; got == 0 && i < first + n; i++)
				model[i].mapped = 0;
			nunmap++;
		} else {
			what = "protect";
			want = invalid ? -EINVAL : model_any(first, n, 0) ? -ENOENT : 0;
			got = vmm_protect(s, va, len, rights);
			for (uint64_t i = first; got == 0 && i < first + n; i++)
				model[i].rights = (uint8_t)rights;
			nprotect++;
		}
		nfail += got != 0;
		uint64_t lo = first ? first - 1 : 0,
			 hi = first + n + 1 < MODEL_PAGES ? first + n + 1 : MODEL_PAGES;
		if (got != want || !model_agrees(s, lo, hi - lo) ||
		    (op % 128 == 127 && !model_agrees_fully(s))) {
			diag("op %u: %s [%#lx, +%#lx) rights %#x: %d, want %d", op, what, va, len,
			     rights, got, want);
			CHECK(!"model and space disagree");
			break;
		}
	}
	CHECK(model_agrees_fully(s));
	printf("# model_check: %u maps, %u unmaps, %u protects, %u failed as predicted\n", nmap,
	       nunmap, nprotect, nfail);
	/* Each kind of call ran often enough, and often enough failed. */
	CHECK(nmap > MODEL_OPS / 3 && nunmap > MODEL_OPS / 5 && nprotect > MODEL_OPS / 5);
	CHECK(nfail > MODEL_OPS / 10);
	CHECK_EQ(vmm_unmap(s, MODEL_BASE, MODEL_PAGES * P), 0);
	CHECK(unmapped(s, 0, USER_TOP));
	CHECK_EQ(table_bytes(), base);
	vmm_space_destroy(s);
}

/* ---------------------------------------------------------- regions --- */

static void region_add_rules(void)
{
	struct vmm_space *s = space_new();
	vaddr_t r = R_BASE + 16 * P;
	if (!s)
		return;
	CHECK_EQ(vmm_region_add(s, r, 4 * P, URW, REGION_ANON), 0);
	/* Overlaps, however they overlap. */
	CHECK_EQ(vmm_region_add(s, r, 4 * P, URW, REGION_ANON), -EEXIST);
	CHECK_EQ(vmm_region_add(s, r - 2 * P, 4 * P, URW, REGION_ANON), -EEXIST);
	CHECK_EQ(vmm_region_add(s, r + 3 * P, 4 * P, UR, REGION_FIXED), -EEXIST);
	CHECK_EQ(vmm_region_add(s, r + P, P, URW, REGION_ANON), -EEXIST);
	CHECK_EQ(vmm_region_add(s, r - P, 6 * P, URW, REGION_ANON), -EEXIST);
	CHECK_EQ(vmm_region_add(s, R_BASE, GiB, URW, REGION_ANON), -EEXIST);
	/* Bad arguments. */
	CHECK_EQ(vmm_region_add(s, r + 0x800, P, URW, REGION_ANON), -EINVAL);
	CHECK_EQ(vmm_region_add(s, r + 8 * P, P + 8, URW, REGION_ANON), -EINVAL);
	CHECK_EQ(vmm_region_add(s, r + 8 * P, 0, URW, REGION_ANON), -EINVAL);
	CHECK_EQ(vmm_region_add(s, USER_TOP - P, 2 * P, URW, REGION_ANON), -EINVAL);
	CHECK_EQ(vmm_region_add(s, K_BASE, P, KRW, REGION_ANON), -EINVAL);
	CHECK_EQ(vmm_region_add(s, K_BASE, P, URW, REGION_ANON), -EINVAL);
	CHECK_EQ(vmm_region_add(s, r + 8 * P, P, VMM_READ, REGION_ANON), -EINVAL);
	CHECK_EQ(vmm_region_add(s, r + 8 * P, P, URW | VMM_GLOBAL, REGION_ANON), -EINVAL);
	CHECK_EQ(vmm_region_add(s, r + 8 * P, P, UR | (1u << 12), REGION_ANON), -EINVAL);
	CHECK_EQ(vmm_region_add(s, r + 8 * P, P, VMM_USER | VMM_WRITE, REGION_ANON), -EINVAL);
	/* None of it took. */
	CHECK(vmm_region_allows(s, r, 4 * P, VMM_READ | VMM_WRITE));
	CHECK(!vmm_region_allows(s, r, 4 * P, VMM_EXEC));
	CHECK(!vmm_region_allows(s, r - P, P, 0));
	CHECK(!vmm_region_allows(s, r + 4 * P, P, 0));
	CHECK(!vmm_region_allows(s, r + 8 * P, P, 0));
	CHECK_EQ(vmm_fault(s, 0, r - P, VMM_READ), -EFAULT);
	/* Neighbours that only touch are fine. */
	CHECK_EQ(vmm_region_add(s, r - 2 * P, 2 * P, UR, REGION_ANON), 0);
	CHECK_EQ(vmm_region_add(s, r + 4 * P, 2 * P, URX, REGION_FIXED), 0);
	CHECK(vmm_region_allows(s, r - 2 * P, 8 * P, VMM_READ));
	CHECK(!vmm_region_allows(s, r - 2 * P, 8 * P, VMM_WRITE));
	CHECK(vmm_region_allows(s, r + 0x123, 0x2000, VMM_READ | VMM_WRITE));
	/* Empty ranges are allowed (no byte to refuse); ranges off the user half are not. */
	CHECK(vmm_region_allows(s, r, 0, VMM_EXEC));
	CHECK(!vmm_region_allows(s, USER_TOP - P, 2 * P, 0));
	CHECK(!vmm_region_allows(s, UINT64_MAX - 1, 4, 0));
	/* PROT_NONE regions can be added (reserve now, commit later). */
	CHECK_EQ(vmm_region_add(s, r + 10 * P, 2 * P, VMM_USER, REGION_ANON), 0);
	CHECK(vmm_region_allows(s, r + 10 * P, 2 * P, 0));
	CHECK(!vmm_region_allows(s, r + 10 * P, 2 * P, VMM_READ));
	CHECK_EQ(vmm_fault(s, 0, r + 10 * P, VMM_READ), -EFAULT);
	CHECK(unmapped(s, 0, USER_TOP));
	vmm_space_destroy(s);
}

static void fault_demand_zero(void)
{
	struct vmm_space *s = space_new();
	struct vmm_mapping m, again;
	vaddr_t r = R_BASE, x = R_BASE + MiB, xo = R_BASE + 2 * MiB, f = R_BASE + 3 * MiB;
	if (!s)
		return;
	CHECK_EQ(vmm_region_add(s, r, 16 * P, URW, REGION_ANON), 0);
	dirty_free_frames(64);
	CHECK_EQ(vmm_fault(s, 0, r + 5 * P + 123, VMM_WRITE), 0);
	CHECK_EQ(vmm_translate(s, r + 5 * P, &m), 0);
	CHECK_EQ(m.rights & VMM_RIGHTS_MASK, URW);
	CHECK(IS_ALIGNED(m.pa, P));
	CHECK(frame_block_order(m.pa) >= 0); /* a frame of the allocator's */
	CHECK(page_is_zero(m.pa));
	CHECK(unmapped(s, r, 5 * P));
	CHECK(unmapped(s, r + 6 * P, 10 * P));
	/* A read fault maps with the region's rights, not just the access. */
	CHECK_EQ(vmm_fault(s, 0, r, VMM_READ), 0);
	CHECK_EQ(vmm_translate(s, r + 8, &m), 0);
	CHECK_EQ(m.rights & VMM_RIGHTS_MASK, URW);
	CHECK(page_is_zero(m.pa));
	/* Accesses the region lacks. */
	CHECK_EQ(vmm_fault(s, 0, r + 2 * P, VMM_EXEC), -EFAULT);
	CHECK(unmapped(s, r + 2 * P, P));
	/* A second fault on a mapped page: spurious, nothing new. */
	uint64_t before = free_bytes();
	CHECK_EQ(vmm_translate(s, r + 5 * P, &m), 0);
	CHECK_EQ(vmm_fault(s, 0, r + 5 * P + 8, VMM_READ), 0);
	CHECK_EQ(vmm_fault(s, 0, r + 5 * P, VMM_WRITE), 0);
	CHECK_EQ(vmm_translate(s, r + 5 * P, &again), 0);
	CHECK_EQ(again.pa, m.pa);
	CHECK_EQ(free_bytes(), before);
	/* Outside every region: around it, page 0, the kernel half, non-canonical. */
	CHECK_EQ(vmm_fault(s, 0, r - 1, VMM_READ), -EFAULT);
	CHECK_EQ(vmm_fault(s, 0, r + 16 * P, VMM_WRITE), -EFAULT);
	CHECK_EQ(vmm_fault(s, 0, 0, VMM_READ), -EFAULT);
	CHECK_EQ(vmm_fault(s, 0, K_BASE, VMM_READ), -EFAULT);
	CHECK_EQ(vmm_fault(s, 0, USER_TOP + 0x1000, VMM_READ), -EFAULT);
	CHECK(unmapped(s, r - MiB, MiB));
	CHECK(unmapped(s, r + 16 * P, MiB));
	/* Executable and execute-only regions. */
	CHECK_EQ(vmm_region_add(s, x, 4 * P, URX, REGION_ANON), 0);
	CHECK_EQ(vmm_fault(s, 0, x + P, VMM_EXEC), 0);
	CHECK_EQ(vmm_translate(s, x + P, &m), 0);
	CHECK_EQ(m.rights & VMM_RIGHTS_MASK, URX);
	CHECK_EQ(vmm_fault(s, 0, x + 2 * P, VMM_WRITE), -EFAULT);
	CHECK_EQ(vmm_region_add(s, xo, 4 * P, UX, REGION_ANON), 0);
	CHECK_EQ(vmm_fault(s, 0, xo, VMM_READ), -EFAULT);
	CHECK_EQ(vmm_fault(s, 0, xo, VMM_EXEC), 0);
	CHECK_EQ(vmm_translate(s, xo, &m), 0);
	CHECK_EQ(m.rights & VMM_RIGHTS_MASK, UX);
	/* A fixed region: nothing to demand; what the caller mapped is spurious. */
	CHECK_EQ(vmm_region_add(s, f, 4 * P, UR, REGION_FIXED), 0);
	CHECK_EQ(vmm_fault(s, 0, f, VMM_READ), -EFAULT);
	CHECK(unmapped(s, f, 4 * P));
	CHECK_EQ(vmm_map(s, f, P_BASE, P, UR), 0);
	CHECK_EQ(vmm_fault(s, 0, f + 4, VMM_READ), 0);
	CHECK_EQ(vmm_fault(s, 0, f, VMM_WRITE), -EFAULT);
	CHECK(mapped_as(s, f, P, P_BASE, UR));
	vmm_space_destroy(s);
}

static void region_protect_and_faults(void)
{
	struct vmm_space *s = space_new();
	struct vmm_mapping m;
	vaddr_t r = R_BASE;
	if (!s)
		return;
	CHECK_EQ(vmm_region_add(s, r, 16 * P, URW, REGION_ANON), 0);
	CHECK_EQ(vmm_fault(s, 0, r, VMM_WRITE), 0);
	CHECK_EQ(vmm_fault(s, 0, r + P, VMM_READ), 0);
	CHECK_EQ(vmm_translate(s, r, &m), 0);
	paddr_t pa0 = m.pa;
	memset(phys_to_virt(pa0), 0x5a, 16);

	/* Read-only: mapped pages follow, writes fault, reads still work. */
	CHECK_EQ(vmm_region_protect(s, r, 16 * P, UR), 0);
	CHECK(mapped_as(s, r, P, pa0, UR));
	CHECK_EQ(vmm_fault(s, 0, r, VMM_WRITE), -EFAULT);
	CHECK_EQ(vmm_fault(s, 0, r + 8 * P, VMM_WRITE), -EFAULT);
	CHECK(unmapped(s, r + 8 * P, P));
	CHECK_EQ(vmm_fault(s, 0, r, VMM_READ), 0);
	CHECK_EQ(vmm_fault(s, 0, r + 8 * P, VMM_READ), 0);
	CHECK_EQ(vmm_translate(s, r + 8 * P, &m), 0);
	CHECK_EQ(m.rights & VMM_RIGHTS_MASK, UR);
	CHECK(vmm_region_allows(s, r, 16 * P, VMM_READ));
	CHECK(!vmm_region_allows(s, r, 16 * P, VMM_WRITE));
	/* Back to read-write: contents kept, writes work. */
	CHECK_EQ(vmm_region_protect(s, r, 16 * P, URW), 0);
	CHECK(mapped_as(s, r, P, pa0, URW));
	CHECK_EQ(*(uint8_t *)phys_to_virt(pa0), 0x5a);
	CHECK_EQ(vmm_fault(s, 0, r, VMM_WRITE), 0);
	CHECK_EQ(vmm_translate(s, r + 8 * P, &m), 0);
	CHECK_EQ(m.rights & VMM_RIGHTS_MASK, URW);
	/* Part of the region only. */
	CHECK_EQ(vmm_region_protect(s, r + 4 * P, 2 * P, URX), 0);
	CHECK(vmm_region_allows(s, r + 4 * P, 2 * P, VMM_EXEC | VMM_READ));
	CHECK(!vmm_region_allows(s, r + 3 * P, 2 * P, VMM_EXEC));
	CHECK(vmm_region_allows(s, r, 16 * P, VMM_READ));
	CHECK_EQ(vmm_fault(s, 0, r + 4 * P, VMM_EXEC), 0);
	CHECK_EQ(vmm_translate(s, r + 4 * P, &m), 0);
	CHECK_EQ(m.rights & VMM_RIGHTS_MASK, URX);
	CHECK_EQ(vmm_fault(s, 0, r + 6 * P, VMM_EXEC), -EFAULT);
	CHECK(mapped_as(s, r, P, pa0, URW));

	/* PROT_NONE over untouched pages: allowed, and then nothing may fault in. */
	CHECK_EQ(vmm_region_protect(s, r + 10 * P, 4 * P, VMM_USER), 0);
	CHECK(!vmm_region_allows(s, r + 10 * P, P, VMM_READ));
	CHECK(vmm_region_allows(s, r + 10 * P, 4 * P, 0));
	CHECK_EQ(vmm_fault(s, 0, r + 11 * P, VMM_READ), -EFAULT);
	CHECK(unmapped(s, r + 10 * P, 4 * P));
	CHECK_EQ(vmm_region_protect(s, r + 10 * P, 4 * P, URW), 0);
	CHECK_EQ(vmm_fault(s, 0, r + 11 * P, VMM_READ), 0);

	/*
	 * PROT_NONE over touched pages holds them (contract.c has the details):
	 * kept with their contents, reported VMM_USER, no fault brings them in.
	 */
	CHECK_EQ(vmm_region_protect(s, r + 11 * P, P, VMM_USER), 0);
	CHECK_EQ(vmm_translate(s, r + 11 * P, &m), 0);
	CHECK_EQ(m.rights & VMM_RIGHTS_MASK, VMM_USER);
	CHECK_EQ(vmm_fault(s, 0, r + 11 * P, VMM_READ), -EFAULT);
	CHECK_EQ(vmm_region_protect(s, r, 16 * P, VMM_USER), 0);
	CHECK(mapped_as(s, r, P, pa0, VMM_USER));
	CHECK(!vmm_region_allows(s, r, P, VMM_READ));
	CHECK_EQ(vmm_fault(s, 0, r, VMM_READ), -EFAULT);
	CHECK_EQ(vmm_region_protect(s, r, 16 * P, URW), 0);
	CHECK(mapped_as(s, r, P, pa0, URW));
	CHECK_EQ(*(uint8_t *)phys_to_virt(pa0), 0x5a);
	CHECK_EQ(vmm_translate(s, r + 11 * P, &m), 0);
	CHECK_EQ(m.rights & VMM_RIGHTS_MASK, URW);
	CHECK(vmm_region_allows(s, r, 16 * P, VMM_READ | VMM_WRITE));
	CHECK_EQ(vmm_fault(s, 0, r + 12 * P, VMM_WRITE), 0);

	/* Part of the range in no region: -ENOMEM (as mprotect), nothing changed. */
	CHECK_EQ(vmm_region_protect(s, r + 14 * P, 4 * P, UR), -ENOMEM);
	CHECK_EQ(vmm_region_protect(s, r - P, 2 * P, UR), -ENOMEM);
	CHECK(vmm_region_allows(s, r + 14 * P, 2 * P, VMM_WRITE));
	CHECK(mapped_as(s, r, P, pa0, URW));
	/* Bad arguments. */
	CHECK_EQ(vmm_region_protect(s, r + 0x800, P, UR), -EINVAL);
	CHECK_EQ(vmm_region_protect(s, r, 0, UR), -EINVAL);
	CHECK_EQ(vmm_region_protect(s, r, P, VMM_READ), -EINVAL);
	CHECK_EQ(vmm_region_protect(s, r, P, UR | VMM_GLOBAL), -EINVAL);
	CHECK_EQ(vmm_region_protect(s, r, P, VMM_USER | VMM_WRITE), -EINVAL);
	CHECK(mapped_as(s, r, P, pa0, URW));
	CHECK(vmm_region_allows(s, r, 4 * P, VMM_READ | VMM_WRITE));
	vmm_space_destroy(s);
}

/* The pages [va, va+n pages) are mapped to frames of the allocator; their addresses in PA. */
static int frames_of(struct vmm_space *s, vaddr_t va, unsigned n, paddr_t *pa)
{
	for (unsigned i = 0; i < n; i++) {
		struct vmm_mapping m;
		if (vmm_translate(s, va + i * P, &m) != 0 || frame_block_order(m.pa) < 0)
			return diag("page %#lx: no frame", va + i * P);
		pa[i] = m.pa;
	}
	return 1;
}

static void region_remove_frees_frames(void)
{
	struct vmm_space *s = space_new();
	vaddr_t r = R_BASE + 4 * MiB, f = R_BASE + 8 * MiB;
	paddr_t pa[9] = { 0 }, fpa = 0;
	if (!s)
		return;
	CHECK_EQ(vmm_region_add(s, r, 32 * P, URW, REGION_ANON), 0);
	for (unsigned i = 0; i < 8; i++)
		CHECK_EQ(vmm_fault(s, 0, r + i * P, VMM_WRITE), 0);
	CHECK_EQ(vmm_fault(s, 0, r + 20 * P, VMM_READ), 0);
	CHECK(frames_of(s, r, 8, pa));
	CHECK(frames_of(s, r + 20 * P, 1, &pa[8]));
	uint64_t after_faults = free_bytes();

	/* The middle: its frames go back, both ends stay regions with their pages. */
	CHECK_EQ(vmm_region_remove(s, r + 2 * P, 4 * P), 0);
	CHECK(unmapped(s, r + 2 * P, 4 * P));
	for (unsigned i = 2; i < 6; i++)
		CHECK_EQ(frame_block_order(pa[i]), -EINVAL);
	CHECK(free_bytes() >= after_faults + 4 * P);
	CHECK(!vmm_region_allows(s, r + 2 * P, P, 0));
	CHECK_EQ(vmm_fault(s, 0, r + 3 * P, VMM_READ), -EFAULT);
	CHECK(mapped_as(s, r, P, pa[0], URW));
	CHECK(mapped_as(s, r + 7 * P, P, pa[7], URW));
	CHECK(vmm_region_allows(s, r + 6 * P, 26 * P, VMM_READ | VMM_WRITE));
	CHECK_EQ(vmm_fault(s, 0, r + 9 * P, VMM_WRITE), 0);
	CHECK_EQ(vmm_fault(s, 0, r + P, VMM_WRITE), 0);

	/* Over holes and everything left. */
	CHECK_EQ(vmm_region_remove(s, r - 4 * P, 64 * P), 0);
	CHECK(unmapped(s, r - 4 * P, 64 * P));
	for (unsigned i = 0; i < 9; i++)
		CHECK_EQ(frame_block_order(pa[i]), -EINVAL);
	CHECK(free_bytes() >= after_faults + 9 * P);
	CHECK(!vmm_region_allows(s, r, P, 0));
	CHECK_EQ(vmm_fault(s, 0, r, VMM_READ), -EFAULT);
	/* Nothing there at all: fine. */
	CHECK_EQ(vmm_region_remove(s, r, 64 * P), 0);
	/* Bad arguments. */
	CHECK_EQ(vmm_region_remove(s, r + 0x10, P), -EINVAL);
	CHECK_EQ(vmm_region_remove(s, r, 0), -EINVAL);
	CHECK_EQ(vmm_region_remove(s, K_BASE, P), -EINVAL);

	/* A fixed region: its frame belongs to the caller and stays allocated. */
	CHECK_EQ(frame_alloc(0, &fpa), 0);
	CHECK_EQ(vmm_region_add(s, f, 2 * P, UR, REGION_FIXED), 0);
	CHECK_EQ(vmm_map(s, f, fpa, P, UR), 0);
	CHECK_EQ(vmm_region_remove(s, f, 2 * P), 0);
	CHECK(unmapped(s, f, 2 * P));
	CHECK_EQ(frame_block_order(fpa), 0);
	CHECK_EQ(frame_free(fpa, 0), 0);
	CHECK(unmapped(s, 0, USER_TOP));
	vmm_space_destroy(s);
}

static void region_resize(void)
{
	struct vmm_space *s = space_new();
	vaddr_t r = R_BASE + 12 * MiB;
	paddr_t pa[2] = { 0, 0 };
	if (!s)
		return;
	CHECK_EQ(vmm_region_add(s, r, 4 * P, URW, REGION_ANON), 0);
	CHECK_EQ(vmm_fault(s, 0, r + 3 * P, VMM_WRITE), 0);
	/* Grow: the new part faults in. */
	CHECK_EQ(vmm_region_resize(s, r + 4 * P, r + 8 * P), 0);
	CHECK(vmm_region_allows(s, r, 8 * P, VMM_READ | VMM_WRITE));
	CHECK_EQ(vmm_fault(s, 0, r + 6 * P, VMM_WRITE), 0);
	CHECK(frames_of(s, r + 3 * P, 1, &pa[0]));
	CHECK(frames_of(s, r + 6 * P, 1, &pa[1]));
	/* Shrink: the pages past the new end go, with their frames. */
	CHECK_EQ(vmm_region_resize(s, r + 8 * P, r + 2 * P), 0);
	CHECK(unmapped(s, r + 2 * P, 6 * P));
	CHECK_EQ(frame_block_order(pa[0]), -EINVAL);
	CHECK_EQ(frame_block_order(pa[1]), -EINVAL);
	CHECK(vmm_region_allows(s, r, 2 * P, VMM_READ | VMM_WRITE));
	CHECK(!vmm_region_allows(s, r + 2 * P, P, 0));
	CHECK_EQ(vmm_fault(s, 0, r + 3 * P, VMM_READ), -EFAULT);
	CHECK_EQ(vmm_fault(s, 0, r + P, VMM_READ), 0);
	/* Growing into the next region: -ENOMEM, nothing changed; up to it: fine. */
	CHECK_EQ(vmm_region_add(s, r + 10 * P, 2 * P, UR, REGION_ANON), 0);
	CHECK_EQ(vmm_region_resize(s, r + 2 * P, r + 12 * P), -ENOMEM);
	CHECK_EQ(vmm_region_resize(s, r + 2 * P, r + 11 * P), -ENOMEM);
	CHECK(!vmm_region_allows(s, r + 2 * P, P, 0));
	CHECK_EQ(vmm_fault(s, 0, r + 2 * P, VMM_READ), -EFAULT);
	CHECK_EQ(vmm_region_resize(s, r + 2 * P, r + 10 * P), 0);
	CHECK(vmm_region_allows(s, r, 12 * P, VMM_READ));
	CHECK(!vmm_region_allows(s, r, 12 * P, VMM_WRITE));
	CHECK(vmm_region_allows(s, r, 10 * P, VMM_WRITE));
	/* Not the end of a region, or a misaligned new end: -EINVAL. */
	CHECK_EQ(vmm_region_resize(s, r + 5 * P, r + 6 * P), -EINVAL);
	CHECK_EQ(vmm_region_resize(s, r + 20 * P, r + 21 * P), -EINVAL);
	CHECK_EQ(vmm_region_resize(s, r + 10 * P, r + 9 * P + 8), -EINVAL);
	CHECK(vmm_region_allows(s, r, 10 * P, VMM_WRITE));
	vmm_space_destroy(s);
}

static void fault_out_of_memory(void)
{
	struct vmm_space *s = space_new();
	vaddr_t r = R_BASE + 7 * GiB + 2 * MiB - P;
	int done = 0;
	if (!s)
		return;
	CHECK_EQ(vmm_region_add(s, r, 4 * P, URW, REGION_ANON), 0);
	for (unsigned spare = 0; spare < SPARE_LIMIT && !done; spare = next_spare(spare)) {
		struct hoard h = exhaust(spare);
		uint64_t tables = table_bytes(), free = free_bytes();
		int e = vmm_fault(s, 0, r + 1000, VMM_WRITE);
		if (e == 0) {
			struct vmm_mapping m;
			done = 1;
			CHECK_EQ(vmm_translate(s, r, &m), 0);
			CHECK_EQ(m.rights & VMM_RIGHTS_MASK, URW);
			CHECK(page_is_zero(m.pa));
		} else {
			CHECK_EQ(e, -ENOMEM);
			CHECK(unmapped(s, r - GiB, 2 * GiB));
			CHECK_EQ(table_bytes(), tables);
			CHECK_EQ(free_bytes(), free);
		}
		hoard_release(&h);
	}
	CHECK(done);
	/* The next page needs its frame, maybe more structures: either way it works now. */
	CHECK_EQ(vmm_fault(s, 0, r + P, VMM_READ), 0);
	vmm_space_destroy(s);
}

/* Take every free heap object of every small size too, chained through themselves. */
void *heap_take_all(void)
{
	void *head = NULL, *p;
	for (size_t size = HEAP_MAX_SMALL; size >= HEAP_MIN_SMALL; size /= 2)
		while ((p = kmalloc(size)) != NULL) {
			*(void **)p = head;
			head = p;
		}
	return head;
}

void heap_release(void *head)
{
	while (head) {
		void *next = *(void **)head;
		kfree(head);
		head = next;
	}
}

/* Region calls that need memory for their own records fail whole. */
static void region_out_of_memory(void)
{
	struct vmm_space *s = space_new(), *t = NULL;
	struct vmm_mapping m;
	vaddr_t r = R_BASE + 20 * MiB;
	if (!s)
		return;
	/* Two regions that only touch, with the same rights. */
	CHECK_EQ(vmm_region_add(s, r, 4 * P, URW, REGION_ANON), 0);
	CHECK_EQ(vmm_region_add(s, r + 4 * P, 4 * P, URW, REGION_ANON), 0);
	CHECK_EQ(vmm_fault(s, 0, r + P, VMM_WRITE), 0);
	CHECK_EQ(vmm_fault(s, 0, r + 5 * P, VMM_WRITE), 0);
	CHECK_EQ(vmm_translate(s, r + P, &m), 0);
	paddr_t pa = m.pa;

	struct hoard h = exhaust(0);
	int e = vmm_space_create(&t);
	CHECK(e == 0 || e == -ENOMEM);
	if (e == 0)
		vmm_space_destroy(t);
	CHECK_EQ(free_bytes(), 0);
	void *objs = heap_take_all();
	CHECK_EQ(vmm_space_create(&t), -ENOMEM);
	CHECK_EQ(vmm_region_add(s, r + 16 * P, P, UR, REGION_ANON), -ENOMEM);
	CHECK_EQ(vmm_region_protect(s, r + 4 * P, 2 * P, UR), -ENOMEM);
	CHECK_EQ(vmm_region_protect(s, r + P, 2 * P, UR), -ENOMEM);
	CHECK_EQ(vmm_region_protect(s, r + 2 * P, 4 * P, UR), -ENOMEM);
	CHECK_EQ(vmm_region_remove(s, r + 5 * P, P), -ENOMEM);
	CHECK_EQ(vmm_region_remove(s, r + 2 * P, 4 * P), -ENOMEM);
	CHECK_EQ(vmm_fault(s, 0, r + 2 * P, VMM_WRITE), -ENOMEM);
	heap_release(objs);
	hoard_release(&h);

	/* Nothing changed: the pages, their rights, and two regions meeting at r + 4P. */
	CHECK(!vmm_region_allows(s, r + 16 * P, P, 0));
	CHECK(vmm_region_allows(s, r, 8 * P, VMM_READ | VMM_WRITE));
	CHECK(mapped_as(s, r + P, P, pa, URW));
	CHECK_EQ(vmm_translate(s, r + 5 * P, &m), 0);
	CHECK_EQ(m.rights & VMM_RIGHTS_MASK, URW);
	CHECK(unmapped(s, r + 2 * P, 2 * P));
	CHECK_EQ(vmm_region_resize(s, r + 4 * P, r + 3 * P), 0);
	CHECK(!vmm_region_allows(s, r + 3 * P, P, 0));
	CHECK(vmm_region_allows(s, r + 4 * P, 4 * P, VMM_READ | VMM_WRITE));
	CHECK_EQ(vmm_region_resize(s, r + 8 * P, r + 10 * P), 0);
	vmm_space_destroy(s);
}

/*
 * The commit limit: writable anonymous regions are charged when added, grown
 * or made writable, and refused past the limit with nothing changed;
 * removal, shrinking and read-only rights give the charge back; FIXED and
 * NORESERVE regions are never charged.
 */
static void region_commit_limit(void)
{
	struct vmm_space *s = space_new();
	uint64_t base, limit, now;
	vaddr_t r = R_BASE + 40 * MiB;
	if (!s)
		return;
	vmm_get_commit(&base, &limit);
	vmm_set_commit_limit(base + 8 * P);
	CHECK_EQ(vmm_region_add(s, r, 6 * P, URW, REGION_ANON), 0);
	CHECK_EQ(vmm_region_add(s, r + 16 * P, 3 * P, URW, REGION_ANON), -ENOMEM);
	CHECK(!vmm_region_allows(s, r + 16 * P, P, 0));
	CHECK_EQ(vmm_region_add(s, r + 16 * P, 2 * P, URW, REGION_STACK), 0);
	vmm_get_commit(&now, &limit);
	CHECK_EQ(now, base + 8 * P);
	/* Uncharged: read-only, fixed, and NORESERVE regions, however large. */
	CHECK_EQ(vmm_region_add(s, r + 32 * P, 4 * P, UR, REGION_ANON), 0);
	CHECK_EQ(vmm_region_add(s, r + 40 * P, 4 * P, URW, REGION_FIXED), 0);
	CHECK_EQ(vmm_region_add(s, r + GiB, GiB, URW, REGION_NORESERVE), 0);
	CHECK_EQ(vmm_fault(s, 0, r + GiB + 5 * P, VMM_WRITE), 0);
	CHECK_EQ(vmm_region_protect(s, r + 32 * P, P, URW), -ENOMEM);
	CHECK(!vmm_region_allows(s, r + 32 * P, P, VMM_WRITE));
	CHECK_EQ(vmm_region_resize(s, r + 6 * P, r + 7 * P), -ENOMEM);
	CHECK(!vmm_region_allows(s, r + 6 * P, P, 0));
	/* Given back: a removal, a shrink, a protection without write. */
	CHECK_EQ(vmm_region_remove(s, r + 4 * P, 2 * P), 0);
	CHECK_EQ(vmm_region_protect(s, r + 32 * P, 2 * P, URW), 0);
	CHECK_EQ(vmm_region_protect(s, r + 32 * P, 2 * P, UR), 0);
	CHECK_EQ(vmm_region_resize(s, r + 4 * P, r + 6 * P), 0);
	CHECK_EQ(vmm_region_resize(s, r + 6 * P, r + 3 * P), 0);
	CHECK_EQ(vmm_region_protect(s, r + 32 * P, 3 * P, URW), 0);
	vmm_get_commit(&now, &limit);
	CHECK_EQ(now, base + 8 * P);
	CHECK_EQ(vmm_region_protect(s, r + 35 * P, P, URW), -ENOMEM);
	vmm_space_destroy(s);
	vmm_get_commit(&now, &limit);
	CHECK_EQ(now, base);
	vmm_set_commit_limit(UINT64_MAX);
}

/* Destroying a space returns every frame it took: tables, regions, anonymous pages. */
static void destroy_returns_everything(void)
{
	uint64_t free = free_bytes(), tables = table_bytes();
	struct vmm_space *s = space_new();
	if (!s)
		return;
	map_scatter(s);
	CHECK_EQ(vmm_region_add(s, R_BASE, 64 * P, URW, REGION_ANON), 0);
	CHECK_EQ(vmm_region_add(s, R_BASE + 3 * GiB, 4 * P, URW, REGION_ANON), 0);
	CHECK_EQ(vmm_region_add(s, R_BASE + GiB, 4 * P, UR, REGION_FIXED), 0);
	CHECK_EQ(vmm_map(s, R_BASE + GiB, P_BASE, 4 * P, UR), 0);
	for (unsigned i = 0; i < 64; i += 3)
		CHECK_EQ(vmm_fault(s, 0, R_BASE + i * P, VMM_WRITE), 0);
	CHECK_EQ(vmm_fault(s, 0, R_BASE + 3 * GiB + P, VMM_WRITE), 0);
	CHECK(free_bytes() < free);
	vmm_space_destroy(s);
	CHECK_EQ(table_bytes(), tables);
	CHECK_EQ(free_bytes(), free);
}

/* ------------------------------------------------------------ stats --- */

static void stats_count_calls(void)
{
	struct vmm_space *s = space_new();
	struct vmm_stats a, b;
	if (!s)
		return;
	const char *name = vmm_backend_name();
	CHECK(name && (strcmp(name, "sv48") == 0 || strcmp(name, "cells") == 0));
	CHECK_EQ(vmm_region_add(s, R_BASE, 4 * P, URW, REGION_ANON), 0);

	a = vstats();
	CHECK_EQ(vmm_map(s, U_BASE, P_BASE, 2 * P, URW), 0);
	b = vstats();
	CHECK_EQ(b.map.calls, a.map.calls + 1);
	CHECK(b.map.instret >= a.map.instret);
	CHECK_EQ(b.unmap.calls, a.unmap.calls);
	CHECK_EQ(b.protect.calls, a.protect.calls);
	CHECK_EQ(b.fault.calls, a.fault.calls);

	a = b;
	CHECK_EQ(vmm_protect(s, U_BASE, P, UR), 0);
	b = vstats();
	CHECK_EQ(b.protect.calls, a.protect.calls + 1);
	CHECK(b.protect.instret >= a.protect.instret);
	CHECK_EQ(b.map.calls, a.map.calls);

	a = b;
	CHECK_EQ(vmm_unmap(s, U_BASE, 2 * P), 0);
	b = vstats();
	CHECK_EQ(b.unmap.calls, a.unmap.calls + 1);
	CHECK(b.unmap.instret >= a.unmap.instret);
	CHECK_EQ(b.protect.calls, a.protect.calls);

	a = b;
	CHECK_EQ(vmm_fault(s, 0, R_BASE, VMM_WRITE), 0);
	CHECK_EQ(vmm_fault(s, 0, R_BASE, VMM_WRITE), 0);
	CHECK_EQ(vmm_fault(s, 0, R_BASE - P, VMM_WRITE), -EFAULT);
	b = vstats();
	CHECK_EQ(b.fault.calls, a.fault.calls + 3);
	CHECK(b.fault.instret >= a.fault.instret);

	/* Ten of each: ten more calls each. */
	a = b;
	for (unsigned i = 0; i < 10; i++) {
		CHECK_EQ(vmm_map(s, U_BASE + i * P, P_BASE, P, UR), 0);
		CHECK_EQ(vmm_protect(s, U_BASE + i * P, P, URX), 0);
		CHECK_EQ(vmm_unmap(s, U_BASE + i * P, P), 0);
	}
	b = vstats();
	CHECK_EQ(b.map.calls, a.map.calls + 10);
	CHECK_EQ(b.protect.calls, a.protect.calls + 10);
	CHECK_EQ(b.unmap.calls, a.unmap.calls + 10);
	vmm_space_destroy(s);
}

/* ------------------------------------------------------------- all --- */

int vmm_suite_run(void)
{
	RUN(map_then_translate);
	RUN(map_rejects_invalid);
	RUN(ranges_rejected);
	RUN(map_overlap_rejected);
	RUN(unmap_holes_and_neighbours);
	RUN(unmap_middle_of_large);
	RUN(unmap_returns_table_memory);
	RUN(protect_rules);
	RUN(traverse_order_and_clipping);
	RUN(map_out_of_memory);
	RUN(unmap_out_of_memory);
	RUN(protect_out_of_memory);
	RUN(two_spaces);
	RUN(model_check);
	RUN(region_add_rules);
	RUN(fault_demand_zero);
	RUN(region_protect_and_faults);
	RUN(region_remove_frees_frames);
	RUN(region_resize);
	RUN(fault_out_of_memory);
	RUN(region_out_of_memory);
	RUN(region_commit_limit);
	RUN(destroy_returns_everything);
	RUN(stats_count_calls);
	return check_failures;
}
