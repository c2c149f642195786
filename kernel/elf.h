/* Loading a static riscv64 Linux ELF executable (ET_EXEC or static-PIE) into a space. */
#ifndef KERNEL_ELF_H
#define KERNEL_ELF_H

#include <stddef.h>

#include "vmm/vmm.h"

struct elf_image {
	vaddr_t entry;
	vaddr_t phdr;     /* where the program headers are visible to the program */
	unsigned phnum;
	unsigned phentsize;
	vaddr_t brk_start; /* first page above every segment */
	vaddr_t bias;      /* where a static-PIE was placed (0 for ET_EXEC) */
};

/* The largest segment alignment a static-PIE's placement honours. */
#define PIE_MAX_ALIGN (2ul << 20)

/*
 * Map the PT_LOAD segments of the ELF at IMAGE (SIZE bytes, page aligned in
 * kernel memory) into SPACE: read-only segments paged in from IMAGE's pages,
 * writable ones copied, bss demand-zero.  A static-PIE (ET_DYN without an
 * interpreter) is displaced to PIE_BASE (rounded up to its segments'
 * alignment); it relocates itself, as glibc's rcrt1.o does.  Returns 0,
 * -ENOEXEC (not a static riscv64 executable, or malformed: the reason is
 * printed), or -ENOMEM.
 */
int elf_load(struct vmm_space *space, const void *image, size_t size, vaddr_t pie_base,
	     struct elf_image *out);

#endif
