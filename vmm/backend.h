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

/* A fault the region layer allows and that no translation serves yet. */
struct backend_fault {
	vaddr_t va;
	unsigned access;                  /* VMM_READ, VMM_WRITE or VMM_EXEC */
	unsigned rights;                  /* the region's: map with these */
	/*
	 * Without BACKING: the range around VA that is all demand-zero (a
	 * backend may fill more of it than VA's page at once).
	 */
	vaddr_t region_start, region_end;
	paddr_t backing; /* non-zero: the page's bytes come from this page of the caller's */
	uint64_t copy;   /* with BACKING: 0 maps it as it is; else copy its first COPY bytes */
};

/*
 * Bring in one page for F (the backend chooses the page or cell size only
 * for zeroed memory): the caller's page F->backing itself, a new frame
 * holding the first F->copy bytes of F->backing and zeros after them, or
 * zeroed memory.  0, -ENOMEM or -EFAULT.  Memory allocated here belongs to
 * the space and is freed when it is unmapped; memory mapped by backend_map,
 * and F->backing, stay the caller's.
 */
int backend_fault(struct backend_space *s, const struct backend_fault *f);

/* Run the backend's in-guest self-test NAME: 0, -ENOENT (no such test), or a failure. */
int backend_selftest(struct backend_space *s, const char *name);

/* Write the backend's own figures as " key=value" pairs into BUF. */
void backend_stats(char *buf, size_t size);

/* The timer ticked (the Sv48 backend ends expired rentals here). */
void backend_tick(void);

/* Bytes of translation structures in use, over all spaces. */
uint64_t backend_table_bytes(void);

#endif
