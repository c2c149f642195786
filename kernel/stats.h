/*
 * The figures the kernel reports at exit, on one machine-readable line:
 *   stats: key=value key=value ...
 * Instruction counts are rdinstret deltas (deterministic under -icount).
 */
#ifndef KERNEL_STATS_H
#define KERNEL_STATS_H

#include <stdint.h>

#include "vmm/vmm.h"

struct kstats {
	uint64_t entry_instret;      /* at the first kernel instruction */
	uint64_t user_entry_instret; /* just before the application's first instruction */
	uint64_t syscalls;
	int bench_ran;           /* ktest=bench measured the vmm operations */
	struct vmm_bench bench;
};

extern struct kstats kstats;

void stats_print(int exit_status);

#endif
