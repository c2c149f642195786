/*
 * What the measuring applications (bench, scale) share: the retired
 * instruction count as U-mode reads it, and the median of a sample.
 */
#ifndef APPS_MEASURE_H
#define APPS_MEASURE_H

#include <stdint.h>
#include <stdlib.h>

#if defined(__riscv)
static inline uint64_t instret(void)
{
	uint64_t v;
	__asm__ volatile("rdinstret %0" : "=r"(v));
	return v;
}
#else
#include <time.h>
/* A host build (apps/waiting is checked on Linux first): nanoseconds stand in for instructions. */
static inline uint64_t instret(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
#endif

static inline int measure_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The median of the N values at V (which end up sorted). */
static inline uint64_t median(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), measure_cmp);
	return v[n / 2];
}

#endif
