/* The one application process the unikernel runs. */
#ifndef KERNEL_PROCESS_H
#define KERNEL_PROCESS_H

#include <stddef.h>

#include "vmm/vmm.h"

/*
 * The stack's top is drawn at random, page aligned, in the top STACK_RANDOM
 * bytes of the user half (one page below its end at most): nothing about
 * the stack depends on where it lands.
 */
#define STACK_TOP_MAX 0x00007ffffffff000ul
#define STACK_RANDOM ((1ul << 40) - PAGE_SIZE)
#define STACK_SIZE (8ul << 20)         /* as RLIMIT_STACK; a guard page lies below it */
#define MAX_ARGS 64 /* arguments, and separately environment strings */
/*
 * The mmap area, filled upwards (kernel/sys_memory.c's place), MAP_HUGETLB
 * mappings included (2 MiB aligned): from 1 TiB to below the stack's area
 * (the lowest top less the stack and its guard).
 */
#define MMAP_BASE 0x0000010000000000ul
#define MMAP_END (STACK_TOP_MAX - STACK_RANDOM - STACK_SIZE - PAGE_SIZE)
/*
 * A static-PIE goes at a random 2 MiB boundary in the 2 GiB above PIE_BASE
 * (two thirds of Sv39's user half, where Linux puts PIEs); its brk heap
 * grows from its end towards MMAP_BASE.
 */
#define PIE_BASE 0x0000002aaaa00000ul
#define PIE_RANDOM_SLOTS 1024ul

struct process {
	struct vmm_space *space;
	const char *name;  /* argv[0] */
	vaddr_t brk_start; /* the heap (brk) grows from here ... */
	vaddr_t brk;       /* ... to here */
	vaddr_t mmap_next; /* where placement looks first: after the last mapping placed */
	vaddr_t stack_top; /* drawn at start-up (STACK_TOP_MAX) */
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
