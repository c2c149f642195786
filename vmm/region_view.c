/*
 * Views of a space (vmm.h): one per compartment, each with its own mask on
 * each region.  The masks live in the regions (region.h), so they split,
 * join and go with them; what a view may do is always the region's rights
 * under the view's mask, decided here and handed to the backend whole.
 */
#include "arch.h"
#include "kernel/error.h"
#include "kernel/heap.h"
#include "vmm/region.h"

#define MASK_BITS (VMM_READ | VMM_WRITE | VMM_EXEC)

void region_masks_for(unsigned views, uint8_t mask[VMM_MAX_VIEWS])
{
	for (unsigned v = 0; v < VMM_MAX_VIEWS; v++)
		mask[v] = (views >> v) & 1 ? MASK_BITS : 0;
}

int region_masks_equal(const struct region *a, const struct region *b)
{
	for (unsigned v = 0; v < VMM_MAX_VIEWS; v++)
		if (a->mask[v] != b->mask[v])
			return 0;
	return 1;
}

/* (A/D bits in RIGHTS go to every view with access: fault.c keeps them for the faulting one.) */
struct view_rights region_rights_in_views(const struct vmm_space *s, const struct region *r,
					  unsigned rights)
{
	struct view_rights vr = { .page = rights };
	for (unsigned v = 0; v < s->nviews; v++) {
		vr.view[v] = region_masked(rights, r->mask[v]);
		vr.view[v] |= vr.view[v] ? rights & (VMM_ACCESSED | VMM_DIRTY) : 0;
	}
	return vr;
}

int vmm_views_set(struct vmm_space *s, unsigned nviews)
{
	if (nviews == 0 || nviews > VMM_MAX_VIEWS)
		return -EINVAL;
	if (s->regions)
		return -EBUSY;
	int err = backend_views_init(s->backend, nviews);
	if (!err)
		s->nviews = nviews;
	return err;
}

int vmm_views_switch_in_user(void)
{
	return backend_views_switch_in_user;
}

unsigned vmm_views(const struct vmm_space *s)
{
	return s->nviews;
}

/*
 * Give VIEW MASK on every region of [va, end) (split at its ends), region
 * by region, the old masks kept first (-ENOMEM before any change).  Should
 * a backend call fail, the regions done get their masks and rights back,
 * which needs no memory: each of their pages and cells was cut where it
 * had to be by the call that changed it.
 */
static int set_masks(struct vmm_space *s, unsigned view, vaddr_t va, vaddr_t end, unsigned mask)
{
	size_t n = 0;
	for (struct region *r = region_find(s, va); r && r->start < end; r = r->next)
		n++;
	uint8_t *old = kmalloc(n);
	if (!old)
		return -ENOMEM;
	int err = 0;
	size_t done = 0;
	for (struct region *r = region_find(s, va); r && r->start < end && !err; r = r->next) {
		old[done] = r->mask[view];
		r->mask[view] = (uint8_t)mask;
		struct view_rights vr = region_rights_in_views(s, r, r->rights);
		err = vmm_protect_present(s, r->start, r->end - r->start, &vr);
		if (err)
			r->mask[view] = old[done];
		else
			done++;
	}
	size_t i = 0;
	for (struct region *r = region_find(s, va); err && i < done; r = r->next, i++) {
		r->mask[view] = old[i];
		struct view_rights vr = region_rights_in_views(s, r, r->rights);
		vmm_protect_present(s, r->start, r->end - r->start, &vr);
	}
	kfree(old);
	return err;
}

int vmm_region_view(struct vmm_space *s, unsigned view, vaddr_t va, uint64_t len, unsigned mask)
{
	unsigned splits;
	vaddr_t end = va + len;
	if (view >= s->nviews || (mask & ~MASK_BITS) || !len || !IS_ALIGNED(va | len, PAGE_SIZE) ||
	    end < va || end > USER_TOP)
		return -EINVAL;
	if (!regions_cover(s, va, end, 0))
		return -ENOENT;
	int err = region_split_range(s, va, end, &splits);
	if (err)
		return err;
	err = set_masks(s, view, va, end, mask);
	/* Failed, the cuts go; done, they go too where the masks agree again (a revoke). */
	region_unsplit(s, va, end, err ? splits : SPLIT_VA_END);
	return err;
}

unsigned vmm_view_rights(struct vmm_space *s, unsigned view, vaddr_t va)
{
	struct region *r = va_is_user(va) ? region_find(s, va) : NULL;
	return r ? region_view_rights(s, r, view) : 0;
}

int vmm_view_allows(struct vmm_space *s, unsigned view, vaddr_t va, uint64_t len, unsigned access)
{
	vaddr_t end = va + len;
	if (!len || end < va || !regions_cover(s, va, end, 0))
		return 0;
	for (struct region *r = region_find(s, va); r && r->start < end; r = r->next) {
		unsigned have = region_view_rights(s, r, view) & (VMM_READ | VMM_WRITE | VMM_EXEC);
		if (access ? (have & access) != access : have != 0)
			return 0;
	}
	return 1;
}

int vmm_view_writes_all(struct vmm_space *s, unsigned view, vaddr_t va, uint64_t len)
{
	vaddr_t end = va + len < va ? USER_TOP : va + len;
	for (struct region *r = s->regions; r && r->start < end; r = r->next)
		if (r->end > va && !(region_view_rights(s, r, view) & VMM_WRITE))
			return 0;
	return 1;
}

int vmm_translate_view(struct vmm_space *s, unsigned view, vaddr_t va, struct vmm_mapping *out)
{
	if (!va_is_canonical(va) || view >= s->nviews)
		return -EINVAL;
	return backend_translate_view(s->backend, view, va, out);
}
