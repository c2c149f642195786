/* Zeroing whole pages fast: most of a demand-zero fault's cost, and every new table's. */
#ifndef KERNEL_ZERO_H
#define KERNEL_ZERO_H

#include <stdint.h>

/*
 * Zero LEN bytes (a multiple of 128) at P, sixteen stores a turn where
 * picolibc's memset does two.  The loop must stay a loop: GCC would
 * otherwise turn it back into a memset call (clang, for the fuzzers, does
 * not have the option and is not measured).
 */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-loop-distribute-patterns")))
#endif
static inline void zero_pages(void *p, uint64_t len)
{
	uint64_t *w = p, *end = (uint64_t *)((char *)p + len);
	for (; w < end; w += 16) {
		w[0] = 0, w[1] = 0, w[2] = 0, w[3] = 0, w[4] = 0, w[5] = 0, w[6] = 0, w[7] = 0;
		w[8] = 0, w[9] = 0, w[10] = 0, w[11] = 0, w[12] = 0, w[13] = 0, w[14] = 0, w[15] = 0;
	}
}

#endif
