/*
 * Regions: the user memory a space should have, kept apart from what the
 * backend has mapped so far.  Faults inside a region are resolved here, the
 * same way on every backend: find the region, check the access, map a zeroed
 * frame.
 */
#include <string.h>

#include "arch.h"
#include "kernel/console.h"
#include "kernel/error.h"
#include "kernel/frame.h"
#include "kernel/heap.h"
#include "vmm/space.h"

struct region {
	vaddr_t start, end;
	unsigned rights;
	enum region_kind kind;
	struct region *next;
	paddr_t backing; /* REGION_BACKED: the memory behind start */
};

/*
 * Commit accounting: writable anonymous memory is charged when its region
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

/* Bytes of [start, end) with RIGHTS and KIND that count against the limit. */
static uint64_t charge_of(vaddr_t start, vaddr_t end, unsigned rights, enum region_kind kind)
{
	int anonymous = kind == REGION_ANON || kind == REGION_STACK;
	return anonymous && (rights & VMM_WRITE) ? end - start : 0;
}

static uint64_t region_charge(const struct region *r)
{
	return charge_of(r->start, r->end, r->rights, r->kind);
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
static struct region *region_find(struct vmm_space *s, vaddr_t va)
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

/* Insert a region; KIND and BACKING are trusted to agree. */
static int region_insert(struct vmm_space *s, vaddr_t va, uint64_t len, unsigned rights,
			 enum region_kind kind, paddr_t backing)
{
	if (!user_range_ok(va, len) || !region_rights_ok(rights))
		return -EINVAL;
	struct region **link = &s->regions;
	while (*link && (*link)->end <= va)
		link = &(*link)->next;
	if (*link && (*link)->start < va + len)
		return -EEXIST;
	uint64_t charge = charge_of(va, va + len, rights, kind);
	if (commit(charge) != 0)
		return -ENOMEM;
	struct region *r = kmalloc(sizeof(*r));
	if (!r) {
		uncommit(charge);
		return -ENOMEM;
	}
	*r = (struct region){ va, va + len, rights, kind, *link, backing };
	*link = r;
	return 0;
}

int vmm_region_add(struct vmm_space *s, vaddr_t va, uint64_t len, unsigned rights,
		   enum region_kind kind)
{
	if (kind == REGION_BACKED)
		return -EINVAL; /* it needs its memory: vmm_region_add_backed */
	return region_insert(s, va, len, rights, kind, 0);
}

int vmm_region_add_backed(struct vmm_space *s, vaddr_t va, uint64_t len, unsigned rights,
			  paddr_t pa)
{
	if (!IS_ALIGNED(pa, PAGE_SIZE) || pa + len < pa)
		return -EINVAL;
	return region_insert(s, va, len, rights, REGION_BACKED, pa);
}

static int region_drop_pages(struct vmm_space *s, struct region *r, vaddr_t va, vaddr_t end)
{
	/* The backend frees what its faults allocated; fixed memory stays the caller's. */
	return vmm_unmap(s, va, end - va);
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
	tail->backing = r->backing ? r->backing + (va - r->start) : 0;
	r->end = va;
	r->next = tail;
	return 0;
}

/* Merge a region split by region_split_at back with its successor. */
static void region_join_at(struct vmm_space *s, vaddr_t va)
{
	for (struct region *r = s->regions; r && r->next; r = r->next) {
		struct region *n = r->next;
		int backing_continues = !r->backing || n->backing == r->backing + (va - r->start);
		if (r->end == va && n->start == va && r->rights == n->rights && r->kind == n->kind &&
		    backing_continues) {
			r->end = n->end;
			r->next = n->next;
			kfree(n);
			return;
		}
	}
}

/* Split regions at both ends of [va, end) so every region is inside or outside it. */
static int region_split_range(struct vmm_space *s, vaddr_t va, vaddr_t end)
{
	/* Undo only a split made here: two regions that merely touch at VA stay two. */
	struct region *r = region_find(s, va);
	int splits_va = r && r->start != va;
	int err = region_split_at(s, va);
	if (!err && (err = region_split_at(s, end)) != 0 && splits_va)
		region_join_at(s, va);
	return err;
}

int vmm_region_remove(struct vmm_space *s, vaddr_t va, uint64_t len)
{
	if (!user_range_ok(va, len))
		return -EINVAL;
	vaddr_t end = va + len;
	int err = region_split_range(s, va, end);
	if (err)
		return err;
	struct region **link = &s->regions;
	while (*link) {
		struct region *r = *link;
		if (r->start >= va && r->end <= end) {
			err = region_drop_pages(s, r, r->start, r->end);
			if (err)
				return err;
			uncommit(region_charge(r));
			*link = r->next;
			kfree(r);
		} else {
			link = &r->next;
		}
	}
	return 0;
}

/* Whether regions cover every byte of [va, end) and each allows ACCESS. */
static int regions_cover(struct vmm_space *s, vaddr_t va, vaddr_t end, unsigned access)
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

/* A visitor that notes the first translation in *CTX and stops. */
static int first_mapping(const struct vmm_mapping *m, void *ctx)
{
	*(struct vmm_mapping *)ctx = *m;
	return 1;
}

int vmm_region_protect(struct vmm_space *s, vaddr_t va, uint64_t len, unsigned rights)
{
	struct vmm_mapping m;
	if (!user_range_ok(va, len) || !region_rights_ok(rights))
		return -EINVAL;
	vaddr_t end = va + len;
	if (!regions_cover(s, va, end, 0))
		return -ENOMEM;
	/*
	 * No translation can express "present but inaccessible", so pages that
	 * exist cannot go to PROT_NONE without losing their contents: refuse.
	 * Untouched ranges can (the usual reserve-then-commit pattern).
	 */
	int inaccessible = !(rights & (VMM_READ | VMM_EXEC));
	if (inaccessible && vmm_traverse(s, va, len, first_mapping, &m))
		return -ENOTSUP;
	int err = region_split_range(s, va, end);
	if (err)
		return err;
	/* Made writable, anonymous memory is charged; made read-only, released. */
	uint64_t before = 0, after = 0;
	for (struct region *r = region_find(s, va); r && r->start < end; r = r->next) {
		before += region_charge(r);
		after += charge_of(r->start, r->end, rights, r->kind);
	}
	if (after > before && commit(after - before) != 0)
		return -ENOMEM; /* the split stays: harmless, as Linux's vma splits */
	uncommit(before > after ? before - after : 0);
	for (struct region *r = region_find(s, va); r && r->start < end; r = r->next)
		r->rights = rights;
	if (inaccessible)
		return 0;
	/*
	 * Give the present translations the new rights one at a time, each
	 * found afresh: a visitor must not change the space it traverses.
	 */
	for (vaddr_t cur = va; cur < end && vmm_traverse(s, cur, end - cur, first_mapping, &m);) {
		err = vmm_protect(s, m.va, m.len, rights);
		if (err)
			return err;
		cur = m.va + m.len;
	}
	return 0;
}

int vmm_region_resize(struct vmm_space *s, vaddr_t old_end, vaddr_t new_end)
{
	if (!IS_ALIGNED(new_end, PAGE_SIZE) || new_end > USER_TOP)
		return -EINVAL;
	struct region *r = region_find(s, old_end - 1);
	if (!r || r->end != old_end || new_end <= r->start)
		return -EINVAL;
	if (new_end > old_end) {
		if (r->next && r->next->start < new_end)
			return -ENOMEM;
		if (commit(charge_of(old_end, new_end, r->rights, r->kind)) != 0)
			return -ENOMEM;
	} else {
		int err = region_drop_pages(s, r, new_end, old_end);
		if (err)
			return err;
		uncommit(charge_of(new_end, old_end, r->rights, r->kind));
	}
	r->end = new_end;
	return 0;
}

int vmm_fault(struct vmm_space *s, vaddr_t va, unsigned access)
{
	uint64_t t0 = read_instret();
	int err = -EFAULT;
	struct region *r = va_is_user(va) ? region_find(s, va) : NULL;
	struct vmm_mapping m;
	if (!r || (r->rights & access) != access)
		goto out;
	if (vmm_translate(s, va, &m) == 0) {
		/* Mapped with the access allowed: a stale TLB entry, retry. */
		if ((m.rights & access) == access) {
			sfence_vma_page(va);
			err = 0;
		}
		goto out;
	}
	if (r->kind == REGION_STACK && ALIGN_DOWN(va, PAGE_SIZE) == r->start) {
		kprintf("stack: overflow into the guard page at %#lx\n", r->start);
		goto out;
	}
	if (r->kind != REGION_FIXED) {
		paddr_t backing = r->kind == REGION_BACKED
					  ? r->backing + (ALIGN_DOWN(va, PAGE_SIZE) - r->start)
					  : 0;
		struct backend_fault f = { va, access, r->rights, r->start, r->end, backing };
		err = backend_fault(s->backend, &f);
	}
out:
	vmm_count_fault(read_instret() - t0);
	return err;
}

void region_destroy_all(struct vmm_space *s)
{
	while (s->regions) {
		struct region *r = s->regions;
		region_drop_pages(s, r, r->start, r->end);
		uncommit(region_charge(r));
		s->regions = r->next;
		kfree(r);
	}
}
