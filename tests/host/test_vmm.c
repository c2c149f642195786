/*
 * Host driver of the vmm.h conformance suite (tests/vmm-suite), linked once
 * with each backend (tests/host/host.mk): test_vmm with the Sv48 backend
 * (tablets and segments), test_vmm_cells with the permission-table backend.
 *
 * "Physical memory" is one MAP_NORESERVE arena at a pretend physical base,
 * reached through direct_map_offset like the kernel's direct map: the frame
 * allocator, the heap and the page tables live there.  The addresses the
 * suite maps need not be in it: a map only records them.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

#include "kernel/frame.h"
#include "tests/host/check.h"
#include "tests/vmm-suite/vmm_suite.h"
#include "vmm/space.h"

#define MiB (1ull << 20)

#define ARENA_PA 0x80000000ull /* physical address of the arena's first byte */
#define ARENA_SIZE (256 * MiB)

/* The frame allocator's own invariants held through everything the suite did. */
static void allocator_intact_after_suite(void)
{
	CHECK_EQ(frame_check(), 0);
}

int main(void)
{
	char *arena = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (arena == MAP_FAILED) {
		printf("# mmap of the arena failed\n");
		return 1;
	}
	direct_map_offset = (uintptr_t)arena - (uintptr_t)ARENA_PA;
	/* OpenSBI's range stays out, as on QEMU's virt machine. */
	struct mem_range ram = { ARENA_PA, ARENA_SIZE };
	struct mem_range res = { ARENA_PA, 0x40000 };
	if (frame_init(&ram, 1, &res, 1) != 0 || vmm_kernel_space_init() != 0) {
		printf("# frame_init or vmm_kernel_space_init failed\n");
		return 1;
	}
	check_failures += vmm_suite_run();
	check_failures += vmm_suite_regions_run();
	check_failures += vmm_suite_contract_run();
	check_failures += vmm_suite_views_run();
	check_failures += vmm_suite_all_or_nothing_run();
	RUN(allocator_intact_after_suite);
	CHECK_EXIT();
}
