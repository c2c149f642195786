/*
 * The memory host tests run the kernel's frame allocator and heap on: an
 * anonymous mapping the "direct map" points into, so that phys_to_virt
 * works, starting at a physical address of the test's choosing.
 */
#ifndef TESTS_HOST_ARENA_H
#define TESTS_HOST_ARENA_H

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "kernel/frame.h"
#include "kernel/heap.h"
#include "kernel/memory.h"

/* Frames [base, base+size) on fresh memory, and an empty heap; the test ends if there is none. */
static inline void arena_init(paddr_t base, uint64_t size)
{
	void *arena = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (arena == MAP_FAILED)
		abort();
	direct_map_offset = (uintptr_t)arena - base;
	struct mem_range ram = { base, size };
	frame_init(&ram, 1, NULL, 0);
	heap_reset_for_test();
}

/* The frame allocator's free bytes now. */
static inline uint64_t arena_free_bytes(void)
{
	struct frame_stats s;
	frame_get_stats(&s);
	return s.free_bytes;
}

#endif
