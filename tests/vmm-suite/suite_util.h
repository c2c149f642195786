/*
 * What the files of the vmm.h suite share: where the cases map, the rights
 * they use, and the helpers of vmm_suite.c (described there).  Each file
 * counts its own cases (tests/host/check.h keeps its state per file).
 */
#ifndef TESTS_VMM_SUITE_SUITE_UTIL_H
#define TESTS_VMM_SUITE_SUITE_UTIL_H

#include <stdint.h>

#include "vmm/vmm.h"

#define KiB (1ul << 10)
#define MiB (1ul << 20)
#define GiB (1ul << 30)
#define P PAGE_SIZE

/*
 * Where the cases map.  The user window starts at 1 TiB; the kernel window
 * is the kernel half's second-to-last 1 TiB, far from the direct map that
 * starts at KERNEL_HALF_BASE.  Both are 512 GiB aligned, so ranges can
 * start or cross any boundary a backend may care about.  The physical
 * addresses are only recorded (never touched), 1 GiB aligned.  Region
 * cases work from R_BASE.
 */
#define U_BASE 0x0000010000000000ul
#define K_BASE 0xfffffe0000000000ul
#define K_LEN (512 * GiB)
#define P_BASE 0x0000004000000000ul
#define R_BASE (U_BASE + 32 * GiB)

#define UR (VMM_USER | VMM_READ)
#define URW (UR | VMM_WRITE)
#define URX (UR | VMM_EXEC)
#define UX (VMM_USER | VMM_EXEC)
#define KR (VMM_GLOBAL | VMM_READ)
#define KRW (KR | VMM_WRITE)
#define KRX (KR | VMM_EXEC)

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

int diag(const char *fmt, ...);
struct vmm_space *space_new(void);
uint64_t table_bytes(void);
uint64_t free_bytes(void);
int mapped_as(struct vmm_space *s, vaddr_t va, uint64_t len, paddr_t pa, unsigned rights);
int unmapped(struct vmm_space *s, vaddr_t va, uint64_t len);
int page_is_zero(paddr_t pa);
int traverse_is(struct vmm_space *s, vaddr_t va, uint64_t len, const struct vmm_mapping *want,
		unsigned n);

/*
 * Frames held back from everybody, to run an operation out of memory.  The
 * blocks are chained through their own first words, so holding them needs
 * no memory of its own.
 */
struct hoard {
	paddr_t head; /* HOARD_END when empty */
	uint64_t blocks;
};
#define HOARD_END UINT64_MAX
#define SPARE_LIMIT 4096
unsigned next_spare(unsigned spare);
struct hoard exhaust(unsigned spare);
void hoard_release(struct hoard *h);
void *heap_take_all(void);
void heap_release(void *head);

#endif
