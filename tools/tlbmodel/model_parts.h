/*
 * The parts of the translation model (tlbmodel.h), for its own files:
 * tlb.c holds the TLB arrays and the page-walk cache, walk_sv48.c and
 * walk_cells.c the two walkers, tlbmodel.c puts them together.
 */
#ifndef TOOLS_TLBMODEL_PARTS_H
#define TOOLS_TLBMODEL_PARTS_H

#include "platform/riscv64/arch.h"
#include "platform/riscv64-cells/satp_cells.h"
#include "tools/tlbmodel/tlbmodel.h"

static inline unsigned satp_mode(uint64_t satp)
{
	return (unsigned)(satp >> SATP_MODE_SHIFT);
}

static inline uint64_t satp_asid(uint64_t satp)
{
	return (satp & SATP_ASID_MASK) >> SATP_ASID_SHIFT;
}

/* The physical address of the root table (Sv48) or of the cell table. */
static inline uint64_t satp_table(uint64_t satp)
{
	return (satp & SATP_PPN_MASK) << 12;
}

/*
 * An entry's rights from its leaf's R, W, X and D bits: write access only
 * once D is set or for the store that sets it (the walker sets D), so a
 * later first store to a clean page walks again.
 */
static inline uint8_t entry_rights(bool r, bool w, bool x, bool dirty, enum tlbmodel_access kind)
{
	return (uint8_t)((r ? TLBMODEL_R : 0) | (w && (dirty || kind == TLBMODEL_STORE) ? TLBMODEL_W : 0) |
			 (x ? TLBMODEL_X : 0));
}

/* The entry of TLB that translates VA for MODE and TAG, or NULL. */
struct tlbmodel_entry *tlb_find(struct tlbmodel_tlb *tlb, unsigned mode, uint64_t va, uint64_t tag);

/* Put FILL in TLB, evicting the least recently used entry of its set. */
void tlb_fill(struct tlbmodel_tlb *tlb, const struct tlbmodel_entry *fill);

/* Drop ENTRY from TLB. */
void tlb_drop(struct tlbmodel_tlb *tlb, struct tlbmodel_entry *entry);

/* Drop what a fence of SCOPE (TLBMODEL_FENCE_*) at VA for ASID reaches. */
void tlb_fence(struct tlbmodel_tlb *tlb, uint64_t va, uint64_t asid, unsigned scope);

/* The table the page-walk cache holds for VA's entry at LEVEL, or 0. */
uint64_t pwc_find(struct tlbmodel *model, uint64_t asid, unsigned level, uint64_t va, uint64_t clock);
void pwc_fill(struct tlbmodel *model, uint64_t asid, unsigned level, uint64_t va, uint64_t table_pa,
	      uint64_t clock);
void pwc_fence(struct tlbmodel *model, uint64_t va, uint64_t asid, unsigned scope);

/* Walk for an access of KIND at VA; true with *fill set, or false (nothing maps it). */
bool walk_sv48(struct tlbmodel *model, const struct tlbmodel_hart *hart, uint64_t va,
	       enum tlbmodel_access kind, struct tlbmodel_entry *fill);
bool walk_cells(struct tlbmodel *model, const struct tlbmodel_hart *hart, uint64_t va,
		enum tlbmodel_access kind, struct tlbmodel_entry *fill);

#endif
