/*
 * A space seen through several views (docs/compartments.md, "Sv48: roots").
 *
 * The space root keeps every page with its page rights, as with one view,
 * but is never run in U-mode.  Each view has a root of its own, run under
 * an ASID of its own, whose user slots hold *caches*: segments whose
 * entries point at the space's pages (adopted, never owned) under the
 * view's rights.  A cache entry has the extent of the page it caches, and
 * gives at most what the view may do there; a view's fault fills it from
 * the space, a change of rights takes from each entry what its view may no
 * longer do (in place, or the entry goes when the range cuts it), and
 * whatever takes a page out of the space takes it out of every cache
 * (segment_unmap).  The kernel half is shared by every root.
 *
 * A cache entry is writable only while the space's page is dirty: the
 * space's dirty bit is what reclaim reads, so the first store through a
 * view faults, marks the space's page dirty and makes the entry writable.
 *
 * Sharing: a segment a fault creates is shared with every view the fault
 * gives the page rights: their roots hold the segment's own top, one set
 * of tables and nothing to refill.  Every page enters a segment by a fault
 * or a map, which say every view's rights, and changes by a protect, which
 * does too; the first of them that gives a sharing view other rights than
 * the page's ends its sharing (detached, fenced) as its last step, which
 * cannot fail.  So a sharing view sees exactly what it may.
 */
#include "arch.h"
#include "kernel/error.h"
#include "kernel/heap.h"
#include "kernel/panic.h"
#include "segment/sv48_space.h"

#define RWX (VMM_READ | VMM_WRITE | VMM_EXEC)

/* What a cache segment does with a tablet nothing holds any more: deletes it (it owns no frame). */
static const struct segproc segproc_view_cache = {
	.name = "view cache",
	.unreachable = segment_delete_unreachable,
};

/* --------------------------------------------------------------- ASIDs --- */

/*
 * ASID 0 is the space roots' (one view: a full fence on every switch, as
 * before views).  View roots take 1..asid_max; when none is free a view
 * root runs under ASID 0 too, and pays the full fence on every switch.
 */
#define ASID_SLOTS 256
static uint64_t asid_used[ASID_SLOTS / 64];
static unsigned asid_max;
static int asid_probed;

static unsigned asid_alloc(void)
{
	if (!asid_probed) {
		unsigned bits = satp_asid_bits();
		asid_max = bits >= 8 ? ASID_SLOTS - 1 : (1u << bits) - 1;
		asid_probed = 1;
	}
	for (unsigned a = 1; a <= asid_max; a++)
		if (!(asid_used[a / 64] & (1ul << (a % 64)))) {
			asid_used[a / 64] |= 1ul << (a % 64);
			return a;
		}
	return 0;
}

/* Forget what the hardware cached under ASID before another root gets it. */
static void asid_free(unsigned asid)
{
	if (!asid)
		return;
	sfence_vma_asid(asid);
	asid_used[asid / 64] &= ~(1ul << (asid % 64));
}

/* -------------------------------------------------------------- roots --- */

int views_attach_kernel(struct backend_space *s, unsigned slot, handler_id top)
{
	for (unsigned v = 0; v < s->nviews; v++) {
		int err = tablet_attach_root(s->views[v].root, slot, top);
		if (err) {
			while (v--)
				tablet_detach_root(s->views[v].root, slot, top);
			return err;
		}
	}
	return 0;
}

void views_detach_kernel(struct backend_space *s, unsigned slot, handler_id top)
{
	for (unsigned v = 0; v < s->nviews; v++)
		tablet_detach_root(s->views[v].root, slot, top);
}

/* Take view V's cache out of SEG (out of V's root first) and destroy it with what it holds. */
static void cache_destroy(struct backend_space *s, struct segment *seg, unsigned v)
{
	struct segment *cache = seg->caches->of[v];
	tablet_detach_root(s->views[v].root, seg->slot, cache->top);
	seg->caches->cached &= ~(1u << v);
	seg->caches->of[v] = NULL;
	segment_destroy(cache);
}

/* View V stops seeing SEG through its top (the detach fences every ASID). */
static void unshare(struct backend_space *s, struct segment *seg, unsigned v)
{
	tablet_detach_root(s->views[v].root, seg->slot, seg->top);
	seg->caches->shared &= ~(1u << v);
}

void views_release_caches(struct backend_space *s, struct segment *seg)
{
	while (seg->caches->cached)
		cache_destroy(s, seg, __builtin_ctz(seg->caches->cached));
	while (seg->caches->shared)
		unshare(s, seg, __builtin_ctz(seg->caches->shared));
}

/* Whether R gives view V the page's own rights (A/D aside). */
static int sees_as_space(const struct view_rights *r, unsigned v)
{
	const unsigned m = RWX | VMM_USER;
	return (r->view[v] & m) == (r->page & m);
}

/* SEG is new, its first page given R: the views R gives the page rights share it. */
static void share_new(struct backend_space *s, struct segment *seg, const struct view_rights *r)
{
	for (unsigned v = 0; v < s->nviews; v++)
		if (sees_as_space(r, v) && tablet_attach_root(s->views[v].root, seg->slot, seg->top) == 0)
			seg->caches->shared |= 1u << v;
}

/* The last step of an operation that gave SEG's pages R: sharing views R gives less stop. */
static void unshare_unequal(struct backend_space *s, struct segment *seg, const struct view_rights *r)
{
	for (unsigned views = seg->caches->shared; views; views &= views - 1)
		if (!sees_as_space(r, __builtin_ctz(views)))
			unshare(s, seg, __builtin_ctz(views));
}

/* Free the roots in VIEWS[0..n): their kernel slots, ASIDs and frames. */
static void roots_free(struct view_root *views, unsigned n)
{
	for (unsigned v = 0; v < n; v++) {
		for (unsigned i = 0; i < HALF; i++)
			if (kernel_segments[i])
				tablet_detach_root(views[v].root, HALF + i, kernel_segments[i]->top);
		asid_free(views[v].asid);
		tablet_root_free(views[v].root);
	}
	kfree(views);
}

void views_free(struct backend_space *s)
{
	if (s->nviews == 1)
		return;
	for (unsigned i = 0; i < HALF; i++)
		if (s->user[i]) {
			views_release_caches(s, s->user[i]);
			s->user[i]->caches = NULL;
		}
	roots_free(s->views, s->nviews);
	kfree(s->caches);
	s->views = NULL;
	s->caches = NULL;
	s->nviews = 1;
}

int backend_views_init(struct backend_space *s, unsigned nviews)
{
	if (nviews == 0 || nviews > VMM_MAX_VIEWS)
		return -EINVAL;
	for (unsigned i = 0; i < HALF; i++)
		if (s->user[i])
			return -EBUSY; /* the views would not see what is mapped already */
	struct view_root *views = NULL;
	struct segment_caches *caches = NULL;
	if (nviews > 1 && !(caches = kzalloc(HALF * sizeof(*caches))))
		return -ENOMEM;
	if (nviews > 1 && !(views = kzalloc(nviews * sizeof(*views)))) {
		kfree(caches);
		return -ENOMEM;
	}
	for (unsigned v = 0; v < nviews && views; v++) {
		if (tablet_root_alloc(&views[v].root) != 0) {
			roots_free(views, v);
			kfree(caches);
			return -ENOMEM;
		}
		for (unsigned i = 0; i < HALF; i++)
			if (kernel_segments[i])
				tablet_attach_root(views[v].root, HALF + i, kernel_segments[i]->top);
		views[v].asid = asid_alloc();
	}
	views_free(s);
	if (views) {
		s->views = views;
		s->caches = caches;
		s->nviews = nviews;
	}
	return 0;
}

void views_activate(struct backend_space *s, unsigned view)
{
	if (view >= s->nviews)
		panic("sv48: activate view %u of a space of %u", view, s->nviews);
	const struct view_root *r = &s->views[view];
	csr_write(satp, (SATP_MODE_SV48 << SATP_MODE_SHIFT) | ((uint64_t)r->asid << SATP_ASID_SHIFT) |
				(r->root >> PAGE_SHIFT));
	/* Every change to a view root was fenced for all ASIDs: its own ASID needs no flush. */
	if (!r->asid)
		sfence_vma_all();
}

/* ------------------------------------------------------------- caches --- */

/* View V's cache of SEG, created (and put in V's root) if need be; *CREATED says so. */
static int cache_at(struct backend_space *s, struct segment *seg, unsigned v,
		    struct segment **out, int *created)
{
	*created = 0;
	if (seg->caches->cached & (1u << v)) {
		*out = seg->caches->of[v];
		return 0;
	}
	struct segment *cache;
	int err = segment_create(seg->slot, &segproc_view_cache, &cache);
	if (err)
		return err;
	err = tablet_attach_root(s->views[v].root, seg->slot, cache->top);
	if (err) {
		segment_destroy(cache);
		return err;
	}
	seg->caches->of[v] = cache;
	seg->caches->cached |= 1u << v;
	*out = cache;
	*created = 1;
	return 0;
}

/* An operation gave up: the cache it created for view V goes again if it holds nothing. */
static void cache_release_if_empty(struct backend_space *s, struct segment *seg, unsigned v)
{
	if ((seg->caches->cached & (1u << v)) && segment_empty(seg->caches->of[v]))
		cache_destroy(s, seg, v);
}

static int note_data(struct segment *seg, const struct tablet_info *t, void *out)
{
	*(struct tablet_info *)out = *t;
	return 1;
}

/* The data tablet placed in SEG that covers VA, into *OUT: 1, or 0 for none. */
static int data_at(struct segment *seg, vaddr_t va, struct tablet_info *out)
{
	return segment_for_each_data(seg, va, 1, note_data, out) == 1;
}

int views_map(struct backend_space *s, vaddr_t va, paddr_t pa, uint64_t len, unsigned rights)
{
	vaddr_t end = va + len, cur;
	unsigned char had[HALF]; /* each slot's caches before, so a failure keeps exactly those */
	int err = 0;
	for (cur = va; !err && cur < end; cur = piece_end(cur, end)) {
		struct segment *seg = s->user[slot_of(cur)], *cache;
		had[slot_of(cur)] = (unsigned char)seg->caches->cached;
		for (unsigned v = 0; !err && v < s->nviews; v++) {
			int created;
			if (seg->caches->shared & (1u << v))
				continue; /* it sees the space's own entries */
			err = cache_at(s, seg, v, &cache, &created);
			if (!err)
				err = segment_map_fixed(cache, cur, pa + (cur - va), piece_end(cur, end) - cur,
							rights);
		}
	}
	if (!err)
		return 0;
	/* The range's ends are its own tablets': no split, nothing can fail. */
	backend_unmap(s, va, len);
	for (vaddr_t done = va; done < cur; done = piece_end(done, end)) {
		struct segment *seg = s->user[slot_of(done)];
		for (unsigned v = 0; seg && v < s->nviews; v++)
			if (!(had[slot_of(done)] & (1u << v)))
				cache_release_if_empty(s, seg, v);
	}
	return err;
}

struct protect_ctx {
	vaddr_t va, end;
	unsigned rights; /* the view's new rights */
};

/*
 * A cache entry that gives more than the view's new rights loses the rest
 * in place (no allocation, no refill); one that reaches past the range (the
 * space's page was split there) or keeps nothing goes.
 */
static int cut_to_rights(struct segment *cache, const struct tablet_info *t, void *arg)
{
	const struct protect_ctx *c = arg;
	vaddr_t t_end = t->va + (1ul << t->size_bits);
	unsigned keep = t->entry_rights & c->rights & RWX;
	if (!(t->entry_rights & RWX & ~c->rights))
		return 0;
	if (t->va < c->va || t_end > c->end || !(keep & (VMM_READ | VMM_EXEC)))
		tablet_clear(cache->top, t->va, 1ul << t->size_bits);
	else
		segment_protect(cache, t->va, 1ul << t->size_bits, VMM_USER | keep);
	return 0;
}

void views_protect(struct backend_space *s, vaddr_t va, uint64_t len, const struct view_rights *r)
{
	vaddr_t end = va + len;
	for (vaddr_t cur = va; cur < end; cur = piece_end(cur, end)) {
		struct segment *seg = s->user[slot_of(cur)];
		struct protect_ctx c = { cur, piece_end(cur, end), 0 };
		if (seg)
			unshare_unequal(s, seg, r);
		for (unsigned views = seg ? seg->caches->cached : 0; views; views &= views - 1) {
			unsigned v = __builtin_ctz(views);
			struct segment *cache = seg->caches->of[v];
			c.rights = r->view[v];
			/*
			 * Each change fences its page for every ASID (tablet/), so no
			 * view keeps a right it lost; what it keeps it may still use.
			 */
			if (!(c.rights & RWX))
				tablet_clear(cache->top, c.va, c.end - c.va);
			else
				segment_for_each_data(cache, c.va, c.end - c.va, cut_to_rights, &c);
		}
	}
}

/*
 * Give view F->view the space's page at F->va in CACHE with WANT (its
 * rights there): 0, -EEXIST (the cache allows the access already),
 * -EFAULT (no page, or the page allows nothing of WANT) or -ENOMEM
 * (nothing changed).
 */
static int cache_fill(struct segment *seg, struct segment *cache, const struct backend_fault *f,
		      unsigned want)
{
	struct tablet_info page, cached;
	if (!data_at(seg, f->va, &page))
		return -EFAULT;
	uint64_t size = 1ul << page.size_bits;
	unsigned rwx = want & page.entry_rights & RWX;
	int dirty = (page.entry_rights & VMM_DIRTY) || (f->access & VMM_WRITE);
	if (!dirty)
		rwx &= ~VMM_WRITE; /* the first store faults, and the space learns of it */
	if (!(rwx & (VMM_READ | VMM_EXEC)) || (rwx & f->access) != f->access)
		return -EFAULT;
	unsigned give = VMM_USER | rwx | (want & (VMM_ACCESSED | VMM_DIRTY)) |
			((rwx & VMM_WRITE) ? VMM_DIRTY : 0);
	if (!data_at(cache, f->va, &cached)) {
		int err = tablet_adopt_at(cache->top, page.va, page.frame, page.size_bits, give,
					  RENTAL_FOREVER);
		if (err)
			return err;
	} else if ((cached.entry_rights & f->access) == f->access) {
		return -EEXIST;
	} else {
		/* Fewer rights than the view has (a store to a clean page): more, in place. */
		if (cached.va != page.va || cached.size_bits != page.size_bits)
			panic("sv48: a view caches %#lx+%#lx for the page %#lx+%#lx", cached.va,
			      1ul << cached.size_bits, page.va, size);
		segment_protect(cache, cached.va, size, give);
	}
	if ((rwx & VMM_WRITE) && !(page.entry_rights & VMM_DIRTY))
		segment_protect(seg, page.va, size,
				(page.entry_rights & ~(VMM_ACCESSED | VMM_DIRTY)) | VMM_DIRTY);
	return 0;
}

int views_fault(struct backend_space *s, const struct backend_fault *f)
{
	unsigned v = f->view, want = v < s->nviews ? f->rights.view[v] : 0;
	if (!va_is_user(f->va) || (want & f->access) != f->access)
		return -EFAULT;
	struct segment *seg, *cache = NULL;
	int created = 0, made = -1, fresh = s->user[slot_of(f->va)] == NULL;
	int err = segment_at(s, f->va, 1, &seg);
	if (err)
		return err;
	if (fresh)
		share_new(s, seg, &f->rights);
	int shared = (seg->caches->shared >> v) & 1;
	if (!shared)
		err = cache_at(s, seg, v, &cache, &created);
	if (!err) {
		struct segment_fault sf = { f->va,	   f->access,	    f->kind,	f->rights.page,
					    f->region_start, f->region_end, f->backing, f->copy };
		/*
		 * No stack read-ahead: the pages read ahead would reach no view
		 * without faults of their own, and a fault given up must take
		 * back exactly the one page it made.
		 */
		if (f->kind == REGION_STACK)
			sf.region_start = ALIGN_DOWN(f->va, PAGE_SIZE);
		made = seg->proc->pagefault(seg, &sf);
		err = made == -EEXIST && !shared ? 0 : made;
	}
	if (!err && !shared)
		err = cache_fill(seg, cache, f, want);
	if (!err)
		unshare_unequal(s, seg, &f->rights);
	if (err && made == 0) {
		/* The view could not have it: the page made for it goes again. */
		struct tablet_info page;
		if (data_at(seg, f->va, &page))
			segment_unmap(seg, page.va, 1ul << page.size_bits);
	}
	if (err && created)
		cache_release_if_empty(s, seg, v);
	if (err)
		release_if_empty(s, f->va);
	segment_deliver_unreachable();
	return err;
}

int backend_translate_view(struct backend_space *s, unsigned view, vaddr_t va,
			   struct vmm_mapping *out)
{
	int err;
	if (view >= s->nviews)
		return -ENOENT;
	if (s->nviews == 1 || !va_is_user(va)) {
		err = backend_translate(s, va, out); /* the space root is the view's */
	} else {
		struct segment *seg = s->user[slot_of(va)];
		if (seg && (seg->caches->shared & (1u << view)))
			err = tablet_translate(seg->top, va, out);
		else if (seg && (seg->caches->cached & (1u << view)))
			err = tablet_translate(seg->caches->of[view]->top, va, out);
		else
			err = -ENOENT;
	}
	if (!err && !(out->rights & RWX))
		err = -ENOENT;
	return err;
}
