/*
 * Placement: where a mapping without a fixed address goes.  The area, the
 * alignment and the hint are the caller's policy (kernel/sys_memory.c);
 * this only finds room, walking the sorted regions: first fit above the
 * hint, then first fit from the area's start.  It is deterministic, and
 * when the space above the hint is free (mapping after the last mapping
 * placed, the common case) it takes no more than that one look.
 */
#include "arch.h"
#include "kernel/error.h"
#include "vmm/region.h"

/* The lowest ALIGN-aligned start at or above FROM of LEN free bytes below HI: 0 and *OUT, or -ENOMEM. */
static int first_fit(struct vmm_space *s, vaddr_t from, vaddr_t hi, uint64_t len, uint64_t align,
		     vaddr_t *out)
{
	vaddr_t va = ALIGN_UP(from, align);
	struct region *r = s->regions;
	while (va < hi && hi - va >= len) {
		while (r && r->end <= va)
			r = r->next;
		if (!r || r->start >= va + len) {
			*out = va;
			return 0;
		}
		va = ALIGN_UP(r->end, align);
	}
	return -ENOMEM;
}

int vmm_region_find_free(struct vmm_space *s, vaddr_t lo, vaddr_t hi, vaddr_t hint, uint64_t len,
			 uint64_t align, vaddr_t *out)
{
	if (!len || !IS_ALIGNED(len, PAGE_SIZE) || align < PAGE_SIZE || (align & (align - 1)) ||
	    lo >= hi || hi > USER_TOP)
		return -EINVAL;
	if (hint < lo || hint >= hi)
		hint = lo;
	return first_fit(s, hint, hi, len, align, out) == 0 ? 0 : first_fit(s, lo, hi, len, align, out);
}
