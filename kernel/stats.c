#include "kernel/stats.h"

#include <stdio.h>

#include "arch.h"
#include "kernel/console.h"
#include "kernel/frame.h"
#include "kernel/heap.h"
#include "vmm/vmm.h"

struct kstats kstats;

void stats_print(int exit_status)
{
	uint64_t now = read_instret();
	struct vmm_stats v;
	struct frame_stats f;
	struct heap_stats h;
	char backend[320], bench[200] = "";
	if (kstats.bench_ran)
		snprintf(bench, sizeof(bench),
			 " map4k_instret=%lu protect4k_instret=%lu unmap4k_instret=%lu"
			 " map2m_instret=%lu unmap2m_instret=%lu",
			 kstats.bench.map4k, kstats.bench.protect4k, kstats.bench.unmap4k,
			 kstats.bench.map2m, kstats.bench.unmap2m);
	vmm_get_stats(&v);
	vmm_backend_stats(backend, sizeof(backend));
	frame_get_stats(&f);
	heap_get_stats(&h);
	kprintf("stats: backend=%s exit=%d boot_instret=%lu total_instret=%lu table_bytes=%lu "
		"map_calls=%lu map_instret=%lu unmap_calls=%lu unmap_instret=%lu "
		"protect_calls=%lu protect_instret=%lu fault_calls=%lu fault_instret=%lu "
		"syscalls=%lu frames_used_bytes=%lu heap_bytes=%lu%s%s\n",
		vmm_backend_name(), exit_status,
		kstats.user_entry_instret ? kstats.user_entry_instret - kstats.entry_instret : 0,
		now - kstats.entry_instret, v.table_bytes, v.map.calls, v.map.instret,
		v.unmap.calls, v.unmap.instret, v.protect.calls, v.protect.instret, v.fault.calls,
		v.fault.instret, kstats.syscalls, f.managed_bytes - f.free_bytes, h.bytes_in_use, bench, backend);
}
