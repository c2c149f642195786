/*
 * Host tests of the SecureCells permission table (secure-cells/table.c),
 * and of the cells backend over it (hold, huge and stack faults, and
 * all-or-nothing under every allocation failing in turn).
 *
 * The table is read back as raw bytes and decoded here bit by bit from the
 * layout in docs/SECURECELLS.md, never through the table's own accessors,
 * and checked against a model kept as a plain sorted array.  A reference
 * MMU walk, written from the same document's translation rules, must agree
 * with the model on random addresses.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kernel/error.h"
#include "kernel/frame.h"
#include "kernel/heap.h"
#include "secure-cells/cells_space.h"
#include "secure-cells/divisions.h"
#include "secure-cells/table.h"
#include "vmm/backend.h"
#include "tests/host/arena.h"
#include "tests/host/check.h"
#include "tests/host/every_view.h"
#include "tests/host/every_view.h"

#define ARENA (64ul << 20)
#define FAKE_BASE 0x80000000ul

#define VPN_MASK ((1ull << 36) - 1)
#define PPN_MASK ((1ull << 44) - 1)
#define EMPTY 0xFFFFFFF0u

static void memory_init(void)
{
	arena_init(FAKE_BASE, ARENA);
}

static uint64_t free_bytes(void)
{
	return arena_free_bytes();
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A random number in [0, n). */
static uint64_t below(uint64_t n)
{
	return next() % n;
}

/* ------------------------------------------------ raw layout, decoded here --- */

static uint64_t perm_off(uint64_t T, uint64_t s, uint64_t i)
{
	return 1024 * T + 64 * T * s + i;
}

static uint64_t grant_off(uint64_t T, uint64_t R, uint64_t s, uint64_t i)
{
	return 1024 * T + 64 * T * R + 256 * T * s + 4 * i;
}

static uint32_t raw32(const uint8_t *mem, uint64_t off)
{
	return mem[off] | (uint32_t)mem[off + 1] << 8 | (uint32_t)mem[off + 2] << 16 |
	       (uint32_t)mem[off + 3] << 24;
}

/* Bits LO..HI (inclusive) of the little-endian 128-bit slot I, one at a time. */
static uint64_t slot_bits(const uint8_t *mem, uint32_t i, unsigned lo, unsigned hi)
{
	uint64_t v = 0;
	for (unsigned b = hi + 1; b-- > lo;)
		v = v << 1 | ((mem[16ul * i + b / 8] >> (b % 8)) & 1);
	return v;
}

struct raw_cell {
	uint64_t first, last, ppn, reserved;
	int valid;
};

static struct raw_cell raw_cell(const uint8_t *mem, uint32_t i)
{
	return (struct raw_cell){ slot_bits(mem, i, 0, 35), slot_bits(mem, i, 36, 71),
				  slot_bits(mem, i, 72, 115), slot_bits(mem, i, 116, 126),
				  (int)slot_bits(mem, i, 127, 127) };
}

/* The metacell field at +4*K: R, T, M, N for K = 0..3. */
static uint32_t meta(const struct cell_table *t, int k)
{
	return raw32(t->mem, 4 * k);
}

/* ------------------------------------------------------------- the model --- */

#define RMAX 8
#define CMAX 1024

struct mcell {
	uint64_t first, last, ppn;
	int valid;
	uint8_t rights[RMAX];
	uint32_t grant[RMAX];
};

struct model {
	uint32_t T, R, M, n; /* n cells, in c[0..n-1] = slots 1..n */
	struct mcell c[CMAX];
};

static void model_init(struct model *m, uint32_t T, uint32_t R, uint32_t M)
{
	m->T = T;
	m->R = R;
	m->M = M;
	m->n = 0;
}

/* The cell of the model holding VPN by linear scan, or -1. */
static int model_find(const struct model *m, uint64_t vpn)
{
	for (uint32_t k = 0; k < m->n; k++)
		if (m->c[k].first <= vpn && vpn <= m->c[k].last)
			return (int)k;
	return -1;
}

static char diff[256];

/* A raw slot is a gap: an empty range [b, b - 1], nothing else set. */
static int raw_gap(struct raw_cell r)
{
	return r.first == r.last + 1 && !r.ppn && !r.valid && !r.reserved;
}

/*
 * Compare the whole image (metacell, every descriptor slot, every byte of
 * every reserved row) with the model: NULL, or the first difference.  The
 * model's cells must appear in order; the slots between them may be gaps
 * (an empty range [b, b - 1] with prev.last < b <= next.first, b >= 1
 * and sorted, no rights, empty grants), never in slot N - 1.
 */
static const char *image_diff(const struct cell_table *t, const struct model *m)
{
	const uint8_t *mem = t->mem;
	uint64_t T = m->T, R = m->R;
	uint32_t N = t->N, k = 0;

	if (t->T != m->T || t->R != m->R || t->M != m->M || t->cells != m->n || N < m->n + 1 ||
	    N > 64 * T)
		return "struct fields";
	if (meta(t, 0) != m->R || meta(t, 1) != m->T || meta(t, 2) != m->M || meta(t, 3) != N)
		return "metacell";
	if (t->mem != phys_to_virt(t->base) || t->base % 4096 || (PAGE_SIZE << t->order) < cells_bytes(t))
		return "base/mem/order";
	uint64_t last_b = 0;
	for (uint32_t i = 1; i < 64 * T; i++) {
		struct raw_cell r = raw_cell(mem, i);
		int gap = i < N && raw_gap(r);
		const struct mcell *c = i < N && !gap && k < m->n ? &m->c[k] : NULL;
		int bad;
		if (i >= N)
			bad = r.first || r.last || r.ppn || r.valid || r.reserved;
		else if (gap)
			bad = r.first == 0 || i == N - 1 || (k > 0 && r.first <= m->c[k - 1].last) ||
			      (k < m->n && r.first > m->c[k].first) || r.first < last_b;
		else
			bad = !c || r.first != c->first || r.last != c->last || r.ppn != c->ppn ||
			      r.valid != c->valid || r.reserved;
		if (bad) {
			snprintf(diff, sizeof(diff), "descriptor %u (%s, model cell %u)", i,
				 gap ? "gap" : "cell", k);
			return diff;
		}
		if (gap)
			last_b = r.first;
		if (c && k > 0 && m->c[k - 1].last >= c->first)
			return "model unsorted";
		for (uint32_t s = 0; s < R; s++) {
			uint8_t p = c && s < m->M ? c->rights[s] : 0;
			uint32_t g = c && s < m->M ? c->grant[s] : EMPTY;
			if (mem[perm_off(T, s, i)] != p || raw32(mem, grant_off(T, R, s, i)) != g) {
				snprintf(diff, sizeof(diff), "row %u slot %u: perm %#x (want %#x) grant %#x (want %#x)",
					 s, i, mem[perm_off(T, s, i)], p, raw32(mem, grant_off(T, R, s, i)), g);
				return diff;
			}
		}
		if (c)
			k++;
	}
	if (k != m->n)
		return "cells missing";
	for (uint32_t s = 0; s < R; s++)
		if (mem[perm_off(T, s, 0)] != 0 || raw32(mem, grant_off(T, R, s, 0)) != EMPTY)
			return "slot 0's row bytes";
	return NULL;
}

/* The table slot of the model's cell K (1-based, its slot were there no gaps), read
 * from the raw image; 64T (no slot) when there is no such cell. */
static uint32_t slot_of(const struct cell_table *t, uint32_t k)
{
	for (uint32_t i = 1; i < t->N; i++)
		if (!raw_gap(raw_cell(t->mem, i)) && --k == 0)
			return i;
	return k == 0 ? 0 : 64 * t->T;
}

#define CHECK_IMAGE(t, m)                                                       \
	do {                                                                    \
		const char *d_ = image_diff((t), (m));                          \
		if (d_)                                                         \
			printf("#   image: %s\n", d_);                          \
		CHECK(d_ == NULL);                                              \
	} while (0)

/* Model of cells_insert: the expected result, and the model updated on success. */
static int model_insert(struct model *m, const struct cell *c, uint32_t *slot)
{
	if (c->vpn_last < c->vpn_first || c->vpn_last > VPN_MASK || c->ppn > PPN_MASK ||
	    c->ppn + (c->vpn_last - c->vpn_first) > PPN_MASK)
		return -EINVAL;
	uint32_t k = 0;
	for (uint32_t j = 0; j < m->n; j++) {
		if (m->c[j].first <= c->vpn_last && c->vpn_first <= m->c[j].last)
			return -EEXIST;
		if (m->c[j].first < c->vpn_first)
			k = j + 1;
	}
	if (m->n == 64 * m->T - 1)
		return -ENOSPC;
	memmove(&m->c[k + 1], &m->c[k], (m->n - k) * sizeof(m->c[0]));
	struct mcell *n = &m->c[k];
	*n = (struct mcell){ c->vpn_first, c->vpn_last, c->ppn, c->valid != 0, { 0 }, { 0 } };
	for (int s = 0; s < RMAX; s++)
		n->grant[s] = EMPTY;
	m->n++;
	*slot = k + 1;
	return 0;
}

static int model_remove(struct model *m, uint32_t slot)
{
	if (slot < 1 || slot > m->n)
		return -EINVAL;
	memmove(&m->c[slot - 1], &m->c[slot], (m->n - slot) * sizeof(m->c[0]));
	m->n--;
	return 0;
}

static int model_split(struct model *m, uint32_t slot, uint64_t vpn)
{
	if (slot < 1 || slot > m->n)
		return -EINVAL;
	struct mcell a = m->c[slot - 1];
	if (vpn <= a.first || vpn > a.last)
		return -EINVAL;
	if (m->n == 64 * m->T - 1)
		return -ENOSPC;
	memmove(&m->c[slot + 1], &m->c[slot], (m->n - slot) * sizeof(m->c[0]));
	m->c[slot - 1].last = vpn - 1;
	m->c[slot] = a;
	m->c[slot].first = vpn;
	m->c[slot].ppn = a.ppn + vpn - a.first;
	m->n++;
	return 0;
}

static int model_merge(struct model *m, uint32_t slot)
{
	if (slot < 1 || slot + 1 > m->n)
		return -EINVAL;
	struct mcell *a = &m->c[slot - 1], *b = &m->c[slot];
	if (a->last + 1 != b->first || a->ppn + (a->last - a->first + 1) != b->ppn ||
	    a->valid != b->valid)
		return 0;
	for (uint32_t s = 0; s < m->M; s++)
		if ((a->rights[s] | 0xC0) != (b->rights[s] | 0xC0) || a->grant[s] != b->grant[s])
			return 0;
	a->last = b->last;
	for (uint32_t s = 0; s < m->M; s++)
		a->rights[s] |= b->rights[s];
	return model_remove(m, slot + 1) == 0;
}

/* Fill the table and the model with N random disjoint cells over a small
 * VPN range and random rights and grants. */
static void fill_random(struct cell_table *t, struct model *m, uint32_t n, uint64_t span)
{
	while (m->n < n) {
		uint64_t first = below(span);
		struct cell c = { first, first + below(8), below(1u << 20), (next() & 7) != 0 };
		uint32_t s1, s2;
		int want = model_insert(m, &c, &s1);
		CHECK_EQ(cells_insert(t, &c, &s2), want);
		if (want)
			continue;
		CHECK_EQ(slot_of(t, s1), s2);
		for (uint32_t s = 0; s < m->M; s++) {
			uint8_t r = (uint8_t)next();
			uint32_t g = next() & 1 ? EMPTY : (uint32_t)next();
			m->c[s1 - 1].rights[s] = r;
			m->c[s1 - 1].grant[s] = g;
			CHECK_EQ(cells_set_rights(t, s2, s, r), 0);
			CHECK_EQ(cells_set_grant(t, s2, s, g), 0);
		}
	}
}

/* -------------------------------------------------------------- the cases --- */

static void create_rejects_bad_shapes(void)
{
	struct cell_table t, before;
	memset(&t, 0xAB, sizeof(t));
	before = t;
	uint64_t f = free_bytes();
	CHECK_EQ(cells_create(&t, 0, 4, 1), -EINVAL);
	CHECK_EQ(cells_create(&t, 1, 4, 0), -EINVAL);
	CHECK_EQ(cells_create(&t, 1, 4, 5), -EINVAL);
	CHECK_EQ(cells_create(&t, 1, 0, 0), -EINVAL);
	CHECK_EQ(cells_create(&t, CELLS_MAX_T + 1, 1, 1), -EINVAL);
	CHECK_EQ(cells_create(&t, 1u << 19, 16, 1), -EINVAL); /* 2.5 GiB */
	CHECK_EQ(cells_create(&t, 1, 0xFFFFFFFFu, 1), -EINVAL);
	CHECK(memcmp(&t, &before, sizeof(t)) == 0);
	CHECK_EQ(free_bytes(), f);
}

/* T=1, R=4, M=2: the metacell, zeroed descriptors and rows, the grant table all empty. */
static void layout_empty_t1(void)
{
	struct cell_table t;
	uint64_t f = free_bytes();
	CHECK_EQ(cells_create(&t, 1, 4, 2), 0);
	CHECK_EQ(cells_bytes(&t), 2304);
	CHECK_EQ(cells_capacity(&t), 63);
	CHECK_EQ(t.order, 0);
	CHECK(t.base % 4096 == 0);
	CHECK(t.mem == phys_to_virt(t.base));
	const uint8_t want_meta[16] = { 4, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0 };
	CHECK(memcmp(t.mem, want_meta, 16) == 0);
	int zero = 1, empty = 1;
	for (unsigned o = 16; o < 1024 + 64 * 4; o++)
		zero &= t.mem[o] == 0;
	for (unsigned o = 1024 + 256; o < 2304; o += 4)
		empty &= t.mem[o] == 0xF0 && t.mem[o + 1] == 0xFF && t.mem[o + 2] == 0xFF &&
			 t.mem[o + 3] == 0xFF;
	CHECK(zero);
	CHECK(empty);
	struct model m;
	model_init(&m, 1, 4, 2);
	CHECK_IMAGE(&t, &m);
	CHECK_EQ(free_bytes(), f - 4096);
	cells_destroy(&t);
	CHECK_EQ(free_bytes(), f);
	CHECK(t.mem == NULL && t.N == 0);
	cells_destroy(&t); /* a zeroed table is ignored */
}

/* The descriptor's bit fields, against bytes written out by hand. */
static void descriptor_bits(void)
{
	struct cell_table t;
	CHECK_EQ(cells_create(&t, 1, 1, 1), 0);
	struct cell c = { 1, 2, 3, 1 };
	uint32_t slot;
	CHECK_EQ(cells_insert(&t, &c, &slot), 0);
	CHECK_EQ(slot, 1);
	/* low u64 = 1 | 2 << 36, high u64 = 3 << 8 | 1 << 63 */
	const uint8_t want[16] = { 0x01, 0, 0, 0, 0x20, 0, 0, 0, 0, 0x03, 0, 0, 0, 0, 0, 0x80 };
	CHECK(memcmp(t.mem + 16, want, 16) == 0);

	/* Fields crossing the 64-bit boundary, all bits distinct. */
	struct cell d = { 0x123456789, 0xFEDCBA987, 0xABCDEF0123, 0 };
	CHECK_EQ(cells_insert(&t, &d, &slot), 0);
	CHECK_EQ(slot, 2);
	struct raw_cell r = raw_cell(t.mem, 2);
	CHECK_EQ(r.first, 0x123456789);
	CHECK_EQ(r.last, 0xFEDCBA987);
	CHECK_EQ(r.ppn, 0xABCDEF0123);
	CHECK_EQ(r.valid, 0);
	CHECK_EQ(r.reserved, 0);
	struct cell back;
	CHECK_EQ(cells_get(&t, 2, &back), 0);
	CHECK(back.vpn_first == d.vpn_first && back.vpn_last == d.vpn_last && back.ppn == d.ppn &&
	      back.valid == 0);

	/* The extremes: the top VPN and the top frame. */
	CHECK_EQ(cells_remove(&t, 2), 0);
	struct cell top = { VPN_MASK, VPN_MASK, PPN_MASK, 1 };
	CHECK_EQ(cells_insert(&t, &top, &slot), 0);
	r = raw_cell(t.mem, slot);
	CHECK(r.first == VPN_MASK && r.last == VPN_MASK && r.ppn == PPN_MASK && r.valid);
	CHECK_EQ(r.reserved, 0);
	CHECK_EQ(cells_set_valid(&t, slot, 0), 0);
	r = raw_cell(t.mem, slot);
	CHECK(r.first == VPN_MASK && r.last == VPN_MASK && r.ppn == PPN_MASK && !r.valid);
	CHECK_EQ(cells_set_valid(&t, slot, 5), 0);
	CHECK_EQ(raw_cell(t.mem, slot).valid, 1);
	CHECK_EQ(cells_set_valid(&t, 0, 1), -EINVAL);
	CHECK_EQ(cells_set_valid(&t, 3, 1), -EINVAL);
	cells_destroy(&t);
}

/* T=2, R=4: permission and grant bytes at the offsets the document gives. */
static void layout_offsets_t2(void)
{
	struct cell_table t;
	CHECK_EQ(cells_create(&t, 2, 4, 4), 0);
	CHECK_EQ(cells_bytes(&t), 2 * (1024 + 320 * 4));
	CHECK_EQ(cells_capacity(&t), 127);
	CHECK_EQ(t.order, 1);
	for (uint64_t k = 0; k < 100; k++) {
		struct cell c = { 10 * k, 10 * k + 9, 1000 + k, 1 };
		CHECK_EQ(cells_insert(&t, &c, NULL), 0);
	}
	CHECK_EQ(meta(&t, 3), 101);
	CHECK_EQ(cells_set_rights(&t, 100, 3, 0xCB), 0);
	CHECK_EQ(cells_set_rights(&t, 1, 0, 0x0F), 0);
	CHECK_EQ(cells_set_grant(&t, 100, 3, 0x12345678), 0);
	CHECK_EQ(cells_set_grant(&t, 7, 2, CELL_GRANT(5, CELL_R | CELL_W)), 0);
	CHECK_EQ(t.mem[2048 + 128 * 3 + 100], 0xCB);
	CHECK_EQ(t.mem[2048 + 1], 0x0F);
	CHECK_EQ(raw32(t.mem, 2048 + 512 + 512 * 3 + 400), 0x12345678);
	CHECK_EQ(raw32(t.mem, 2048 + 512 + 512 * 2 + 28), 0x56);
	CHECK_EQ(cells_get_rights(&t, 100, 3), 0xCB);
	CHECK_EQ(cells_get_grant(&t, 7, 2), 0x56);
	/* Everything else as created: count the non-initial bytes. */
	int odd = 0;
	for (uint64_t o = 2048; o < 2048 + 512; o++)
		odd += t.mem[o] != 0;
	for (uint64_t o = 2048 + 512; o < cells_bytes(&t); o += 4)
		odd += raw32(t.mem, o) != EMPTY;
	CHECK_EQ(odd, 4);
	struct raw_cell r = raw_cell(t.mem, 57);
	CHECK(r.first == 560 && r.last == 569 && r.ppn == 1056 && r.valid);
	cells_destroy(&t);
}

/* Out-of-order inserts end sorted; rows and grants of every division move with their cell. */
static void insert_moves_rows(void)
{
	struct cell_table t;
	struct model m;
	CHECK_EQ(cells_create(&t, 1, 5, 4), 0);
	model_init(&m, 1, 5, 4);
	const uint64_t starts[] = { 500, 100, 900, 300, 700, 0, 1000 };
	for (unsigned k = 0; k < 7; k++) {
		struct cell c = { starts[k], starts[k] + 49, 7 * k, k & 1 };
		uint32_t s1, s2;
		CHECK_EQ(model_insert(&m, &c, &s1), 0);
		CHECK_EQ(cells_insert(&t, &c, &s2), 0);
		CHECK_EQ(s1, s2);
		/* Give every existing cell fresh rights and grants in every division. */
		for (uint32_t i = 1; i <= m.n; i++)
			for (uint32_t s = 0; s < 4; s++) {
				uint8_t r = (uint8_t)(i * 16 + s + k);
				uint32_t g = CELL_GRANT(s + 1, i);
				m.c[i - 1].rights[s] = r;
				m.c[i - 1].grant[s] = g;
				cells_set_rights(&t, i, s, r);
				cells_set_grant(&t, i, s, g);
			}
		/* Then insert one more in front of everything and check it moved all. */
		struct cell front = { 60 + k, 60 + k, 1, 1 };
		CHECK_EQ(model_insert(&m, &front, &s1), 0);
		CHECK_EQ(cells_insert(&t, &front, &s2), 0);
		CHECK_EQ(s1, s2);
		for (uint32_t s = 0; s < 4; s++) {
			CHECK_EQ(cells_get_rights(&t, s2, s), 0);
			CHECK_EQ(cells_get_grant(&t, s2, s), EMPTY);
		}
		CHECK_IMAGE(&t, &m);
	}
	cells_destroy(&t);
}

static void insert_rejects(void)
{
	struct cell_table t;
	CHECK_EQ(cells_create(&t, 1, 2, 1), 0);
	struct cell a = { 100, 199, 5, 1 }, inv = { 300, 309, 0, 0 };
	CHECK_EQ(cells_insert(&t, &a, NULL), 0);
	CHECK_EQ(cells_insert(&t, &inv, NULL), 0);
	const struct cell overlaps[] = {
		{ 100, 199, 0, 1 }, { 50, 100, 0, 1 }, { 199, 250, 0, 1 }, { 0, 1000, 0, 1 },
		{ 150, 150, 0, 1 }, { 120, 130, 0, 0 }, { 305, 305, 0, 1 }, { 250, 300, 0, 1 },
	};
	for (unsigned k = 0; k < sizeof(overlaps) / sizeof(overlaps[0]); k++)
		CHECK_EQ(cells_insert(&t, &overlaps[k], NULL), -EEXIST);
	const struct cell bad[] = {
		{ 10, 9, 0, 1 },
		{ VPN_MASK, VPN_MASK + 1, 0, 1 },
		{ VPN_MASK + 1, VPN_MASK + 1, 0, 1 },
		{ 10, 10, PPN_MASK + 1, 1 },
		{ 10, 11, PPN_MASK, 1 },
		{ 0, VPN_MASK, PPN_MASK - VPN_MASK + 1, 1 },
	};
	for (unsigned k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		CHECK_EQ(cells_insert(&t, &bad[k], NULL), -EINVAL);
	struct cell edge1 = { 99, 99, 0, 1 }, edge2 = { 200, 299, 0, 1 },
		    whole = { 310, VPN_MASK, 0, 1 }, maxppn = { 0, 9, PPN_MASK - 9, 1 };
	CHECK_EQ(cells_insert(&t, &edge1, NULL), 0);
	CHECK_EQ(cells_insert(&t, &edge2, NULL), 0);
	CHECK_EQ(cells_insert(&t, &whole, NULL), 0);
	CHECK_EQ(cells_insert(&t, &maxppn, NULL), 0);
	CHECK_EQ(t.N, 7);
	CHECK_EQ(meta(&t, 3), 7);
	cells_destroy(&t);
}

/* A full table refuses inserts and splits and stays as it was. */
static void full_table(void)
{
	struct cell_table t;
	struct model m;
	CHECK_EQ(cells_create(&t, 1, 3, 3), 0);
	model_init(&m, 1, 3, 3);
	fill_random(&t, &m, 63, 4000);
	CHECK_EQ(t.N, 64);
	CHECK_EQ(meta(&t, 3), 64);
	struct cell c = { 5000, 5000, 0, 1 };
	CHECK_EQ(cells_insert(&t, &c, NULL), -ENOSPC);
	struct cell ov = { m.c[3].first, m.c[3].first, 0, 1 };
	CHECK_EQ(cells_insert(&t, &ov, NULL), -EEXIST); /* overlap is reported before fullness */
	uint32_t wide = 0;
	for (uint32_t i = 1; i <= m.n && !wide; i++)
		if (m.c[i - 1].last > m.c[i - 1].first)
			wide = i;
	CHECK(wide != 0);
	CHECK_EQ(cells_split(&t, slot_of(&t, wide), m.c[wide - 1].last), -ENOSPC);
	CHECK_IMAGE(&t, &m);
	/* Removing one makes room again. */
	CHECK_EQ(cells_remove(&t, slot_of(&t, 63)), 0);
	CHECK_EQ(model_remove(&m, 63), 0);
	CHECK_IMAGE(&t, &m);
	CHECK_EQ(cells_insert(&t, &c, NULL), 0);
	cells_destroy(&t);
}

static void remove_leaves_gaps(void)
{
	struct cell_table t;
	struct model m;
	CHECK_EQ(cells_create(&t, 1, 4, 3), 0);
	model_init(&m, 1, 4, 3);
	fill_random(&t, &m, 20, 1000);
	CHECK_EQ(cells_remove(&t, 0), -EINVAL);
	CHECK_EQ(cells_remove(&t, t.N), -EINVAL);
	const uint32_t order[] = { 5, 1, 18, 17, 1, 8 };
	for (unsigned k = 0; k < 6; k++) {
		uint32_t n = t.N;
		CHECK_EQ(cells_remove(&t, slot_of(&t, order[k])), 0);
		CHECK_EQ(model_remove(&m, order[k]), 0);
		CHECK_IMAGE(&t, &m);
		/* A cell in the middle leaves a gap: nothing above it moves. */
		if (order[k] != 1 && order[k] <= m.n)
			CHECK_EQ(t.N, n);
	}
	/* A gap is no cell to remove. */
	for (uint32_t i = 1; i < t.N; i++)
		if (cells_is_gap(&t, i))
			CHECK_EQ(cells_remove(&t, i), -EINVAL);
	while (m.n) {
		CHECK_EQ(cells_remove(&t, slot_of(&t, m.n)), 0);
		model_remove(&m, m.n);
	}
	CHECK_IMAGE(&t, &m);
	CHECK_EQ(cells_remove(&t, 1), -EINVAL);
	cells_destroy(&t);
}

static void split_keeps_rights(void)
{
	struct cell_table t;
	struct model m;
	CHECK_EQ(cells_create(&t, 1, 4, 4), 0);
	model_init(&m, 1, 4, 4);
	struct cell lo = { 10, 19, 1, 1 }, c = { 100, 199, 5000, 1 }, hi = { 300, 300, 9, 0 };
	uint32_t slot;
	model_insert(&m, &lo, &slot);
	model_insert(&m, &c, &slot);
	model_insert(&m, &hi, &slot);
	cells_insert(&t, &lo, NULL);
	cells_insert(&t, &c, NULL);
	cells_insert(&t, &hi, NULL);
	for (uint32_t i = 1; i <= 3; i++)
		for (uint32_t s = 0; s < 4; s++) {
			m.c[i - 1].rights[s] = (uint8_t)(0x40 * s + 3 * i + 1);
			m.c[i - 1].grant[s] = CELL_GRANT(i, s);
			cells_set_rights(&t, i, s, m.c[i - 1].rights[s]);
			cells_set_grant(&t, i, s, m.c[i - 1].grant[s]);
		}
	CHECK_EQ(cells_split(&t, 2, 100), -EINVAL); /* not strictly inside */
	CHECK_EQ(cells_split(&t, 2, 200), -EINVAL);
	CHECK_EQ(cells_split(&t, 2, 99), -EINVAL);
	CHECK_EQ(cells_split(&t, 0, 15), -EINVAL);
	CHECK_EQ(cells_split(&t, 4, 15), -EINVAL);
	CHECK_EQ(cells_split(&t, 3, 300), -EINVAL); /* one page */
	CHECK_IMAGE(&t, &m);
	CHECK_EQ(cells_split(&t, 2, 150), 0);
	CHECK_EQ(model_split(&m, 2, 150), 0);
	CHECK_IMAGE(&t, &m);
	struct cell a, b;
	CHECK_EQ(cells_get(&t, 2, &a), 0);
	CHECK_EQ(cells_get(&t, 3, &b), 0);
	CHECK(a.vpn_first == 100 && a.vpn_last == 149 && a.ppn == 5000 && a.valid);
	CHECK(b.vpn_first == 150 && b.vpn_last == 199 && b.ppn == 5050 && b.valid);
	for (uint32_t s = 0; s < 4; s++) {
		CHECK_EQ(cells_get_rights(&t, 3, s), (uint8_t)(0x40 * s + 7));
		CHECK_EQ(cells_get_grant(&t, 3, s), CELL_GRANT(2, s));
	}
	CHECK_EQ(cells_split(&t, 3, 199), 0); /* the last page alone */
	CHECK_EQ(model_split(&m, 3, 199), 0);
	CHECK_EQ(cells_split(&t, 1, 11), 0);
	CHECK_EQ(model_split(&m, 1, 11), 0);
	CHECK_IMAGE(&t, &m);
	cells_destroy(&t);
}

/* Merge only when contiguous in both spaces with equal rights (A/D aside) and grants. */
static void merge_rules(void)
{
	struct cell_table t;
	struct model m;
	CHECK_EQ(cells_create(&t, 1, 3, 2), 0);
	model_init(&m, 1, 3, 2);
	/* pairs: (1,2) mergeable; (3,4) VA gap; (5,6) PA not following; (7,8) differing valid */
	const struct cell cs[] = {
		{ 0, 9, 100, 1 },    { 10, 19, 110, 1 }, { 30, 39, 200, 1 }, { 41, 50, 210, 1 },
		{ 60, 69, 300, 1 },  { 70, 79, 311, 1 }, { 80, 89, 400, 1 }, { 90, 99, 410, 0 },
		{ 100, 109, 500, 1 }, { 110, 119, 510, 1 },
	};
	uint32_t slot;
	for (unsigned k = 0; k < 10; k++) {
		CHECK_EQ(cells_insert(&t, &cs[k], NULL), 0);
		model_insert(&m, &cs[k], &slot);
	}
	CHECK_EQ(cells_merge_next(&t, 0), -EINVAL);
	CHECK_EQ(cells_merge_next(&t, 10), -EINVAL);
	CHECK_EQ(cells_merge_next(&t, 0xFFFFFFFFu), -EINVAL);
	CHECK_EQ(cells_split(&t, 0xFFFFFFFFu, 5), -EINVAL);
	CHECK_EQ(cells_remove(&t, 0xFFFFFFFFu), -EINVAL);
	CHECK_EQ(cells_set_rights(&t, 0xFFFFFFFFu, 0, 1), -EINVAL);
	CHECK_EQ(cells_set_rights(&t, 1, 0xFFFFFFFFu, 1), -EINVAL);
	CHECK_EQ(cells_merge_next(&t, 3), 0);
	CHECK_EQ(cells_merge_next(&t, 5), 0);
	CHECK_EQ(cells_merge_next(&t, 7), 0);
	CHECK_EQ(cells_merge_next(&t, 2), 0); /* 19 + 1 != 30 */
	CHECK_IMAGE(&t, &m);

	/* (9,10): rights differ in division 1, then only in A/D, then grants differ. */
	uint8_t r0 = CELL_V | CELL_R | CELL_W;
	cells_set_rights(&t, 9, 0, r0 | CELL_A);
	cells_set_rights(&t, 10, 0, r0 | CELL_D);
	cells_set_rights(&t, 9, 1, CELL_V | CELL_R);
	cells_set_rights(&t, 10, 1, CELL_V | CELL_X);
	CHECK_EQ(cells_merge_next(&t, 9), 0);
	cells_set_rights(&t, 10, 1, CELL_V | CELL_R | CELL_A | CELL_D);
	cells_set_grant(&t, 10, 1, CELL_GRANT(1, CELL_R));
	CHECK_EQ(cells_merge_next(&t, 9), 0);
	cells_set_grant(&t, 9, 1, CELL_GRANT(1, CELL_R));
	CHECK_EQ(cells_merge_next(&t, 9), 1);
	m.c[8].rights[0] = r0 | CELL_A;
	m.c[9].rights[0] = r0 | CELL_D;
	m.c[8].rights[1] = CELL_V | CELL_R;
	m.c[9].rights[1] = CELL_V | CELL_R | CELL_A | CELL_D;
	m.c[8].grant[1] = m.c[9].grant[1] = CELL_GRANT(1, CELL_R);
	CHECK_EQ(model_merge(&m, 9), 1);
	CHECK_IMAGE(&t, &m);
	CHECK_EQ(cells_get_rights(&t, 9, 0), r0 | CELL_A | CELL_D);
	CHECK_EQ(cells_get_rights(&t, 9, 1), CELL_V | CELL_R | CELL_A | CELL_D);
	struct cell c;
	CHECK_EQ(cells_get(&t, 9, &c), 0);
	CHECK(c.vpn_first == 100 && c.vpn_last == 119 && c.ppn == 500);

	/* (1,2): all zero rights: merges, and slot 2 becomes a gap: nothing above moves. */
	CHECK_EQ(cells_merge_next(&t, 1), 1);
	CHECK_EQ(model_merge(&m, 1), 1);
	CHECK_IMAGE(&t, &m);
	CHECK_EQ(t.N, 10); /* the merge of (9,10) left a gap at the top: dropped */
	CHECK(cells_is_gap(&t, 2));
	CHECK_EQ(cells_merge_next(&t, 2), 0); /* a gap merges with nothing */
	/* A split undone by a merge. */
	CHECK_EQ(cells_set_rights(&t, 1, 1, CELL_V | CELL_R | CELL_X), 0);
	m.c[0].rights[1] = CELL_V | CELL_R | CELL_X;
	CHECK_EQ(cells_split(&t, 1, 7), 0);
	CHECK_EQ(cells_merge_next(&t, 1), 1);
	CHECK_IMAGE(&t, &m);
	cells_destroy(&t);
}

static void rights_and_divisions(void)
{
	struct cell_table t;
	struct model m;
	CHECK_EQ(cells_create(&t, 1, 4, 1), 0);
	model_init(&m, 1, 4, 1);
	fill_random(&t, &m, 10, 200);
	CHECK_EQ(cells_set_rights(&t, 1, 1, 3), -EINVAL);
	CHECK_EQ(cells_set_rights(&t, 0, 0, 3), -EINVAL);
	CHECK_EQ(cells_set_rights(&t, 11, 0, 3), -EINVAL);
	CHECK_EQ(cells_set_grant(&t, 1, 1, 3), -EINVAL);
	CHECK_EQ(cells_set_grant(&t, 0, 0, 3), -EINVAL);
	CHECK_EQ(cells_get_rights(&t, 1, 1), 0);
	CHECK_EQ(cells_get_rights(&t, 11, 0), 0);
	CHECK_EQ(cells_get_grant(&t, 1, 1), EMPTY);
	CHECK_IMAGE(&t, &m);
	uint32_t div;
	for (uint32_t k = 1; k < 4; k++) {
		CHECK_EQ(cells_add_division(&t, &div), 0);
		CHECK_EQ(div, k);
		CHECK_EQ(meta(&t, 2), k + 1);
		m.M++;
		for (uint32_t i = 0; i < m.n; i++) {
			m.c[i].rights[k] = 0;
			m.c[i].grant[k] = EMPTY;
		}
		CHECK_IMAGE(&t, &m);
		CHECK_EQ(cells_set_rights(&t, 10, k, 0x8F), 0);
		m.c[9].rights[k] = 0x8F;
	}
	CHECK_EQ(cells_add_division(&t, &div), -ENOSPC);
	CHECK_EQ(t.M, 4);
	CHECK_IMAGE(&t, &m);
	cells_destroy(&t);
}

static void lookup_basic(void)
{
	struct cell_table t;
	uint32_t slot = 77;
	CHECK_EQ(cells_create(&t, 1, 1, 1), 0);
	CHECK_EQ(cells_lookup(&t, 0, &slot), -ENOENT);
	struct cell a = { 10, 19, 0, 1 }, b = { 20, 20, 0, 0 }, c = { 0x800000000, VPN_MASK, 0, 1 };
	cells_insert(&t, &a, NULL);
	cells_insert(&t, &b, NULL);
	cells_insert(&t, &c, NULL);
	CHECK_EQ(cells_lookup(&t, 9, &slot), -ENOENT);
	CHECK(cells_lookup(&t, 10, &slot) == 0 && slot == 1);
	CHECK(cells_lookup(&t, 19, &slot) == 0 && slot == 1);
	CHECK(cells_lookup(&t, 20, &slot) == 0 && slot == 2); /* found though invalid */
	CHECK_EQ(cells_lookup(&t, 21, &slot), -ENOENT);
	CHECK(cells_lookup(&t, VPN_MASK, &slot) == 0 && slot == 3);
	CHECK_EQ(cells_lookup(&t, VPN_MASK + 1, &slot), -ENOENT);
	CHECK_EQ(cells_lookup(&t, 0x7FFFFFFFF, &slot), -ENOENT);
	cells_destroy(&t);
}

/* cells_find_place: the place, the cells touched, and every kind of overlap. */
static void place_basic(void)
{
	struct cell_table t;
	struct cell_place p = { 77, 77, 77 };
	CHECK_EQ(cells_create(&t, 1, 1, 1), 0);
	CHECK(cells_find_place(&t, 5, 9, &p) == 0 && p.pos == 1 && !p.below && !p.above);
	struct cell a = { 10, 19, 0, 1 }, b = { 30, 39, 100, 1 };
	cells_insert(&t, &a, NULL);
	cells_insert(&t, &b, NULL);
	CHECK(cells_find_place(&t, 0, 9, &p) == 0 && p.pos == 1 && !p.below && p.above == 1);
	CHECK(cells_find_place(&t, 20, 29, &p) == 0 && p.pos == 2 && p.below == 1 && p.above == 2);
	CHECK(cells_find_place(&t, 21, 28, &p) == 0 && p.pos == 2 && !p.below && !p.above);
	CHECK(cells_find_place(&t, 40, VPN_MASK, &p) == 0 && p.pos == 3 && p.below == 2 && !p.above);
	CHECK_EQ(cells_find_place(&t, 5, 10, &p), -EEXIST);  /* reaches the first */
	CHECK_EQ(cells_find_place(&t, 19, 25, &p), -EEXIST); /* starts in it */
	CHECK_EQ(cells_find_place(&t, 20, 30, &p), -EEXIST); /* reaches the second */
	CHECK_EQ(cells_find_place(&t, 0, 50, &p), -EEXIST);  /* covers both */
	CHECK_EQ(cells_find_place(&t, 12, 13, &p), -EEXIST); /* inside */
	/* A cell removed leaves a gap at b = its first VPN: a range starting
	 * there sorts after the gap and still finds the cell under the gap. */
	struct cell c = { 20, 20, 10, 1 }, d = { 21, 22, 300, 1 };
	uint32_t slot;
	cells_insert(&t, &c, NULL);
	cells_insert(&t, &d, &slot);
	CHECK_EQ(cells_remove(&t, slot), 0);
	CHECK(cells_is_gap(&t, slot) && cells_lookup(&t, 20, &slot) == 0);
	CHECK(cells_find_place(&t, 21, 29, &p) == 0 && p.below == slot && p.above == p.pos);
	CHECK(cells_is_gap(&t, p.pos - 1));
	/* The same gap at b = 21 does not make 22 touch anything. */
	CHECK(cells_find_place(&t, 22, 28, &p) == 0 && !p.below && !p.above);
	/* Inserting at the place found keeps the table sorted and findable. */
	struct cell e = { 21, 29, 400, 1 };
	CHECK_EQ(cells_find_place(&t, 21, 29, &p), 0);
	CHECK_EQ(cells_insert_at(&t, &e, p.pos, NULL, &slot), 0);
	for (uint64_t v = 10; v <= 39; v++)
		CHECK(cells_lookup(&t, v, &slot) == 0);
	cells_destroy(&t);

	/* The hint (the cell last placed) gives the place without a search, in
	 * either direction, and the other side is still checked. */
	struct cell lo = { 10, 19, 0, 1 }, hi = { 25, 29, 100, 1 }, top = { 40, 49, 200, 1 };
	uint32_t s_lo, s_hi;
	CHECK_EQ(cells_create(&t, 1, 1, 1), 0);
	cells_insert(&t, &lo, &s_lo);
	cells_insert(&t, &top, NULL);
	cells_insert(&t, &hi, &s_hi);
	CHECK_EQ(cells_find_place(&t, 18, 24, &p), -EEXIST); /* under HI, reaching LO */
	CHECK(cells_find_place(&t, 20, 24, &p) == 0 && p.pos == s_lo + 1 && p.below == s_lo &&
	      p.above == s_hi);
	CHECK(cells_find_place(&t, 21, 24, &p) == 0 && !p.below && p.above == s_hi);
	CHECK_EQ(cells_find_place(&t, 30, 40, &p), -EEXIST); /* over HI, reaching TOP */
	CHECK(cells_find_place(&t, 30, 39, &p) == 0 && p.pos == s_hi + 1 && p.below == s_hi &&
	      p.above == s_hi + 1);
	cells_destroy(&t);
}

/* cells_extension: what continues a cell, and what the edit would take. */
static void extension_rules(void)
{
	struct cell_table t;
	if (cells_create(&t, 1, 2, 2) != 0) {
		CHECK(!"cells_create");
		return;
	}
	/* The last VPN's low 28 bits are in the first word: 0xFFFFFFF is the last of them. */
	struct cell a = { 10, 19, 500, 1 }, b = { 30, 39, 0, 1 }, c = { 0xFFFFFF0, 0xFFFFFFF, 0, 1 };
	cells_insert(&t, &a, NULL);
	cells_insert(&t, &b, NULL);
	cells_insert(&t, &c, NULL);
	cells_set_rights(&t, 1, 0, 0x0b);
	cells_set_rights(&t, 1, 1, 0xc3);
	cells_set_rights(&t, 3, 0, 0x0b);
	cells_set_rights(&t, 3, 1, 0x03);
	const uint8_t same[] = { 0x0b, 0x03 }, other[] = { 0x0b, 0x07 };
	CHECK_EQ(cells_extension(&t, 1, 20, 25, 510, same, 2, 0xc0),
		 CELL_EXTENDS | CELL_EXTEND_ONE_STORE);
	CHECK_EQ(cells_extension(&t, 1, 20, 29, 510, same, 2, 0xc0),
		 CELL_EXTENDS | CELL_EXTEND_ONE_STORE | CELL_EXTEND_MEETS_NEXT);
	CHECK_EQ(cells_extension(&t, 1, 20, 30, 510, same, 2, 0xc0), 0u); /* reaches the next cell */
	CHECK_EQ(cells_extension(&t, 1, 20, 25, 510, same, 2, 0), 0u); /* A/D differ, not loose */
	CHECK_EQ(cells_extension(&t, 1, 20, 25, 510, other, 2, 0xc0), 0u); /* rights differ */
	CHECK_EQ(cells_extension(&t, 1, 20, 25, 511, same, 2, 0xc0), 0u);  /* PPN does not follow */
	CHECK_EQ(cells_extension(&t, 1, 21, 25, 511, same, 2, 0xc0), 0u);  /* a hole between */
	CHECK_EQ(cells_extension(&t, 1, 20, 25, 510, same, 1, 0xc0), 0u);  /* rights for too few divisions */
	CHECK_EQ(cells_extension(&t, 0, 20, 25, 510, same, 2, 0xc0), 0u);  /* the metacell */
	CHECK_EQ(cells_extension(&t, 3, 0x10000000, 0x10000005, 0x10, same, 2, 0xc0), CELL_EXTENDS);
	cells_set_valid(&t, 1, 0);
	CHECK_EQ(cells_extension(&t, 1, 20, 25, 510, same, 2, 0xc0), 0u); /* invalid cells stay */
	cells_destroy(&t);
}

struct visits {
	uint32_t slots[CMAX];
	uint32_t n, stop_after;
	int bad;
};

static int visit(const struct cell_table *t, uint32_t slot, const struct cell *c, void *ctx)
{
	struct visits *v = ctx;
	struct cell g;
	if (cells_get(t, slot, &g) || g.vpn_first != c->vpn_first || g.vpn_last != c->vpn_last ||
	    g.ppn != c->ppn || g.valid != c->valid)
		v->bad = 1;
	v->slots[v->n++] = slot;
	return v->n == v->stop_after ? 42 : 0;
}

/* cells_traverse against the model over [lo, hi]: 1 when they agree. */
static int traverse_agrees(const struct cell_table *t, const struct model *m, uint64_t lo,
			   uint64_t hi, uint32_t stop_after)
{
	static struct visits v;
	v.n = 0;
	v.bad = 0;
	v.stop_after = stop_after;
	int r = cells_traverse(t, lo, hi, visit, &v);
	uint32_t want = 0;
	for (uint32_t k = 0; k < m->n; k++) {
		if (m->c[k].last < lo || m->c[k].first > hi)
			continue;
		if (want >= v.n || v.slots[want] != slot_of(t, k + 1))
			return 0;
		if (++want == stop_after)
			return r == 42 && v.n == want && !v.bad;
	}
	return r == 0 && v.n == want && !v.bad;
}

static void traverse_basic(void)
{
	struct cell_table t;
	struct model m;
	CHECK_EQ(cells_create(&t, 2, 1, 1), 0);
	model_init(&m, 2, 1, 1);
	fill_random(&t, &m, 100, 2000);
	CHECK(traverse_agrees(&t, &m, 0, VPN_MASK, 0));
	CHECK(traverse_agrees(&t, &m, 0, VPN_MASK, 5));
	CHECK(traverse_agrees(&t, &m, m.c[10].first, m.c[10].first, 0));
	CHECK(traverse_agrees(&t, &m, m.c[10].last, m.c[20].first, 0));
	CHECK(traverse_agrees(&t, &m, m.c[10].last + 1, m.c[11].first - 1, 0));
	CHECK(traverse_agrees(&t, &m, 5000, 4000, 0));
	CHECK(traverse_agrees(&t, &m, 3000, VPN_MASK, 0));
	for (int k = 0; k < 2000; k++) {
		uint64_t lo = below(2100), hi = lo + below(300);
		CHECK(traverse_agrees(&t, &m, lo, hi, (uint32_t)below(4)));
	}
	cells_destroy(&t);
}

/* A VPN near the cells: in the lower zone or the top of the 36-bit space. */
static uint64_t random_vpn(uint64_t span)
{
	uint64_t v = below(span);
	return next() & 1 ? v : VPN_MASK - v;
}

/*
 * 20,000+ random operations against the model; after each, the whole image
 * is compared, plus lookups of random VPNs against a linear scan.
 */
static void random_against_model(void)
{
	enum { STEPS = 24000, SPAN = 1500, TMAX = 4 };
	static struct model m;
	struct cell_table t;
	int counts[10] = { 0 }, ok_counts[10] = { 0 };
	CHECK_EQ(cells_create(&t, 1, 6, 2), 0);
	model_init(&m, 1, 6, 2);
	int failed = 0;
	for (int step = 0; step < STEPS && !failed; step++) {
		uint64_t op = below(1000);
		uint32_t slot = (uint32_t)below(m.n + 2), s1 = 0, s2 = 0;
		/* The same cell's slot in the table (which keeps gaps among its cells). */
		uint32_t ts = slot >= 1 && slot <= m.n ? slot_of(&t, slot) : slot ? t.N : 0;
		int want, got, kind;
		if (op < 350) {
			kind = 0;
			struct cell c;
			if (m.n && (next() & 3) == 0) {
				/* right after a cell, PA contiguous: a merge candidate */
				const struct mcell *p = &m.c[below(m.n)];
				c = (struct cell){ p->last + 1, p->last + 1 + below(4),
						   p->ppn + (p->last - p->first + 1), p->valid };
			} else {
				uint64_t f = random_vpn(SPAN);
				c = (struct cell){ f, f + below(next() & 7 ? 6 : 60), below(1ull << 30),
						   (int)(next() & 1) };
				if (below(50) == 0)
					c.vpn_last = c.vpn_first - 1 - below(3);
				if (below(50) == 0)
					c.ppn = PPN_MASK - below(8);
			}
			if (c.vpn_last > VPN_MASK + 3)
				c.vpn_last = VPN_MASK + below(3);
			want = model_insert(&m, &c, &s1);
			got = cells_insert(&t, &c, &s2);
			if (!want && slot_of(&t, s1) != s2)
				failed = 1;
		} else if (op < 520) {
			kind = 1;
			want = model_remove(&m, slot);
			got = cells_remove(&t, ts);
		} else if (op < 650) {
			kind = 2;
			uint64_t vpn = 0;
			if (slot >= 1 && slot <= m.n)
				vpn = m.c[slot - 1].first + below(m.c[slot - 1].last - m.c[slot - 1].first + 2);
			want = model_split(&m, slot, vpn);
			got = cells_split(&t, ts, vpn);
		} else if (op < 800) {
			kind = 3;
			want = model_merge(&m, slot);
			got = cells_merge_next(&t, ts);
		} else if (op < 920) {
			kind = 4;
			uint32_t div = (uint32_t)below(m.M + 1);
			uint8_t bits = (uint8_t)next();
			if (next() & 1 && slot >= 2 && slot <= m.n && div < m.M)
				bits = m.c[slot - 2].rights[div] ^ (uint8_t)(below(2) * CELL_A); /* like the left one */
			want = slot >= 1 && slot <= m.n && div < m.M ? 0 : -EINVAL;
			if (!want)
				m.c[slot - 1].rights[div] = bits;
			got = cells_set_rights(&t, ts, div, bits);
		} else if (op < 960) {
			kind = 5;
			uint32_t div = (uint32_t)below(m.M + 1);
			uint32_t g = next() & 1 ? EMPTY : CELL_GRANT(below(8), below(16));
			want = slot >= 1 && slot <= m.n && div < m.M ? 0 : -EINVAL;
			if (!want)
				m.c[slot - 1].grant[div] = g;
			got = cells_set_grant(&t, ts, div, g);
		} else if (op < 985) {
			kind = 6;
			int v = (int)(next() & 1);
			want = slot >= 1 && slot <= m.n ? 0 : -EINVAL;
			if (!want)
				m.c[slot - 1].valid = v;
			got = cells_set_valid(&t, ts, v);
		} else if (op < 995) {
			kind = 7;
			uint32_t div = 0;
			want = m.M < m.R ? 0 : -ENOSPC;
			got = cells_add_division(&t, &div);
			if (!want) {
				if (div != m.M)
					failed = 1;
				for (uint32_t i = 0; i < m.n; i++) {
					m.c[i].rights[m.M] = 0;
					m.c[i].grant[m.M] = EMPTY;
				}
				m.M++;
			}
		} else {
			kind = 8;
			if (m.T >= TMAX)
				continue;
			uint32_t min = cells_capacity(&t) + 1 + (uint32_t)below(64);
			want = 0;
			got = cells_grow(&t, min);
			while (64 * m.T - 1 < min)
				m.T *= 2;
		}
		counts[kind]++;
		ok_counts[kind] += got == (kind == 3 ? 1 : 0);
		if (got != want) {
			printf("#   step %d kind %d: got %d want %d\n", step, kind, got, want);
			failed = 1;
		}
		const char *d = image_diff(&t, &m);
		if (d) {
			printf("#   step %d kind %d: %s\n", step, kind, d);
			failed = 1;
		}
		for (int k = 0; k < 8; k++) {
			uint64_t vpn = random_vpn(SPAN + 100);
			if (k == 0 && m.n)
				vpn = m.c[below(m.n)].last;
			int mk = model_find(&m, vpn);
			uint32_t ls = 0;
			int r = cells_lookup(&t, vpn, &ls);
			if (mk < 0 ? r != -ENOENT : (r != 0 || ls != slot_of(&t, (uint32_t)mk + 1))) {
				printf("#   step %d: lookup %#llx\n", step, (unsigned long long)vpn);
				failed = 1;
			}
		}
		if (step % 50 == 0) {
			uint64_t lo = random_vpn(SPAN);
			if (!traverse_agrees(&t, &m, lo, lo + below(200), 0))
				failed = 1;
		}
	}
	CHECK(!failed);
	/* The sequence reached every outcome that matters. */
	printf("#   ops: insert %d (%d ok) remove %d split %d merge %d (%d merged) rights %d grant %d valid %d div %d grow %d; final T %u M %u cells %u\n",
	       counts[0], ok_counts[0], counts[1], counts[2], counts[3], ok_counts[3], counts[4],
	       counts[5], counts[6], counts[7], counts[8], m.T, m.M, m.n);
	int total = 0;
	for (int k = 0; k < 9; k++)
		total += counts[k];
	CHECK(total >= 20000);
	CHECK(ok_counts[3] > 100);
	CHECK_EQ(m.T, TMAX);
	cells_destroy(&t);
}

/* Grow keeps every cell, byte and grant, in the layout of the new T. */
static void grow_relayouts(void)
{
	static struct model m;
	struct cell_table t;
	uint64_t f0 = free_bytes();
	CHECK_EQ(cells_create(&t, 1, 4, 3), 0);
	model_init(&m, 1, 4, 3);
	fill_random(&t, &m, 63, 3000);
	paddr_t old = t.base;
	CHECK_EQ(cells_grow(&t, 63), 0); /* fits: nothing changes */
	CHECK_EQ(t.base, old);
	CHECK_EQ(cells_grow(&t, 64), 0);
	m.T = 2;
	CHECK(t.base != old);
	CHECK_EQ(t.T, 2);
	CHECK_EQ(meta(&t, 1), 2);
	CHECK_IMAGE(&t, &m);
	/* Spot checks at the raw offsets of T = 2. */
	CHECK_EQ(t.mem[2048 + 128 * 2 + 63], m.c[62].rights[2]);
	CHECK_EQ(raw32(t.mem, 2048 + 512 + 512 * 1 + 4 * 30), m.c[29].grant[1]);
	CHECK_EQ(free_bytes(), f0 - 8192);
	fill_random(&t, &m, 127, 3000);
	CHECK_EQ(cells_grow(&t, 1000), 0); /* 2 -> 16 */
	m.T = 16;
	CHECK_EQ(cells_capacity(&t), 1023);
	CHECK_EQ(t.order, 4); /* 16 * 2304 bytes = 36 KiB: 16 pages */
	CHECK_IMAGE(&t, &m);
	uint32_t div;
	CHECK_EQ(cells_add_division(&t, &div), 0);
	m.M = 4;
	for (uint32_t i = 0; i < m.n; i++)
		m.c[i].grant[3] = EMPTY;
	fill_random(&t, &m, 1023, 1u << 16);
	CHECK_IMAGE(&t, &m);
	struct cell one = { 1u << 20, 1u << 20, 0, 1 };
	CHECK_EQ(cells_insert(&t, &one, NULL), -ENOSPC);
	struct cell_table before = t;
	CHECK_EQ(cells_grow(&t, 0xFFFFFFFFu), -EINVAL);
	CHECK(memcmp(&t, &before, sizeof(t)) == 0);
	CHECK_EQ(cells_grow(&t, 1024), 0);
	m.T = 32;
	CHECK_IMAGE(&t, &m);
	CHECK_EQ(cells_insert(&t, &one, NULL), 0);
	cells_destroy(&t);
	CHECK_EQ(free_bytes(), f0);
}

struct held {
	paddr_t pa;
	unsigned order;
};

/* Allocate every free frame, biggest blocks first: how many blocks, in H. */
static unsigned exhaust(struct held *h, unsigned max)
{
	unsigned n = 0;
	for (int o = FRAME_MAX_ORDER; o >= 0; o--)
		while (n < max && frame_alloc((unsigned)o, &h[n].pa) == 0)
			h[n++].order = (unsigned)o;
	return n;
}

/* -ENOMEM from create and grow leaves everything as it was. */
static void out_of_memory(void)
{
	static struct held h[4096];
	static uint8_t snap[8192];
	static struct model m;
	struct cell_table t;
	uint64_t f0 = free_bytes();
	CHECK_EQ(cells_create(&t, 2, 3, 2), 0);
	model_init(&m, 2, 3, 2);
	fill_random(&t, &m, 127, 2000);
	unsigned n = exhaust(h, 4096);
	CHECK_EQ(free_bytes(), 0);
	struct cell_table other, blank;
	memset(&other, 0x5A, sizeof(other));
	blank = other;
	CHECK_EQ(cells_create(&other, 1, 1, 1), -ENOMEM);
	CHECK(memcmp(&other, &blank, sizeof(other)) == 0);
	struct cell_table before = t;
	memcpy(snap, t.mem, cells_bytes(&t));
	CHECK_EQ(cells_grow(&t, 128), -ENOMEM);
	CHECK(memcmp(&t, &before, sizeof(t)) == 0);
	CHECK(memcmp(snap, t.mem, cells_bytes(&t)) == 0);
	CHECK_IMAGE(&t, &m);
	/* One 4 KiB frame back: enough for T = 1 but not for growing to T = 4. */
	unsigned k0 = n - 1;
	while (k0 > 0 && h[k0].order != 0)
		k0--;
	CHECK_EQ(h[k0].order, 0);
	struct held swap = h[k0];
	h[k0] = h[n - 1];
	h[n - 1] = swap;
	frame_free(h[n - 1].pa, h[n - 1].order);
	CHECK_EQ(cells_grow(&t, 200), -ENOMEM);
	CHECK(memcmp(&t, &before, sizeof(t)) == 0);
	CHECK_EQ(cells_create(&other, 1, 4, 1), 0);
	cells_destroy(&other);
	for (unsigned k = 0; k + 1 < n; k++)
		frame_free(h[k].pa, h[k].order);
	CHECK_EQ(cells_grow(&t, 128), 0);
	m.T = 4;
	CHECK_IMAGE(&t, &m);
	cells_destroy(&t);
	CHECK_EQ(frame_check(), 0);
	CHECK_EQ(free_bytes(), f0);
}

/* ------------------------------------------------- a reference MMU walk --- */

enum access { LOAD, STORE, FETCH };

/*
 * Translate VA for division USID from the table at physical BASE, reading
 * raw memory only, as SECURECELLS.md's "Translation" section says.  Returns
 * 1 and *pa, setting A (and D for a store), or 0 for a page fault.
 */
static int mmu_walk(paddr_t base, uint64_t va, uint64_t usid, enum access acc, int mxr,
		    paddr_t *pa)
{
	uint8_t *b = phys_to_virt(base);
	int64_t top = (int64_t)va >> 47;
	if (top != 0 && top != -1)
		return 0;
	uint64_t R = raw32(b, 0), T = raw32(b, 4), M = raw32(b, 8), N = raw32(b, 12);
	if (usid > M - 1)
		return 0;
	uint64_t vpn = (va >> 12) & VPN_MASK;
	int64_t lo = 1, hi = (int64_t)N - 1, found = 0;
	struct raw_cell c = { 0 };
	while (lo <= hi && !found) {
		int64_t mid = (lo + hi) / 2;
		c = raw_cell(b, (uint32_t)mid);
		if (vpn < c.first)
			hi = mid - 1;
		else if (vpn > c.last)
			lo = mid + 1;
		else
			found = mid;
	}
	if (!found || !c.valid)
		return 0;
	uint8_t *p = b + 1024 * T + 64 * T * usid + found;
	uint8_t rwx = *p & 0x0E;
	if (!(*p & 1) || rwx == 0x04 || rwx == 0x0C)
		return 0;
	if (acc == LOAD && !(*p & 2) && !(mxr && (*p & 8)))
		return 0;
	if (acc == STORE && !(*p & 4))
		return 0;
	if (acc == FETCH && !(*p & 8))
		return 0;
	*p |= 0x40 | (acc == STORE ? 0x80 : 0);
	*pa = ((c.ppn + vpn - c.first) << 12) | (va & 0xFFF);
	(void)R;
	return 1;
}

/* A canonical address for VPN (sign-extended from bit 47) at offset OFF. */
static uint64_t va_of(uint64_t vpn, uint64_t off)
{
	uint64_t va = vpn << 12 | off;
	return va & (1ull << 47) ? va | 0xFFFF000000000000ull : va;
}

/* The model's answer for the same access: 1 and *pa, or 0. */
static int model_translate(struct model *m, uint64_t va, uint32_t usid, enum access acc, int mxr,
			   paddr_t *pa)
{
	if ((va >> 47) != 0 && (va >> 47) != 0x1FFFF)
		return 0;
	uint64_t vpn = (va >> 12) & VPN_MASK;
	int k = model_find(m, vpn);
	if (k < 0 || usid >= m->M || !m->c[k].valid)
		return 0;
	uint8_t r = m->c[k].rights[usid];
	int readable = (r & CELL_R) || (mxr && (r & CELL_X));
	if (!(r & CELL_V) || ((r & CELL_W) && !(r & CELL_R)))
		return 0;
	if ((acc == LOAD && !readable) || (acc == STORE && !(r & CELL_W)) ||
	    (acc == FETCH && !(r & CELL_X)))
		return 0;
	m->c[k].rights[usid] |= CELL_A | (acc == STORE ? CELL_D : 0);
	*pa = (m->c[k].ppn + vpn - m->c[k].first) << 12 | (va & 0xFFF);
	return 1;
}

static void mmu_walk_agrees(void)
{
	static struct model m;
	struct cell_table t;
	CHECK_EQ(cells_create(&t, 8, 4, 3), 0);
	model_init(&m, 8, 4, 3);
	/* cells in the low half, the high half and across VPN bit 35 */
	fill_random(&t, &m, 150, 2000);
	while (m.n < 400) {
		uint64_t first = 0x7FFFFFC00 + below(0x800);
		struct cell c = { first, first + below(4), below(1ull << 40), (next() & 7) != 0 };
		uint32_t s, ts;
		if (model_insert(&m, &c, &s) == 0) {
			CHECK_EQ(cells_insert(&t, &c, &ts), 0);
			for (uint32_t d = 0; d < 3; d++) {
				m.c[s - 1].rights[d] = (uint8_t)(next() & 0x3F);
				cells_set_rights(&t, ts, d, m.c[s - 1].rights[d]);
			}
		}
	}
	CHECK_IMAGE(&t, &m);
	int agree = 1, hits = 0;
	for (int k = 0; k < 200000 && agree; k++) {
		uint64_t vpn;
		if (next() & 1 && m.n) {
			const struct mcell *c = &m.c[below(m.n)];
			vpn = c->first + below(c->last - c->first + 1);
		} else {
			vpn = next() & 1 ? below(2100) : 0x7FFFFFBF0 + below(0x820);
		}
		uint64_t va = va_of(vpn, below(4096));
		if (below(40) == 0)
			va ^= 1ull << (48 + below(16)); /* non-canonical */
		uint32_t usid = (uint32_t)below(4);
		enum access acc = (enum access)below(3);
		int mxr = (int)below(2);
		paddr_t pa1 = 0, pa2 = 0;
		int r1 = mmu_walk(t.base, va, usid, acc, mxr, &pa1);
		int r2 = model_translate(&m, va, usid, acc, mxr, &pa2);
		hits += r1;
		if (r1 != r2 || pa1 != pa2) {
			printf("#   va %#llx usid %u acc %d: walk %d %#llx, model %d %#llx\n",
			       (unsigned long long)va, usid, acc, r1, (unsigned long long)pa1, r2,
			       (unsigned long long)pa2);
			agree = 0;
		}
		/* The table's own view of the hit agrees too. */
		uint32_t slot;
		int mk = model_find(&m, vpn);
		if (mk >= 0 && (cells_lookup(&t, vpn, &slot) || slot != slot_of(&t, (uint32_t)mk + 1) ||
				cells_get_rights(&t, slot, usid) != (usid < 3 ? m.c[mk].rights[usid] : 0)))
			agree = 0;
	}
	CHECK(agree);
	CHECK(hits > 10000);
	CHECK_IMAGE(&t, &m); /* A and D as the walk set them */
	cells_destroy(&t);
}

/* ----------------------------------------------------- the backend itself --- */

#define UVA 0x0000004000000000ul /* user half, far from the trap page */
#define KVA 0xffff900000000000ul /* kernel half, away from the trap page */
#define UR (VMM_USER | VMM_READ)
#define URW (VMM_USER | VMM_READ | VMM_WRITE)
#define MiB2 (2ul << 20)

static struct backend_space *kernel_space;

/* A fault as vmm/fault.c makes it for an anonymous region [start, end). */
static int fault(struct backend_space *s, vaddr_t va, enum region_kind kind, vaddr_t start,
		 vaddr_t end)
{
	struct backend_fault f = { .va = va, .access = VMM_WRITE, .kind = kind,
				   .rights = view_rights_all(URW | VMM_ACCESSED | VMM_DIRTY),
				   .region_start = start, .region_end = end };
	return backend_fault(s, &f);
}

/* The kernel space (made once: its table lives as long as the kernel), and
 * the heap's slab for spaces, which the heap keeps once it has it. */
static void kernel_ready(void)
{
	struct backend_space *s;
	if (kernel_space)
		return;
	CHECK_EQ(backend_space_create(NULL, &kernel_space), 0);
	CHECK_EQ(backend_space_create(kernel_space, &s), 0);
	CHECK_EQ(fault(s, UVA, REGION_ANON, UVA, UVA + 4096), 0); /* and the owned-frame map's */
	backend_space_destroy(s);
}

static struct backend_space *space_new(void)
{
	struct backend_space *s = NULL;
	kernel_ready();
	CHECK_EQ(backend_space_create(kernel_space, &s), 0);
	return s;
}

/* The byte of division DIV for the cell holding VA in its table. */
static uint8_t byte_at(struct backend_space *s, vaddr_t va, uint32_t div)
{
	const struct cell_table *t = cells_table_for(s, va);
	uint32_t slot;
	if (cells_lookup(t, (va >> 12) & VPN_MASK, &slot) != 0)
		return 0xEE;
	return cells_get_rights(t, slot, div);
}

static int translates(struct backend_space *s, vaddr_t va, unsigned rights, uint64_t *pa)
{
	struct vmm_mapping m;
	if (backend_translate(s, va, &m) != 0)
		return 0;
	if (pa)
		*pa = m.pa;
	return (m.rights & (VMM_RIGHTS_MASK | VMM_ACCESSED | VMM_DIRTY)) == rights;
}

/* Hold (VMM_USER alone): the frame stays, no access reaches it, and protect brings it back. */
static void backend_hold(void)
{
	kernel_ready();
	uint64_t f0 = free_bytes();
	struct backend_space *s = space_new();
	vaddr_t r = UVA;
	for (int i = 0; i < 4; i++)
		CHECK_EQ(fault(s, r + i * 4096ul, REGION_ANON, r, r + 64 * 4096ul), 0);
	CHECK_EQ(backend_map(s, r + 8 * 4096ul, 0x90000000ul, 4096, UR), 0); /* the caller's */
	uint64_t pa, pa2;
	CHECK(translates(s, r + 4096, URW | VMM_ACCESSED | VMM_DIRTY, &pa));
	*(uint8_t *)phys_to_virt(pa) = 0x5a;
	uint64_t held = free_bytes();
	/* Over the whole range, holes (pages 4..7, 9..) skipped. */
	CHECK_EQ(protect_every_view(s, r, 16 * 4096ul, VMM_USER), 0);
	CHECK(translates(s, r + 4096, VMM_USER | VMM_ACCESSED | VMM_DIRTY, &pa2));
	CHECK_EQ(pa2, pa);
	CHECK(translates(s, r + 8 * 4096ul, VMM_USER, NULL)); /* no A/D: none were set */
	CHECK_EQ(byte_at(s, r + 4096, DIV_APP), CELL_A | CELL_D); /* no V, no rights */
	CHECK_EQ(byte_at(s, r + 8 * 4096ul, div_witness(USER_TABLE_M)), CELL_V | CELL_R); /* the witness kept */
	CHECK_EQ(byte_at(s, r + 4096, div_witness(USER_TABLE_M)), 0);
	CHECK_EQ(free_bytes(), held);
	struct vmm_mapping m;
	CHECK_EQ(backend_translate(s, r + 5 * 4096ul, &m), -ENOENT);
	/* Back: the same frame, its data, its A/D. */
	CHECK_EQ(protect_every_view(s, r + 4096, 4096, UR), 0);
	CHECK(translates(s, r + 4096, UR | VMM_ACCESSED | VMM_DIRTY, &pa2));
	CHECK_EQ(pa2, pa);
	CHECK_EQ(*(uint8_t *)phys_to_virt(pa), 0x5a);
	CHECK(translates(s, r, VMM_USER | VMM_ACCESSED | VMM_DIRTY, NULL));
	CHECK(translates(s, r + 2 * 4096ul, VMM_USER | VMM_ACCESSED | VMM_DIRTY, NULL));
	/* Unmap frees held frames as any. */
	CHECK_EQ(backend_unmap(s, r, 16 * 4096ul), 0);
	CHECK_EQ(backend_translate(s, r, &m), -ENOENT);
	backend_space_destroy(s);
	CHECK_EQ(free_bytes(), f0);
}

/* A huge fault: one 2 MiB cell of one 2 MiB frame, whatever the address; freed whole. */
static void backend_huge_and_stack(void)
{
	kernel_ready();
	uint64_t f0 = free_bytes();
	struct backend_space *s = space_new();
	vaddr_t h = UVA + 7 * MiB2;
	CHECK_EQ(fault(s, h + 3 * MiB2 + 12345, REGION_HUGE, h, h + 8 * MiB2), 0);
	uint64_t pa;
	CHECK(translates(s, h + 3 * MiB2, URW | VMM_ACCESSED | VMM_DIRTY, &pa));
	CHECK_EQ(pa % MiB2, 0);
	struct vmm_mapping m;
	CHECK_EQ(backend_translate(s, h + 3 * MiB2, &m), 0);
	CHECK_EQ(m.len, MiB2);
	CHECK_EQ(backend_translate(s, h + 2 * MiB2 + MiB2 - 4096, &m), -ENOENT);
	/* Cutting its frame is refused, nothing changed. */
	CHECK_EQ(backend_unmap(s, h + 3 * MiB2, 4096), -EINVAL);
	CHECK_EQ(backend_unmap(s, h + 3 * MiB2 + 4096, MiB2), -EINVAL);
	CHECK(translates(s, h + 3 * MiB2 + 4096, URW | VMM_ACCESSED | VMM_DIRTY, NULL));
	CHECK_EQ(backend_unmap(s, h, 8 * MiB2), 0);
	/* A stack fault fills up to 4 pages below, never below the region, in one cell. */
	vaddr_t lo = UVA + 100 * MiB2, hi = lo + 64 * 4096ul;
	CHECK_EQ(fault(s, hi - 100, REGION_STACK, lo, hi), 0);
	CHECK_EQ(backend_translate(s, hi - 4 * 4096ul, &m), 0);
	CHECK_EQ(m.len, 4 * 4096ul);
	CHECK_EQ(backend_translate(s, hi - 5 * 4096ul, &m), -ENOENT);
	CHECK_EQ(fault(s, lo + 4096, REGION_STACK, lo, hi), 0);
	CHECK_EQ(backend_translate(s, lo, &m), 0);
	CHECK_EQ(m.len, 2 * 4096ul); /* two pages fit above the region's start */
	CHECK_EQ(backend_translate(s, lo - 4096, &m), -ENOENT);
	/* Pages of a stack's block are unmapped one by one. */
	CHECK_EQ(backend_unmap(s, hi - 2 * 4096ul, 4096), 0);
	CHECK_EQ(backend_unmap(s, lo, 64 * 4096ul), 0);
	backend_space_destroy(s);
	CHECK_EQ(free_bytes(), f0);
}

/*
 * Memory faulted from the top down is one cell, as from the bottom up: each
 * fault takes the frame just below the cell's first one (frame_alloc_at),
 * or the top of a free block when that one is taken, and the cell grows
 * down; every page translates to its own frame, with the rights faulted.
 * Also a stack grows down in blocks of four, one cell; a cell with other
 * rights above does not grow down; unmapping gives every frame back.
 */
static void backend_grows_down(void)
{
	kernel_ready();
	uint64_t f0 = free_bytes();
	struct backend_space *s = space_new();
	struct cell_table *ut = cells_table_for(s, UVA);
	uint32_t cells0 = cells_count(ut);
	const unsigned pages = 300;
	vaddr_t lo = UVA + 300 * MiB2, hi = lo + pages * 4096ul;
	for (unsigned i = pages; i-- > 0;)
		CHECK_EQ(fault(s, lo + i * 4096ul + 8, REGION_ANON, lo, hi), 0);
	/* At most a cell for the first page (frame_alloc's, the one under it
	 * taken) and one a free block crossed. */
	CHECK(cells_count(ut) - cells0 <= 3);
	uint64_t pa, prev = 0;
	for (unsigned i = 0; i < pages; i++) {
		CHECK(translates(s, lo + i * 4096ul, URW | VMM_ACCESSED | VMM_DIRTY, &pa));
		CHECK(i == 0 || pa != prev);
		prev = pa;
	}
	struct vmm_mapping m;
	CHECK_EQ(backend_translate(s, lo + 4096, &m), 0);
	CHECK(m.len >= 100 * 4096ul);
	CHECK_EQ(fault(s, lo + 5 * 4096ul, REGION_ANON, lo, hi), -EEXIST);
	CHECK_EQ(backend_unmap(s, lo + 17 * 4096ul, 4096), 0); /* a page inside, freed alone */
	CHECK_EQ(backend_unmap(s, lo, pages * 4096ul), 0);
	CHECK_EQ(cells_count(ut), cells0);
	/* A stack: blocks of four below each other, one cell. */
	vaddr_t slo = UVA + 400 * MiB2, shi = slo + 256 * 4096ul;
	for (vaddr_t va = shi - 4096; va >= slo; va -= 4 * 4096ul)
		CHECK_EQ(fault(s, va, REGION_STACK, slo, shi), 0);
	CHECK(cells_count(ut) - cells0 <= 3);
	CHECK_EQ(backend_unmap(s, shi - 4096, 4096), 0);
	CHECK_EQ(backend_unmap(s, slo, 256 * 4096ul), 0);
	/* Other rights above: a cell of its own. */
	CHECK_EQ(fault(s, lo + 4096, REGION_ANON, lo, hi), 0);
	CHECK_EQ(protect_every_view(s, lo + 4096, 4096, VMM_USER | VMM_READ), 0);
	CHECK_EQ(fault(s, lo, REGION_ANON, lo, hi), 0);
	CHECK_EQ(backend_translate(s, lo, &m), 0);
	CHECK_EQ(m.len, 4096ul);
	CHECK_EQ(cells_count(ut), cells0 + 2);
	CHECK_EQ(backend_unmap(s, lo, 2 * 4096ul), 0);
	backend_space_destroy(s);
	CHECK_EQ(free_bytes(), f0);
	CHECK_EQ(frame_check(), 0);
}

/* A snapshot of one table: the struct and every byte. */
struct snap {
	struct cell_table t;
	uint8_t bytes[1 << 16];
};

static void snap_take(struct snap *sn, const struct cell_table *t)
{
	sn->t = *t;
	memcpy(sn->bytes, t->mem, cells_bytes(t));
}

static int snap_same(const struct snap *sn, const struct cell_table *t)
{
	return memcmp(&sn->t, t, sizeof(*t)) == 0 && memcmp(sn->bytes, t->mem, cells_bytes(t)) == 0;
}

/* Every kmalloc size class taken; heap_release gives them back. */
static void *heap_take(void)
{
	void *head = NULL, *p;
	for (size_t size = HEAP_MAX_SMALL; size >= HEAP_MIN_SMALL; size /= 2)
		while ((p = kmalloc(size)) != NULL) {
			*(void **)p = head;
			head = p;
		}
	return head;
}

static void heap_give(void *head)
{
	while (head) {
		void *next = *(void **)head;
		kfree(head);
		head = next;
	}
}

enum op { OP_MAP, OP_KMAP, OP_FAULT, OP_HUGE, OP_STACK, OP_PROTECT, OP_HOLD, OP_UNMAP, OP_COUNT };
static const char *const op_names[] = { "map", "kernel map", "fault", "huge fault", "stack fault",
					"protect (split)", "hold (split)", "unmap (split)" };

static int run_op(struct backend_space *s, enum op op)
{
	switch (op) {
	case OP_MAP:
		return backend_map(s, UVA + 500 * 4096ul, 0x95000000ul, 4096, UR);
	case OP_KMAP:
		return backend_map(s, KVA + 5 * 4096ul, 0x96000000ul, 4096, VMM_READ);
	case OP_FAULT:
		return fault(s, UVA + 600 * 4096ul, REGION_ANON, UVA, UVA + MiB2 * 64);
	case OP_HUGE:
		return fault(s, UVA + 9 * MiB2 + 5, REGION_HUGE, UVA + 8 * MiB2, UVA + 12 * MiB2);
	case OP_STACK:
		return fault(s, UVA + 700 * 4096ul, REGION_STACK, UVA + 690 * 4096ul, UVA + 701 * 4096ul);
	case OP_PROTECT:
		return protect_every_view(s, UVA + 1001 * 4096ul, 2 * 4096ul, UR);
	case OP_HOLD:
		return protect_every_view(s, UVA + 1001 * 4096ul, 2 * 4096ul, VMM_USER);
	default:
		return backend_unmap(s, UVA + 1001 * 4096ul, 2 * 4096ul);
	}
}

/*
 * Every operation, with memory for none of its allocations, then one page
 * more each time: until it succeeds it fails with -ENOMEM and leaves every
 * table it touches (the user table and the kernel table) byte for byte as
 * it was, and every frame free that was free.  The tables are filled to
 * where the next insert must grow them (the reserve keeps a quarter free),
 * so that the growth is among the allocations failed.
 */
static void backend_all_or_nothing(void)
{
	static struct held h[8192];
	static struct snap user, kern;
	kernel_ready();
	uint64_t f0 = free_bytes();
	for (int op = 0; op < OP_COUNT; op++) {
		struct backend_space *s = space_new();
		struct cell_table *ut = cells_table_for(s, UVA), *kt = cells_table_for(s, KVA);
		/* A 4-page cell to cut, then scattered pages up to the growth point. */
		CHECK_EQ(backend_map(s, UVA + 1000 * 4096ul, 0x94000000ul, 4 * 4096ul, URW), 0);
		for (uint64_t i = 0; 4 * (cells_count(ut) + 1) <= 3 * cells_capacity(ut); i++)
			CHECK_EQ(backend_map(s, UVA + (2000 + 2 * i) * 4096ul, 0x97000000ul + 8192 * i, 4096, UR), 0);
		while (4 * (cells_count(kt) + 1) <= 3 * cells_capacity(kt))
			CHECK_EQ(backend_map(s, KVA + (100 + 2 * cells_count(kt)) * 4096ul,
					     0x98000000ul + 8192ul * cells_count(kt), 4096, VMM_READ), 0);
		int err = -ENOMEM, tries = 0;
		for (unsigned spare = 0; err == -ENOMEM && spare < 1024; spare++, tries++) {
			snap_take(&user, ut);
			snap_take(&kern, kt);
			/* SPARE single pages, allocated first so that they are buddies. */
			paddr_t keep[1024];
			for (unsigned i = 0; i < spare; i++)
				CHECK_EQ(frame_alloc(0, &keep[i]), 0);
			unsigned n = exhaust(h, 8192);
			void *heap = heap_take();
			for (unsigned i = spare; i-- > 0;)
				frame_free(keep[i], 0);
			uint64_t before = free_bytes();
			err = run_op(s, (enum op)op);
			if (err) {
				CHECK_EQ(err, -ENOMEM);
				CHECK(snap_same(&user, ut));
				CHECK(snap_same(&kern, kt));
				CHECK_EQ(free_bytes(), before);
			}
			heap_give(heap);
			for (unsigned k = 0; k < n; k++)
				frame_free(h[k].pa, h[k].order);
		}
		printf("#   %s: succeeded with %d page(s) free\n", op_names[op], tries - 1);
		CHECK_EQ(err, 0);
		CHECK(tries > 1); /* it did need memory */
		backend_unmap(s, KVA, 1ul << 30);
		backend_space_destroy(s);
	}
	CHECK_EQ(frame_check(), 0);
	CHECK_EQ(free_bytes(), f0);
}

/*
 * The backend against a page-by-page model: random maps, unmaps, protects
 * (holds among them) and faults over 3,000 pages, each checked by
 * translating random pages; the frames all come back at the end.
 */
static void backend_random_against_pages(void)
{
	enum { NPAGES = 3000, STEPS = 50000 };
	static struct {
		int on;
		uint64_t pa;
		unsigned rights;
	} pg[NPAGES];
	const unsigned rights[] = { URW, UR, UR | VMM_EXEC, VMM_USER };
	kernel_ready();
	uint64_t f0 = free_bytes();
	struct backend_space *s = space_new();
	int bad = 0;
	for (int st = 0; st < STEPS && !bad; st++) {
		uint64_t a = below(NPAGES), n = 1 + below(below(4) ? 4 : 64);
		if (a + n > NPAGES)
			n = NPAGES - a;
		vaddr_t va = UVA + a * 4096;
		uint64_t op = below(10);
		if (op < 4) {
			int free_range = 1;
			for (uint64_t i = a; i < a + n; i++)
				free_range &= !pg[i].on;
			/* Frames following the address half the time: neighbours merge. */
			uint64_t pa = 0x90000000ul + (below(2) ? a : below(NPAGES)) * 8192;
			unsigned r = rights[below(3)];
			int err = backend_map(s, va, pa, n * 4096, r);
			bad |= (err == 0) != free_range || (err && err != -EEXIST);
			for (uint64_t i = 0; !err && i < n; i++)
				pg[a + i].on = 1, pg[a + i].pa = pa + i * 4096, pg[a + i].rights = r;
		} else if (op < 6) {
			bad |= backend_unmap(s, va, n * 4096) != 0;
			for (uint64_t i = a; i < a + n; i++)
				pg[i].on = 0;
		} else if (op < 9) {
			unsigned r = rights[below(4)];
			bad |= protect_every_view(s, va, n * 4096, r) != 0;
			for (uint64_t i = a; i < a + n; i++)
				pg[i].rights = r;
		} else if (!pg[a].on) {
			struct vmm_mapping m;
			bad |= fault(s, va, REGION_ANON, UVA, UVA + NPAGES * 4096ul) != 0;
			bad |= backend_translate(s, va, &m) != 0;
			pg[a].on = 1, pg[a].pa = m.pa, pg[a].rights = URW;
		}
		for (int c = 0; c < 20 && !bad; c++) {
			uint64_t i = below(NPAGES);
			struct vmm_mapping m;
			int err = backend_translate(s, UVA + i * 4096, &m);
			if (pg[i].on != (err == 0) ||
			    (!err && (m.pa != pg[i].pa || (m.rights & VMM_RIGHTS_MASK) != pg[i].rights))) {
				printf("#   step %d op %lu: page %lu differs\n", st, (unsigned long)op,
				       (unsigned long)i);
				bad = 1;
			}
		}
	}
	CHECK(!bad);
	backend_space_destroy(s);
	CHECK_EQ(frame_check(), 0);
	CHECK_EQ(free_bytes(), f0);
}

int main(void)
{
	memory_init();
	RUN(create_rejects_bad_shapes);
	RUN(layout_empty_t1);
	RUN(descriptor_bits);
	RUN(layout_offsets_t2);
	RUN(insert_moves_rows);
	RUN(insert_rejects);
	RUN(full_table);
	RUN(remove_leaves_gaps);
	RUN(split_keeps_rights);
	RUN(merge_rules);
	RUN(rights_and_divisions);
	RUN(lookup_basic);
	RUN(place_basic);
	RUN(extension_rules);
	RUN(traverse_basic);
	RUN(random_against_model);
	RUN(grow_relayouts);
	RUN(out_of_memory);
	RUN(mmu_walk_agrees);
	RUN(backend_hold);
	RUN(backend_huge_and_stack);
	RUN(backend_grows_down);
	RUN(backend_all_or_nothing);
	RUN(backend_random_against_pages);
	CHECK_EXIT();
}
