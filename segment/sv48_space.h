/*
 * The Sv48 backend's space, shared by its two files: sv48_backend.c (the
 * space root and its segments) and sv48_views.c (the roots of a space seen
 * through several views, docs/compartments.md "Sv48: roots").
 */
#ifndef SEGMENT_SV48_SPACE_H
#define SEGMENT_SV48_SPACE_H

#include "segment/segment.h"
#include "vmm/backend.h"

#define HALF (TABLET_ENTRIES / 2)

/* One view's root table and the ASID it runs under (0: none was free, flush on every switch). */
struct view_root {
	paddr_t root;
	unsigned asid;
};

struct backend_space {
	/*
	 * The space root: every page of the space with its page rights; the
	 * frames are its segments'.  With one view it is the view's root too.
	 */
	paddr_t root;
	struct segment *user[HALF];
	/*
	 * With NVIEWS > 1, view v runs on VIEWS[v].root, whose user slots hold
	 * caches (segment.h); CACHES[slot] are those of the segment at SLOT.
	 */
	unsigned nviews;
	struct view_root *views;
	struct segment_caches *caches;
	struct backend_space *next;
};

extern struct segment *kernel_segments[HALF];

static inline unsigned slot_of(vaddr_t va)
{
	return (va >> SEGMENT_BITS) & (TABLET_ENTRIES - 1);
}

static inline struct segment **segment_ref(struct backend_space *s, unsigned slot)
{
	return slot >= HALF ? &kernel_segments[slot - HALF] : &s->user[slot];
}

/* The end of the piece of [va, end) inside VA's segment. */
static inline vaddr_t piece_end(vaddr_t va, vaddr_t end)
{
	vaddr_t next = ALIGN_DOWN(va, SEGMENT_SIZE) + SEGMENT_SIZE;
	return next == 0 || next > end ? end : next;
}

/* The segment holding VA in the space root, created when CREATE is set: 0, -ENOENT or an error. */
int segment_at(struct backend_space *s, vaddr_t va, int create, struct segment **out);
/* Destroy the segment at VA's slot, with its caches, if nothing is mapped in it any more. */
void release_if_empty(struct backend_space *s, vaddr_t va);

/* ------------------------------------------------ sv48_views.c, n > 1 --- */

/* Attach kernel segment TOP at SLOT to every view root of S: 0 or an error (then none attached). */
int views_attach_kernel(struct backend_space *s, unsigned slot, handler_id top);
void views_detach_kernel(struct backend_space *s, unsigned slot, handler_id top);
/* Free every view root, cache and ASID of S (back to one view). */
void views_free(struct backend_space *s);
/* Destroy SEG's caches (SEG maps nothing, so they cache nothing). */
void views_release_caches(struct backend_space *s, struct segment *seg);
void views_activate(struct backend_space *s, unsigned view);
/* backend_map's second step: [va, va+len), mapped in the space root, into every view root. */
int views_map(struct backend_space *s, vaddr_t va, paddr_t pa, uint64_t len, unsigned rights);
/* backend_protect's last step, after the space root's: each view drops what it may no longer do. */
void views_protect(struct backend_space *s, vaddr_t va, uint64_t len, const struct view_rights *r);
int views_fault(struct backend_space *s, const struct backend_fault *f);
int views_translate(struct backend_space *s, unsigned view, vaddr_t va, struct vmm_mapping *out);

#endif
