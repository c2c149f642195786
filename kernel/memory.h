/*
 * Physical and virtual addresses as the generic kernel sees them.
 *
 * All RAM is visible at a fixed offset (the direct map).  The kernel image
 * itself lives inside the direct map, so every physical page has exactly one
 * kernel alias and W^X can hold for all of them.  Host tests point the
 * offset at an arena of their own, which is why it is a variable.
 */
#ifndef KERNEL_MEMORY_H
#define KERNEL_MEMORY_H

#include <stddef.h>
#include <stdint.h>

typedef uint64_t paddr_t;
typedef uint64_t vaddr_t;

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ul << PAGE_SHIFT)
#define MEGAPAGE_SIZE (1ul << 21)
#define GIGAPAGE_SIZE (1ul << 30)

#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))
#define ALIGN_UP(x, a) ALIGN_DOWN((x) + (uint64_t)(a) - 1, (a))
#define IS_ALIGNED(x, a) (((x) & ((uint64_t)(a) - 1)) == 0)

/* kernel virtual address minus physical address, for every direct-mapped byte */
extern uintptr_t direct_map_offset;

/* All the RAM the FDT describes (online or not yet), in bytes. */
extern uint64_t ram_bytes;

static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)(pa + direct_map_offset);
}

static inline paddr_t virt_to_phys(const void *va)
{
	return (paddr_t)((uintptr_t)va - direct_map_offset);
}

/* A physical range [base, base + size). */
struct mem_range {
	paddr_t base;
	uint64_t size;
};

#endif
