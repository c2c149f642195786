/*
 * The application half of `make bench`: the cost of a demand-zero fault as
 * the application sees it, from the faulting store to its retirement (trap,
 * kernel, zeroing, return), by rdinstret around the store.  Medians of many.
 * Prints "bench: fault4k_instret=N fault2m_instret=N".
 *   argv[1]  number of 4 KiB faults to measure (default 256)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "measure.h"

#define MiB (1ul << 20)



/* Touch COUNT fresh pages STEP apart from P, timing each first store: the median. */
static uint64_t touch(volatile char *p, size_t count, size_t step)
{
	uint64_t *t = calloc(count, sizeof(*t));
	for (size_t i = 0; i < count; i++) {
		uint64_t t0 = instret();
		p[i * step] = 1;
		t[i] = instret() - t0;
	}
	uint64_t m = median(t, count);
	free(t);
	return m;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 0) : 256;
	/* One page in each 2 MiB would build a table per fault: touch pages in order. */
	char *small = mmap(NULL, n * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *big = mmap(NULL, 16 * 2 * MiB, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (small == MAP_FAILED || big == MAP_FAILED) {
		perror("bench: mmap");
		return 1;
	}
	uint64_t f4k = touch(small, n, 4096);
	uint64_t f2m = touch(big, 16, 2 * MiB);
	printf("bench: fault4k_instret=%lu fault2m_instret=%lu\n", f4k, f2m);
	return 0;
}
