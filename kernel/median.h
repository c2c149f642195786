/* The median of a small sample of instruction counts (the kernel's self-timed benchmarks). */
#ifndef KERNEL_MEDIAN_H
#define KERNEL_MEDIAN_H

#include <stdint.h>

/* The median of the N values at V, sorted in place (insertion sort: N is small). */
static inline uint64_t median_u64(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2];
}

#endif
