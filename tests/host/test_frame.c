/*
 * Host tests of the buddy frame allocator (kernel/frame.c).
 *
 * "Physical memory" is one big MAP_NORESERVE arena (only the pages touched
 * cost anything); direct_map_offset makes physical address ARENA_PA, or any
 * other base a case picks, land on its first byte.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "kernel/error.h"
#include "kernel/frame.h"
#include "tests/host/check.h"

#define KiB (1ull << 10)
#define MiB (1ull << 20)
#define GiB (1ull << 30)

#define ARENA_PA 0x40000000ull /* physical address of the arena's first byte */
#define ARENA_SIZE (10 * GiB)  /* so physical memory ends at 0x2c0000000 */

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static char *arena;

/* Map physical address PHYS to the arena's first byte. */
static void map_arena_at(paddr_t phys)
{
	direct_map_offset = (uintptr_t)arena - (uintptr_t)phys;
}

/* Forget what the last case wrote, so the arena costs nothing between cases. */
static void arena_wipe(void)
{
	madvise(arena, ARENA_SIZE, MADV_DONTNEED);
	map_arena_at(ARENA_PA);
}

static uint64_t bsize(unsigned order)
{
	return PAGE_SIZE << order;
}

static struct frame_stats get_stats(void)
{
	struct frame_stats s;
	frame_get_stats(&s);
	return s;
}

/* QEMU virt with 512 MiB: OpenSBI, a kernel image with an unaligned end, the FDT. */
static const struct mem_range qemu_ram[] = { { 0x80000000, 512 * MiB } };
static const struct mem_range qemu_res[] = {
	{ 0x80000000, 0x40000 },   /* OpenSBI */
	{ 0x80200000, 0x2a3456 },  /* kernel image, rounded up to 0x804a4000 */
	{ 0x9fe00123, 0x1a2b },	   /* FDT, rounded out to [0x9fe00000, 0x9fe02000) */
};
#define QEMU_RESERVED_BYTES (0x40000 + 0x2a4000 + 0x2000)

/* ---- a model of who owns which page: one bit per arena page ---- */

static uint64_t *owned;

static void owned_reset(void)
{
	size_t words = ARENA_SIZE / PAGE_SIZE / 64;
	if (!owned)
		owned = malloc(words * 8);
	memset(owned, 0, words * 8);
}

/* Mark the pages of a block as owned (or not); false when one already was (or was not). */
static int owned_set(paddr_t pa, unsigned order, int own)
{
	if (pa < ARENA_PA || pa + bsize(order) > ARENA_PA + ARENA_SIZE)
		return 0;
	uint64_t first = (pa - ARENA_PA) / PAGE_SIZE, n = 1ull << order;
	if (n >= 64) { /* natural alignment makes the range whole words */
		for (uint64_t w = first / 64; w < (first + n) / 64; w++) {
			if (owned[w] != (own ? 0 : ~0ull))
				return 0;
			owned[w] = own ? ~0ull : 0;
		}
		return 1;
	}
	for (uint64_t i = first; i < first + n; i++) {
		uint64_t bit = 1ull << (i % 64);
		if (!!(owned[i / 64] & bit) == !!own)
			return 0;
		owned[i / 64] ^= bit;
	}
	return 1;
}

/* True when the block lies inside one of the RAM ranges' interiors and
 * touches no reserved range's pages. */
static int block_allowed(paddr_t pa, unsigned order, const struct mem_range *ram, unsigned nram,
			 const struct mem_range *res, unsigned nres)
{
	paddr_t end = pa + bsize(order);
	int inside = 0;
	for (unsigned i = 0; i < nram; i++)
		if (pa >= ALIGN_UP(ram[i].base, PAGE_SIZE) &&
		    end <= ALIGN_DOWN(ram[i].base + ram[i].size, PAGE_SIZE))
			inside = 1;
	for (unsigned i = 0; i < nres; i++) {
		if (res[i].size == 0)
			continue;
		paddr_t s = ALIGN_DOWN(res[i].base, PAGE_SIZE);
		paddr_t e = ALIGN_UP(res[i].base + res[i].size, PAGE_SIZE);
		if (pa < e && end > s)
			return 0;
	}
	return inside;
}

/* Allocate blocks of ORDER until none is left; returns how many, addresses in *out. */
static size_t alloc_all(unsigned order, paddr_t **out)
{
	size_t n = 0, cap = 1024;
	paddr_t *v = malloc(cap * sizeof(*v)), pa;
	while (frame_alloc(order, &pa) == 0) {
		if (n == cap)
			v = realloc(v, (cap *= 2) * sizeof(*v));
		v[n++] = pa;
	}
	*out = v;
	return n;
}

/* Free what alloc_all returned; true when every free succeeded. */
static int free_all(paddr_t *v, size_t n, unsigned order)
{
	int ok = 1;
	for (size_t i = 0; i < n; i++)
		ok &= frame_free(v[i], order) == 0;
	free(v);
	return ok;
}

/* ------------------------------------------------------------- cases --- */

static void init_rejects_bad_arguments(void)
{
	arena_wipe();
	struct mem_range wrap = { 0xfffffffffffff000ull, 0x2000 };
	struct mem_range far[] = { { 0x80000000, 4 * MiB }, { 0x80000000 + (2ull << 40), 4 * MiB } };
	struct mem_range res_wrap = { 0xffffffffffffffffull, 2 };
	paddr_t pa;

	CHECK_EQ(frame_init(NULL, 0, NULL, 0), -EINVAL);
	CHECK_EQ(frame_init(qemu_ram, 0, NULL, 0), -EINVAL);
	CHECK_EQ(frame_init(NULL, 1, NULL, 0), -EINVAL);
	CHECK_EQ(frame_init(qemu_ram, 1, NULL, 1), -EINVAL);
	CHECK_EQ(frame_init(&wrap, 1, NULL, 0), -EINVAL);
	CHECK_EQ(frame_init(qemu_ram, 1, &res_wrap, 1), -EINVAL);
	CHECK_EQ(frame_init(far, 2, NULL, 0), -EINVAL); /* span of 2 TiB */
	/* after a failure the allocator is empty, not left half set up */
	CHECK_EQ(frame_alloc(0, &pa), -ENOMEM);
	CHECK_EQ(get_stats().managed_bytes, 0);
	CHECK_EQ(frame_free(0x80000000, 0), -EINVAL);
	CHECK_EQ(frame_block_order(0x80000000), -EINVAL);
	CHECK_EQ(frame_check(), 0);
}

static void init_without_room_for_metadata(void)
{
	arena_wipe();
	/* all reserved */
	CHECK_EQ(frame_init(qemu_ram, 1, qemu_ram, 1), -ENOMEM);
	/* smaller than a page once aligned */
	struct mem_range tiny = { 0x80000800, 0x1000 };
	CHECK_EQ(frame_init(&tiny, 1, NULL, 0), -ENOMEM);
	/* two lone pages 1 GiB apart: 256 KiB of metadata fits in neither */
	struct mem_range lone[] = { { 0x80000000, 4 * KiB }, { 0xc0000000, 4 * KiB } };
	CHECK_EQ(frame_init(lone, 2, NULL, 0), -ENOMEM);
	paddr_t pa;
	CHECK_EQ(frame_alloc(0, &pa), -ENOMEM);
	CHECK_EQ(frame_check(), 0);
	/* but with one of them big enough it works */
	struct mem_range ok[] = { { 0x80000000, 4 * KiB }, { 0xc0000000, 264 * KiB } };
	CHECK_EQ(frame_init(ok, 2, NULL, 0), 0);
	CHECK_EQ(get_stats().metadata_bytes, 260 * KiB); /* 1 GiB + 264 KiB of span */
	CHECK_EQ(get_stats().managed_bytes, 8 * KiB);
	CHECK_EQ(frame_check(), 0);
}

static void qemu_layout_accounting(void)
{
	arena_wipe();
	CHECK_EQ(frame_init(qemu_ram, 1, qemu_res, NELEM(qemu_res)), 0);
	struct frame_stats s = get_stats();
	/* the span runs from 0x80040000 to the end of RAM */
	CHECK_EQ(s.metadata_bytes, ALIGN_UP((512 * MiB - 0x40000) / PAGE_SIZE, PAGE_SIZE));
	CHECK_EQ(s.managed_bytes + s.metadata_bytes + QEMU_RESERVED_BYTES, 512 * MiB);
	CHECK_EQ(s.free_bytes, s.managed_bytes);
	CHECK_EQ(s.allocs + s.frees + s.failures + s.bad_frees, 0);
	/* the largest blocks: 128 MiB at 0x88000000 and 0x90000000; OpenSBI
	 * breaks 0x80000000 and the FDT 0x90000000's 256 MiB */
	CHECK_EQ(s.free_blocks[FRAME_ORDER_1G], 0);
	CHECK_EQ(s.free_blocks[17], 0);
	CHECK_EQ(s.free_blocks[16], 0);
	CHECK_EQ(s.free_blocks[15], 2);
	/* maximal blocks only: at most two per order and piece (3 pieces) */
	for (unsigned o = 0; o <= FRAME_MAX_ORDER; o++)
		CHECK(s.free_blocks[o] <= 6);
	CHECK_EQ(frame_check(), 0);
}

static void qemu_layout_alloc_everything(void)
{
	arena_wipe();
	owned_reset();
	CHECK_EQ(frame_init(qemu_ram, 1, qemu_res, NELEM(qemu_res)), 0);
	struct frame_stats before = get_stats();
	paddr_t *v;
	size_t n = alloc_all(FRAME_ORDER_4K, &v);

	CHECK_EQ(n * PAGE_SIZE, before.managed_bytes);
	CHECK_EQ(get_stats().free_bytes, 0);
	CHECK_EQ(get_stats().failures, 1);
	int disjoint = 1, allowed = 1;
	for (size_t i = 0; i < n; i++) {
		disjoint &= owned_set(v[i], 0, 1);
		allowed &= block_allowed(v[i], 0, qemu_ram, 1, qemu_res, NELEM(qemu_res));
		/* scribble over the page: the metadata must not be in any of them */
		uint64_t *p = phys_to_virt(v[i]);
		p[0] = p[1] = p[511] = v[i];
	}
	CHECK(disjoint);
	CHECK(allowed);
	CHECK_EQ(frame_check(), 0);
	paddr_t pa;
	for (unsigned o = 0; o <= FRAME_MAX_ORDER; o++)
		CHECK_EQ(frame_alloc(o, &pa), -ENOMEM);
	int intact = 1;
	for (size_t i = 0; i < n; i++) {
		uint64_t *p = phys_to_virt(v[i]);
		intact &= p[0] == v[i] && p[1] == v[i] && p[511] == v[i];
	}
	CHECK(intact);

	/* free in a scrambled order: everything must coalesce back */
	for (size_t i = n; i > 1; i--) {
		size_t j = (i * 2654435761u) % i;
		paddr_t t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
	CHECK(free_all(v, n, FRAME_ORDER_4K));
	struct frame_stats after = get_stats();
	CHECK_EQ(after.free_bytes, before.free_bytes);
	CHECK(memcmp(after.free_blocks, before.free_blocks, sizeof(after.free_blocks)) == 0);
	CHECK_EQ(frame_check(), 0);
	CHECK_EQ(frame_alloc(15, &pa), 0);
	CHECK(pa == 0x88000000 || pa == 0x90000000);
}

/* Allocate up to 8 blocks of every order; each must be naturally aligned and allowed. */
static void check_every_order(const struct mem_range *ram, unsigned nram, const struct mem_range *res,
			      unsigned nres)
{
	owned_reset();
	for (unsigned o = 0; o <= FRAME_MAX_ORDER; o++) {
		paddr_t v[8];
		unsigned n = 0;
		while (n < 8 && frame_alloc(o, &v[n]) == 0) {
			CHECK(IS_ALIGNED(v[n], bsize(o)));
			CHECK(block_allowed(v[n], o, ram, nram, res, nres));
			CHECK(owned_set(v[n], o, 1));
			CHECK_EQ(frame_block_order(v[n]), (int)o);
			n++;
		}
		CHECK(n > 0);
		for (unsigned i = 0; i < n; i++) {
			CHECK(owned_set(v[i], o, 0));
			CHECK_EQ(frame_free(v[i], o), 0);
		}
	}
	CHECK_EQ(frame_check(), 0);
	CHECK_EQ(get_stats().free_bytes, get_stats().managed_bytes);
}

static void natural_alignment_every_order(void)
{
	arena_wipe();
	struct mem_range ram = { 0x80000000, 4 * GiB };
	CHECK_EQ(frame_init(&ram, 1, qemu_res, NELEM(qemu_res)), 0);
	/* 1 GiB blocks at 0xc0000000, 0x100000000 and 0x140000000 */
	CHECK_EQ(get_stats().free_blocks[FRAME_ORDER_1G], 3);
	check_every_order(&ram, 1, qemu_res, NELEM(qemu_res));
}

static void misaligned_ram_base(void)
{
	/* RAM and the direct map both start at 0x80200000: only 2 MiB aligned */
	arena_wipe();
	map_arena_at(0x80200000);
	struct mem_range ram = { 0x80200000, 4 * GiB + 5 * MiB + 12 * KiB };
	struct mem_range res[] = { { 0x80200000, 0x123456 }, { 0xbfff0000, 0x20000 } };
	CHECK_EQ(frame_init(&ram, 1, res, NELEM(res)), 0);
	struct frame_stats s = get_stats();
	CHECK_EQ(s.managed_bytes + s.metadata_bytes + 0x124000 + 0x20000, ram.size);
	/* only 0x100000000 and 0x140000000 are whole: 0xc0000000 has the reserved bit */
	CHECK_EQ(s.free_blocks[FRAME_ORDER_1G], 2);
	check_every_order(&ram, 1, res, NELEM(res));
	CHECK_EQ(frame_check(), 0);
	map_arena_at(ARENA_PA);
}

static void gigabyte_blocks_only_when_possible(void)
{
	paddr_t pa;

	arena_wipe();
	CHECK_EQ(frame_init(qemu_ram, 1, qemu_res, NELEM(qemu_res)), 0);
	CHECK_EQ(frame_alloc(FRAME_ORDER_1G, &pa), -ENOMEM);
	CHECK_EQ(frame_alloc(FRAME_ORDER_2M, &pa), 0);

	/* exactly 1 GiB, aligned: the metadata has to come out of it */
	struct mem_range one = { 0x80000000, GiB };
	CHECK_EQ(frame_init(&one, 1, NULL, 0), 0);
	CHECK_EQ(frame_alloc(FRAME_ORDER_1G, &pa), -ENOMEM);
	CHECK_EQ(frame_alloc(17, &pa), 0);

	/* 1 GiB and a bit: the metadata goes into the bit */
	struct mem_range more = { 0x40000000, GiB + MiB };
	CHECK_EQ(frame_init(&more, 1, NULL, 0), 0);
	CHECK_EQ(frame_alloc(FRAME_ORDER_1G, &pa), 0);
	CHECK_EQ(pa, 0x40000000);
	CHECK_EQ(frame_alloc(FRAME_ORDER_1G, &pa), -ENOMEM);
	CHECK_EQ(frame_free(0x40000000, FRAME_ORDER_1G), 0);

	/* 1 GiB and a bit, but not 1 GiB aligned */
	struct mem_range off = { 0x80200000, GiB + 4 * MiB };
	CHECK_EQ(frame_init(&off, 1, NULL, 0), 0);
	CHECK_EQ(frame_alloc(FRAME_ORDER_1G, &pa), -ENOMEM);

	/* QEMU with 2 GiB: the one at 0xc0000000 */
	struct mem_range two = { 0x80000000, 2 * GiB };
	CHECK_EQ(frame_init(&two, 1, qemu_res, NELEM(qemu_res)), 0);
	CHECK_EQ(frame_alloc(FRAME_ORDER_1G, &pa), 0);
	CHECK_EQ(pa, 0xc0000000);
	CHECK_EQ(frame_alloc(FRAME_ORDER_1G, &pa), -ENOMEM);
	CHECK_EQ(frame_check(), 0);
}

static void reserved_ranges_edge_cases(void)
{
	arena_wipe();
	struct mem_range ram[] = { { 0x80000000, 64 * MiB }, { 0x90000000, 16 * MiB } };
	struct mem_range res[] = {
		{ 0x7ff00000, 0x100800 },   /* starts before RAM: [0x80000000, 0x80001000) */
		{ 0x83fff001, 0x2000 },	    /* runs past the end of RAM 0 */
		{ 0x88000000, 0x1000000 },  /* outside all RAM */
		{ 0x81000000, 0 },	    /* empty */
		{ 0x82000fff, 2 },	    /* straddles a page boundary: two pages */
		{ 0x90000000, 16 * MiB },   /* all of RAM 1 */
		{ 0x82000000, 0x1000 },	    /* overlaps another reserved range */
	};
	CHECK_EQ(frame_init(ram, NELEM(ram), res, NELEM(res)), 0);
	struct frame_stats s = get_stats();
	/* lost: 1 page at the start, 1 at the end, 2 in the middle, all of RAM 1 */
	CHECK_EQ(s.managed_bytes + s.metadata_bytes, 64 * MiB - 4 * PAGE_SIZE);
	/* the span ends where RAM 0's managed part ends */
	CHECK_EQ(s.metadata_bytes, PAGE_SIZE * 4);
	owned_reset();
	paddr_t *v;
	size_t n = alloc_all(0, &v);
	int allowed = 1;
	for (size_t i = 0; i < n; i++)
		allowed &= block_allowed(v[i], 0, ram, NELEM(ram), res, NELEM(res));
	CHECK(allowed);
	CHECK_EQ(n * PAGE_SIZE, s.managed_bytes);
	CHECK(free_all(v, n, 0));
	CHECK_EQ(frame_check(), 0);
}

static void partial_and_unaligned_ram(void)
{
	arena_wipe();
	struct mem_range ram[] = {
		{ 0x80000123, 0x100000 },      /* interior [0x80001000, 0x80100000) */
		{ 0x80400000, 0x800 },	       /* no whole page */
		{ 0x80500000, 0x200000 },      /* 2 MiB, 1 MiB aligned */
		{ 0x80600000, 0x200000 },      /* overlaps the one before by 1 MiB */
		{ 0x80500000, 0x100000 },      /* a duplicate */
		{ 0x80800000, 0x200000 },      /* adjacent to [0x80500000, 0x80800000) */
	};
	CHECK_EQ(frame_init(ram, NELEM(ram), NULL, 0), 0);
	struct frame_stats s = get_stats();
	CHECK_EQ(s.managed_bytes + s.metadata_bytes, 0xff000 + 0x500000);
	CHECK_EQ(s.metadata_bytes, PAGE_SIZE); /* 0xa00 frames of span */
	CHECK_EQ(frame_check(), 0);
	/* pieces of different ranges coalesce: [0x80600000, 0x80800000) is one
	 * 2 MiB block made of two ranges, [0x80800000, 0x80a00000) another */
	CHECK_EQ(s.free_blocks[FRAME_ORDER_2M], 2);
	paddr_t pa, pb;
	CHECK_EQ(frame_alloc(FRAME_ORDER_2M, &pa), 0);
	CHECK_EQ(frame_alloc(FRAME_ORDER_2M, &pb), 0);
	CHECK_EQ(pa + pb, 0x80600000ull + 0x80800000ull);
	CHECK_EQ(frame_alloc(FRAME_ORDER_2M, &pb), -ENOMEM);
	owned_reset();
	paddr_t *v;
	size_t n = alloc_all(0, &v);
	int ok = 1;
	for (size_t i = 0; i < n; i++)
		ok &= owned_set(v[i], 0, 1) && block_allowed(v[i], 0, ram, NELEM(ram), NULL, 0);
	CHECK(ok);
	CHECK_EQ(n * PAGE_SIZE + 4 * MiB, s.managed_bytes);
	CHECK(free_all(v, n, 0));
	CHECK_EQ(frame_free(0x80600000, FRAME_ORDER_2M), 0);
	CHECK_EQ(frame_free(0x80800000, FRAME_ORDER_2M), 0);
	CHECK_EQ(get_stats().free_bytes, s.managed_bytes);
	CHECK_EQ(frame_check(), 0);
}

static void exhaustion_and_recovery(void)
{
	arena_wipe();
	struct mem_range ram = { 0x80000000, 1 * MiB + 4 * KiB };
	CHECK_EQ(frame_init(&ram, 1, NULL, 0), 0);
	CHECK_EQ(get_stats().managed_bytes, 1 * MiB);
	paddr_t *v, pa;
	size_t n = alloc_all(2, &v);
	CHECK_EQ(n, 64);
	CHECK_EQ(frame_alloc(0, &pa), -ENOMEM);
	CHECK_EQ(get_stats().failures, 2);
	/* one freed block serves an order-0 request, then is used up */
	CHECK_EQ(frame_free(v[10], 2), 0);
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(frame_alloc(0, &pa), 0);
		CHECK(pa >= v[10] && pa < v[10] + bsize(2));
	}
	CHECK_EQ(frame_alloc(0, &pa), -ENOMEM);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(frame_free(v[10] + i * PAGE_SIZE, 0), 0);
	v[10] = v[--n];
	CHECK(free_all(v, n, 2));
	CHECK_EQ(frame_alloc(8, &pa), 0); /* 1 MiB: all of it again */
	CHECK_EQ(frame_alloc(0, &pa), -ENOMEM);
	CHECK_EQ(frame_check(), 0);
}

/* Snapshot that a refused free must leave as it was. */
static int same_state(const struct frame_stats *a, const struct frame_stats *b)
{
	return a->free_bytes == b->free_bytes && a->allocs == b->allocs && a->frees == b->frees &&
	       memcmp(a->free_blocks, b->free_blocks, sizeof(a->free_blocks)) == 0;
}

static void bad_frees_change_nothing(void)
{
	arena_wipe();
	CHECK_EQ(frame_init(qemu_ram, 1, qemu_res, NELEM(qemu_res)), 0);
	paddr_t a, b, c;
	CHECK_EQ(frame_alloc(3, &a), 0);
	CHECK_EQ(frame_alloc(0, &b), 0);
	CHECK_EQ(frame_alloc(0, &c), 0);
	CHECK_EQ(frame_free(c, 0), 0);
	struct frame_stats s0 = get_stats();
	const struct {
		paddr_t pa;
		unsigned order;
	} bad[] = {
		{ c, 0 },		       /* double free */
		{ a, 2 },		       /* wrong order */
		{ a, 4 },
		{ a, 99 },		       /* no such order */
		{ a + 0x800, 3 },	       /* misaligned */
		{ a + PAGE_SIZE, 0 },	       /* inside the block */
		{ a + 4 * PAGE_SIZE, 2 },
		{ 0, 0 },		       /* outside managed RAM */
		{ 0x80000000, 0 },	       /* OpenSBI */
		{ 0x80200000, 0 },	       /* the kernel */
		{ 0x9fe00000, 0 },	       /* the FDT */
		{ 0xa0000000, 0 },	       /* just past RAM */
		{ 0xfffffffffffff000ull, 0 },
		{ 0x90000000, 16 },	       /* a free block's head */
	};
	for (unsigned i = 0; i < NELEM(bad); i++) {
		CHECK_EQ(frame_free(bad[i].pa, bad[i].order), -EINVAL);
		struct frame_stats s = get_stats();
		CHECK(same_state(&s, &s0));
		CHECK_EQ(s.bad_frees, s0.bad_frees + i + 1);
		if (bad[i].pa != a)
			CHECK_EQ(frame_block_order(bad[i].pa), -EINVAL);
	}
	CHECK_EQ(frame_check(), 0);
	CHECK_EQ(frame_block_order(a), 3);
	CHECK_EQ(frame_free(a, 3), 0);
	CHECK_EQ(frame_free(b, 0), 0);
	CHECK_EQ(frame_free(b, 0), -EINVAL);
	CHECK_EQ(frame_check(), 0);
	CHECK_EQ(get_stats().free_bytes, get_stats().managed_bytes);
}

static void block_order_and_tags(void)
{
	arena_wipe();
	CHECK_EQ(frame_init(qemu_ram, 1, qemu_res, NELEM(qemu_res)), 0);
	paddr_t pa[FRAME_TAG_MAX + 1], x;
	for (unsigned t = 0; t <= FRAME_TAG_MAX; t++) {
		CHECK_EQ(frame_alloc_tagged(t, t, &pa[t]), 0);
		CHECK_EQ(frame_block_order(pa[t]), (int)t);
		CHECK_EQ(frame_block_tag(pa[t]), (int)t);
	}
	CHECK_EQ(frame_alloc_tagged(0, FRAME_TAG_MAX + 1, &x), -EINVAL);
	CHECK_EQ(frame_alloc(FRAME_MAX_ORDER + 1, &x), -EINVAL);
	CHECK_EQ(frame_alloc(~0u, &x), -EINVAL);
	CHECK_EQ(frame_block_tag(pa[3] + PAGE_SIZE), -EINVAL);
	CHECK_EQ(frame_block_tag(0x90000000), -EINVAL); /* free */
	for (unsigned t = 0; t <= FRAME_TAG_MAX; t++) {
		CHECK_EQ(frame_free(pa[t], t), 0);
		CHECK_EQ(frame_block_tag(pa[t]), -EINVAL);
		CHECK_EQ(frame_block_order(pa[t]), -EINVAL);
	}
	CHECK_EQ(frame_check(), 0);
}

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

struct live {
	paddr_t pa;
	unsigned order;
};

/* A long random alloc/free sequence checked against the page-owner model. */
static void random_sequence_against_model(void)
{
	arena_wipe();
	owned_reset();
	rng_state = 0x9e3779b97f4a7c15ull;
	/* ends at 0x100005000, so 0xc0000000 is the one whole 1 GiB block */
	struct mem_range ram[] = { { 0x80200000, GiB + 1022 * MiB + 20 * KiB },
				   { 0x108000000, 70 * MiB } };
	struct mem_range res[] = { { 0x80200000, 0x1f0000 }, { 0x8a000000, 0x5000 }, { 0xbfe00000, 0x3000 } };
	CHECK_EQ(frame_init(ram, NELEM(ram), res, NELEM(res)), 0);
	struct frame_stats start = get_stats();
	enum { MAXLIVE = 4096, STEPS = 300000 };
	struct live *live = malloc(MAXLIVE * sizeof(*live));
	size_t nlive = 0;
	uint64_t allocs = 0, frees = 0, enomem = 0, live_bytes = 0;
	int model_ok = 1, content_ok = 1, allowed = 1, aligned = 1;

	for (int step = 0; step < STEPS; step++) {
		uint64_t r = rng();
		/* lean towards allocating until half full, then towards freeing */
		int do_alloc = nlive < MAXLIVE && (nlive == 0 || (r & 255) < (nlive < MAXLIVE / 2 ? 160 : 96));
		if (do_alloc) {
			/* mostly small orders, now and then a huge one */
			unsigned order = (r >> 8) % 100 < 97 ? (r >> 16) % 6 : (r >> 16) % (FRAME_MAX_ORDER + 1);
			paddr_t pa;
			int rc = frame_alloc(order, &pa);
			if (rc == -ENOMEM) {
				enomem++;
				continue;
			}
			model_ok &= rc == 0;
			aligned &= IS_ALIGNED(pa, bsize(order));
			allowed &= block_allowed(pa, order, ram, NELEM(ram), res, NELEM(res));
			model_ok &= owned_set(pa, order, 1);
			uint64_t *p = phys_to_virt(pa), *q = phys_to_virt(pa + bsize(order) - 16);
			p[0] = p[1] = q[0] = q[1] = pa ^ order;
			live[nlive++] = (struct live){ pa, order };
			live_bytes += bsize(order);
			allocs++;
		} else {
			size_t i = (r >> 8) % nlive;
			struct live b = live[i];
			uint64_t *p = phys_to_virt(b.pa), *q = phys_to_virt(b.pa + bsize(b.order) - 16);
			content_ok &= p[0] == (b.pa ^ b.order) && p[1] == p[0] && q[0] == p[0] && q[1] == p[0];
			model_ok &= frame_free(b.pa, b.order) == 0;
			model_ok &= owned_set(b.pa, b.order, 0);
			live[i] = live[--nlive];
			live_bytes -= bsize(b.order);
			frees++;
		}
		if (step % 20000 == 0) {
			CHECK_EQ(frame_check(), 0);
			CHECK_EQ(get_stats().free_bytes, start.free_bytes - live_bytes);
		}
	}
	CHECK(model_ok);
	CHECK(content_ok);
	CHECK(allowed);
	CHECK(aligned);
	CHECK(enomem > 0); /* the huge orders ran out now and then */
	struct frame_stats mid = get_stats();
	CHECK_EQ(mid.allocs, allocs);
	CHECK_EQ(mid.frees, frees);
	CHECK_EQ(mid.failures, enomem);
	CHECK_EQ(frame_check(), 0);
	while (nlive) {
		nlive--;
		CHECK_EQ(frame_free(live[nlive].pa, live[nlive].order), 0);
	}
	free(live);
	struct frame_stats end = get_stats();
	CHECK_EQ(end.free_bytes, start.free_bytes);
	CHECK(memcmp(end.free_blocks, start.free_blocks, sizeof(end.free_blocks)) == 0);
	CHECK_EQ(frame_check(), 0);
	/* the largest blocks are whole again */
	CHECK_EQ(start.free_blocks[FRAME_ORDER_1G], 1);
	paddr_t pa;
	CHECK_EQ(frame_alloc(FRAME_ORDER_1G, &pa), 0);
	CHECK_EQ(pa, 0xc0000000);
	CHECK_EQ(frame_free(pa, FRAME_ORDER_1G), 0);
}

static void reinit_starts_over(void)
{
	arena_wipe();
	paddr_t pa;
	CHECK_EQ(frame_init(qemu_ram, 1, qemu_res, NELEM(qemu_res)), 0);
	struct frame_stats first = get_stats();
	for (int i = 0; i < 100; i++)
		CHECK_EQ(frame_alloc(i % 7, &pa), 0);
	CHECK_EQ(frame_free(pa, 0), -EINVAL); /* order 1: bad_frees 1 */
	CHECK_EQ(frame_init(qemu_ram, 1, qemu_res, NELEM(qemu_res)), 0);
	struct frame_stats again = get_stats();
	CHECK(memcmp(&first, &again, sizeof(first)) == 0);
	CHECK_EQ(frame_block_order(pa), -EINVAL);
	CHECK_EQ(frame_check(), 0);
	/* a failed init in between leaves nothing behind either */
	CHECK_EQ(frame_init(NULL, 0, NULL, 0), -EINVAL);
	CHECK_EQ(frame_alloc(0, &pa), -ENOMEM);
	CHECK_EQ(frame_init(qemu_ram, 1, qemu_res, NELEM(qemu_res)), 0);
	CHECK_EQ(frame_alloc(0, &pa), 0);
}

static void eight_gib_boot(void)
{
	arena_wipe();
	struct mem_range ram = { 0x80000000, 8 * GiB };
	struct mem_range res[] = { { 0x80000000, 0x40000 }, { 0x80200000, 0x2a3456 },
				   { 0x27fe00000, 0x2000 } };
	clock_t t0 = clock();
	CHECK_EQ(frame_init(&ram, 1, res, NELEM(res)), 0);
	double ms = (clock() - t0) * 1000.0 / CLOCKS_PER_SEC;
	struct frame_stats s = get_stats();
	CHECK_EQ(s.metadata_bytes, 2 * MiB);
	CHECK_EQ(s.managed_bytes + s.metadata_bytes + 0x40000 + 0x2a4000 + 0x2000, 8 * GiB);
	/* 0xc0000000 .. 0x240000000; the last one holds the FDT */
	CHECK_EQ(s.free_blocks[FRAME_ORDER_1G], 6);
	CHECK(ms < 100);
	paddr_t pa;
	for (int i = 0; i < 6; i++) {
		CHECK_EQ(frame_alloc(FRAME_ORDER_1G, &pa), 0);
		CHECK(IS_ALIGNED(pa, GiB) && pa >= 0xc0000000 && pa < 0x240000000);
	}
	CHECK_EQ(frame_alloc(FRAME_ORDER_1G, &pa), -ENOMEM);
	CHECK_EQ(frame_check(), 0);
}

static void stats_counters(void)
{
	arena_wipe();
	struct mem_range ram = { 0x80000000, 16 * MiB };
	CHECK_EQ(frame_init(&ram, 1, NULL, 0), 0);
	paddr_t a, b, x;
	CHECK_EQ(frame_alloc(0, &a), 0);
	CHECK_EQ(frame_alloc(FRAME_ORDER_2M, &b), 0);
	CHECK_EQ(frame_alloc(FRAME_ORDER_1G, &x), -ENOMEM);
	CHECK_EQ(frame_free(a, 1), -EINVAL);
	CHECK_EQ(frame_free(a, 0), 0);
	struct frame_stats s = get_stats();
	CHECK_EQ(s.metadata_bytes, PAGE_SIZE);
	CHECK_EQ(s.managed_bytes, 16 * MiB - PAGE_SIZE);
	CHECK_EQ(s.free_bytes, s.managed_bytes - 2 * MiB);
	CHECK_EQ(s.allocs, 2);
	CHECK_EQ(s.frees, 1);
	CHECK_EQ(s.failures, 1);
	CHECK_EQ(s.bad_frees, 1);
	CHECK_EQ(frame_free(b, FRAME_ORDER_2M), 0);
	CHECK_EQ(frame_check(), 0);
}

/* A 2 MiB block split into pages: each page frees on its own and they coalesce back. */
static void split_huge_block(void)
{
	arena_wipe();
	struct mem_range ram = { 0x80000000, 16 * MiB };
	CHECK_EQ(frame_init(&ram, 1, NULL, 0), 0);
	uint64_t free0 = get_stats().free_bytes;
	paddr_t big, small;
	CHECK_EQ(frame_alloc_tagged(FRAME_ORDER_2M, 3, &big), 0);
	CHECK_EQ(frame_split(big, FRAME_ORDER_2M, FRAME_ORDER_2M + 1), -EINVAL);
	CHECK_EQ(frame_split(big + PAGE_SIZE, FRAME_ORDER_2M, 0), -EINVAL);
	CHECK_EQ(frame_split(big, 1, 0), -EINVAL);
	CHECK_EQ(frame_alloc(0, &small), 0);
	CHECK_EQ(frame_free(small, 0), 0);
	CHECK_EQ(frame_split(small, 0, 0), -EINVAL); /* freed: not a block any more */
	CHECK_EQ(frame_split(big, FRAME_ORDER_2M, 0), 0);
	CHECK_EQ(frame_block_order(big + 5 * PAGE_SIZE), 0);
	CHECK_EQ(frame_block_tag(big + 5 * PAGE_SIZE), 3);
	CHECK_EQ(frame_free(big, FRAME_ORDER_2M), -EINVAL);
	CHECK_EQ(get_stats().free_bytes, free0 - 2 * MiB);
	for (unsigned i = 0; i < 512; i++)
		CHECK_EQ(frame_free(big + i * PAGE_SIZE, 0), 0);
	CHECK_EQ(get_stats().free_bytes, free0);
	CHECK_EQ(get_stats().allocs, get_stats().frees);
	CHECK_EQ(frame_alloc(FRAME_ORDER_2M, &small), 0);
	CHECK_EQ(frame_check(), 0);
}

/*
 * frame_alloc_at: a free page taken exactly, from inside a larger free
 * block (split so that the rest stays free, in the right blocks), a busy
 * or unmanaged page refused with nothing changed, bad arguments refused,
 * and freeing it all merges back into the blocks there were.
 */
static void alloc_at_chosen_frame(void)
{
	arena_wipe();
	struct mem_range ram = { 0x80000000, 16 * MiB };
	CHECK_EQ(frame_init(&ram, 1, NULL, 0), 0);
	struct frame_stats s0 = get_stats();
	paddr_t block;
	/* A whole free 2 MiB block, to carve from. */
	CHECK_EQ(frame_alloc(FRAME_ORDER_2M, &block), 0);
	CHECK_EQ(frame_free(block, FRAME_ORDER_2M), 0);
	struct frame_stats s1 = get_stats();
	/* Page 5 of it: the block splits into free blocks of orders 8..0 around it. */
	paddr_t p5 = block + 5 * PAGE_SIZE;
	CHECK_EQ(frame_alloc_at(p5, 0), 0);
	CHECK_EQ(frame_block_order(p5), 0);
	CHECK_EQ(frame_check(), 0);
	struct frame_stats s2 = get_stats();
	CHECK_EQ(s2.free_bytes, s1.free_bytes - PAGE_SIZE);
	CHECK_EQ(s2.allocs, s1.allocs + 1);
	/* The 511 other pages are free: page 4 (order 0), 6-7 (order 1), 0-3 (order 2), 8-15 (order 3)... */
	CHECK_EQ(s2.free_blocks[0], s1.free_blocks[0] + 1);
	for (unsigned o = 1; o < FRAME_ORDER_2M; o++)
		CHECK_EQ(s2.free_blocks[o], s1.free_blocks[o] + 1);
	/* Each of them can be taken exactly, and none twice. */
	CHECK_EQ(frame_alloc_at(p5, 0), -EBUSY);
	CHECK_EQ(frame_alloc_at(block + 4 * PAGE_SIZE, 0), 0);
	CHECK_EQ(frame_alloc_at(block + 6 * PAGE_SIZE, 1), 0);
	CHECK_EQ(frame_alloc_at(block + 6 * PAGE_SIZE, 0), -EBUSY);
	CHECK_EQ(frame_alloc_at(block + 7 * PAGE_SIZE, 0), -EBUSY); /* inside an allocated block */
	CHECK_EQ(frame_alloc_at(block + 4 * PAGE_SIZE, 2), -EBUSY); /* partly allocated */
	CHECK_EQ(frame_alloc_at(block + 256 * PAGE_SIZE, 8), 0);
	CHECK_EQ(frame_check(), 0);
	/* Bad arguments change nothing. */
	struct frame_stats s3 = get_stats();
	CHECK_EQ(frame_alloc_at(block + 1, 0), -EINVAL);
	CHECK_EQ(frame_alloc_at(block + PAGE_SIZE, 1), -EINVAL); /* not aligned to its size */
	CHECK_EQ(frame_alloc_at(block, FRAME_MAX_ORDER + 1), -EINVAL);
	CHECK_EQ(frame_alloc_at(0x80000000 + 16 * MiB, 0), -EINVAL); /* past managed RAM */
	CHECK_EQ(frame_alloc_at(0x10000000, 0), -EINVAL);
	CHECK_EQ(frame_alloc_at(0x80000000 + 8 * MiB, 12), -EINVAL); /* not aligned to 16 MiB */
	CHECK_EQ(frame_alloc_at(0x80000000, 13), -EINVAL);	      /* runs past the end */
	struct frame_stats s4 = get_stats();
	CHECK_EQ(s4.free_bytes, s3.free_bytes);
	CHECK_EQ(s4.allocs, s3.allocs);
	/* Freed again in another order, everything merges back. */
	CHECK_EQ(frame_free(block + 256 * PAGE_SIZE, 8), 0);
	CHECK_EQ(frame_free(p5, 0), 0);
	CHECK_EQ(frame_free(block + 6 * PAGE_SIZE, 1), 0);
	CHECK_EQ(frame_check(), 0);
	CHECK_EQ(frame_block_order(block), -EINVAL);
	CHECK_EQ(frame_free(block + 4 * PAGE_SIZE, 0), 0);
	CHECK_EQ(frame_check(), 0);
	struct frame_stats s5 = get_stats();
	CHECK_EQ(s5.free_bytes, s0.free_bytes);
	for (unsigned o = 0; o <= FRAME_MAX_ORDER; o++)
		CHECK_EQ(s5.free_blocks[o], s0.free_blocks[o]);
	/* The 2 MiB block is whole again: taken exactly, at its own order. */
	CHECK_EQ(frame_alloc_at(block, FRAME_ORDER_2M), 0);
	CHECK_EQ(frame_free(block, FRAME_ORDER_2M), 0);
	CHECK_EQ(frame_check(), 0);
}

/* An allocated page (the metadata's, or frame_alloc's) is -EBUSY; so is a hole in RAM. */
static void alloc_at_refuses_busy_and_holes(void)
{
	arena_wipe();
	struct mem_range ram[] = { { 0x80000000, 4 * MiB }, { 0x80800000, 4 * MiB } };
	CHECK_EQ(frame_init(ram, 2, NULL, 0), 0);
	struct frame_stats s0 = get_stats();
	paddr_t pa;
	CHECK_EQ(frame_alloc(0, &pa), 0);
	CHECK_EQ(frame_alloc_at(pa, 0), -EBUSY);
	CHECK_EQ(frame_alloc_at(0x80400000, 0), -EBUSY); /* the hole between the ranges */
	CHECK_EQ(frame_alloc_at(0x80400000, FRAME_ORDER_2M), -EBUSY);
	unsigned busy = 0;
	for (paddr_t p = 0x80000000; p < 0x80000000 + 4 * MiB; p += PAGE_SIZE)
		busy += frame_alloc_at(p, 0) == -EBUSY;
	/* Every page of the first range is now taken: PA (and the metadata's, when there) were already. */
	CHECK(busy >= 1);
	CHECK_EQ(get_stats().free_bytes + (4 * MiB - busy * PAGE_SIZE) + PAGE_SIZE, s0.free_bytes);
	CHECK_EQ(frame_check(), 0);
	for (paddr_t p = 0x80000000; p < 0x80000000 + 4 * MiB; p += PAGE_SIZE)
		if (frame_block_order(p) == 0)
			CHECK_EQ(frame_free(p, 0), 0);
	CHECK_EQ(get_stats().free_bytes, s0.free_bytes);
	CHECK_EQ(frame_check(), 0);
}

/*
 * frame_alloc_high: the highest block of the smallest free block, so that
 * frame_alloc_at of the blocks below it finds them free, down to that
 * block's start.
 */
static void alloc_high_then_downward(void)
{
	arena_wipe();
	struct mem_range ram = { 0x80000000, 16 * MiB };
	CHECK_EQ(frame_init(&ram, 1, NULL, 0), 0);
	struct frame_stats s0 = get_stats();
	/* Everything allocated but one 2 MiB block B: the only free block. */
	paddr_t *big, *small, top;
	size_t nbig = alloc_all(FRAME_ORDER_2M, &big), nsmall = alloc_all(0, &small);
	CHECK(nbig >= 2);
	paddr_t b = big[nbig - 1];
	CHECK_EQ(frame_free(b, FRAME_ORDER_2M), 0);
	CHECK_EQ(frame_alloc_high(0, &top), 0);
	CHECK_EQ(top, b + 511 * PAGE_SIZE);
	/* Each page below it is free, down to B's first; the page under B is not. */
	for (unsigned i = 1; i < 512; i++)
		CHECK_EQ(frame_alloc_at(top - i * PAGE_SIZE, 0), 0);
	CHECK_EQ(frame_alloc_at(b - PAGE_SIZE, 0), -EBUSY);
	CHECK_EQ(get_stats().free_bytes, 0);
	CHECK_EQ(frame_check(), 0);
	/* Of two free blocks (B again, and pages 4-5 of another), the smaller one's top. */
	for (unsigned i = 0; i < 512; i++)
		CHECK_EQ(frame_free(b + i * PAGE_SIZE, 0), 0);
	paddr_t p2 = big[0], p3;
	CHECK_EQ(frame_split(p2, FRAME_ORDER_2M, 0), 0);
	CHECK_EQ(frame_free(p2 + 4 * PAGE_SIZE, 0), 0);
	CHECK_EQ(frame_free(p2 + 5 * PAGE_SIZE, 0), 0);
	CHECK_EQ(frame_alloc_high(0, &p3), 0);
	CHECK_EQ(p3, p2 + 5 * PAGE_SIZE);
	CHECK_EQ(frame_alloc_at(p2 + 4 * PAGE_SIZE, 0), 0);
	CHECK_EQ(frame_join(p2, 0, FRAME_ORDER_2M), 0);
	CHECK(free_all(big, nbig - 1, FRAME_ORDER_2M));
	CHECK(free_all(small, nsmall, 0));
	CHECK_EQ(get_stats().free_bytes, s0.free_bytes);
	for (unsigned o = 0; o <= FRAME_MAX_ORDER; o++)
		CHECK_EQ(get_stats().free_blocks[o], s0.free_blocks[o]);
	CHECK_EQ(frame_alloc_high(FRAME_MAX_ORDER + 1, &top), -EINVAL);
	CHECK_EQ(frame_check(), 0);
}

static paddr_t hook_next;
static int hook_calls;

/* The low-memory hook brings the next 2 MiB of the window's RAM online. */
static void grow_by_2m(void)
{
	hook_calls++;
	if (hook_next < 0x80000000 + 16 * MiB) {
		frame_online(hook_next, hook_next + 2 * MiB);
		hook_next += 2 * MiB;
	}
}

/* Only the window is managed at first; the rest comes online through the hook. */
static void window_and_online(void)
{
	arena_wipe();
	struct mem_range ram = { 0x80000000, 16 * MiB };
	CHECK_EQ(frame_init_window(&ram, 1, NULL, 0, 0x80000000, 0x80000000 + 2 * MiB), 0);
	struct frame_stats s = get_stats();
	CHECK(s.managed_bytes + s.metadata_bytes == 2 * MiB);
	paddr_t pa;
	CHECK_EQ(frame_alloc(FRAME_ORDER_2M, &pa), -ENOMEM); /* metadata took a page */
	CHECK_EQ(frame_online(0x80000000 + 2 * MiB, 0x80000000 + 4 * MiB), 0);
	CHECK_EQ(frame_alloc(FRAME_ORDER_2M, &pa), 0);
	CHECK(pa >= 0x80000000 + 2 * MiB && pa < 0x80000000 + 4 * MiB);
	CHECK_EQ(frame_online(5, 4), -EINVAL);
	/* With the hook, allocation goes on until all 16 MiB are online. */
	hook_next = 0x80000000 + 4 * MiB;
	hook_calls = 0;
	frame_set_low_hook(grow_by_2m, 1 * MiB, 0);
	unsigned pages = 0;
	while (frame_alloc(0, &pa) == 0)
		pages++;
	frame_set_low_hook(NULL, 0, 0);
	CHECK(hook_calls >= 6);
	CHECK_EQ(hook_next, 0x80000000 + 16 * MiB);
	CHECK_EQ(get_stats().free_bytes, 0);
	CHECK(pages >= (12 * MiB) / PAGE_SIZE);
	CHECK_EQ(frame_check(), 0);
}

int main(void)
{
	arena = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (arena == MAP_FAILED) {
		perror("mmap arena");
		return 1;
	}
	RUN(init_rejects_bad_arguments);
	RUN(init_without_room_for_metadata);
	RUN(qemu_layout_accounting);
	RUN(qemu_layout_alloc_everything);
	RUN(natural_alignment_every_order);
	RUN(misaligned_ram_base);
	RUN(gigabyte_blocks_only_when_possible);
	RUN(reserved_ranges_edge_cases);
	RUN(partial_and_unaligned_ram);
	RUN(exhaustion_and_recovery);
	RUN(bad_frees_change_nothing);
	RUN(block_order_and_tags);
	RUN(random_sequence_against_model);
	RUN(reinit_starts_over);
	RUN(eight_gib_boot);
	RUN(stats_counters);
	RUN(split_huge_block);
	RUN(window_and_online);
	RUN(alloc_at_chosen_frame);
	RUN(alloc_at_refuses_busy_and_holes);
	RUN(alloc_high_then_downward);
	CHECK_EXIT();
}
