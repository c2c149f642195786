/*
 * Regions as the files of vmm/ share them: region.c keeps each space's list
 * and the commit accounting, fault.c brings pages in and keeps the snapshots
 * behind backed regions, place.c finds free ranges.  Nothing outside vmm/
 * includes this.
 */
#ifndef VMM_REGION_H
#define VMM_REGION_H

#include "vmm/space.h"

/* Pages the region layer owns: a file's bytes as of its mmap (vmm_snapshot_alloc). */
struct vmm_snapshot {
	uint64_t npages; /* entries of pages[] */
	uint64_t live;   /* pages not freed yet; the snapshot goes with the last */
	paddr_t pages[]; /* 0 once freed */
};

/*
 * What a REGION_BACKED region's first BYTES are: the caller's memory from
 * BASE on (the image), or SNAP's pages from index FIRST on.  Past BYTES, and
 * for every other kind (BYTES 0, the rest 0 too), pages read as zero.
 */
struct backing {
	paddr_t base;
	struct vmm_snapshot *snap;
	uint64_t first, bytes;
};

struct region {
	vaddr_t start, end;
	unsigned rights;
	enum region_kind kind;
	struct region *next;
	struct backing b;
	/* Each view's mask on the region (VMM_READ|WRITE|EXEC): what of RIGHTS it may use. */
	uint8_t mask[VMM_MAX_VIEWS];
};

/*
 * Split regions at both ends of [va, end) so every region is inside or
 * outside it, all or nothing (-ENOMEM, -EINVAL for a huge region cut off
 * its 2 MiB pages); *SPLITS says what region_unsplit undoes.
 */
int region_split_range(struct vmm_space *s, vaddr_t va, vaddr_t end, unsigned *splits);
/* What region_unsplit joins: the region cut at VA, at END, or both (a join needs them equal). */
#define SPLIT_VA 1u
#define SPLIT_END 2u
#define SPLIT_VA_END (SPLIT_VA | SPLIT_END)
void region_unsplit(struct vmm_space *s, vaddr_t va, vaddr_t end, unsigned splits);

/* The masks a region added for the views in the bitmask VIEWS starts with. */
void region_masks_for(unsigned views, uint8_t mask[VMM_MAX_VIEWS]);
/* Whether A and B give every view the same mask. */
int region_masks_equal(const struct region *a, const struct region *b);
/*
 * What a view with MASK may do with pages of RIGHTS: VMM_USER and the rights
 * left, or 0.  A mask of write alone grants nothing the MMU could use: a
 * writable page is readable.
 */
static inline unsigned region_masked(unsigned rights, unsigned mask)
{
	unsigned left = rights & mask & (VMM_READ | VMM_WRITE | VMM_EXEC);
	if (!(left & VMM_READ))
		left &= ~VMM_WRITE;
	return left ? left | VMM_USER : 0;
}

/* What view V of S may do in R: R's rights under V's mask, with VMM_USER, or 0. */
static inline unsigned region_view_rights(const struct vmm_space *s, const struct region *r,
					  unsigned v)
{
	return v < s->nviews ? region_masked(r->rights, r->mask[v]) : 0;
}
/* The backend's rights for pages of R given RIGHTS: the pages', and each view's. */
struct view_rights region_rights_in_views(const struct vmm_space *s, const struct region *r,
					  unsigned rights);

/* Whether regions cover every byte of [va, end) and each allows ACCESS (0: any). */
int regions_cover(struct vmm_space *s, vaddr_t va, vaddr_t end, unsigned access);

/* The region of S containing VA, or NULL. */
struct region *region_find(struct vmm_space *s, vaddr_t va);

/* How many bytes of the page at PAGE (in R) its backing holds, and *PA that page; 0: none. */
uint64_t region_backed(const struct region *r, vaddr_t page, paddr_t *pa);
/* The bytes of snapshot pages R holds in [va, end): what they charge to the commit limit. */
uint64_t region_snapshot_bytes(const struct region *r, vaddr_t va, vaddr_t end);
/* Free the snapshot pages R holds in [va, end); nothing may map them any more. */
void region_snapshot_release(struct region *r, vaddr_t va, vaddr_t end);
/*
 * Unmap the translations in [va, end) of R that map its backing itself (not
 * a copy): nothing is lost, the next touch brings the page back.  0 or
 * -ENOMEM (what is unmapped so far stays unmapped, which nobody can see).
 */
int region_drop_shared(struct vmm_space *s, const struct region *r, vaddr_t va, vaddr_t end);

#endif
