/*
 * The Sv48 backend of vmm.h, made of segments and tablets.
 *
 * Each root slot is a segment: user slots are run by segproc_user, which
 * lays out each fault by the kind of its region, kernel slots by
 * segproc_kernel; the root tables themselves belong to spaces.  Kernel
 * segments (the upper half) are attached to every space's root, so a
 * kernel mapping made at any time is visible in all of them.
 *
 * Maps, unmaps and protects go to the segments they touch; faults go to the
 * segment's segproc.  Translate and traverse only read entries.  Every
 * operation that called down into tablet/ ends by handing the tablets left
 * unreachable to their segments (segment_deliver_unreachable).
 *
 * A space of several views (compartments) keeps its pages here, in its
 * space root, and gives each view a root of its own that caches them under
 * the view's rights: sv48_views.c.  A space of one view runs on its space
 * root, and pays one test of nviews per operation for the views.
 */
#include <stdio.h>

#include "arch.h"
#include "kernel/error.h"
#include "kernel/heap.h"
#include "segment/sv48_space.h"

const char backend_name[] = "sv48";
const int backend_views_switch_in_user = 0;

struct segment *kernel_segments[HALF];
static struct backend_space *spaces;

/* Faults served, for the stats line: huge, stack, and every other kind. */
static uint64_t huge_faults, stack_faults, other_faults;

/* Create the segment at SLOT and attach it where it belongs: every root, or S's. */
static int segment_open(struct backend_space *s, unsigned slot, struct segment **out)
{
	struct segment *seg;
	int err = segment_create(slot, slot >= HALF ? &segproc_kernel : &segproc_user, &seg);
	if (err)
		return err;
	if (slot < HALF) {
		err = tablet_attach_root(s->root, slot, seg->top);
		seg->caches = s->nviews > 1 ? &s->caches[slot] : NULL;
	} else {
		for (struct backend_space *sp = spaces; sp && !err; sp = sp->next)
			if (!(err = tablet_attach_root(sp->root, slot, seg->top)) && sp->nviews > 1)
				err = views_attach_kernel(sp, slot, seg->top);
	}
	if (err) {
		for (struct backend_space *sp = spaces; sp; sp = sp->next) {
			tablet_detach_root(sp->root, slot, seg->top);
			if (sp->nviews > 1)
				views_detach_kernel(sp, slot, seg->top);
		}
		segment_destroy(seg);
		return err;
	}
	*segment_ref(s, slot) = seg;
	*out = seg;
	return 0;
}

int segment_at(struct backend_space *s, vaddr_t va, int create, struct segment **out)
{
	unsigned slot = slot_of(va);
	*out = *segment_ref(s, slot);
	if (*out)
		return 0;
	return create ? segment_open(s, slot, out) : -ENOENT;
}

/* From every root it is in, with its caches. */
void release_if_empty(struct backend_space *s, vaddr_t va)
{
	unsigned slot = slot_of(va);
	struct segment *seg = *segment_ref(s, slot);
	if (!seg || !segment_empty(seg))
		return;
	if (seg->caches)
		views_release_caches(s, seg);
	if (slot < HALF)
		tablet_detach_root(s->root, slot, seg->top);
	else
		for (struct backend_space *sp = spaces; sp; sp = sp->next) {
			tablet_detach_root(sp->root, slot, seg->top);
			if (sp->nviews > 1)
				views_detach_kernel(sp, slot, seg->top);
		}
	segment_destroy(seg);
	*segment_ref(s, slot) = NULL;
}

/* The segment holding VA in S, created if need be (for the self-tests). */
int backend_segment_at(struct backend_space *s, vaddr_t va, struct segment **out)
{
	return segment_at(s, va, 1, out);
}

/* ------------------------------------------------------------ spaces --- */

int backend_space_create(struct backend_space *kernel, struct backend_space **out)
{
	if (!kernel) {
		int err = tablet_init();
		if (err)
			return err;
	}
	struct backend_space *s = kzalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (tablet_root_alloc(&s->root) != 0) {
		kfree(s);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < HALF; i++)
		if (kernel_segments[i])
			tablet_attach_root(s->root, HALF + i, kernel_segments[i]->top);
	s->nviews = 1;
	s->next = spaces;
	spaces = s;
	*out = s;
	return 0;
}

void backend_space_destroy(struct backend_space *s)
{
	views_free(s);
	for (unsigned i = 0; i < TABLET_ENTRIES; i++) {
		struct segment *seg = *segment_ref(s, i);
		if (seg)
			tablet_detach_root(s->root, i, seg->top);
		if (seg && i < HALF)
			segment_destroy(seg);
	}
	tablet_root_free(s->root);
	for (struct backend_space **p = &spaces; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			break;
		}
	kfree(s);
}

void backend_activate(struct backend_space *s, unsigned view)
{
	if (s->nviews > 1)
		return views_activate(s, view);
	csr_write(satp, (SATP_MODE_SV48 << SATP_MODE_SHIFT) | (s->root >> PAGE_SHIFT));
	sfence_vma_all();
}

uint64_t backend_table_bytes(void)
{
	struct tablet_stats ts;
	tablet_get_stats(&ts);
	return ts.table_bytes;
}

void backend_stats(char *buf, size_t size)
{
	struct tablet_stats t;
	tablet_get_stats(&t);
	snprintf(buf, size,
		 " tables=%lu data_tablets=%lu rents=%lu rental_maps=%lu rental_unmaps=%lu"
		 " refused=%lu expired=%lu tablet_meta_bytes=%lu anon_faults=%lu"
		 " hugeheap_faults=%lu stack_faults=%lu",
		 t.tables, t.data_tablets, t.rents, t.maps, t.unmaps, t.refused, t.expired,
		 t.metadata_bytes, other_faults, huge_faults, stack_faults);
}

void backend_tick(void)
{
	tablet_expire(tablet_now());
	segment_deliver_unreachable();
}

/* --------------------------------------------------- map, unmap, protect --- */

static int stop_at_any(const struct vmm_mapping *m, void *ctx)
{
	return 1;
}

static int map_pieces(struct backend_space *s, vaddr_t va, paddr_t pa, uint64_t len,
		      unsigned rights)
{
	vaddr_t end = va + len;
	struct segment *seg;
	/*
	 * Anything mapped in the range?  Reading the entries is the cheapest way
	 * to know.  One page needs no look: its placement refuses a used entry.
	 */
	if (len > PAGE_SIZE && backend_traverse(s, va, len, stop_at_any, NULL))
		return -EEXIST;
	for (vaddr_t cur = va; cur < end; cur = piece_end(cur, end)) {
		int err = segment_at(s, cur, 1, &seg);
		if (!err)
			err = segment_map_fixed(seg, cur, pa + (cur - va), piece_end(cur, end) - cur,
						rights);
		if (err) {
			if (cur > va)
				backend_unmap(s, va, cur - va);
			release_if_empty(s, cur);
			return err;
		}
	}
	return 0;
}

int backend_map(struct backend_space *s, vaddr_t va, paddr_t pa, uint64_t len, unsigned rights)
{
	int err = map_pieces(s, va, pa, len, rights);
	if (!err && s->nviews > 1 && va_is_user(va) && (err = views_map(s, va, pa, len, rights)) != 0)
		backend_unmap(s, va, len); /* no split: the range's ends are its own tablets' */
	/* Placements only take tablets off the queue: only a map given up leaves any on it. */
	if (err)
		segment_deliver_unreachable();
	return err;
}

/* Split at both ends of [va, end) first: the one step that can fail, and it loses nothing. */
static int split_ends(struct backend_space *s, vaddr_t va, vaddr_t end, struct split_log *log)
{
	struct segment *seg;
	int err = 0;
	if (segment_at(s, va, 0, &seg) == 0)
		err = segment_split_at(seg, va, log);
	if (!err && segment_at(s, end - 1, 0, &seg) == 0)
		err = segment_split_at(seg, end, log);
	if (err)
		segment_undo_splits(log);
	return err;
}

int backend_unmap(struct backend_space *s, vaddr_t va, uint64_t len)
{
	vaddr_t end = va + len;
	struct split_log log = { 0 };
	struct segment *seg;
	int err = split_ends(s, va, end, &log);
	if (!err) {
		segment_commit_splits(&log);
		for (vaddr_t cur = va; !err && cur < end; cur = piece_end(cur, end))
			if (segment_at(s, cur, 0, &seg) == 0) {
				err = segment_unmap(seg, cur, piece_end(cur, end) - cur);
				release_if_empty(s, cur);
			}
	}
	segment_deliver_unreachable();
	return err;
}

/*
 * The rights the space root gives pages of R at VA.  A space of one view
 * runs on its space root, so in the user half that root is view 0's and
 * gives what view 0 may (its pages held where it may nothing), as the
 * cells backend's one row does; otherwise the pages' own.
 */
static unsigned space_root_rights(const struct backend_space *s, vaddr_t va,
				  const struct view_rights *r)
{
	const unsigned rwx = VMM_READ | VMM_WRITE | VMM_EXEC;
	if (s->nviews > 1 || !va_is_user(va) || !(r->page & rwx))
		return r->page;
	return r->view[0] & rwx ? r->view[0]
				: VMM_USER | (r->page & (VMM_ACCESSED | VMM_DIRTY));
}

int backend_protect(struct backend_space *s, vaddr_t va, uint64_t len, const struct view_rights *r)
{
	unsigned rights = space_root_rights(s, va, r);
	vaddr_t end = va + len;
	struct split_log log = { 0 };
	struct segment *seg;
	/* The splits are the only step that can fail; after them nothing can. */
	int err = split_ends(s, va, end, &log);
	if (!err) {
		segment_commit_splits(&log);
		for (vaddr_t cur = va; cur < end; cur = piece_end(cur, end))
			if (segment_at(s, cur, 0, &seg) == 0)
				segment_protect(seg, cur, piece_end(cur, end) - cur, rights);
		if (s->nviews > 1 && va_is_user(va))
			views_protect(s, va, len, r);
	}
	segment_deliver_unreachable();
	return err;
}

/* One view: the space root is the view's, and the segproc serves the fault there. */
static int space_fault(struct backend_space *s, const struct backend_fault *f)
{
	struct segment *seg;
	int err = segment_at(s, f->va, 1, &seg);
	if (err)
		return err;
	struct segment_fault sf = { f->va,	   f->access,	   f->kind,
				    space_root_rights(s, f->va, &f->rights),
				    f->region_start, f->region_end, f->backing, f->copy };
	err = seg->proc->pagefault(seg, &sf);
	if (err)
		release_if_empty(s, f->va);
	segment_deliver_unreachable();
	return err;
}

int backend_fault(struct backend_space *s, const struct backend_fault *f)
{
	int err = s->nviews > 1 ? views_fault(s, f) : space_fault(s, f);
	if (!err) {
		huge_faults += f->kind == REGION_HUGE;
		stack_faults += f->kind == REGION_STACK;
		other_faults += f->kind != REGION_HUGE && f->kind != REGION_STACK;
	}
	return err;
}

/* ------------------------------------------------ translate, traverse --- */

/* Both read the tree through its one walker (tablet/), segment by segment. */

int backend_translate(struct backend_space *s, vaddr_t va, struct vmm_mapping *out)
{
	struct segment *seg = *segment_ref(s, slot_of(va));
	return seg ? tablet_translate(seg->top, va, out) : -ENOENT;
}

struct piece_visit {
	vaddr_t va, end;
	vmm_visitor visit;
	void *ctx;
};

/* A data tablet as the vmm sees it: clipped to the range asked about. */
static int visit_piece(const struct tablet_info *t, void *arg)
{
	struct piece_visit *p = arg;
	vaddr_t lo = t->va > p->va ? t->va : p->va;
	vaddr_t hi = t->va + (1ul << t->size_bits);
	if (hi == 0 || hi > p->end)
		hi = p->end;
	struct vmm_mapping m = { lo, t->frame + (lo - t->va), hi - lo, t->entry_rights };
	return p->visit(&m, p->ctx);
}

int backend_traverse(struct backend_space *s, vaddr_t va, uint64_t len, vmm_visitor visit,
		     void *ctx)
{
	vaddr_t end = va + len;
	for (vaddr_t cur = va; cur < end; cur = piece_end(cur, end)) {
		struct segment *seg = *segment_ref(s, slot_of(cur));
		struct piece_visit p = { cur, piece_end(cur, end), visit, ctx };
		int r = seg ? tablet_for_each_data(seg->top, cur, p.end - cur, visit_piece, &p) : 0;
		if (r)
			return r;
	}
	return 0;
}
