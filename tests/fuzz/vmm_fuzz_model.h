/*
 * The reference model of vmm_fuzz.c: what each space should translate,
 * page by page, in two windows of its user half (raw maps, and anonymous
 * regions brought in by faults) and in one window of the shared kernel
 * half; and the checks that hold a backend to it (any divergence aborts).
 */
#ifndef TESTS_FUZZ_VMM_FUZZ_MODEL_H
#define TESTS_FUZZ_VMM_FUZZ_MODEL_H

#include <stdint.h>

#include "vmm/vmm.h"

#define NSPACES 3
#define RAW_PAGES 1024 /* 4 MiB, two 2 MiB-aligned blocks */
#define REG_PAGES 256
#define K_PAGES 1024
#define RAW_BASE 0x0000010000000000ul /* 1 TiB */
#define REG_BASE 0x0000020000000000ul /* 2 TiB */
#define K_WIN 0xfffffe0000000000ul
#define FUZZ_VIEWS 4 /* a space is seen through 1..FUZZ_VIEWS views */
#define MASK_RWX (VMM_READ | VMM_WRITE | VMM_EXEC)

/* A page the caller mapped (vmm_map): where, with which rights (VMM_USER alone: held). */
struct raw_page {
	uint8_t mapped;
	uint8_t rights;
	paddr_t pa;
};

/* A page of the region window: its region's rights, and the memory a fault brought in. */
struct reg_page {
	uint8_t in_region;
	uint8_t region_rights;
	uint8_t present;
	uint8_t rights;	  /* the page's rights (VMM_USER alone while held) */
	uint8_t ad;	  /* VMM_ACCESSED/VMM_DIRTY as the fault decided */
	uint8_t ad_known; /* brought in by its own fault, not filled ahead */
	paddr_t pa;
	uint8_t mask[FUZZ_VIEWS]; /* each view's mask on the page's region (R/W/X) */
};

struct model {
	unsigned nviews[NSPACES];
	struct raw_page raw[NSPACES][RAW_PAGES];
	struct reg_page reg[NSPACES][REG_PAGES];
	struct raw_page kernel[K_PAGES];
};

extern struct model model;

/* Stop the run: the backend disagrees with the model. */
_Noreturn void diverged(const char *fmt, ...);

/* Every page of every window of S (space I) against the model, and a traversal of each window. */
void model_check_space(struct vmm_space *s, unsigned i);
/* Pages [first, first+n) of the raw window of space I (or the kernel window, I == NSPACES). */
void model_check_raw(struct vmm_space *s, unsigned i, uint64_t first, uint64_t n);
void model_check_reg(struct vmm_space *s, unsigned i, uint64_t first, uint64_t n);
/* Adopt pages of the region window that a fault filled ahead (checked against their region). */
void model_adopt_filled(struct vmm_space *s, unsigned i);
/* Page R was written (a write fault brought it in): its data must survive. */
int model_written(const struct reg_page *r);
/*
 * Forget the pages of space I's region window that reclaim gave back (never
 * written, found gone).  Reclaim may run in any space's fault, so a fault
 * reads the model of its own space only after this: else a page reclaimed
 * by another space's fault and brought back by this one looks kept.
 */
void model_forget_reclaimed(struct vmm_space *s, unsigned i);
/* The page at PA is all zero (memory a fault just brought in). */
int model_page_fresh(paddr_t pa);
/* Write the model's tag into page P of space I's region window (the application's data). */
void model_tag(unsigned i, uint64_t p);

/*
 * What view V of space I may do with page P of its region window: the
 * region's rights under V's mask, write only with read, VMM_USER with any.
 */
unsigned model_view_rights(unsigned i, uint64_t p, unsigned v);
/*
 * Every view of space I against the model on pages [first, first+n) of the
 * region window (REG) or of the raw window: vmm_view_rights as the model's,
 * and no view's own translation allowing more than the model lets it, or
 * naming another frame than the space's.
 */
void model_check_views(struct vmm_space *s, unsigned i, int reg, uint64_t first, uint64_t n);
/*
 * Record what every view of space I translates on pages [first, first+n)
 * of the region window (REG) or the raw window, before an operation set to
 * fail; model_views_unchanged then requires each translation as it was
 * (pages reclaim gave back, never written, excepted: see below).
 */
void model_views_take(struct vmm_space *s, unsigned i, int reg, uint64_t first, uint64_t n);
void model_views_unchanged(struct vmm_space *s, const char *what);

#endif
