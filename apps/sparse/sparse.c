/*
 * Sparse random access over a large mapping, a comparison workload: a
 * mapping of argv[1] MiB (default 4096) of which argv[2] (default 4096)
 * random pages are written and then read back in another random order; most
 * of the mapping is never touched.  Prints "sparse: N pages of M MiB, ok".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

static uint64_t rng;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 4096;
	size_t touches = argc > 2 ? strtoul(argv[2], NULL, 0) : 4096;
	size_t pages = mib * 256;
	volatile uint64_t *p = mmap(NULL, mib << 20, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		perror("sparse: mmap");
		return 1;
	}
	rng = 88172645463325252ull;
	for (size_t i = 0; i < touches; i++) {
		size_t pg = next() % pages;
		p[pg * 512] = pg ^ 0xabcdef;
	}
	/* The same pages again, checked: each holds its own number. */
	rng = 88172645463325252ull;
	size_t wrong = 0;
	for (size_t i = 0; i < touches; i++) {
		size_t pg = next() % pages;
		wrong += p[pg * 512] != (pg ^ 0xabcdef);
	}
	printf("sparse: %zu pages of %zu MiB, %s\n", touches, mib, wrong ? "WRONG" : "ok");
	return wrong != 0;
}
