/*
 * The Sv48 page-table entry, stated once.
 *
 * Four levels of 512 entries; a leaf may sit at any level (4 KiB, 2 MiB,
 * 1 GiB or 512 GiB pages).  Level 3 is the root.  Entry bits:
 *   0 V  1 R  2 W  3 X  4 U  5 G  6 A  7 D  8-9 RSW  10-53 PPN  54-63 reserved
 * An entry with V set and R=W=X=0 points to the next-level table; an entry
 * with V clear and PTE_SW_HELD set is a held leaf (below).
 */
#ifndef PLATFORM_SV48_H
#define PLATFORM_SV48_H

#include <stdint.h>

typedef uint64_t pte_t;

#define SV48_LEVELS 4
#define SV48_ROOT_LEVEL 3
#define SV48_ENTRIES 512
#define SV48_INDEX_BITS 9

#define PTE_V (1ul << 0)
#define PTE_R (1ul << 1)
#define PTE_W (1ul << 2)
#define PTE_X (1ul << 3)
#define PTE_U (1ul << 4)
#define PTE_G (1ul << 5)
#define PTE_A (1ul << 6)
#define PTE_D (1ul << 7)
#define PTE_RWX (PTE_R | PTE_W | PTE_X)
/* RSW bit 0: the mapping is device memory (Sv48 without Svpbmt has no memory types). */
#define PTE_SW_DEVICE (1ul << 8)
/*
 * RSW bit 1, on an entry with V clear: a held page (PROT_NONE over memory
 * that exists).  The MMU ignores an invalid entry whole, so the entry keeps
 * the page's PPN, U and A/D bits for the kernel while no access reaches it.
 */
#define PTE_SW_HELD (1ul << 9)
#define PTE_PPN_SHIFT 10
#define PTE_PPN_MASK (((1ul << 44) - 1) << PTE_PPN_SHIFT)

/* log2 of the bytes one entry at LEVEL covers: 12, 21, 30, 39. */
static inline unsigned sv48_level_shift(unsigned level)
{
	return 12 + SV48_INDEX_BITS * level;
}

static inline uint64_t sv48_level_size(unsigned level)
{
	return 1ul << sv48_level_shift(level);
}

/* The index of VA's entry in a table at LEVEL. */
static inline unsigned sv48_index(uint64_t va, unsigned level)
{
	return (va >> sv48_level_shift(level)) & (SV48_ENTRIES - 1);
}

static inline int pte_valid(pte_t e)
{
	return (e & PTE_V) != 0;
}

/* An entry in use: valid, or a held page. */
static inline int pte_present(pte_t e)
{
	return (e & (PTE_V | PTE_SW_HELD)) != 0;
}

/* A valid entry with any of R, W, X is a leaf; otherwise it points to a table. */
static inline int pte_is_leaf(pte_t e)
{
	return (e & (PTE_RWX | PTE_SW_HELD)) != 0;
}

static inline uint64_t pte_pa(pte_t e)
{
	return ((e & PTE_PPN_MASK) >> PTE_PPN_SHIFT) << 12;
}

static inline pte_t pte_make(uint64_t pa, uint64_t bits)
{
	return ((pa >> 12) << PTE_PPN_SHIFT) | bits | PTE_V;
}

#endif
