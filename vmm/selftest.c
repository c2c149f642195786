/*
 * In-guest tests of the vmm: the backend's own self-tests, and the vmm
 * microbenchmark (ktest=bench): instruction counts of single
 * operations in steady state, medians of many, on a scratch range of the
 * user half.  An anchor page stays mapped so that every measured 4 KiB map
 * finds its translation tables already there (steady state), as a long-
 * running application's would.
 */
#include "arch.h"
#include "kernel/median.h"
#include "kernel/stats.h"
#include "vmm/space.h"

#define BENCH_VA 0x0000300000000000ul /* far from anything a program maps */
#define BENCH_PA 0x80000000ul         /* only mapped, never touched */
#define RUNS 256
#define RUNS_2M 64
#define URW (VMM_USER | VMM_READ | VMM_WRITE)


/* Run OP on page I of RUNS pages from BASE, timing each: the median. */
#define TIMED(base, step, runs, op)                                               \
	({                                                                        \
		static uint64_t t_[RUNS];                                         \
		for (unsigned i = 0; i < (runs); i++) {                           \
			vaddr_t va = (base) + (i + 1) * (step);                   \
			uint64_t t0 = read_instret();                             \
			(void)(op);                                               \
			t_[i] = read_instret() - t0;                              \
		}                                                                 \
		median_u64(t_, (runs));                                               \
	})

int vmm_bench(struct vmm_bench *out)
{
	struct vmm_space *s = vmm_current_space();
	/* 4 KiB: pages 1..RUNS of one 2 MiB block, its leaf table held by page 0. */
	int err = vmm_map(s, BENCH_VA, BENCH_PA, PAGE_SIZE, URW);
	if (err)
		return err;
	out->map4k = TIMED(BENCH_VA, PAGE_SIZE, RUNS, vmm_map(s, va, BENCH_PA + va - BENCH_VA, PAGE_SIZE, URW));
	out->protect4k = TIMED(BENCH_VA, PAGE_SIZE, RUNS, vmm_protect(s, va, PAGE_SIZE, VMM_USER | VMM_READ));
	out->unmap4k = TIMED(BENCH_VA, PAGE_SIZE, RUNS, vmm_unmap(s, va, PAGE_SIZE));
	/* 2 MiB: blocks 1..RUNS_2M of one 1 GiB range, its table held by the anchor. */
	out->map2m = TIMED(BENCH_VA, MEGAPAGE_SIZE, RUNS_2M,
			   vmm_map(s, va, BENCH_PA + va - BENCH_VA, MEGAPAGE_SIZE, URW));
	out->unmap2m = TIMED(BENCH_VA, MEGAPAGE_SIZE, RUNS_2M, vmm_unmap(s, va, MEGAPAGE_SIZE));
	return vmm_unmap(s, BENCH_VA, PAGE_SIZE);
}

int vmm_selftest(struct vmm_space *space, const char *name)
{
	return backend_selftest(space->backend, name);
}
