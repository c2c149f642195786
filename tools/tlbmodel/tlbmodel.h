/*
 * A model of translation hardware, fed by one run's memory accesses and
 * walking the run's real translation structures (docs/compare.md).
 *
 * Two TLBs (instruction and data) of the same shape, least recently used
 * replacement; for Sv48 (satp MODE 9) a page-walk cache of pointers to
 * lower tables, for SecureCells (MODE 15) the metacell held until the next
 * fence.  Sv48 entries are one page (4 KiB, 2 MiB, 1 GiB or 512 GiB) tagged
 * with the ASID unless global; a cells entry is one whole cell, tagged with
 * the division whose permission byte it holds.  A walk counts every
 * reference it makes to memory: a page-table entry; the metacell, a
 * descriptor probed by the binary search, a permission byte.
 *
 * The model only reads guest memory (through struct tlbmodel_memory); it
 * never sets A or D bits.  Accesses are given after the emulator performed
 * them, so each one is allowed: a walk that finds no translation means the
 * structure changed without a fence, and is counted (walk_faults).
 */
#ifndef TOOLS_TLBMODEL_H
#define TOOLS_TLBMODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLBMODEL_MAX_ENTRIES 1024
#define TLBMODEL_MAX_PWC 256

enum tlbmodel_access { TLBMODEL_FETCH, TLBMODEL_LOAD, TLBMODEL_STORE };

struct tlbmodel_config {
	unsigned tlb_entries;   /* per TLB (instruction, data), 1..TLBMODEL_MAX_ENTRIES */
	unsigned tlb_ways;      /* divides tlb_entries; Sv48 only (cells search every entry) */
	unsigned pwc_entries;   /* Sv48 page-walk cache, 0..TLBMODEL_MAX_PWC */
};

#define TLBMODEL_DEFAULTS { .tlb_entries = 32, .tlb_ways = 32, .pwc_entries = 8 }

/* Guest physical memory, as the hardware walker reads it. */
struct tlbmodel_memory {
	bool (*read)(void *context, uint64_t pa, void *buf, size_t len);
	void *context;
};

/* What the hart is doing at an access. */
struct tlbmodel_hart {
	uint64_t satp;
	unsigned priv;          /* 0 U, 1 S, 3 M (never translated) */
	uint64_t division;      /* SecureCells usid */
};

struct tlbmodel_entry {
	uint64_t base, size;    /* the virtual bytes it covers */
	uint64_t pa_base;
	uint64_t tag;           /* ASID (Sv48) or division (cells) */
	uint64_t last_use;      /* 0 = empty */
	uint8_t mode;           /* satp MODE that filled it */
	uint8_t rights;         /* TLBMODEL_R/W/X */
	bool global;
};

#define TLBMODEL_R 1u
#define TLBMODEL_W 2u
#define TLBMODEL_X 4u

struct tlbmodel_tlb {
	struct tlbmodel_entry entry[TLBMODEL_MAX_ENTRIES];
	unsigned entries, ways;
	uint64_t resident_bytes;   /* sum of the sizes of the entries held */
	uint64_t user_bytes;       /* the same, of the entries for user (lower-half) addresses */
};

struct tlbmodel_pwc_entry {
	uint64_t key;           /* va >> the level's shift */
	uint64_t asid, table_pa, last_use;
	unsigned level;         /* the level of the entry it caches (1..3); 0 = empty */
};

struct tlbmodel_stats {
	uint64_t accesses[2];      /* [0] instruction, [1] data */
	uint64_t user_accesses[2];
	uint64_t misses[2];
	uint64_t misses_user, misses_kernel;
	uint64_t walk_refs;        /* memory references of all walks */
	uint64_t pwc_hits;
	uint64_t walk_faults;      /* a walk found nothing for an access that happened */
	uint64_t pa_checked, pa_mismatches;
	uint64_t fences, fences_whole;   /* all; those with neither an address nor an ASID */
	uint64_t fences_lost;
	unsigned __int128 reach_sum[2];   /* user_bytes summed over user accesses */
};

struct tlbmodel {
	struct tlbmodel_config config;
	struct tlbmodel_memory memory;
	struct tlbmodel_tlb tlb[2];        /* [0] instruction, [1] data */
	struct tlbmodel_pwc_entry pwc[TLBMODEL_MAX_PWC];
	uint64_t meta_satp;                /* cells: the satp whose metacell is held, 0 = none */
	uint32_t meta_N, meta_M, meta_T;
	uint64_t clock;
	struct tlbmodel_stats stats;
};

/* Check CONFIG; 0, or -1 with *why set. */
int tlbmodel_config_check(const struct tlbmodel_config *config, const char **why);

/* Empty caches and zero counts.  CONFIG must pass tlbmodel_config_check. */
void tlbmodel_init(struct tlbmodel *model, const struct tlbmodel_config *config,
		   struct tlbmodel_memory memory);

/*
 * One access the hart made at VA.  PA, when not UINT64_MAX, is the physical
 * address the emulator used: a miss's walk is checked against it.
 */
void tlbmodel_access(struct tlbmodel *model, const struct tlbmodel_hart *hart, uint64_t va,
		     enum tlbmodel_access kind, uint64_t pa);

/* An sfence.vma (scope: TLBMODEL_FENCE_VA, _ASID) or a cells table change (_TABLE). */
#define TLBMODEL_FENCE_VA 1u
#define TLBMODEL_FENCE_ASID 2u
#define TLBMODEL_FENCE_TABLE 4u
void tlbmodel_fence(struct tlbmodel *model, uint64_t va, uint64_t asid, unsigned scope);

/* A fence the model did not see (the emulator's log had moved past it): drop everything. */
void tlbmodel_fence_lost(struct tlbmodel *model);

/*
 * The reach of TLB WHICH (0 instruction, 1 data): the bytes of user address
 * space its entries cover, averaged over the user-mode accesses made to it.
 * (The kernel's own huge mappings would swamp a figure that counted them.)
 */
uint64_t tlbmodel_mean_reach(const struct tlbmodel *model, unsigned which);

/* The counts as "key=value" pairs, one line, for the stats CSV. */
int tlbmodel_format(const struct tlbmodel *model, char *buf, size_t len);

#endif
