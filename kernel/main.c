/*
 * The boot sequence: FDT -> console -> frames -> vmm (kernel space, SATP)
 * -> timer and wall clock -> application.  platform/riscv64/entry.S calls
 * kernel_main on the boot hart with the MMU on and the image at its
 * upper-half address.
 */
#include <string.h>

#include "kernel/console.h"
#include "kernel/fdt.h"
#include "kernel/fs.h"
#include "kernel/frame.h"
#include "kernel/panic.h"
#include "kernel/process.h"
#include "kernel/random.h"
#include "kernel/rtc.h"
#include "kernel/sched.h"
#include "kernel/selftest.h"
#include "kernel/stats.h"
#include "machine.h"
#include "policies/policy.h"
#include "vmm/vmm.h"

#define FDT_SIZE_LIMIT (1u << 20)
#define MAX_RESERVED (FDT_MAX_RANGES + 2)
#define MAX_DEVICES 4

uintptr_t direct_map_offset = DIRECT_MAP_BASE;
uint64_t ram_bytes;

extern char _kernel_start[], _kernel_end[];
extern const char app_elf_start[], app_elf_end[], app_cmdline[];

static struct boot_info boot_info;
static char bootargs[1024]; /* the FDT is not mapped after memory_init */

/* Read the FDT's totalsize (big-endian, at +4) so that parsing stays inside it. */
static size_t fdt_total_size(const void *fdt)
{
	const uint8_t *b = fdt;
	uint32_t size = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7];
	return size < FDT_SIZE_LIMIT ? size : FDT_SIZE_LIMIT;
}

/* Frames may not come from firmware memory, the kernel image or the FDT. */
static unsigned collect_reserved(paddr_t fdt_pa, struct mem_range *out)
{
	unsigned n = 0;
	for (unsigned i = 0; i < boot_info.nreserved; i++)
		out[n++] = boot_info.reserved[i];
	out[n++] = (struct mem_range){ virt_to_phys(_kernel_start),
				       (uint64_t)(_kernel_end - _kernel_start) };
	out[n++] = (struct mem_range){ fdt_pa, boot_info.blob_size };
	return n;
}

/*
 * What applications may commit (vmm_set_commit_limit): RAM less what is
 * reserved, keeping an eighth back for the kernel's own structures (page
 * tables, tablet records, cells, files), which grow with what is mapped.
 */
static uint64_t user_commit_limit(const struct mem_range *reserved, unsigned n)
{
	uint64_t taken = ram_bytes / 8;
	for (unsigned i = 0; i < n; i++)
		taken += reserved[i].size;
	return taken < ram_bytes ? ram_bytes - taken : 0;
}

static void memory_init(paddr_t fdt_pa)
{
	for (unsigned i = 0; i < boot_info.nram; i++)
		ram_bytes += boot_info.ram[i].size;
	struct mem_range reserved[MAX_RESERVED], devices[MAX_DEVICES], window;
	unsigned nreserved = collect_reserved(fdt_pa, reserved);
	int err = vmm_plan_direct_map(boot_info.ram, boot_info.nram, boot_info.reserved,
				      boot_info.nreserved, &window);
	if (!err)
		err = frame_init_window(boot_info.ram, boot_info.nram, reserved, nreserved,
					window.base, window.base + window.size);
	if (err)
		panic("frame allocator: cannot manage the FDT's memory (error %d)", err);
	unsigned ndevices = machine_device_ranges(&boot_info, devices, MAX_DEVICES);
	err = vmm_init(&window, devices, ndevices, (vaddr_t)app_elf_start, (vaddr_t)app_elf_end);
	if (err)
		panic("vmm: cannot build the kernel space (error %d)", err);
	vmm_set_commit_limit(user_commit_limit(reserved, nreserved));
}

static void boot_report(void)
{
	/* The command line is the first line of app_cmdline; the build's environment follows. */
	kprintf("slate: %s backend, %lu MiB RAM, app '%.*s'\n", vmm_backend_name(), ram_bytes >> 20,
		(int)strcspn(app_cmdline, "\n"), app_cmdline);
}

void kernel_main(uint64_t hartid, paddr_t fdt_pa, uint64_t entry_instret)
{
	kstats.entry_instret = entry_instret;
	trap_init();
	const void *fdt = phys_to_virt(fdt_pa);
	int err = fdt_parse(fdt, fdt_total_size(fdt), &boot_info);
	machine_init(&boot_info);
	if (err)
		panic("hart %lu: unusable FDT at %#lx (error %d)", hartid, fdt_pa, err);
	if (boot_info.bootargs)
		strncpy(bootargs, boot_info.bootargs, sizeof(bootargs) - 1);
	if (random_init(boot_info.rng_seed, boot_info.rng_seed_len) != 0)
		kprintf("warning: no /chosen/rng-seed: random numbers are predictable\n");
	memory_init(fdt_pa);
	boot_report();
	timer_start(boot_info.timebase_hz, TICK_NS / 1000);
	rtc_boot();
	selftest_run(bootargs);
	fs_boot();
	if (!image_policy())
		panic("the image names policy '%s', which is not built into this kernel", image_policy_name);
	err = process_start(app_elf_start, (size_t)(app_elf_end - app_elf_start), app_cmdline,
			    bootargs);
	kprintf("cannot start the application: error %d\n", err);
	process_exit(127);
}
