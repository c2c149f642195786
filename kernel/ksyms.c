/*
 * Symbol lookup over the table tools/mksyms.sh generates from the first
 * link: addresses ascending, each with an offset into one string blob.
 */
#include "kernel/ksyms.h"

#include <stdio.h>

extern const uint64_t ksyms_count;
extern const uint64_t ksyms_addrs[];
extern const uint32_t ksyms_name_offsets[];
extern const char ksyms_names[];
extern char _kernel_start[], _etext[];

void ksyms_describe(uint64_t addr, char *buf, size_t size)
{
	if (addr < (uint64_t)_kernel_start || addr >= (uint64_t)_etext || ksyms_count == 0 ||
	    addr < ksyms_addrs[0]) {
		snprintf(buf, size, "(not kernel text)");
		return;
	}
	/* The last symbol at or below ADDR. */
	uint64_t lo = 0, hi = ksyms_count;
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (ksyms_addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	snprintf(buf, size, "<%s+%#lx>", ksyms_names + ksyms_name_offsets[lo],
		 (unsigned long)(addr - ksyms_addrs[lo]));
}
