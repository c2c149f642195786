#define _GNU_SOURCE /* mremap */
/*
 * Allocation churn, one of the comparison workloads: malloc/free of random
 * sizes, mmap/munmap, and mremap growing and shrinking, every block filled
 * with a pattern and checked before it is released.  argv[1] = rounds
 * (default 20000).  Prints "churn: N rounds, checksum X, ok"; exits 1 on a
 * wrong byte or a failed call.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define SLOTS 256

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void fail(const char *what)
{
	printf("churn: FAILED %s\n", what);
	exit(1);
}

/* Fill [p, p+n) with a pattern derived from SEED. */
static void fill(unsigned char *p, size_t n, uint64_t seed)
{
	for (size_t i = 0; i < n; i += 61)
		p[i] = (unsigned char)(seed + i);
}

/* Whether [p, p+n) still holds that pattern; adds it to the checksum. */
static int holds(const unsigned char *p, size_t n, uint64_t seed, uint64_t *sum)
{
	for (size_t i = 0; i < n; i += 61) {
		if (p[i] != (unsigned char)(seed + i))
			return 0;
		*sum += p[i];
	}
	return 1;
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? strtol(argv[1], NULL, 0) : 20000;
	struct { unsigned char *p; size_t n; uint64_t seed; int mapped; } slot[SLOTS] = { 0 };
	uint64_t sum = 0;
	for (long r = 0; r < rounds; r++) {
		unsigned i = next() % SLOTS;
		if (slot[i].p) {
			if (!holds(slot[i].p, slot[i].n, slot[i].seed, &sum))
				fail("pattern before release");
			if (slot[i].mapped && next() % 3 == 0) {
				/* Grow or shrink it instead, keeping what fits. */
				size_t n = 4096 * (1 + next() % 256);
				unsigned char *q = mremap(slot[i].p, slot[i].n, n, MREMAP_MAYMOVE);
				if (q == MAP_FAILED)
					fail("mremap");
				size_t kept = n < slot[i].n ? n : slot[i].n;
				if (!holds(q, kept, slot[i].seed, &sum))
					fail("pattern after mremap");
				fill(q, n, slot[i].seed);
				slot[i].p = q;
				slot[i].n = n;
				continue;
			}
			if (slot[i].mapped)
				munmap(slot[i].p, slot[i].n);
			else
				free(slot[i].p);
			slot[i].p = NULL;
			continue;
		}
		slot[i].seed = next();
		slot[i].mapped = next() % 4 == 0;
		if (slot[i].mapped) {
			slot[i].n = 4096 * (1 + next() % 64);
			slot[i].p = mmap(NULL, slot[i].n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (slot[i].p == MAP_FAILED)
				{ perror("churn: mmap"); fail("mmap"); }
		} else {
			slot[i].n = 1 + next() % 70000;
			if (!(slot[i].p = malloc(slot[i].n)))
				fail("malloc");
		}
		fill(slot[i].p, slot[i].n, slot[i].seed);
	}
	printf("churn: %ld rounds, checksum %llu, ok\n", rounds, (unsigned long long)sum);
	return 0;
}
