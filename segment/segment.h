/*
 * Segments: one root-table slot (512 GiB) each, run by a segproc.
 *
 * A segproc decides how its segment's memory is laid out: page sizes, how
 * pages are filled, what is given back under memory pressure.  It never
 * writes a translation entry; it asks tablets through the primitives of
 * tablet/tablet.h, and this file's helpers bundle the usual sequences
 * (find or build the table for an address, rent an entry, place a tablet).
 * docs/tablets.md explains how to write one.
 */
#ifndef SEGMENT_SEGMENT_H
#define SEGMENT_SEGMENT_H

#include "tablet/tablet.h"

struct segment;

/* A fault the region layer has already checked: VA lies in a region allowing ACCESS. */
struct segment_fault {
	vaddr_t va;
	unsigned access;       /* VMM_READ, VMM_WRITE or VMM_EXEC */
	enum region_kind kind; /* what the region is for: picks the page size and read-ahead */
	unsigned rights;       /* the final rights of the new page, A/D included (backend.h) */
	vaddr_t region_start, region_end; /* the demand-zero range around VA (backend.h) */
	paddr_t backing; /* non-zero: this page of the caller's memory ... */
	uint64_t copy;   /* ... mapped itself (0), or a copy of its first COPY bytes */
};

struct segproc {
	const char *name;
	/* The segment was created: set up state, pre-map what it wants. */
	int (*init)(struct segment *seg);
	/* Resolve F: 0 when the access can be retried, or a negative errno. */
	int (*pagefault)(struct segment *seg, const struct segment_fault *f);
	/* Give back up to WANT bytes without losing data: the bytes freed. */
	uint64_t (*reclaim)(struct segment *seg, uint64_t want);
	/* A tablet this segment allocated is held by nothing now (its rental expired, say). */
	void (*unreachable)(struct segment *seg, const struct tablet_info *t);
};

struct segment {
	unsigned slot; /* root index */
	vaddr_t base;  /* first address of the segment */
	const struct segproc *proc;
	handler_id top; /* the 2^39-byte page-table tablet */
	void *state;    /* the segproc's own */
	struct segment *next; /* every segment, for reclaim */
	/*
	 * A space seen through several views (docs/compartments.md): the views'
	 * caches of this segment, or NULL (one view).  Whatever takes a page out
	 * of this segment takes it out of every cache in the same step
	 * (segment_unmap), so no view keeps a frame that is freed.
	 */
	struct segment_caches *caches;
};

/*
 * OF[v], when bit v of CACHED is set, is the segment of the same slot in
 * view v's root, whose entries point at the space segment's pages under the
 * view's rights, each with the extent of the page it caches.  Bit v of
 * SHARED instead: view v's root holds the space segment's own top there
 * (the view sees each page with the page's rights; never both).
 */
struct segment_caches {
	unsigned cached, shared;
	struct segment *of[VMM_MAX_VIEWS];
};

#define SEGMENT_BITS TABLET_BITS_SEGMENT
#define SEGMENT_SIZE (1ul << SEGMENT_BITS)

/* Create the segment for SLOT run by PROC (its top tablet, then PROC->init). */
int segment_create(unsigned slot, const struct segproc *proc, struct segment **out);
/* Unmap everything in SEG and free it (it must be attached nowhere). */
void segment_destroy(struct segment *seg);

/* -------------------------------------------------- helpers for segprocs --- */

/* Map [va, va+len) to the caller's memory at PA with adopted data tablets, largest sizes first. */
int segment_map_fixed(struct segment *seg, vaddr_t va, paddr_t pa, uint64_t len, unsigned rights);
/* Whether SEG maps nothing. */
int segment_empty(struct segment *seg);
/*
 * Remove every placement in [va, va+len), whose ends must be boundaries
 * between data tablets already (segment_split_at, as backend_unmap does;
 * a whole segment, or a range the caller mapped itself, always is).  From
 * SEG's caches every entry overlapping the range goes, whole.
 */
int segment_unmap(struct segment *seg, vaddr_t va, uint64_t len);
/* The splits one operation made, so that it can undo them if it gives up. */
struct split_log {
	unsigned n;
	struct {
		struct segment *seg;
		handler_id table;    /* the table that replaced a data tablet */
		handler_id original; /* that data tablet, retired until commit or undo */
	} done[8];
};

/*
 * Make E a boundary between data tablets (split what straddles it), noting
 * each split in LOG: 0, or -ENOMEM with this call's own splits undone.
 */
int segment_split_at(struct segment *seg, vaddr_t e, struct split_log *log);
/* Undo the splits in LOG, newest first: memory exactly as before the operation. */
void segment_undo_splits(struct split_log *log);
/* The operation succeeded: the splits in LOG stand. */
void segment_commit_splits(struct split_log *log);
/*
 * Give every data tablet placed in [va, va+len) RIGHTS in place, keeping its
 * A/D state and skipping holes (VMM_USER alone holds them).  The range's
 * ends must be boundaries between data tablets already (segment_split_at):
 * then it cannot fail.
 */
void segment_protect(struct segment *seg, vaddr_t va, uint64_t len, unsigned rights);

/* What segprocs do with an unreachable tablet unless they know better: delete it. */
void segment_delete_unreachable(struct segment *seg, const struct tablet_info *t);
/*
 * Hand every tablet the tablet layer found unreachable to its parent's
 * segproc.  Whoever called down into tablet/ calls it when its operation
 * is done (the backend, the timer tick).
 */
void segment_deliver_unreachable(void);

/* Visit each data tablet placed in [va, va+len) of SEG; stop at a non-zero return. */
typedef int (*segment_visitor)(struct segment *seg, const struct tablet_info *t, void *ctx);
int segment_for_each_data(struct segment *seg, vaddr_t va, uint64_t len, segment_visitor visit,
			  void *ctx);

/* Ask every segment's segproc to give back WANT bytes: the bytes freed. */
uint64_t segment_reclaim_all(uint64_t want);

/* The built-in segprocs. */
extern const struct segproc segproc_kernel, segproc_user;

#endif
