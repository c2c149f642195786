/*
 * What a translation backend provides to vmm/ (and to nothing else).
 *
 * vmm.c has already validated every argument (alignment, halves, rights)
 * when these are called.  Each function still owns the checks that need its
 * tables (-EEXIST) and is all or nothing: it completes in every space (and
 * every division) it touches, or it fails with every one of them, and every
 * allocation, exactly as before.  docs/design.md says how each backend
 * keeps that promise.
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
/*
 * Give every translation present in [va, va+len) RIGHTS, skipping holes
 * (vmm.c has checked coverage where its caller wants it).  RIGHTS of
 * VMM_USER alone hold the pages (vmm_protect); held pages count as present.
 * The A/D state of each page is kept.
 */
int backend_protect(struct backend_space *s, vaddr_t va, uint64_t len, unsigned rights);
int backend_translate(struct backend_space *s, vaddr_t va, struct vmm_mapping *out);
int backend_traverse(struct backend_space *s, vaddr_t va, uint64_t len, vmm_visitor visit,
		     void *ctx);

/*
 * A fault the region layer allows (a translation may serve it already: a
 * stale TLB entry): what the region layer knows, passed down so that no
 * backend has to guess from the address.
 */
struct backend_fault {
	vaddr_t va;
	unsigned access;       /* VMM_READ, VMM_WRITE or VMM_EXEC */
	enum region_kind kind; /* what the memory is for (vmm.h) */
	/*
	 * The final rights of the new page: the region's, with VMM_ACCESSED, and
	 * VMM_DIRTY for a write (decided here, once, for both backends).
	 */
	unsigned rights;
	/*
	 * Without BACKING: the range around VA that is all demand-zero, so a
	 * backend may fill more of it than VA's page at once (for a stack, the
	 * guard page is outside it).
	 */
	vaddr_t region_start, region_end;
	paddr_t backing; /* non-zero: the page's bytes come from this page of the caller's */
	uint64_t copy;   /* with BACKING: 0 maps it as it is; else copy its first COPY bytes */
};

/*
 * Bring in memory for F: the caller's page F->backing itself, a new frame
 * holding the first F->copy bytes of F->backing and zeros after them, or
 * zeroed memory; KIND says which page or cell size the zeroed memory gets.
 * REGION_HUGE: the whole aligned 2 MiB block around VA in one page or cell
 * (the region covers it).  REGION_STACK: the backend may fill ahead
 * downwards, inside [region_start, region_end).  Others: 4 KiB, or more of
 * [region_start, region_end) at the backend's choice.  0, -ENOMEM,
 * -EFAULT, or -EEXIST when a translation (held or not) already covers VA:
 * then nothing is changed and nothing kept (vmm/fault.c asks no backend
 * first, and on -EEXIST treats the fault as a stale TLB entry if the
 * access is allowed).  Memory allocated here belongs to the space and is freed when
 * it is unmapped; memory mapped by backend_map, and F->backing, stay the
 * caller's.
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
