/*
 * Faults: how the pages of a region come to exist, the same way on every
 * backend.  An anonymous page is a zeroed frame.  A backed page is private
 * memory over its backing (the image's bytes, or a snapshot of a file): its
 * backing page itself, mapped in place while the region is not writable,
 * otherwise a copy the space owns; past the backing's bytes, a zeroed frame.
 * A backing page is never mapped writable, so no store of the application's
 * or the kernel's on its behalf reaches the image or a snapshot, and
 * dropping a page (MADV_DONTNEED) brings the backing's bytes back.
 *
 * Also here: the snapshots, pages of a file's bytes handed down by the
 * kernel (kernel/sys_memory.c), so that vmm/ never calls up into the file
 * system.
 */
#include <string.h>

#include "arch.h"
#include "kernel/console.h"
#include "kernel/error.h"
#include "kernel/frame.h"
#include "kernel/heap.h"
#include "vmm/region.h"

int vmm_snapshot_alloc(uint64_t npages, struct vmm_snapshot **out)
{
	if (npages == 0)
		return -EINVAL;
	if (npages > (SIZE_MAX - sizeof(**out)) / sizeof(paddr_t))
		return -ENOMEM;
	struct vmm_snapshot *snap = kmalloc(sizeof(*snap) + npages * sizeof(paddr_t));
	if (!snap)
		return -ENOMEM;
	snap->npages = npages;
	snap->live = 0;
	for (uint64_t i = 0; i < npages; i++) {
		if (frame_alloc(0, &snap->pages[i]) != 0) {
			snap->npages = i;
			vmm_snapshot_free(snap);
			return -ENOMEM;
		}
		memset(phys_to_virt(snap->pages[i]), 0, PAGE_SIZE);
		snap->live++;
	}
	*out = snap;
	return 0;
}

void *vmm_snapshot_page(struct vmm_snapshot *snap, uint64_t i)
{
	return i < snap->npages ? phys_to_virt(snap->pages[i]) : NULL;
}

void vmm_snapshot_free(struct vmm_snapshot *snap)
{
	for (uint64_t i = 0; i < snap->npages; i++)
		if (snap->pages[i])
			frame_free(snap->pages[i], 0);
	kfree(snap);
}

uint64_t region_backed(const struct region *r, vaddr_t page, paddr_t *pa)
{
	uint64_t off = page - r->start;
	if (off >= r->b.bytes)
		return 0;
	*pa = r->b.snap ? r->b.snap->pages[r->b.first + off / PAGE_SIZE] : r->b.base + off;
	return r->b.bytes - off < PAGE_SIZE ? r->b.bytes - off : PAGE_SIZE;
}

uint64_t region_snapshot_bytes(const struct region *r, vaddr_t va, vaddr_t end)
{
	if (!r->b.snap)
		return 0;
	vaddr_t last = r->start + r->b.bytes; /* a snapshot's bytes are whole pages */
	vaddr_t hi = end < last ? end : last;
	return hi > va ? hi - va : 0;
}

void region_snapshot_release(struct region *r, vaddr_t va, vaddr_t end)
{
	struct vmm_snapshot *snap = r->b.snap;
	uint64_t n = region_snapshot_bytes(r, va, end) / PAGE_SIZE;
	for (uint64_t i = r->b.first + (va - r->start) / PAGE_SIZE; n; i++, n--) {
		frame_free(snap->pages[i], 0);
		snap->pages[i] = 0;
		snap->live--;
	}
	/* Each page belongs to one region, so with the last page no region needs the snapshot. */
	if (snap && snap->live == 0)
		kfree(snap);
}

/* Where region_drop_shared looks, and the first run of pages mapping R's backing it found. */
struct shared_run {
	const struct region *r;
	int found;
	vaddr_t va, end;
};

/* A visitor: note the first run of pages in M that map the backing itself, and stop after it. */
static int find_shared(const struct vmm_mapping *m, void *ctx)
{
	struct shared_run *c = ctx;
	for (uint64_t off = 0; off < m->len; off += PAGE_SIZE) {
		paddr_t pa;
		if (region_backed(c->r, m->va + off, &pa) == PAGE_SIZE && pa == m->pa + off) {
			c->va = c->found ? c->va : m->va + off;
			c->end = m->va + off + PAGE_SIZE;
			c->found = 1;
		} else if (c->found) {
			return 1;
		}
	}
	return c->found;
}

int region_drop_shared(struct vmm_space *s, const struct region *r, vaddr_t va, vaddr_t end)
{
	/* Only whole pages of the backing are ever mapped in place. */
	vaddr_t last = r->start + ALIGN_DOWN(r->b.bytes, PAGE_SIZE);
	vaddr_t hi = end < last ? end : last;
	for (vaddr_t cur = va; cur < hi;) {
		struct shared_run c = { r, 0, 0, 0 };
		if (!vmm_traverse(s, cur, hi - cur, find_shared, &c))
			return 0;
		int err = vmm_unmap(s, c.va, c.end - c.va);
		if (err)
			return err;
		cur = c.end;
	}
	return 0;
}

/*
 * Have the backend bring in VA's page of R for ACCESS: the backing page in
 * place, a copy of it, or zeros (see the top of this file).
 */
static int bring_in(struct vmm_space *s, const struct region *r, unsigned view, vaddr_t va,
		    unsigned access)
{
	paddr_t pa = 0;
	uint64_t bytes = region_backed(r, ALIGN_DOWN(va, PAGE_SIZE), &pa);
	unsigned ad = VMM_ACCESSED | ((access & VMM_WRITE) ? VMM_DIRTY : 0);
	struct backend_fault f;
	f.va = va;
	f.access = access;
	f.view = view;
	f.kind = r->kind;
	f.region_start = r->kind == REGION_STACK ? r->start + PAGE_SIZE : r->start;
	f.region_end = r->end;
	f.backing = 0;
	f.copy = 0;
	if (s->nviews == 1) {
		/* One view: no other view's A/D to clear, and nothing past view 0 to fill. */
		f.rights.page = r->rights | ad;
		f.rights.view[0] = region_view_rights(s, r, 0) | ad;
	} else {
		f.rights = region_rights_in_views(s, r, r->rights | ad);
		/* The A/D state is the faulting view's own; the others have not touched the page. */
		for (unsigned v = 0; v < s->nviews; v++)
			if (v != view && f.rights.view[v])
				f.rights.view[v] &= ~(VMM_ACCESSED | VMM_DIRTY);
	}
	if (bytes) {
		f.backing = pa;
		/* A writable page is the space's own; the rest of a partial page is not the backing's to show. */
		if ((r->rights & VMM_WRITE) || bytes < PAGE_SIZE) {
			f.copy = bytes;
			/*
			 * Read the source once here: the image is mapped in the kernel
			 * lazily, and that fault must not happen inside the backend's work.
			 */
			(void)*(volatile const char *)phys_to_virt(pa);
		}
	} else if (r->b.bytes) {
		/* The range a backend may fill ahead (a 2 MiB page, read-ahead) is the zero part only. */
		f.region_start = r->start + ALIGN_UP(r->b.bytes, PAGE_SIZE);
	}
	return backend_fault(s->backend, &f);
}

/*
 * VA is already mapped in VIEW: a stale TLB entry (the entry was made
 * valid, or its rights raised, after the MMU cached it) if VIEW's own
 * translation allows the access, so fence it and retry; otherwise the
 * access is refused.
 */
static int retry_if_stale(struct vmm_space *s, unsigned view, vaddr_t va, unsigned access)
{
	struct vmm_mapping m;
	if (vmm_translate_view(s, view, va, &m) != 0 || (m.rights & access) != access)
		return -EFAULT;
	sfence_vma_page(va);
	return 0;
}

int vmm_fault(struct vmm_space *s, unsigned view, vaddr_t va, unsigned access)
{
	uint64_t t0 = read_instret();
	int err = -EFAULT;
	struct region *r = va_is_user(va) ? region_find(s, va) : NULL;
	if (!r || (region_view_rights(s, r, view) & access) != access)
		goto out;
	if (r->kind == REGION_STACK && ALIGN_DOWN(va, PAGE_SIZE) == r->start) {
		kprintf("stack: overflow into the guard page at %#lx\n", r->start);
		goto out;
	}
	/*
	 * No look first: the backend refuses a page that is already there with
	 * -EEXIST, so a first touch walks the tables once.
	 */
	/*
	 * A fixed region's pages are the caller's and always in the space; with
	 * views, a view's own translation of one may still be missing (a cache
	 * the backend refills), so only a space of one view skips the backend.
	 */
	err = r->kind == REGION_FIXED && s->nviews == 1 ? -EEXIST : bring_in(s, r, view, va, access);
	if (err == -EEXIST)
		err = retry_if_stale(s, view, va, access);
out:
	vmm_count_fault(read_instret() - t0);
	return err;
}
