/*
 * The translation model (tools/tlbmodel) on tables small enough to work
 * out by hand: every expected miss and reference below is derived in the
 * comment beside it, from docs/compare.md's rules, not from a run.
 */
#include <string.h>

#include "check.h"
#include "platform/riscv64/arch.h"
#include "platform/riscv64/sv48.h"
#include "secure-cells/layout.h"
#include "tools/tlbmodel/tlbmodel.h"

/* 32 pages of guest memory at physical 0x80000000. */
#define MEM_BASE 0x80000000ull
#define MEM_PAGES 32
static uint8_t guest[MEM_PAGES * 4096];

static uint64_t page(unsigned n)
{
	return MEM_BASE + 4096ull * n;
}

static bool read_guest(void *context, uint64_t pa, void *buf, size_t len)
{
	if (pa < MEM_BASE || pa - MEM_BASE + len > sizeof guest)
		return false;
	memcpy(buf, guest + (pa - MEM_BASE), len);
	return true;
}

static void put_pte(unsigned table_page, unsigned index, pte_t pte)
{
	memcpy(guest + 4096ull * table_page + 8ull * index, &pte, sizeof pte);
}

static pte_t pointer_to(unsigned table_page)
{
	return ((page(table_page) >> 12) << PTE_PPN_SHIFT) | PTE_V;
}

static pte_t leaf(uint64_t pa, pte_t bits)
{
	return ((pa >> 12) << PTE_PPN_SHIFT) | PTE_V | PTE_A | bits;
}

/*
 * Root at page 0 -> level 2 at page 1 -> level 1 at page 2 -> level 0 at page 3.
 * 4 KiB pages at VA 0x1000 (RWX), 0x2000 (R), 0x3000 (R, global), 0x5000 (R);
 * a 2 MiB page at VA 0x200000 (level-1 leaf, RW).
 */
static void build_sv48(void)
{
	memset(guest, 0, sizeof guest);
	put_pte(0, 0, pointer_to(1));
	put_pte(1, 0, pointer_to(2));
	put_pte(2, 0, pointer_to(3));
	put_pte(3, 1, leaf(page(10), PTE_R | PTE_W | PTE_X | PTE_D));
	put_pte(3, 2, leaf(page(11), PTE_R));
	put_pte(3, 3, leaf(page(12), PTE_R | PTE_G));
	put_pte(3, 5, leaf(page(13), PTE_R));
	put_pte(2, 1, leaf(0x80200000ull, PTE_R | PTE_W | PTE_D));
}

static uint64_t sv48_satp(uint64_t asid)
{
	return (SATP_MODE_SV48 << SATP_MODE_SHIFT) | (asid << SATP_ASID_SHIFT) | (page(0) >> 12);
}

static struct tlbmodel model;

static void start(unsigned entries, unsigned ways, unsigned pwc)
{
	struct tlbmodel_config config = { .tlb_entries = entries, .tlb_ways = ways, .pwc_entries = pwc };
	const char *why;

	CHECK_EQ(tlbmodel_config_check(&config, &why), 0);
	tlbmodel_init(&model, &config, (struct tlbmodel_memory){ .read = read_guest });
}

static void load(const struct tlbmodel_hart *hart, uint64_t va)
{
	tlbmodel_access(&model, hart, va, TLBMODEL_LOAD, UINT64_MAX);
}

/* Loads of each of the N addresses of VAS in turn. */
static void load_each(const struct tlbmodel_hart *hart, const uint64_t *vas, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		load(hart, vas[i]);
}

static void sv48_walks_and_walk_cache(void)
{
	struct tlbmodel_hart user = { .satp = sv48_satp(1), .priv = 0 };

	build_sv48();
	start(4, 4, 8);
	/* A cold fetch reads all four levels and caches the three pointers. */
	tlbmodel_access(&model, &user, 0x1000, TLBMODEL_FETCH, UINT64_MAX);
	CHECK_EQ(model.stats.misses[0], 1);
	CHECK_EQ(model.stats.walk_refs, 4);
	CHECK_EQ(model.stats.pwc_hits, 0);
	tlbmodel_access(&model, &user, 0x1ffc, TLBMODEL_FETCH, UINT64_MAX);
	CHECK_EQ(model.stats.misses[0], 1);
	/* The data TLB is separate: a miss, but the level-1 pointer is cached: one reference. */
	tlbmodel_access(&model, &user, 0x1008, TLBMODEL_LOAD, page(10) + 8);
	CHECK_EQ(model.stats.misses[1], 1);
	CHECK_EQ(model.stats.walk_refs, 5);
	CHECK_EQ(model.stats.pwc_hits, 1);
	CHECK_EQ(model.stats.pa_checked, 1);
	CHECK_EQ(model.stats.pa_mismatches, 0);
	/* 0x200000: no level-1 pointer for it, the level-2 one leads to the level-1 table,
	 * whose entry is the 2 MiB leaf: one reference. */
	tlbmodel_access(&model, &user, 0x200010, TLBMODEL_LOAD, 0x80200010ull);
	CHECK_EQ(model.stats.walk_refs, 6);
	CHECK_EQ(model.stats.pwc_hits, 2);
	/* Anywhere in that huge page hits. */
	load(&user, 0x3ff000);
	CHECK_EQ(model.stats.misses[1], 2);
	/* A physical address that disagrees with the walk is counted. */
	tlbmodel_access(&model, &user, 0x2000, TLBMODEL_LOAD, page(20));
	CHECK_EQ(model.stats.pa_mismatches, 1);
	CHECK_EQ(model.stats.walk_refs, 7);
	CHECK_EQ(model.stats.misses_user, 4);
	CHECK_EQ(model.stats.walk_faults, 0);
	/* An address nothing maps: the walk reads level 0's empty entry, a fault. */
	load(&user, 0x4000);
	CHECK_EQ(model.stats.walk_refs, 8);
	CHECK_EQ(model.stats.walk_faults, 1);
}

static void sv48_fences_and_asids(void)
{
	struct tlbmodel_hart one = { .satp = sv48_satp(1), .priv = 1 };
	struct tlbmodel_hart two = { .satp = sv48_satp(2), .priv = 1 };

	build_sv48();
	start(8, 8, 8);
	load(&one, 0x1000); /* 4 references */
	load(&one, 0x2000); /* 1 */
	load(&one, 0x3000); /* 1, a global page */
	CHECK_EQ(model.stats.walk_refs, 6);
	/* A fence of VA 0x1000 drops its entry and the walk cache on its path
	 * (all three pointers: 0x1000 shares them): the next walk reads 4. */
	tlbmodel_fence(&model, 0x1000, 0, TLBMODEL_FENCE_VA);
	load(&one, 0x1000);
	CHECK_EQ(model.stats.misses[1], 4);
	CHECK_EQ(model.stats.walk_refs, 10);
	load(&one, 0x2000);
	CHECK_EQ(model.stats.misses[1], 4);
	/* Another ASID: 0x2000 misses and walks from the root (the walk cache is per ASID);
	 * the global page hits. */
	load(&two, 0x2000);
	CHECK_EQ(model.stats.misses[1], 5);
	CHECK_EQ(model.stats.walk_refs, 14);
	load(&two, 0x3000);
	CHECK_EQ(model.stats.misses[1], 5);
	/* Back to ASID 1: its entries are still there. */
	load(&one, 0x2000);
	CHECK_EQ(model.stats.misses[1], 5);
	/* An ASID fence spares the global entry and the other ASID's. */
	tlbmodel_fence(&model, 0, 2, TLBMODEL_FENCE_ASID);
	load(&two, 0x3000);
	load(&one, 0x1000);
	CHECK_EQ(model.stats.misses[1], 5);
	load(&two, 0x2000);
	CHECK_EQ(model.stats.misses[1], 6);
	CHECK_EQ(model.stats.walk_refs, 18);
	CHECK_EQ(model.stats.misses_kernel, 6);
	CHECK_EQ(model.stats.fences, 2);
	CHECK_EQ(model.stats.fences_whole, 0);
}

static void sv48_capacity_and_sets(void)
{
	struct tlbmodel_hart hart = { .satp = sv48_satp(1), .priv = 0 };
	const uint64_t lru[] = { 0x1000, 0x2000, 0x3000, 0x1000, 0x3000, 0x2000 };
	const uint64_t one_set[] = { 0x1000, 0x3000, 0x5000, 0x1000 };
	const uint64_t huge_and_small[] = { 0x200000, 0x1000, 0x3ff000, 0x1000 };

	build_sv48();
	/* Two entries, least recently used out: 1 2 | 3 evicts 1 | 1 evicts 2 | 3 hits | 2 evicts 3. */
	start(2, 2, 8);
	load_each(&hart, lru, 6);
	CHECK_EQ(model.stats.misses[1], 5);
	/* Four entries in two sets of two: pages 1, 3 and 5 all index set 1, so 1 3 5 1 misses
	 * four times where a fully associative TLB of four would miss three times. */
	start(4, 2, 8);
	load_each(&hart, one_set, 4);
	CHECK_EQ(model.stats.misses[1], 4);
	load(&hart, 0x2000); /* set 0: a miss that evicts nothing of set 1 */
	load(&hart, 0x5000);
	CHECK_EQ(model.stats.misses[1], 5);
	start(4, 4, 8);
	load_each(&hart, one_set, 4);
	CHECK_EQ(model.stats.misses[1], 3);
	/* A huge page and a 4 KiB page in a set-associative TLB: both found again. */
	start(4, 2, 8);
	load_each(&hart, huge_and_small, 4);
	CHECK_EQ(model.stats.misses[1], 2);
}

static void sv48_reach_and_rights(void)
{
	struct tlbmodel_hart hart = { .satp = sv48_satp(1), .priv = 0 };

	build_sv48();
	start(4, 4, 0);
	/* No walk cache: every walk reads down from the root. */
	load(&hart, 0x1000);
	load(&hart, 0x200000);
	CHECK_EQ(model.stats.walk_refs, 4 + 3);
	CHECK_EQ(model.stats.pwc_hits, 0);
	/* Resident after each user access: 4 KiB, then 4 KiB + 2 MiB. */
	CHECK_EQ(tlbmodel_mean_reach(&model, 1), (4096 + 4096 + 0x200000) / 2);
	CHECK_EQ(model.tlb[1].user_bytes, 4096 + 0x200000);
	/* 0x2000 is read-only: after a load fills it, a store (as one the kernel made
	 * possible) walks again. */
	load(&hart, 0x2000);
	tlbmodel_access(&model, &hart, 0x2000, TLBMODEL_STORE, UINT64_MAX);
	CHECK_EQ(model.stats.misses[1], 4);
	/* Machine mode and bare satp are not translated: not even counted. */
	struct tlbmodel_hart machine = { .satp = sv48_satp(1), .priv = 3 };
	struct tlbmodel_hart bare = { .satp = 0, .priv = 1 };
	load(&machine, 0x1000);
	load(&bare, 0x1000);
	CHECK_EQ(model.stats.accesses[1], 4);
}

/*
 * A cell table at page 4 (T = 1, R = 2, M = 2, N = 6): cells 1..5 at VPN
 * 0x10, 0x20, 0x400..0x7ff (4 MiB), 0x1000, 0x2000 (invalid).  Division 0
 * holds R W D on every cell, division 1 R on cell 3 only.
 */
static void build_cells(void)
{
	static const uint64_t first[] = { 0, 0x10, 0x20, 0x400, 0x1000, 0x2000 };
	static const uint64_t last[] = { 0, 0x10, 0x20, 0x7ff, 0x1000, 0x2000 };
	uint8_t *table = guest + 4 * 4096;
	uint32_t metacell[4] = { 2, 1, 2, 6 };

	memset(guest, 0, sizeof guest);
	memcpy(table, metacell, sizeof metacell);
	for (uint32_t i = 1; i < 6; i++) {
		struct cell c = { .vpn_first = first[i], .vpn_last = last[i], .ppn = (page(16) >> 12) + i,
				  .valid = i != 5 };
		uint64_t d[2];

		desc_encode(d, &c);
		memcpy(table + 16 * i, d, sizeof d);
		table[perm_row_offset(1, 0) + i] = CELL_V | CELL_R | CELL_W | CELL_A | CELL_D;
	}
	table[perm_row_offset(1, 1) + 3] = CELL_V | CELL_R | CELL_A;
}

static void cells_binary_search(void)
{
	struct tlbmodel_hart kernel = { .satp = satp_cells(page(4)), .priv = 1, .division = 0 };
	struct tlbmodel_hart one = { .satp = satp_cells(page(4)), .priv = 0, .division = 1 };

	build_cells();
	start(4, 4, 8);
	/* Cell 3 at 0x400000: metacell, one probe (slot 3 = (1+5)/2), permission byte. */
	tlbmodel_access(&model, &kernel, 0x400000, TLBMODEL_LOAD, page(16) + 3 * 4096);
	CHECK_EQ(model.stats.walk_refs, 3);
	CHECK_EQ(model.stats.pa_mismatches, 0);
	/* The whole 4 MiB cell is one entry: its last page hits, at the right address. */
	load(&kernel, 0x7ff000);
	CHECK_EQ(model.stats.misses[1], 1);
	CHECK_EQ(model.tlb[1].resident_bytes, 0x400000);
	CHECK_EQ(model.stats.user_accesses[1], 0);
	CHECK_EQ(tlbmodel_mean_reach(&model, 1), 0);
	/* Cell 1 (VPN 0x10): probes 3 (go low), 1 (found); metacell held: 2 + 1. */
	load(&kernel, 0x10000);
	CHECK_EQ(model.stats.walk_refs, 6);
	/* Cell 5 is invalid: probes 3, 4, 5, no permission byte, a walk fault. */
	load(&kernel, 0x2000000);
	CHECK_EQ(model.stats.walk_refs, 9);
	CHECK_EQ(model.stats.walk_faults, 1);
	/* VPN 0x3000 is past every cell: probes 3, 4, 5, then nothing. */
	load(&kernel, 0x3000000);
	CHECK_EQ(model.stats.walk_refs, 12);
	CHECK_EQ(model.stats.walk_faults, 2);
	/* Division 1 on cell 3: its own entry (entries are per division): probe 3 and its byte. */
	load(&one, 0x400000);
	CHECK_EQ(model.stats.misses[1], 5);
	CHECK_EQ(model.stats.walk_refs, 14);
	/* Resident at that user access: cell 3 twice (two divisions) and cell 1. */
	CHECK_EQ(tlbmodel_mean_reach(&model, 1), 2 * 0x400000 + 4096);
	load(&kernel, 0x400000);
	CHECK_EQ(model.stats.misses[1], 5);
	/* A VA fence in cell 3 drops it for both divisions, and the metacell. */
	tlbmodel_fence(&model, 0x500000, 0, TLBMODEL_FENCE_VA);
	load(&kernel, 0x10000); /* still held: no miss */
	CHECK_EQ(model.stats.misses[1], 5);
	load(&one, 0x400000); /* metacell, probe 3, byte */
	CHECK_EQ(model.stats.walk_refs, 17);
	/* Cell 2 (VPN 0x20) after a full fence: metacell, probes 3, 1, 2, byte. */
	tlbmodel_fence(&model, 0, 0, TLBMODEL_FENCE_TABLE);
	CHECK_EQ(model.stats.fences_whole, 1);
	load(&kernel, 0x20000);
	CHECK_EQ(model.stats.walk_refs, 22);
	/* A division the metacell does not count (M = 2) finds nothing, searching nothing. */
	struct tlbmodel_hart stray = { .satp = satp_cells(page(4)), .priv = 0, .division = 2 };
	load(&stray, 0x20000);
	CHECK_EQ(model.stats.walk_refs, 22);
	CHECK_EQ(model.stats.walk_faults, 3);
	CHECK_EQ(model.stats.misses_user, 3);
}

static void config_is_checked(void)
{
	const char *why = NULL;
	struct tlbmodel_config zero = { .tlb_entries = 0, .tlb_ways = 1 };
	struct tlbmodel_config uneven = { .tlb_entries = 6, .tlb_ways = 4 };
	struct tlbmodel_config big = { .tlb_entries = 2048, .tlb_ways = 1 };
	struct tlbmodel_config pwc = { .tlb_entries = 8, .tlb_ways = 8, .pwc_entries = 300 };
	struct tlbmodel_config defaults = TLBMODEL_DEFAULTS;

	CHECK_EQ(tlbmodel_config_check(&zero, &why), -1);
	CHECK(why != NULL);
	CHECK_EQ(tlbmodel_config_check(&uneven, &why), -1);
	CHECK_EQ(tlbmodel_config_check(&big, &why), -1);
	CHECK_EQ(tlbmodel_config_check(&pwc, &why), -1);
	CHECK_EQ(tlbmodel_config_check(&defaults, &why), 0);
}

int main(void)
{
	RUN(sv48_walks_and_walk_cache);
	RUN(sv48_fences_and_asids);
	RUN(sv48_capacity_and_sets);
	RUN(sv48_reach_and_rights);
	RUN(cells_binary_search);
	RUN(config_is_checked);
	CHECK_EXIT();
}
