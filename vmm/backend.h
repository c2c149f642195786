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
/* Whether U-mode switches between views without the kernel (vmm_views_switch_in_user). */
extern const int backend_views_switch_in_user;

/*
 * The rights of a range of the user half, in the space and in each of its
 * views (one per compartment, docs/compartments.md).  PAGE is what the
 * pages are: the region's rights (VMM_USER alone: held); VIEW[v] is what
 * view v may do with them, a subset of PAGE with VMM_USER, or 0 for no
 * access at all.  Entries past the space's views are ignored; the kernel
 * half has no views and takes PAGE.
 */
struct view_rights {
	unsigned page;
	unsigned view[VMM_MAX_VIEWS];
};

/* RIGHTS in the space and in every view: a space of one view, or the kernel half. */
static inline struct view_rights view_rights_all(unsigned rights)
{
	struct view_rights r = { .page = rights };
	for (unsigned v = 0; v < VMM_MAX_VIEWS; v++)
		r.view[v] = rights;
	return r;
}

/* A space whose kernel half is KERNEL's (NULL: this is the kernel space). */
int backend_space_create(struct backend_space *kernel, struct backend_space **out);
void backend_space_destroy(struct backend_space *space);
/*
 * See S's user half through NVIEWS views (1..VMM_MAX_VIEWS) from now on.
 * S maps nothing in its user half yet.  Views need no rights to exist:
 * each starts with none, as nothing is mapped.  0, -ENOMEM (nothing
 * changed).  A space has one view until this is called.
 */
int backend_views_init(struct backend_space *s, unsigned nviews);
/* Translate with S as VIEW sees it from the next U-mode entry on (Sv48: VIEW's root and ASID; cells: its division). */
void backend_activate(struct backend_space *s, unsigned view);

/* RIGHTS in the space and every view of it (the caller's memory, or the kernel half). */
int backend_map(struct backend_space *s, vaddr_t va, paddr_t pa, uint64_t len, unsigned rights);
int backend_unmap(struct backend_space *s, vaddr_t va, uint64_t len);
/*
 * Give every translation present in [va, va+len) the rights R says, in the
 * space and in each view, skipping holes (vmm.c has checked coverage where
 * its caller wants it).  R->page of VMM_USER alone holds the pages
 * (vmm_protect); held pages count as present.  The A/D state of each page
 * is kept.  A view that loses a right must never use it again once this
 * returns (every cached translation of it fenced).
 */
int backend_protect(struct backend_space *s, vaddr_t va, uint64_t len, const struct view_rights *r);
/*
 * Translate and traverse report the space's own translations, with their
 * PAGE rights; in a space of one view, view 0's (the space's translation is
 * the view's, so a mask on it holds there too), and on cells, with views,
 * the union of the views' (docs/cells.md).
 */
int backend_translate(struct backend_space *s, vaddr_t va, struct vmm_mapping *out);
int backend_traverse(struct backend_space *s, vaddr_t va, uint64_t len, vmm_visitor visit,
		     void *ctx);
/*
 * What VIEW's translation of the user byte at VA allows now, as the MMU
 * would use it: 0 and *OUT, or -ENOENT when VIEW has no access there (on
 * Sv48 also when VIEW's root has not been given the page yet: those are a
 * cache of the space's pages, refilled by backend_fault).
 */
int backend_translate_view(struct backend_space *s, unsigned view, vaddr_t va,
			   struct vmm_mapping *out);

/*
 * A fault the region layer allows (a translation may serve it already: a
 * stale TLB entry): what the region layer knows, passed down so that no
 * backend has to guess from the address.
 */
struct backend_fault {
	vaddr_t va;
	unsigned access;       /* VMM_READ, VMM_WRITE or VMM_EXEC */
	unsigned view;         /* the view that faulted */
	enum region_kind kind; /* what the memory is for (vmm.h) */
	/*
	 * The final rights of the new page: the region's, with VMM_ACCESSED, and
	 * VMM_DIRTY for a write (decided in vmm/fault.c, once, for both
	 * backends); for each view, the view's own, with the same A/D in the
	 * faulting view only.
	 */
	struct view_rights rights;
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
/*
 * -EEXIST above means: F->view's translation already covers VA.  On Sv48 a
 * page the space has but the view's root does not is given to the root
 * (a refill, 0), never -EEXIST.  The page goes to F->view at least; a
 * backend may give it to other views with rights at the same time (cells:
 * every row of the new cell).
 */

/* Run the backend's in-guest self-test NAME: 0, -ENOENT (no such test), or a failure. */
int backend_selftest(struct backend_space *s, const char *name);

/* Write the backend's own figures as " key=value" pairs into BUF. */
void backend_stats(char *buf, size_t size);

/* The timer ticked (the Sv48 backend ends expired rentals here). */
void backend_tick(void);

/* Bytes of translation structures in use, over all spaces. */
uint64_t backend_table_bytes(void);

#endif
