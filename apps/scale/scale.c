/*
 * The application half of `make bench-scale` (tools/bench-scale.sh): what
 * one memory operation costs when N single-page mappings are live and
 * scattered over 8 GiB (one page in a slot of two, never two adjacent, in
 * an order drawn by a bijection so every 2 MiB block and table is reached).
 *
 * The N live mappings are N pages touched in one 8 GiB anonymous mapping:
 * N translations for the backend, but one region, so what grows with N is
 * the backend's work and not the region list's (N regions would make every
 * system call walk them).  Then it times SAMPLES more mappings at fresh
 * scattered places, each op by rdinstret around it, as the application sees
 * it (trap, system call, region layer and backend, zeroing for the fault):
 *   map      mmap(MAP_FIXED) of one anonymous page (the region is added; no memory yet),
 *   fault    the first store to it (the backend brings in the page),
 *   protect  mprotect(PROT_READ) of it (the backend changes a present translation),
 *   unmap    munmap of it,
 * and prints their medians on one line:
 *   scale: n=N map_instret=.. fault_instret=.. protect_instret=.. unmap_instret=..
 * The N mappings are left in place, so the kernel's stats line at exit
 * gives the table bytes at N.  Every mapping's byte is checked before exit.
 *   N: the last argument (default 1024; the kernel command line's words after
 *   "--" come after the image's), at most 2^19 less the samples
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "measure.h"

#define PAGE 4096ul
#define SLOT_BITS 20 /* 2^20 slots of 8 KiB: 8 GiB */
#define SLOT (2 * PAGE)
#define SAMPLES 64




static char *base;

/* The I-th mapping's page: an odd multiplier is a bijection modulo 2^SLOT_BITS. */
static volatile char *page_of(uint64_t i)
{
	uint64_t slot = (i * 0x9e3779b1ul) & ((1ul << SLOT_BITS) - 1);
	return (volatile char *)(base + slot * SLOT);
}

static int map_one(volatile char *p)
{
	void *got = mmap((void *)p, PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (got != (void *)p) {
		printf("scale: mmap at %p: %s\n", (void *)p, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoul(argv[argc - 1], NULL, 0) : 1024;
	if (n == 0 || n + SAMPLES > (1ul << (SLOT_BITS - 1))) {
		printf("scale: N must be 1 to %lu\n", (1ul << (SLOT_BITS - 1)) - SAMPLES);
		return 2;
	}
	/* The 8 GiB to scatter in. */
	base = mmap(NULL, SLOT << SLOT_BITS, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED) {
		perror("scale: mmap of the area");
		return 1;
	}
	for (uint64_t i = 0; i < n; i++)
		*page_of(i) = (char)i;
	static uint64_t tmap[SAMPLES], tfault[SAMPLES], tprotect[SAMPLES], tunmap[SAMPLES];
	for (uint64_t s = 0; s < SAMPLES; s++) {
		volatile char *p = page_of(n + s);
		uint64_t t0 = instret();
		int err = map_one(p);
		uint64_t t1 = instret();
		if (err)
			return 1;
		*p = 1;
		uint64_t t2 = instret();
		err = mprotect((void *)p, PAGE, PROT_READ);
		uint64_t t3 = instret();
		err |= munmap((void *)p, PAGE);
		uint64_t t4 = instret();
		if (err) {
			perror("scale: mprotect or munmap");
			return 1;
		}
		tmap[s] = t1 - t0;
		tfault[s] = t2 - t1;
		tprotect[s] = t3 - t2;
		tunmap[s] = t4 - t3;
	}
	uint64_t wrong = 0;
	for (uint64_t i = 0; i < n; i++)
		wrong += *page_of(i) != (char)i;
	if (wrong) {
		printf("scale: %lu of %lu mappings lost their byte\n", wrong, n);
		return 1;
	}
	printf("scale: n=%lu map_instret=%lu fault_instret=%lu protect_instret=%lu "
	       "unmap_instret=%lu\n",
	       n, median(tmap, SAMPLES), median(tfault, SAMPLES), median(tprotect, SAMPLES),
	       median(tunmap, SAMPLES));
	return 0;
}
