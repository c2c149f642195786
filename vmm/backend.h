/*
 * What a translation backend provides to vmm/ (and to nothing else).
 *
 * vmm.c has already validated every argument (alignment, halves, rights)
 * when these are called.  Each function still owns the checks that need its
 * tables (-EEXIST, -ENOENT) and must leave nothing changed when it fails.
 */
#ifndef VMM_BACKEND_H
#define VMM_BACKEND_H

#include "vmm/vmm.h"

struct backend_space;

extern const char backend_name[];

/* A space whose kernel half is KERNEL's (NULL: this is the kernel space). */
int backend_space_create(struct backend_space *kernel, struct backend_space **out);
void backend_space_destroy(struct backend_space *space);
void backend_activate(struct backend_space *space);

int backend_map(struct backend_space *s, vaddr_t va, paddr_t pa, uint64_t len, unsigned rights);
int backend_unmap(struct backend_space *s, vaddr_t va, uint64_t len);
int backend_protect(struct backend_space *s, vaddr_t va, uint64_t len, unsigned rights);
int backend_translate(struct backend_space *s, vaddr_t va, struct vmm_mapping *out);
int backend_traverse(struct backend_space *s, vaddr_t va, uint64_t len, vmm_visitor visit,
		     void *ctx);

/* Bytes of translation structures in use, over all spaces. */
uint64_t backend_table_bytes(void);

#endif
