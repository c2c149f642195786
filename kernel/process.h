/* The one application process the unikernel runs. */
#ifndef KERNEL_PROCESS_H
#define KERNEL_PROCESS_H

#include <stddef.h>

#include "vmm/vmm.h"

#define STACK_TOP 0x00007ffffffff000ul /* one page below the top of the user half */
#define STACK_SIZE (8ul << 20)         /* as RLIMIT_STACK; a guard page lies below it */
#define MAX_ARGS 64 /* arguments, and separately environment strings */
/*
 * mmap areas, each filled upwards (kernel/sys_memory.c's place): ordinary
 * mappings from 1 TiB, and MAP_HUGETLB ones in the 512 GiB - 1 TiB area,
 * which the Sv48 backend runs with its huge-page segproc (2 MiB pages).
 */
#define MMAP_BASE 0x0000010000000000ul
#define MMAP_END 0x00007f0000000000ul
#define HUGE_MMAP_BASE 0x0000008000000000ul
#define HUGE_MMAP_END 0x0000010000000000ul
/*
 * A static-PIE goes at a random 2 MiB boundary in the 2 GiB above PIE_BASE
 * (two thirds of Sv39's user half, where Linux puts PIEs); its brk heap
 * grows from its end towards HUGE_MMAP_BASE.
 */
#define PIE_BASE 0x0000002aaaa00000ul
#define PIE_RANDOM_SLOTS 1024ul

struct process {
	struct vmm_space *space;
	const char *name;  /* argv[0] */
	vaddr_t brk_start; /* the heap (brk) grows from here ... */
	vaddr_t brk;       /* ... to here */
	vaddr_t mmap_next, huge_mmap_next; /* where placement looks first: after the last mapping placed */
};

extern struct process current_process;

/*
 * Load the ELF at IMAGE (SIZE bytes) with the space-separated arguments
 * CMDLINE (argv[0] first, from the build) and enter it in U-mode.  The
 * kernel command line BOOTARGS adds to them as Linux does for init: the
 * words after "--" are appended to argv, and KEY=VALUE words before it
 * that are not the kernel's own (ktest=) make up the environment.  Returns
 * only on failure, with a negative errno.
 */
int process_start(const void *image, size_t size, const char *cmdline, const char *bootargs);

/* End the application: print the statistics line and stop the machine with STATUS. */
_Noreturn void process_exit(int status);

#endif
