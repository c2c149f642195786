/*
 * The SecureCells permission table: the memory a SecureCells MMU walks
 * instead of page tables (satp.MODE = 15), bit-exact to
 * docs/SECURECELLS.md (the shared copy: /work/shared/docs/SECURECELLS.md).
 *
 * One naturally aligned block of frames holds, from its base B:
 *   slot 0, the metacell: u32 R, T, M, N at B + 0, 4, 8, 12;
 *   slots 1..N-1, the cell descriptors, 16 bytes each at B + 16 * i,
 *     sorted by address and disjoint: bits 35:0 first VPN, 71:36 last VPN
 *     (inclusive), 115:72 PPN, 127 valid;
 *   the permission table: the byte for (division s, cell i) at
 *     B + 1024 * T + 64 * T * s + i (V=1 R=2 W=4 X=8 G=0x20 A=0x40 D=0x80);
 *   the grant table: the u32 for (division s, cell i) at
 *     B + 1024 * T + 64 * T * R + 256 * T * s + 4 * i, empty 0xFFFFFFF0.
 * T * (1024 + 320 * R) bytes in all, for up to 64 * T - 1 cells.
 *
 * A cell's descriptor, its permission byte in every division and its grant
 * entry in every division share its slot number, so whatever moves a cell
 * moves all three.  Among the cells the table keeps gaps (secure-cells/
 * slack.h): slots with an empty range [b, b - 1], invalid, no rights, that
 * the MMU's search passes over and no address names; so an insert moves
 * only the slots between its place and the nearest gap, and a removal
 * leaves a gap.  Slot numbers are not stable across inserts and removals.  Only rows 0..M-1 (the divisions in use) are moved or
 * edited; rows M..R-1 stay all 0 (permissions) and all empty (grants) until
 * cells_add_division hands one out, which reinitialises it first.  Slots
 * N..64T-1 likewise stay clear in every row: descriptor 0, byte 0, empty.
 *
 * VPNs are the 36-bit field values: a 48-bit virtual address, sign-extended
 * from bit 47, has VPN (va >> 12) & (2^36 - 1), so the upper half of the
 * address space sorts after the lower half.
 *
 * Concurrency with the MMU: nothing here fences.  An edit stores the table
 * with ordinary stores in several steps; while one runs, a table walk (a TLB
 * miss of this hart) can see a mixed state in which a moving cell's
 * descriptor sits next to a neighbour's rights.  Slots below the one edited
 * never move and translate correctly throughout; the caller keeps what it
 * touches during an edit off the moving slots (or in the TLB), then runs
 * sfence.vma.  The MMU sets A and D in the permission bytes with its own
 * stores; an edit that moves a byte can lose such an update made meanwhile.
 *
 * Not reentrant: one hart edits a table at a time, like the frame allocator.
 * Errors are negated errno values (kernel/error.h).
 */
#ifndef SECURE_CELLS_TABLE_H
#define SECURE_CELLS_TABLE_H

#include <stdint.h>

#include "kernel/memory.h"
#include "platform/riscv64-cells/satp_cells.h"

/* Permission byte bits: the SecureCells ones, not enum vmm_rights. */
#define CELL_V 0x01u
#define CELL_R 0x02u
#define CELL_W 0x04u
#define CELL_X 0x08u
#define CELL_G 0x20u
#define CELL_A 0x40u
#define CELL_D 0x80u

/* A grant entry: bits 3:0 rights (CELL_R/W/X), 31:4 receiving division. */
#define CELL_GRANT_EMPTY 0xFFFFFFF0u
#define CELL_GRANT(div, rights) (((uint32_t)(div) << 4) | ((rights) & 0xFu))

#define CELL_VPN_BITS 36
#define CELL_PPN_BITS 44
#define CELL_VPN_MAX ((1ull << CELL_VPN_BITS) - 1)
#define CELL_PPN_MAX ((1ull << CELL_PPN_BITS) - 1)

/* The satp value that turns the table on (the cells platform's mode 15). */
#define cells_satp(t) satp_cells((t)->base)

/* Size limit: T at most 2^20 and the table in one 1 GiB frame block. */
#define CELLS_MAX_T (1u << 20)

/* One table: the memory the MMU walks, and copies of its metacell. */
struct cell_table {
	paddr_t base;	 /* physical address (for satp.PPN), page aligned */
	uint8_t *mem;	 /* its kernel address (phys_to_virt(base)) */
	unsigned order;	 /* frame_alloc order of the block */
	uint32_t T, R, M; /* permission lines per division, reserved rows, divisions in use */
	uint32_t N;	 /* slots in use including the metacell (cells and gaps are 1..N-1) */
	uint32_t cells;	 /* slots of 1..N-1 that hold cells (the rest are gaps) */
	int grants;	 /* a grant entry was ever written: until then every entry is empty */
	uint32_t hint;	 /* the slot last grown or placed: cells_find_place tries it first */
};

/* One decoded descriptor. */
struct cell {
	uint64_t vpn_first, vpn_last; /* inclusive, 36-bit field values */
	uint64_t ppn;		      /* the frame of vpn_first */
	int valid;		      /* the descriptor's bit 127 (0 or 1) */
};

/*
 * Allocate and initialise a table of T lines per division with R reserved
 * rows, M of them in use: the metacell written (N = 1), every descriptor
 * and permission byte 0, the whole grant table (all R rows) empty.
 * Returns 0; -EINVAL when T == 0, M == 0, M > R, T > CELLS_MAX_T or the
 * table would not fit one 1 GiB block; -ENOMEM.  On failure *t is not
 * touched.
 */
int cells_create(struct cell_table *t, uint32_t T, uint32_t R, uint32_t M);

/* Free the table's memory (satp must no longer name it) and zero *t.  A
 * zeroed table is ignored. */
void cells_destroy(struct cell_table *t);

/* Cells the table can hold at its current T: 64 * T - 1. */
uint32_t cells_capacity(const struct cell_table *t);

/* Bytes the layout uses: T * (1024 + 320 * R) (the block may be larger). */
uint64_t cells_bytes(const struct cell_table *t);

/* Decode slot I (1..N-1) into *out: 0, or -EINVAL for another slot.  A gap
 * decodes as vpn_first = vpn_last + 1, invalid. */
int cells_get(const struct cell_table *t, uint32_t i, struct cell *out);

/* Slot I (1..N-1) is a gap, not a cell. */
int cells_is_gap(const struct cell_table *t, uint32_t i);

/*
 * The cell in the slot before I if it may end at or above VPN, else 0 (a
 * gap on the way whose range starts at or below VPN proves the cell before
 * it ends below VPN: a long run of gaps is not walked).
 */
uint32_t cells_cell_before(const struct cell_table *t, uint32_t i, uint64_t vpn);

/* The cells the table holds (gaps not counted). */
uint32_t cells_count(const struct cell_table *t);

/*
 * The slot whose [first, last] holds VPN, found by binary search over slots
 * 1..N-1 as the MMU does: 0 and *slot, or -ENOENT.  Like the MMU's search
 * it finds invalid cells too (the MMU faults on them); cells_get tells.
 * A VPN above CELL_VPN_MAX is in no cell.
 */
int cells_lookup(const struct cell_table *t, uint64_t vpn, uint32_t *slot);

/*
 * Insert a copy of *c, keeping the slots sorted: the cells between its place
 * and the nearest gap move one slot with their permission bytes and grant
 * entries (rows 0..M-1); when no gap is near, the cells around are spread
 * out first (slack.c).
 * The new cell's byte is 0 and its grant entry empty in every division.
 * Returns 0 and *slot (when slot is not NULL); -EINVAL when vpn_last <
 * vpn_first, vpn_last > CELL_VPN_MAX or the last page's frame ppn +
 * (vpn_last - vpn_first) is above CELL_PPN_MAX; -EEXIST when the range
 * overlaps a cell (valid or not); -ENOSPC when the table holds
 * cells_capacity cells (cells_grow, then retry).  Checked in that order;
 * nothing changes on failure.
 */
int cells_insert(struct cell_table *t, const struct cell *c, uint32_t *slot);

/*
 * cells_insert once its checks are made: POS is the place cells_find_place
 * found in the table as it is now, and ROWS the new cell's byte
 * for each division in use (NULL: 0).  -EINVAL for a range the format
 * cannot hold or a POS outside 1..N, -ENOSPC when full.
 */
int cells_insert_at(struct cell_table *t, const struct cell *c, uint32_t pos, const uint8_t *rows,
		    uint32_t *slot);

/*
 * Grow the cell in SLOT to end at VPN_LAST (same PPN arithmetic, same rights
 * and grants): what a demand fault next to a cell does.  -EEXIST when that
 * reaches the next cell, -EINVAL for a bad slot or range.
 */
int cells_extend(struct cell_table *t, uint32_t slot, uint64_t vpn_last);
/*
 * Whether [VPN_FIRST, VPN_LAST] -> PPN, with rights byte RIGHTS[d] for each
 * of the table's N divisions, continues the cell in SLOT (which ends at
 * VPN_FIRST - 1): 0 when it does not, in either address space or in the
 * rights outside the bits LOOSE; otherwise CELL_EXTENDS, plus
 * CELL_EXTEND_ONE_STORE when cells_extend would change a single aligned
 * 64-bit word (an MMU walking the table meanwhile finds the old cell or the
 * new one, so a live table may take it), plus CELL_EXTEND_MEETS_NEXT when
 * the next cell starts right after VPN_LAST (and no cell overlaps the
 * range: the next one starts above VPN_LAST).  Reads only.
 */
#define CELL_EXTENDS 1u
#define CELL_EXTEND_ONE_STORE 2u
#define CELL_EXTEND_MEETS_NEXT 4u
#define CELL_EXTEND_GAPS_MOVE 8u /* gaps above that the longer cell would reach move up */

/*
 * cells_extend once cells_extension returned HOW (with CELL_EXTENDS) for
 * the same range in the table as it is now: the checks are not made again.
 */
void cells_extend_as(struct cell_table *t, uint32_t slot, uint64_t vpn_last, unsigned how);
unsigned cells_extension(const struct cell_table *t, uint32_t slot, uint64_t vpn_first,
			 uint64_t vpn_last, uint64_t ppn, const uint8_t *rights, uint32_t n,
			 uint8_t loose);
/*
 * The mirror of cells_extension for a cell growing downward: whether
 * [VPN_FIRST, VPN_LAST] -> PPN, rights as there, continues the valid cell in
 * SLOT (which starts at VPN_LAST + 1) from below: CELL_EXTENDS or 0.  The
 * caller has checked that no cell overlaps the range.  Reads only.
 */
unsigned cells_extension_down(const struct cell_table *t, uint32_t slot, uint64_t vpn_first,
			      uint64_t vpn_last, uint64_t ppn, const uint8_t *rights, uint32_t n,
			      uint8_t loose);
/*
 * Grow the cell in SLOT down to start at VPN_FIRST once cells_extension_down
 * said it may (its PPN moves down by as many pages; rights and grants stay).
 * Two words of its descriptor change: a live table is edited off itself.
 */
void cells_extend_down_as(struct cell_table *t, uint32_t slot, uint64_t vpn_first);
/* The slot of the cell last grown or placed when it starts at VPN + 1, else 0 (no search). */
uint32_t cells_recent_above(const struct cell_table *t, uint64_t vpn);
/*
 * Where a new cell [VPN_FIRST, VPN_LAST] goes, found by one search (the
 * MMU's binary search, or none when the range continues the cell last grown
 * or placed): the slot to open for it (what cells_insert_at takes) and the
 * cells it touches, which may grow over it or merge with it.
 */
struct cell_place {
	uint32_t pos;	/* the first slot whose first VPN is above VPN_FIRST */
	uint32_t below;	/* the cell ending at VPN_FIRST - 1, or 0 */
	uint32_t above;	/* the cell starting at VPN_LAST + 1, or 0 */
};
/* 0 and *P when no cell overlaps the range; -EEXIST when one does. */
int cells_find_place(const struct cell_table *t, uint64_t vpn_first, uint64_t vpn_last,
		     struct cell_place *p);
/*
 * Remove the cell in SLOT, whatever its rights and grants: it becomes a gap
 * (a gap at the top is dropped from N).  0, or -EINVAL for a slot outside 1..N-1 or a gap.
 */
int cells_remove(struct cell_table *t, uint32_t slot);

/*
 * Remove every cell inside [VPN_FIRST, VPN_LAST], which must be whole cells
 * (-EINVAL, nothing removed, when one reaches past VPN_LAST): how many were
 * removed.  One pass, however many.
 */
int cells_remove_range(struct cell_table *t, uint64_t vpn_first, uint64_t vpn_last);

/*
 * Split SLOT at VPN into [first, vpn - 1] (staying in SLOT) and [vpn, last]
 * (in SLOT + 1, PPN advanced by vpn - first).  Both halves keep the valid
 * bit, the permission byte of every division and its grant entry (a pending
 * grant then covers both halves, as it covered the whole).  Returns 0;
 * -EINVAL for a bad slot or unless first < vpn <= last; -ENOSPC when full.
 */
int cells_split(struct cell_table *t, uint32_t slot, uint64_t vpn);

/*
 * Merge SLOT with SLOT + 1 when they are contiguous in virtual pages
 * (last + 1 == next first) and in frames (the next PPN follows), have the
 * same valid bit, the same permission byte in every division ignoring A and
 * D, and the same grant entry in every division (so no pending grant is
 * lost or widened).  The merged cell keeps SLOT's PPN and, per division, the
 * OR of both A/D bits.  Returns 1 merged, 0 not mergeable (nothing
 * changed), -EINVAL unless 1 <= SLOT and SLOT + 1 < N.
 */
int cells_merge_next(struct cell_table *t, uint32_t slot);

/* The permission byte of (DIV, SLOT), or 0 when DIV >= M or SLOT is not 1..N-1. */
uint8_t cells_get_rights(const struct cell_table *t, uint32_t slot, uint32_t div);

/* Store BITS as the permission byte of (DIV, SLOT), A and D included:
 * 0, or -EINVAL when DIV >= M or SLOT is not 1..N-1. */
int cells_set_rights(struct cell_table *t, uint32_t slot, uint32_t div, uint8_t bits);

/* Set or clear the valid bit of SLOT: 0, or -EINVAL for a bad slot. */
int cells_set_valid(struct cell_table *t, uint32_t slot, int valid);

/* The grant entry (DIV, SLOT), or CELL_GRANT_EMPTY when DIV >= M or SLOT is
 * not 1..N-1. */
uint32_t cells_get_grant(const struct cell_table *t, uint32_t slot, uint32_t div);

/* Store ENTRY as the grant entry (DIV, SLOT): 0, or -EINVAL as set_rights. */
int cells_set_grant(struct cell_table *t, uint32_t slot, uint32_t div, uint32_t entry);

/*
 * Start using one more division: its permission row cleared and grant row
 * emptied, then M incremented (metacell too).  Returns 0 and *div (the new
 * division's number, the old M; when div is not NULL), or -ENOSPC when
 * M == R already.
 */
int cells_add_division(struct cell_table *t, uint32_t *div);

/*
 * Make room for at least MIN_CELLS cells: T doubles until 64 * T - 1 >=
 * MIN_CELLS, a new block is laid out for that T (the permission and grant
 * rows move: their offsets depend on T) with every descriptor, byte and
 * grant entry copied, and the old block is freed.  t->base changes: the
 * caller rewrites satp and fences (A/D set in the old table after the copy
 * are lost).  Returns 0 (also when the table is big enough already, and
 * then changes nothing); -EINVAL when no T up to CELLS_MAX_T fitting one
 * 1 GiB block would do; -ENOMEM, leaving *t and its memory unchanged.
 */
int cells_grow(struct cell_table *t, uint32_t min_cells);
/*
 * Make room for R rows: when the table has fewer, a new block is laid out
 * for them (the grant table moves: its offset depends on R) with every
 * descriptor, byte and grant entry copied, as cells_grow does.  0 (also
 * when it has them already, changing nothing), -EINVAL, -ENOMEM (*t and
 * its memory unchanged).
 */
int cells_reserve_rows(struct cell_table *t, uint32_t R);
/*
 * The inverse of cells_grow: halve T (not below MIN_T) while the cells would
 * fill at most half of the smaller table, so that a table emptied again
 * returns to the size it had.  The base changes as for cells_grow; -ENOMEM
 * leaves T unchanged (a table that stays larger is still correct).
 */
int cells_shrink(struct cell_table *t, uint32_t min_t);

/* Called with each cell (slot and decoded copy); non-zero stops the walk. */
typedef int (*cells_visitor)(const struct cell_table *t, uint32_t slot, const struct cell *c,
			     void *ctx);

/*
 * Call V on every cell overlapping [vpn_lo, vpn_hi], in ascending order
 * (none when vpn_lo > vpn_hi).  V may change rights, grants and valid bits
 * but not insert, remove, split, merge or grow.  Returns 0, or the first
 * non-zero value V returned.
 */
int cells_traverse(const struct cell_table *t, uint64_t vpn_lo, uint64_t vpn_hi, cells_visitor v,
		   void *ctx);

#endif
