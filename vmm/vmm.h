/*
 * The virtual-memory manager: the only view of address translation that
 * code above vmm/ has.
 *
 * A space is a set of translations (an Sv48 root table, or a permission-table
 * division).  Rights are backend-neutral; the backend linked for the platform
 * decides how they are stored and which page or cell sizes it uses.  Every
 * operation checks all of its arguments before it changes anything, and
 * either completes or fails with nothing changed.
 *
 * Errors are negated Linux errno values (kernel/error.h).
 */
#ifndef VMM_VMM_H
#define VMM_VMM_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/memory.h"

/* Rights, given to map/protect and reported by translate/traverse. */
enum vmm_rights {
	VMM_READ = 1u << 0,
	VMM_WRITE = 1u << 1,   /* needs VMM_READ */
	VMM_EXEC = 1u << 2,
	VMM_USER = 1u << 3,    /* reachable from U-mode; only in the user half */
	VMM_GLOBAL = 1u << 4,  /* the same in every space (kernel mappings) */
	VMM_DEVICE = 1u << 5,  /* I/O registers rather than memory */
	/* reported only: set by the hardware on access */
	VMM_ACCESSED = 1u << 6,
	VMM_DIRTY = 1u << 7,
};
#define VMM_RIGHTS_MASK (VMM_READ | VMM_WRITE | VMM_EXEC | VMM_USER | VMM_GLOBAL | VMM_DEVICE)

struct vmm_space;

/* One contiguous translation, as translate and traverse report it. */
struct vmm_mapping {
	vaddr_t va;
	paddr_t pa;
	uint64_t len;
	unsigned rights; /* including VMM_ACCESSED / VMM_DIRTY */
};

/*
 * Plan the direct map of RAM (less HOLES, firmware memory, and the kernel
 * image) and choose the WINDOW of it to map at boot; the frame allocator is
 * to start with that window only (frame_init_window).  No allocation.
 */
int vmm_plan_direct_map(const struct mem_range *ram, unsigned nram, const struct mem_range *holes,
			unsigned nholes, struct mem_range *window);

/*
 * Create the kernel space and make it current: kernel text RX, rodata R,
 * data/bss RW, the RAM WINDOW RW, DEVICES (physical pages) RW as device
 * memory, nothing user-accessible.  [lazy_start, lazy_end) of the image's
 * read-only data is mapped page by page on first read (vmm_kernel_fault).
 * From then on the direct map grows as the frame allocator runs low, in the
 * largest pages alignment allows.  Returns 0 or a negative errno.
 */
int vmm_init(const struct mem_range *window, const struct mem_range *devices, unsigned ndevices,
	     vaddr_t lazy_start, vaddr_t lazy_end);

/* A kernel-mode fault on a kernel address: 0 when it was a lazily mapped page, else -EFAULT. */
int vmm_kernel_fault(vaddr_t va, unsigned access);

/* The space built by vmm_init. */
struct vmm_space *vmm_kernel_space(void);
/* The space translation currently uses. */
struct vmm_space *vmm_current_space(void);

/*
 * A new space that shares the kernel half of the kernel space and has an
 * empty user half.  Returns 0 and *OUT, or -ENOMEM.
 */
int vmm_space_create(struct vmm_space **out);
/* Free SPACE's translation structures (not the memory it maps) and its regions. */
void vmm_space_destroy(struct vmm_space *space);
/*
 * Make SPACE, as VIEW sees it, the one translation uses (satp write and
 * fence; on cells, the division U-mode runs in next).
 */
void vmm_activate(struct vmm_space *space, unsigned view);
/* The view vmm_activate last chose, or vmm_enter_view since. */
unsigned vmm_current_view(void);
/*
 * The current space's VIEW is running now (the cells trap path found it in
 * the division registers: a call between compartments switches views
 * without the kernel).  Nothing in the translation changes.
 */
void vmm_enter_view(unsigned view);

/*
 * Map [va, va+len) to [pa, pa+len) with RIGHTS.
 * va, pa and len are page aligned, len > 0, the range lies in one half
 * (user half iff VMM_USER) and ends below 2^64, [pa, pa+len) lies below
 * 2^56 (what both formats can name), rights has VMM_READ or VMM_EXEC and
 * only bits of VMM_RIGHTS_MASK, and VMM_WRITE comes with VMM_READ: else
 * -EINVAL.
 * Any page of the range already mapped: -EEXIST.  Out of table memory:
 * -ENOMEM.  On error nothing is changed.
 */
int vmm_map(struct vmm_space *space, vaddr_t va, paddr_t pa, uint64_t len, unsigned rights);

/*
 * Remove every translation inside [va, va+len); pages not mapped are skipped.
 * Memory that vmm_fault brought in is freed; memory mapped with vmm_map
 * stays the caller's (the space never frees what it did not allocate).
 * -EINVAL for a misaligned or
 * non-canonical range; -ENOMEM when a larger page or cell must be split and
 * no memory is left (nothing changed).
 */
int vmm_unmap(struct vmm_space *space, vaddr_t va, uint64_t len);

/*
 * Give every page of [va, va+len) RIGHTS (same rules as vmm_map, and one
 * more: in the user half, VMM_USER alone *holds* the pages, PROT_NONE over
 * memory that exists).  A held page keeps its frame and contents but no
 * access reaches it; translate and traverse report it with rights VMM_USER
 * (and its A/D state), unmap frees it as any page, and a later protect with
 * rights brings it back as it was.  -ENOENT when any page in the range is
 * not mapped; -EINVAL, -ENOMEM as above.  On error nothing is changed.
 */
int vmm_protect(struct vmm_space *space, vaddr_t va, uint64_t len, unsigned rights);

/*
 * The translation of the byte at VA: 0 and *OUT (va/pa of that byte, len
 * to the end of its page or cell, rights), -ENOENT when unmapped, -EINVAL
 * when VA is not canonical.
 */
int vmm_translate(struct vmm_space *space, vaddr_t va, struct vmm_mapping *out);

/*
 * Call VISIT for each translation overlapping [va, va+len), in ascending
 * address order, clipped to the range.  Adjacent pages may be reported
 * together or apart.  Stops at and returns the first non-zero value VISIT
 * returns; 0 when all were visited; -EINVAL for a bad range.  VISIT must not
 * change SPACE.
 */
typedef int (*vmm_visitor)(const struct vmm_mapping *m, void *ctx);
int vmm_traverse(struct vmm_space *space, vaddr_t va, uint64_t len, vmm_visitor visit, void *ctx);

/* -------------------------------------------------------------- views --- */
/*
 * A space's user half may be seen through several views, one for each
 * compartment of the application (docs/compartments.md).  Every view sees
 * the same pages at the same addresses; what it may do with a region is the
 * region's rights masked by the view's own mask on that region, so that
 * mprotect (the region's rights) and a grant or revoke (a view's mask)
 * compose.  A space has one view, with every right, until vmm_views_set.
 */
#define VMM_MAX_VIEWS 8
#define VMM_ALL_VIEWS ((1u << VMM_MAX_VIEWS) - 1)

/*
 * See SPACE's user half through NVIEWS views (1..VMM_MAX_VIEWS), before it
 * has any region: 0, -EINVAL, -EBUSY (it has regions), -ENOMEM.  Regions
 * added later give their rights to the views their adder names.
 */
int vmm_views_set(struct vmm_space *space, unsigned nviews);
unsigned vmm_views(const struct vmm_space *space);
/*
 * Set VIEW's mask (VMM_READ, VMM_WRITE, VMM_EXEC; 0 for none) on [va,
 * va+len), which regions must cover: they are cut at the range's ends, and
 * the pages present change in VIEW at once; a right taken away is fenced
 * before this returns.  0, -EINVAL (bad view, mask or range), -ENOENT
 * (part of it is in no region), -ENOMEM (a cut found no memory).  On
 * error nothing is changed.
 */
int vmm_region_view(struct vmm_space *space, unsigned view, vaddr_t va, uint64_t len,
		    unsigned mask);
/* VIEW's rights on the byte at VA: its region's rights as VIEW may use them (VMM_USER and a subset of R/W/X), 0 for none or no region. */
unsigned vmm_view_rights(struct vmm_space *space, unsigned view, vaddr_t va);
/*
 * Whether U-mode switches between the views of a space by itself (cells:
 * jalrs between divisions, the kernel never sees it) rather than through
 * the kernel (Sv48: a root per view, satp is the kernel's to write).
 */
int vmm_views_switch_in_user(void);
/*
 * Whether regions cover all of [va, va+len) and VIEW may make every ACCESS
 * (VMM_READ|WRITE|EXEC) on each; ACCESS 0: whether VIEW has no right on any.
 */
int vmm_view_allows(struct vmm_space *space, unsigned view, vaddr_t va, uint64_t len,
		    unsigned access);
/* Whether VIEW may write every region overlapping [va, va+len) (holes do not count). */
int vmm_view_writes_all(struct vmm_space *space, unsigned view, vaddr_t va, uint64_t len);
/* What VIEW's own translation of VA allows now (backend_translate_view): 0 and *OUT, -ENOENT, -EINVAL. */
int vmm_translate_view(struct vmm_space *space, unsigned view, vaddr_t va, struct vmm_mapping *out);

/* ------------------------------------------------------------ regions --- */
/*
 * Regions describe what user memory should exist; the backend holds only
 * what is mapped now.  A fault inside a region that allows the access is
 * resolved here; anything else is the application's error.  All of it is
 * private to the space: no page of one region is another's.
 */
enum region_kind {
	REGION_ANON, /* zero-filled on first touch (vmm_fault); that memory is the space's */
	REGION_FIXED, /* mapped by the caller; frames not owned */
	/*
	 * Private memory over a backing: the caller's memory (the image's
	 * bytes) or a snapshot the region owns, zero past the backing's bytes.
	 * While the region is not writable a touch maps the backing page
	 * itself; otherwise, and for a partial page, the space gets a copy of
	 * its own.  The backing is never mapped writable, and unmapping a page
	 * (MADV_DONTNEED) brings the backing's bytes back.
	 */
	REGION_BACKED,
	REGION_STACK,  /* anonymous, and its lowest page is a guard that is never mapped */
	REGION_NORESERVE, /* anonymous, not charged to the commit limit: a touch may find no memory */
	/*
	 * Anonymous in 2 MiB pages (MAP_HUGETLB): start and end 2 MiB aligned,
	 * each fault brings in the whole aligned 2 MiB block around it, and the
	 * region is removed or protected in whole blocks only (-EINVAL).
	 */
	REGION_HUGE
};

/*
 * Add a region [va, va+len) with RIGHTS (user half, page aligned): 0, -EINVAL,
 * -EEXIST, -ENOMEM.  RIGHTS has VMM_USER, no bit but READ, WRITE and EXEC,
 * and WRITE only with READ (the rights its pages are mapped with); VMM_USER
 * alone is PROT_NONE.  The same rules hold for vmm_region_protect.  A
 * REGION_BACKED region added this way has no backing: it reads as zero.
 */
int vmm_region_add(struct vmm_space *space, vaddr_t va, uint64_t len, unsigned rights,
		   enum region_kind kind);
/*
 * Add a REGION_BACKED region whose first BYTES (at most LEN) are the
 * caller's memory at PA onward (the image's segments): 0, -EINVAL, -EEXIST,
 * -ENOMEM.  The memory stays the caller's and is never written.
 */
int vmm_region_add_backed(struct vmm_space *space, vaddr_t va, uint64_t len, unsigned rights,
			  paddr_t pa, uint64_t bytes);

/*
 * A snapshot: NPAGES zeroed pages for the caller to fill (a file's bytes as
 * of its mmap) and hand to vmm_region_map: 0 and *OUT, -EINVAL (none),
 * -ENOMEM.  Until a region takes it, it is the caller's to free.
 */
struct vmm_snapshot;
int vmm_snapshot_alloc(uint64_t npages, struct vmm_snapshot **out);
/* Page I of SNAP, to fill, or NULL past its end. */
void *vmm_snapshot_page(struct vmm_snapshot *snap, uint64_t i);
void vmm_snapshot_free(struct vmm_snapshot *snap);
/*
 * Add a region of KIND as vmm_region_add does (mmap).  SNAP (or NULL) is a
 * REGION_BACKED region's backing, from its first page on; on success the
 * region owns it (its pages are freed, and uncharged, as the region goes),
 * on failure the caller still does.  Its pages are charged to the commit
 * limit with the region.  With REPLACE, the regions in the range are
 * removed first (mmap's MAP_FIXED), all or nothing: on failure (-ENOMEM)
 * they and their pages are as they were.  -EINVAL when SNAP does not fit.
 */
int vmm_region_map(struct vmm_space *space, vaddr_t va, uint64_t len, unsigned rights,
		   enum region_kind kind, struct vmm_snapshot *snap, int replace);
/*
 * vmm_region_map, with the region's rights in the views of the bitmask
 * VIEWS only (the others get mask 0); vmm_region_add, _add_backed and _map
 * give them to every view (VMM_ALL_VIEWS).  -EINVAL when VIEWS names none
 * of the space's views.
 */
int vmm_region_map_views(struct vmm_space *space, vaddr_t va, uint64_t len, unsigned rights,
			 enum region_kind kind, struct vmm_snapshot *snap, int replace,
			 unsigned views);
/*
 * Unmap and forget [va, va+len); holes are fine.  Frames the space owns
 * are freed.  -EINVAL for a bad range; -ENOMEM (nothing changed) when a
 * region or a page must be split and no memory is left.
 */
int vmm_region_remove(struct vmm_space *space, vaddr_t va, uint64_t len);
/*
 * Change the rights of [va, va+len), and of the pages present in it, in one
 * backend operation: -ENOMEM when part of it is in no region (as mprotect),
 * or when a page or cell must be split and no memory is left; -EINVAL as
 * vmm_region_add.  Made inaccessible (VMM_USER alone), present pages are
 * held with their contents (vmm_protect) and come back with them.  On error
 * nothing is changed.
 */
int vmm_region_protect(struct vmm_space *space, vaddr_t va, uint64_t len, unsigned rights);
/* Move the end of the region that ends at OLD_END to NEW_END (brk): 0, -ENOMEM, -EINVAL. */
int vmm_region_resize(struct vmm_space *space, vaddr_t old_end, vaddr_t new_end);
/* The region holding VA: 0 and its bounds, rights and kind, or -ENOENT. */
int vmm_region_at(struct vmm_space *space, vaddr_t va, vaddr_t *start, vaddr_t *end,
		  unsigned *rights, enum region_kind *kind);
/* Whether every byte of [va, va+len) is in regions allowing ACCESS. */
int vmm_region_allows(struct vmm_space *space, vaddr_t va, uint64_t len, unsigned access);
/*
 * Room for LEN bytes (page aligned) at an ALIGN-aligned start (a power of
 * two, at least a page) in [lo, hi), clear of every region: the lowest such
 * start at or above HINT, else the lowest at or above LO, so a free range
 * is found whenever one exists.  0 and *OUT, -ENOMEM when none exists,
 * -EINVAL for bad arguments.  Nothing changes.
 */
int vmm_region_find_free(struct vmm_space *space, vaddr_t lo, vaddr_t hi, vaddr_t hint,
			 uint64_t len, uint64_t align, vaddr_t *out);

/*
 * The commit limit: writable REGION_ANON, REGION_STACK and REGION_BACKED
 * memory is charged in full when its region is added, grown or made
 * writable, and so are snapshot pages; that call fails with -ENOMEM past the
 * limit, so a page touched later always finds a frame unless the kernel's
 * own structures took it.  No limit until set.
 */
void vmm_set_commit_limit(uint64_t bytes);
/* The bytes charged now, and the limit. */
void vmm_get_commit(uint64_t *bytes, uint64_t *limit);
/*
 * Charge BYTES of kernel-held memory that the application controls (file
 * data) to the same limit: 0, or -ENOMEM with nothing taken.  Release gives
 * back what a charge took.
 */
int vmm_commit_charge(uint64_t bytes);
void vmm_commit_release(uint64_t bytes);

/*
 * Resolve a page fault of VIEW at VA for ACCESS (VMM_READ, VMM_WRITE or
 * VMM_EXEC): 0 when the faulting instruction can be retried, -EFAULT when
 * the access is not allowed to VIEW, -ENOMEM when no frame is left.  The backend brings the memory
 * in (on Sv48, the segment's segproc chooses the page size); memory it
 * allocates (zeroed, or a copy of a backing page) belongs to the space and
 * is freed when unmapped.
 */
int vmm_fault(struct vmm_space *space, unsigned view, vaddr_t va, unsigned access);

/* ---------------------------------------------------------- statistics --- */
struct vmm_op_stats {
	uint64_t calls;
	uint64_t instret; /* total retired instructions inside the operation */
};

struct vmm_stats {
	uint64_t table_bytes; /* translation structures in use, all spaces */
	struct vmm_op_stats map, unmap, protect, fault;
};

void vmm_get_stats(struct vmm_stats *out);
/* Medians, in retired instructions, of single operations in steady state. */
struct vmm_bench {
	uint64_t map4k, protect4k, unmap4k, map2m, unmap2m;
};
/* Measure them on a scratch range of the current space's user half (ktest=bench). */
int vmm_bench(struct vmm_bench *out);

/* Run the backend's self-test NAME in SPACE: 0, -ENOENT when it has none of that name, or a failure. */
int vmm_selftest(struct vmm_space *space, const char *name);
/* Append the backend's own figures to BUF as " key=value" pairs (for the stats line). */
void vmm_backend_stats(char *buf, size_t size);
/* The timer ticked: time-limited translations that have expired end now. */
void vmm_tick(void);
/* "sv48" or "cells": the backend linked into this image. */
const char *vmm_backend_name(void);

#endif
