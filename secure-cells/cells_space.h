/*
 * What the files of the cells backend share: cells_backend.c edits tables
 * for spaces, cells_fault.c brings memory in through it, cells_frames.c
 * keeps the frames faults allocate (used by both).
 */
#ifndef SECURE_CELLS_CELLS_SPACE_H
#define SECURE_CELLS_CELLS_SPACE_H

#include <stdint.h>

#include "secure-cells/table.h"
#include "vmm/backend.h"

/* A space: its user table, with a division for each of its views (divisions.h). */
struct backend_space {
	struct cell_table table; /* the user table: user cells and the trap page */
	unsigned nviews;	 /* its views: divisions 1..nviews of the table */
	struct backend_space *next;
};

/* The table S-mode runs on: every kernel-half cell. */
struct cell_table *cells_kernel_table(void);

/*
 * A new user table *T for a space of NVIEWS views: its divisions
 * (divisions.h) and the trap page.  0, -ENOMEM (nothing allocated).
 */
int cells_user_table_create(struct cell_table *t, unsigned nviews);
/* S's user table is somewhere else now: the trap path is told if S is running. */
void cells_user_table_moved(struct backend_space *s);
/*
 * Give the kernel table rows 1..NVIEWS with execute on the trap page, if
 * it has not got them: 0, -ENOMEM (nothing changed).
 */
int cells_kernel_trap_rows(unsigned nviews);

/* The 36-bit VPN field of VA (sign-extension dropped). */
static inline uint64_t vpn_of(vaddr_t va)
{
	return (va >> PAGE_SHIFT) & CELL_VPN_MAX;
}

/* The table that holds VA for space S: its user table, or the kernel table. */
struct cell_table *cells_table_for(struct backend_space *s, vaddr_t va);

/*
 * Insert [vf, vl] -> ppn with ROWS (one byte per division in use) into T,
 * the trap path told if T moved: 0, -EEXIST, -ENOMEM (T unchanged).
 */
int cells_insert_in(struct cell_table *t, uint64_t vf, uint64_t vl, uint64_t ppn,
		    const uint8_t *rows);

/* A huge fault's frame: 2 MiB, one block of the frame allocator. */
#define HUGE_ORDER 9
#define HUGE_PAGES (1ul << HUGE_ORDER)

/*
 * Frames the space's faults allocated (cells without a witness byte):
 * cells_owned_release frees [ppn, ppn + n), where no 2 MiB frame of a huge
 * fault may be cut (cells_owned_cut: whether a boundary just below page PPN,
 * or just above it, cuts one).
 */
void cells_owned_release(uint64_t ppn, uint64_t n);
int cells_owned_cut(uint64_t ppn, int below);

#endif
