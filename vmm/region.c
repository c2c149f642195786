/*
 * Regions: the user memory a space should have, kept apart from what the
 * backend has mapped so far (vmm/region.h; faults are fault.c's).  Every
 * call checks all it can before it changes anything, and either completes
 * or leaves the regions, their pages and the commit charge as they were.
 */
#include "arch.h"
#include "kernel/error.h"
#include "kernel/heap.h"
#include "vmm/region.h"

/*
 * Commit accounting: writable private memory is charged when its region
 * is made, not when its pages are touched, so that running out of memory is
 * an ENOMEM from mmap/brk/mremap/mprotect rather than a fault the program
 * cannot handle (Linux's strict mode, vm.overcommit_memory=2).
 * REGION_NORESERVE is the exception a program asks for (MAP_NORESERVE).
 */
static uint64_t committed, commit_limit = UINT64_MAX;

void vmm_set_commit_limit(uint64_t bytes)
{
	commit_limit = bytes;
}

/*
 * Bytes of [start, end) with RIGHTS and KIND that count against the limit:
 * writable private memory, any page of which may become the space's own.
 */
static uint64_t charge_of(vaddr_t start, vaddr_t end, unsigned rights, enum region_kind kind)
{
	int charged = kind == REGION_ANON || kind == REGION_STACK || kind == REGION_BACKED ||
		      kind == REGION_HUGE;
	return charged && (rights & VMM_WRITE) ? end - start : 0;
}

/* R's charge: its writable memory, and the snapshot pages it holds (frames taken already). */
static uint64_t region_charge(const struct region *r)
{
	return charge_of(r->start, r->end, r->rights, r->kind) +
	       region_snapshot_bytes(r, r->start, r->end);
}

/* Take BYTES more from the limit: 0, or -ENOMEM with nothing taken. */
static int commit(uint64_t bytes)
{
	if (bytes > commit_limit || committed > commit_limit - bytes)
		return -ENOMEM;
	committed += bytes;
	return 0;
}

static void uncommit(uint64_t bytes)
{
	committed -= bytes;
}

void vmm_get_commit(uint64_t *bytes, uint64_t *limit)
{
	*bytes = committed;
	*limit = commit_limit;
}

int vmm_commit_charge(uint64_t bytes)
{
	return commit(bytes);
}

void vmm_commit_release(uint64_t bytes)
{
	uncommit(bytes);
}

/* The region containing VA, or NULL. */
struct region *region_find(struct vmm_space *s, vaddr_t va)
{
	for (struct region *r = s->regions; r && r->start <= va; r = r->next)
		if (va < r->end)
			return r;
	return NULL;
}

/* [va, va+len) is a page-aligned, non-empty range of the user half. */
static int user_range_ok(vaddr_t va, uint64_t len)
{
	return len && IS_ALIGNED(va, PAGE_SIZE) && IS_ALIGNED(len, PAGE_SIZE) && va + len > va &&
	       va + len <= USER_TOP;
}

/*
 * RIGHTS suit a region: USER, no bit but READ, WRITE, EXEC, and WRITE only
 * with READ, since a fault maps the page with the region's rights and
 * vmm_map would refuse them (callers turn PROT_WRITE into READ|WRITE).
 * USER alone is PROT_NONE: nothing may be touched.
 */
static int region_rights_ok(unsigned rights)
{
	if (rights & ~(VMM_READ | VMM_WRITE | VMM_EXEC | VMM_USER))
		return 0;
	if ((rights & VMM_WRITE) && !(rights & VMM_READ))
		return 0;
	return (rights & VMM_USER) != 0;
}

/* The link of S's list where a region starting at VA belongs (before the first ending above VA). */
static struct region **region_link(struct vmm_space *s, vaddr_t va)
{
	struct region **link = &s->regions;
	while (*link && (*link)->end <= va)
		link = &(*link)->next;
	return link;
}

/* What removing [va, end) would give back to the commit limit. */
static uint64_t charge_in(struct vmm_space *s, vaddr_t va, vaddr_t end)
{
	uint64_t bytes = 0;
	for (struct region *r = *region_link(s, va); r && r->start < end; r = r->next) {
		vaddr_t lo = r->start > va ? r->start : va, hi = r->end < end ? r->end : end;
		bytes += charge_of(lo, hi, r->rights, r->kind) + region_snapshot_bytes(r, lo, hi);
	}
	return bytes;
}

/*
 * Insert a region with backing B (KIND and B are trusted to agree).  With
 * REPLACE, whatever lies in the range goes first, as mmap(MAP_FIXED) wants,
 * but only once the new region is sure to fit: a failure changes nothing.
 */
static int region_insert(struct vmm_space *s, vaddr_t va, uint64_t len, unsigned rights,
			 enum region_kind kind, struct backing b, int replace, unsigned views)
{
	if (!user_range_ok(va, len) || !region_rights_ok(rights) ||
	    !(views & ((1u << s->nviews) - 1)))
		return -EINVAL;
	if (kind == REGION_HUGE && !IS_ALIGNED(va | len, MEGAPAGE_SIZE))
		return -EINVAL;
	struct region **link = region_link(s, va);
	if (!replace && *link && (*link)->start < va + len)
		return -EEXIST;
	struct region want = { va, va + len, rights, kind, NULL, b, { 0 } };
	region_masks_for(views, want.mask);
	uint64_t charge = region_charge(&want), released = replace ? charge_in(s, va, va + len) : 0;
	uint64_t more = charge > released ? charge - released : 0;
	if (commit(more) != 0)
		return -ENOMEM;
	struct region *r = kmalloc(sizeof(*r));
	int err = r ? 0 : -ENOMEM;
	if (!err && replace)
		err = vmm_region_remove(s, va, len);
	if (err) {
		kfree(r);
		uncommit(more);
		return err;
	}
	/* The removal gave RELEASED back, so the rest of the charge fits where it was. */
	committed += charge - more;
	link = region_link(s, va);
	want.next = *link;
	*r = want;
	*link = r;
	return 0;
}

int vmm_region_add(struct vmm_space *s, vaddr_t va, uint64_t len, unsigned rights,
		   enum region_kind kind)
{
	return region_insert(s, va, len, rights, kind, (struct backing){ 0 }, 0, VMM_ALL_VIEWS);
}

int vmm_region_add_backed(struct vmm_space *s, vaddr_t va, uint64_t len, unsigned rights,
			  paddr_t pa, uint64_t bytes)
{
	if (!pa || !IS_ALIGNED(pa, PAGE_SIZE) || pa + len < pa || bytes > len)
		return -EINVAL;
	struct backing b = { .base = bytes ? pa : 0, .bytes = bytes };
	return region_insert(s, va, len, rights, REGION_BACKED, b, 0, VMM_ALL_VIEWS);
}

int vmm_region_map_views(struct vmm_space *s, vaddr_t va, uint64_t len, unsigned rights,
			 enum region_kind kind, struct vmm_snapshot *snap, int replace,
			 unsigned views)
{
	if (snap && (kind != REGION_BACKED || snap->npages > len / PAGE_SIZE))
		return -EINVAL;
	struct backing b = { .snap = snap, .bytes = snap ? snap->npages * PAGE_SIZE : 0 };
	return region_insert(s, va, len, rights, kind, b, replace, views);
}

int vmm_region_map(struct vmm_space *s, vaddr_t va, uint64_t len, unsigned rights,
		   enum region_kind kind, struct vmm_snapshot *snap, int replace)
{
	return vmm_region_map_views(s, va, len, rights, kind, snap, replace, VMM_ALL_VIEWS);
}

/* What backs R from VA on (VA at or above R's start); a backing left without bytes is none. */
static struct backing backing_from(const struct region *r, vaddr_t va)
{
	uint64_t off = va - r->start;
	if (r->b.bytes <= off)
		return (struct backing){ 0 };
	struct backing b = r->b;
	b.bytes -= off;
	if (b.snap)
		b.first += off / PAGE_SIZE;
	else
		b.base += off;
	return b;
}

static int same_backing(struct backing a, struct backing b)
{
	return a.base == b.base && a.snap == b.snap && a.first == b.first && a.bytes == b.bytes;
}

/* Split the region containing VA so that one starts at VA; -ENOMEM leaves it whole. */
static int region_split_at(struct vmm_space *s, vaddr_t va)
{
	struct region *r = region_find(s, va);
	if (!r || r->start == va)
		return 0;
	struct region *tail = kmalloc(sizeof(*tail));
	if (!tail)
		return -ENOMEM;
	*tail = *r;
	tail->start = va;
	tail->b = backing_from(r, va);
	r->end = va;
	r->next = tail;
	return 0;
}

/* Merge a region split by region_split_at back with its successor. */
static void region_join_at(struct vmm_space *s, vaddr_t va)
{
	for (struct region *r = s->regions; r && r->next; r = r->next) {
		struct region *n = r->next;
		if (r->end == va && n->start == va && r->rights == n->rights && r->kind == n->kind &&
		    region_masks_equal(r, n) && same_backing(backing_from(r, va), n->b)) {
			r->end = n->end;
			r->next = n->next;
			kfree(n);
			return;
		}
	}
}

/*
 * Split regions at both ends of [va, end) so every region is inside or
 * outside it, all or nothing; *SPLITS says which ends were split, for
 * region_unsplit.  Two regions that merely touch at an end stay two.
 */
int region_split_range(struct vmm_space *s, vaddr_t va, vaddr_t end, unsigned *splits)
{
	struct region *a = region_find(s, va), *z = region_find(s, end);
	/* A huge region is cut only between its 2 MiB pages. */
	if ((a && a->kind == REGION_HUGE && !IS_ALIGNED(va, MEGAPAGE_SIZE)) ||
	    (z && z->kind == REGION_HUGE && !IS_ALIGNED(end, MEGAPAGE_SIZE)))
		return -EINVAL;
	*splits = (a && a->start != va ? SPLIT_VA : 0) | (z && z->start != end ? SPLIT_END : 0);
	int err = region_split_at(s, va);
	if (!err && (err = region_split_at(s, end)) != 0 && (*splits & SPLIT_VA))
		region_join_at(s, va);
	return err;
}

/* Undo region_split_range. */
void region_unsplit(struct vmm_space *s, vaddr_t va, vaddr_t end, unsigned splits)
{
	if (splits & SPLIT_END)
		region_join_at(s, end);
	if (splits & SPLIT_VA)
		region_join_at(s, va);
}

/* Forget [va, end) of R, whose pages are unmapped already: its snapshot pages and its charge. */
static void region_forget(struct region *r, vaddr_t va, vaddr_t end)
{
	uncommit(charge_of(va, end, r->rights, r->kind) + region_snapshot_bytes(r, va, end));
	region_snapshot_release(r, va, end);
}

int vmm_region_remove(struct vmm_space *s, vaddr_t va, uint64_t len)
{
	unsigned splits;
	if (!user_range_ok(va, len))
		return -EINVAL;
	vaddr_t end = va + len;
	int err = region_split_range(s, va, end, &splits);
	/* One unmap for the whole range: the backend's all or nothing is the call's. */
	if (!err && (err = vmm_unmap(s, va, len)) != 0)
		region_unsplit(s, va, end, splits);
	if (err)
		return err;
	struct region **link = region_link(s, va);
	while (*link && (*link)->start < end) {
		struct region *r = *link;
		region_forget(r, r->start, r->end);
		*link = r->next;
		kfree(r);
	}
	return 0;
}

int regions_cover(struct vmm_space *s, vaddr_t va, vaddr_t end, unsigned access)
{
	while (va < end) {
		struct region *r = region_find(s, va);
		if (!r || (r->rights & access) != access)
			return 0;
		va = r->end;
	}
	return 1;
}

int vmm_region_at(struct vmm_space *s, vaddr_t va, vaddr_t *start, vaddr_t *end,
		  unsigned *rights, enum region_kind *kind)
{
	struct region *r = region_find(s, va);
	if (!r)
		return -ENOENT;
	*start = r->start;
	*end = r->end;
	*rights = r->rights;
	*kind = r->kind;
	return 0;
}

int vmm_region_allows(struct vmm_space *s, vaddr_t va, uint64_t len, unsigned access)
{
	if (len == 0)
		return 1;
	if (va + len < va || va + len > USER_TOP)
		return 0;
	return regions_cover(s, ALIGN_DOWN(va, PAGE_SIZE), ALIGN_UP(va + len, PAGE_SIZE), access);
}

/* Drop the translations of [va, end) that map a backing itself (region_drop_shared). */
static int drop_shared_in(struct vmm_space *s, vaddr_t va, vaddr_t end)
{
	for (struct region *r = region_find(s, va); r && r->start < end; r = r->next) {
		vaddr_t lo = r->start > va ? r->start : va, hi = r->end < end ? r->end : end;
		int err = r->kind == REGION_BACKED ? region_drop_shared(s, r, lo, hi) : 0;
		if (err)
			return err;
	}
	return 0;
}

/*
 * Give the pages present in [va, end), whose regions lie inside it, RIGHTS
 * in the space and in each view: one backend operation for each run of
 * regions whose views have the same masks (all of them, unless a grant
 * made them differ), all or nothing.  Should a later run fail, the runs
 * done get their regions' rights back, which needs no memory: the only
 * pages or cells cut are at the ends of the runs, and they stay cut.
 */
static int protect_runs(struct vmm_space *s, vaddr_t va, vaddr_t end, unsigned rights)
{
	vaddr_t done = va;
	int err = 0;
	while (done < end && !err) {
		struct region *r = region_find(s, done), *z = r;
		while (z->end < end && z->next && region_masks_equal(r, z->next))
			z = z->next;
		struct view_rights vr = region_rights_in_views(s, r, rights);
		err = vmm_protect_present(s, done, z->end - done, &vr);
		if (!err)
			done = z->end;
	}
	for (struct region *r = region_find(s, va); err && r && r->start < done; r = r->next) {
		struct view_rights old = region_rights_in_views(s, r, r->rights);
		vmm_protect_present(s, r->start, r->end - r->start, &old);
	}
	return err;
}

int vmm_region_protect(struct vmm_space *s, vaddr_t va, uint64_t len, unsigned rights)
{
	unsigned splits;
	if (!user_range_ok(va, len) || !region_rights_ok(rights))
		return -EINVAL;
	vaddr_t end = va + len;
	if (!regions_cover(s, va, end, 0))
		return -ENOMEM;
	/*
	 * A backing mapped in place must never become writable; and without
	 * access it can go, as the next touch brings it back.  Dropping it first
	 * is invisible, so a failure later still leaves nothing changed.
	 */
	int inaccessible = !(rights & (VMM_READ | VMM_EXEC));
	int err = (rights & VMM_WRITE) || inaccessible ? drop_shared_in(s, va, end) : 0;
	if (err)
		return err;
	if ((err = region_split_range(s, va, end, &splits)) != 0)
		return err;
	/* Made writable, private memory is charged; made read-only, released. */
	uint64_t before = 0, after = 0;
	for (struct region *r = region_find(s, va); r && r->start < end; r = r->next) {
		before += charge_of(r->start, r->end, r->rights, r->kind);
		after += charge_of(r->start, r->end, rights, r->kind);
	}
	if (after > before && commit(after - before) != 0) {
		region_unsplit(s, va, end, splits);
		return -ENOMEM;
	}
	/* The pages present take the new rights (held, contents kept, when inaccessible). */
	err = protect_runs(s, va, end, rights);
	if (err) {
		uncommit(after > before ? after - before : 0);
		region_unsplit(s, va, end, splits);
		return err;
	}
	uncommit(before > after ? before - after : 0);
	for (struct region *r = region_find(s, va); r && r->start < end; r = r->next)
		r->rights = rights;
	return 0;
}

int vmm_region_resize(struct vmm_space *s, vaddr_t old_end, vaddr_t new_end)
{
	if (!IS_ALIGNED(new_end, PAGE_SIZE) || new_end > USER_TOP)
		return -EINVAL;
	struct region *r = region_find(s, old_end - 1);
	if (!r || r->end != old_end || new_end <= r->start)
		return -EINVAL;
	if (r->kind == REGION_HUGE && !IS_ALIGNED(new_end, MEGAPAGE_SIZE))
		return -EINVAL;
	if (new_end > old_end) {
		if (r->next && r->next->start < new_end)
			return -ENOMEM;
		if (commit(charge_of(old_end, new_end, r->rights, r->kind)) != 0)
			return -ENOMEM;
	} else if (new_end < old_end) {
		int err = vmm_unmap(s, new_end, old_end - new_end);
		if (err)
			return err;
		region_forget(r, new_end, old_end);
		/* Grown again later, the part cut off reads as zero, as a new mapping would. */
		if (r->b.bytes > new_end - r->start)
			r->b.bytes = new_end - r->start;
	}
	r->end = new_end;
	return 0;
}

void region_destroy_all(struct vmm_space *s)
{
	while (s->regions) {
		struct region *r = s->regions;
		vmm_unmap(s, r->start, r->end - r->start);
		region_forget(r, r->start, r->end);
		s->regions = r->next;
		kfree(r);
	}
}
