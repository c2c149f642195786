/*
 * The conformance suite of vmm.h, written once against the interface alone
 * so that every backend (Sv48 page tables, SecureCells permission tables)
 * runs the very same cases.
 *
 * The driver sets up what the kernel would: the frame allocator over memory
 * the direct map reaches (phys_to_virt), the heap, and the kernel space
 * (vmm_init, or vmm_kernel_space_init on the host).  The cases map
 * physical addresses they never touch (a map only records them), except the
 * frames vmm_fault and the backend take from the frame allocator.
 *
 * Every case creates its own space and destroys it; the ones about the
 * shared kernel half map in vmm_kernel_space() inside a window of their own
 * (see vmm_suite.c) and unmap what they mapped.  Some cases exhaust the
 * frame allocator for a while, so run the suite when nothing else needs it.
 */
#ifndef TESTS_VMM_SUITE_VMM_SUITE_H
#define TESTS_VMM_SUITE_VMM_SUITE_H

/* Run every case, one "ok NAME" / "not ok NAME: ..." line each (check.h);
 * returns how many cases failed. */
int vmm_suite_run(void);
/* The same for the cases of regions.c (backed regions, replacement, placement). */
int vmm_suite_regions_run(void);
/* The contract of 03e4c0d: holds, protect over holes, huge and stack regions, A/D (contract.c). */
int vmm_suite_contract_run(void);
/* Views (one per compartment): masks, faults per view, revocation (views.c). */
int vmm_suite_views_run(void);
/* Every operation failing at each of its allocations in turn, with 3 spaces alive (all_or_nothing.c). */
int vmm_suite_all_or_nothing_run(void);

#endif
