/*
 * The physical frame allocator: a binary buddy system over 4 KiB frames.
 *
 * Metadata: one byte per frame of the span [span_lo, span_hi) between the
 * lowest and highest managed frame.  The byte is zero unless its frame heads
 * a block; a head byte holds the block's order and whether it is free or
 * allocated (and then with which owner tag).  Frames in holes and reserved
 * ranges stay zero forever, so they never look like a free buddy and never
 * pass the checks of frame_free.
 *
 * Free blocks of each order sit on a circular doubly-linked list whose links
 * live inside the free blocks themselves (through the direct map), so that
 * allocation, freeing and coalescing each cost O(FRAME_MAX_ORDER).  A block's
 * buddy is its address XOR its size: blocks are aligned on absolute physical
 * addresses, which is what lets them be mapped as huge pages.
 *
 * Invariant: free blocks are always fully coalesced (no free block has a free
 * buddy of the same order), because every insertion coalesces, init included.
 */
#include <string.h>

#include "kernel/error.h"
#include "kernel/frame.h"
#include "kernel/panic.h"

#define KIND_NONE 0
#define KIND_FREE 1
#define KIND_ALLOC 2 /* KIND_ALLOC + tag, up to 7 */

#define META(kind, order) ((uint8_t)((kind) << 5 | (order)))
#define META_KIND(b) ((unsigned)(b) >> 5)
#define META_ORDER(b) ((unsigned)(b)&0x1f)

_Static_assert(FRAME_MAX_ORDER < 32, "order must fit in 5 bits");
_Static_assert(KIND_ALLOC + FRAME_TAG_MAX <= 7, "kind must fit in 3 bits");

/* Written at the head of every free block. */
struct frame_node {
	struct frame_node *next, *prev;
};

static uint8_t *meta;	       /* NULL until a frame_init succeeds */
static paddr_t span_lo, span_hi; /* the frames meta describes */
static paddr_t meta_lo, meta_hi; /* where meta itself lives */
static struct frame_node free_lists[FRAME_MAX_ORDER + 1]; /* sentinels */
static struct frame_stats stats;

/* What frame_init was given, and the region it must leave out. */
struct layout {
	const struct mem_range *ram, *res;
	unsigned nram, nres;
	paddr_t skip_lo, skip_hi;
};

typedef void piece_fn(paddr_t start, paddr_t end, void *arg);

/*
 * The layout of the last frame_init, kept so that frame_online can find the
 * free pieces of a range later, and the window [online_lo, online_hi) that
 * limits which pieces a pass hands over.
 */
#define SAVED_RANGES 32
static struct mem_range saved_ram[SAVED_RANGES], saved_res[SAVED_RANGES];
static struct layout saved;
static paddr_t clip_lo, clip_hi = UINT64_MAX;
static void (*low_hook)(void);
static uint64_t low_watermark;
static unsigned low_shift; /* also grow below managed_bytes >> low_shift */
static int in_low_hook;

static inline uint64_t block_size(unsigned order)
{
	return PAGE_SIZE << order;
}

/* The metadata byte of frame pa; pa must be a frame inside the span. */
static inline uint8_t *meta_of(paddr_t pa)
{
	return &meta[(pa - span_lo) >> PAGE_SHIFT];
}

/* The metadata byte of frame pa, or NULL when pa is not a managed frame
 * address, so that bad arguments are refused before anything is read. */
static uint8_t *checked_meta(paddr_t pa)
{
	if (!meta || pa < span_lo || pa >= span_hi || !IS_ALIGNED(pa, PAGE_SIZE))
		return NULL;
	return meta_of(pa);
}

/* Put the free block at pa on its order's list. */
static void list_push(paddr_t pa, unsigned order)
{
	struct frame_node *head = &free_lists[order];
	struct frame_node *n = phys_to_virt(pa);

	n->next = head->next;
	n->prev = head;
	head->next->prev = n;
	head->next = n;
	stats.free_blocks[order]++;
}

/* Take the free block at pa off its order's list. */
static void list_remove(paddr_t pa, unsigned order)
{
	struct frame_node *n = phys_to_virt(pa);

	if (n->next->prev != n || n->prev->next != n)
		panic("frame: free list of order %u corrupted at %#lx", order, (unsigned long)pa);
	n->prev->next = n->next;
	n->next->prev = n->prev;
	stats.free_blocks[order]--;
}

/*
 * Insert the block [pa, pa + 2^order frames), whose head byte is zero, as
 * free, merging it with its buddy as long as the buddy is free and whole.
 * The caller accounts for the bytes.
 */
static void release(paddr_t pa, unsigned order)
{
	while (order < FRAME_MAX_ORDER) {
		paddr_t buddy = pa ^ block_size(order);

		if (buddy < span_lo || buddy >= span_hi || *meta_of(buddy) != META(KIND_FREE, order))
			break;
		list_remove(buddy, order);
		*meta_of(buddy) = 0;
		pa &= ~block_size(order);
		order++;
	}
	*meta_of(pa) = META(KIND_FREE, order);
	list_push(pa, order);
}

/* True when [base, base + size) is a range we can round to pages without
 * wrapping around the address space. */
static int range_ok(const struct mem_range *r)
{
	const uint64_t top = UINT64_MAX - (PAGE_SIZE - 1);

	return r->base <= top && r->size <= top - r->base;
}

/* Obstacle K for RAM range I: a reserved range rounded out to pages, an
 * earlier RAM range's interior (so overlapping RAM is managed once), or the
 * region to skip.  Empty when s == e. */
static void obstacle(const struct layout *l, unsigned i, unsigned k, paddr_t *s, paddr_t *e)
{
	if (k < l->nres) {
		*s = ALIGN_DOWN(l->res[k].base, PAGE_SIZE);
		*e = ALIGN_UP(l->res[k].base + l->res[k].size, PAGE_SIZE);
		if (l->res[k].size == 0)
			*e = *s;
		return;
	}
	k -= l->nres;
	if (k < i) {
		*s = ALIGN_UP(l->ram[k].base, PAGE_SIZE);
		*e = ALIGN_DOWN(l->ram[k].base + l->ram[k].size, PAGE_SIZE);
		if (*e < *s)
			*e = *s;
		return;
	}
	*s = l->skip_lo;
	*e = l->skip_hi;
}

/*
 * Call FN on every maximal page-aligned piece of RAM that no obstacle covers,
 * each managed byte exactly once.  Quadratic in the number of ranges, which
 * is a handful.
 */
static void for_each_piece(const struct layout *l, piece_fn *fn, void *arg)
{
	for (unsigned i = 0; i < l->nram; i++) {
		paddr_t cur = ALIGN_UP(l->ram[i].base, PAGE_SIZE);
		paddr_t end = ALIGN_DOWN(l->ram[i].base + l->ram[i].size, PAGE_SIZE);
		unsigned nobst = l->nres + i + 1;

		while (cur < end) {
			paddr_t next = end;
			int blocked = 0;

			for (unsigned k = 0; k < nobst && !blocked; k++) {
				paddr_t s, e;

				obstacle(l, i, k, &s, &e);
				if (s <= cur && cur < e) {
					cur = e;
					blocked = 1;
				} else if (cur < s && s < next) {
					next = s;
				}
			}
			if (blocked)
				continue;
			fn(cur, next, arg);
			cur = next;
		}
	}
}

struct span {
	paddr_t lo, hi;
};

/* for_each_piece callback: widen the span to cover the piece. */
static void note_span(paddr_t start, paddr_t end, void *arg)
{
	struct span *sp = arg;

	if (start < sp->lo)
		sp->lo = start;
	if (end > sp->hi)
		sp->hi = end;
}

struct fit {
	uint64_t need;
	paddr_t start, end; /* the smallest piece that holds need; empty if none */
};

/* Clip [*start, *end) to the current window: whether anything is left. */
static int clip(paddr_t *start, paddr_t *end)
{
	if (*start < clip_lo)
		*start = clip_lo;
	if (*end > clip_hi)
		*end = clip_hi;
	return *start < *end;
}

/* for_each_piece callback: remember the smallest piece that holds the
 * metadata, so that the large, well-aligned pieces stay whole. */
static void note_fit(paddr_t start, paddr_t end, void *arg)
{
	struct fit *f = arg;

	if (!clip(&start, &end))
		return;

	if (end - start < f->need)
		return;
	if (f->end == f->start || end - start < f->end - f->start) {
		f->start = start;
		f->end = end;
	}
}

/* for_each_piece callback: hand the piece over as maximal naturally
 * aligned blocks. */
static void insert_piece(paddr_t start, paddr_t end, void *arg)
{
	if (!clip(&start, &end))
		return;
	while (start < end) {
		unsigned order = 0;

		while (order < FRAME_MAX_ORDER && IS_ALIGNED(start, block_size(order + 1)) &&
		       end - start >= block_size(order + 1))
			order++;
		release(start, order);
		stats.managed_bytes += block_size(order);
		start += block_size(order);
	}
}

/* The lowest set bit of x, or 2^63 for zero (infinitely aligned). */
static uint64_t alignment_of(paddr_t x)
{
	return x ? x & -x : 1ull << 63;
}

/* Forget everything: the allocator is empty until the next successful init. */
static void reset(void)
{
	meta = NULL;
	span_lo = span_hi = 0;
	meta_lo = meta_hi = 0;
	memset(&stats, 0, sizeof(stats));
	for (unsigned o = 0; o <= FRAME_MAX_ORDER; o++)
		free_lists[o].next = free_lists[o].prev = &free_lists[o];
}

int frame_init(const struct mem_range *ram, unsigned nram, const struct mem_range *reserved,
	       unsigned nreserved)
{
	return frame_init_window(ram, nram, reserved, nreserved, 0, UINT64_MAX);
}

int frame_init_window(const struct mem_range *ram, unsigned nram, const struct mem_range *reserved,
		      unsigned nreserved, paddr_t lo, paddr_t hi)
{
	struct layout l = { .ram = saved_ram, .nram = nram, .res = saved_res, .nres = nreserved };
	struct span sp = { .lo = UINT64_MAX, .hi = 0 };
	struct fit fit = { 0 };

	reset();
	if (!ram || nram == 0 || (nreserved && !reserved) || nram > SAVED_RANGES ||
	    nreserved > SAVED_RANGES || lo >= hi)
		return -EINVAL;
	for (unsigned i = 0; i < nram; i++)
		if (!range_ok(&ram[i]))
			return -EINVAL;
	for (unsigned i = 0; i < nreserved; i++)
		if (!range_ok(&reserved[i]))
			return -EINVAL;

	for (unsigned i = 0; i < nram; i++)
		saved_ram[i] = ram[i];
	for (unsigned i = 0; i < nreserved; i++)
		saved_res[i] = reserved[i];
	clip_lo = 0;
	clip_hi = UINT64_MAX;
	for_each_piece(&l, note_span, &sp);
	clip_lo = lo;
	clip_hi = hi;
	if (sp.hi <= sp.lo)
		return -ENOMEM; /* nothing left to manage, not even the metadata */
	if (sp.hi - sp.lo > FRAME_MAX_SPAN)
		return -EINVAL;

	fit.need = ALIGN_UP((sp.hi - sp.lo) >> PAGE_SHIFT, PAGE_SIZE);
	for_each_piece(&l, note_fit, &fit);
	if (fit.end == fit.start)
		return -ENOMEM;
	/* Give up the less aligned end of the piece: the other keeps its big blocks. */
	if (alignment_of(fit.start) <= alignment_of(fit.end))
		l.skip_lo = fit.start;
	else
		l.skip_lo = fit.end - fit.need;
	l.skip_hi = l.skip_lo + fit.need;

	span_lo = sp.lo;
	span_hi = sp.hi;
	meta_lo = l.skip_lo;
	meta_hi = l.skip_hi;
	meta = phys_to_virt(meta_lo);
	memset(meta, 0, fit.need);
	stats.metadata_bytes = fit.need;

	for_each_piece(&l, insert_piece, NULL);
	stats.free_bytes = stats.managed_bytes;
	saved = l;
	clip_lo = 0;
	clip_hi = UINT64_MAX;
	return 0;
}

int frame_online(paddr_t lo, paddr_t hi)
{
	if (!meta || lo >= hi || !IS_ALIGNED(lo | hi, PAGE_SIZE))
		return -EINVAL;
	uint64_t before = stats.managed_bytes;
	clip_lo = lo;
	clip_hi = hi;
	for_each_piece(&saved, insert_piece, NULL);
	clip_lo = 0;
	clip_hi = UINT64_MAX;
	stats.free_bytes += stats.managed_bytes - before;
	return 0;
}

void frame_set_low_hook(void (*hook)(void), uint64_t watermark, unsigned shift)
{
	low_hook = hook;
	low_watermark = watermark;
	low_shift = shift;
}

/* The free memory below which the hook runs: the larger of the two bounds. */
static uint64_t low_mark(void)
{
	uint64_t share = low_shift ? stats.managed_bytes >> low_shift : 0;
	return share > low_watermark ? share : low_watermark;
}

/* Below the watermark, let the hook add memory; never from inside itself. */
static void check_low(void)
{
	if (low_hook && !in_low_hook && stats.free_bytes < low_mark()) {
		in_low_hook = 1;
		low_hook();
		in_low_hook = 0;
	}
}

static int alloc_block(unsigned order, unsigned tag, paddr_t *pa);

int frame_alloc_tagged(unsigned order, unsigned tag, paddr_t *pa)
{
	int err = alloc_block(order, tag, pa);
	if (err == -ENOMEM && low_hook && !in_low_hook) {
		/*
		 * Free memory may be above the watermark yet too fragmented for
		 * ORDER: let the hook add memory whatever the total.  The lists
		 * are consistent here, so the hook may allocate too.
		 */
		stats.failures--;
		in_low_hook = 1;
		low_hook();
		in_low_hook = 0;
		err = alloc_block(order, tag, pa);
	}
	if (!err)
		check_low();
	return err;
}

/* Take one block of ORDER off the free lists. */
static int alloc_block(unsigned order, unsigned tag, paddr_t *pa)
{
	unsigned o = order;
	struct frame_node *n;
	paddr_t block;

	if (order > FRAME_MAX_ORDER || tag > FRAME_TAG_MAX)
		return -EINVAL;
	while (o <= FRAME_MAX_ORDER && stats.free_blocks[o] == 0)
		o++;
	if (o > FRAME_MAX_ORDER) {
		stats.failures++;
		return -ENOMEM;
	}
	n = free_lists[o].next;
	block = virt_to_phys(n);
	if (*meta_of(block) != META(KIND_FREE, o))
		panic("frame: free block %#lx of order %u has metadata %#x", (unsigned long)block, o,
		      *meta_of(block));
	list_remove(block, o);
	/* Split: the lower half goes on, the upper half is freed at each step. */
	while (o > order) {
		o--;
		*meta_of(block + block_size(o)) = META(KIND_FREE, o);
		list_push(block + block_size(o), o);
	}
	*meta_of(block) = META(KIND_ALLOC + tag, order);
	stats.free_bytes -= block_size(order);
	stats.allocs++;
	*pa = block;
	return 0;
}

int frame_alloc(unsigned order, paddr_t *pa)
{
	return frame_alloc_tagged(order, FRAME_TAG_NONE, pa);
}

int frame_free(paddr_t pa, unsigned order)
{
	uint8_t *m = checked_meta(pa);

	/* Only aligned heads are ever recorded, so this also refuses misalignment. */
	if (order > FRAME_MAX_ORDER || !m || META_KIND(*m) < KIND_ALLOC || META_ORDER(*m) != order) {
		stats.bad_frees++;
		return -EINVAL;
	}
	*m = 0;
	release(pa, order);
	stats.free_bytes += block_size(order);
	stats.frees++;
	return 0;
}

int frame_split(paddr_t pa, unsigned order, unsigned new_order)
{
	uint8_t *m = checked_meta(pa);

	if (order > FRAME_MAX_ORDER || new_order > order || !m || META_KIND(*m) < KIND_ALLOC ||
	    META_ORDER(*m) != order)
		return -EINVAL;
	unsigned kind = META_KIND(*m);
	uint64_t pieces = 1ul << (order - new_order);
	for (uint64_t i = 0; i < pieces; i++)
		*meta_of(pa + i * block_size(new_order)) = META(kind, new_order);
	/* Each piece will be freed on its own: count it as allocated on its own. */
	stats.allocs += pieces - 1;
	return 0;
}

int frame_join(paddr_t pa, unsigned order, unsigned new_order)
{
	if (new_order > FRAME_MAX_ORDER || order > new_order || !IS_ALIGNED(pa, block_size(new_order)))
		return -EINVAL;
	uint8_t *first = checked_meta(pa);
	uint64_t pieces = 1ul << (new_order - order);
	if (!first || META_KIND(*first) < KIND_ALLOC)
		return -EINVAL;
	for (uint64_t i = 0; i < pieces; i++) {
		uint8_t *m = checked_meta(pa + i * block_size(order));
		if (!m || *m != META(META_KIND(*first), order))
			return -EINVAL;
	}
	for (uint64_t i = 1; i < pieces; i++)
		*meta_of(pa + i * block_size(order)) = 0;
	*first = META(META_KIND(*first), new_order);
	stats.allocs -= pieces - 1;
	return 0;
}

int frame_block_order(paddr_t pa)
{
	uint8_t *m = checked_meta(pa);

	if (!m || META_KIND(*m) < KIND_ALLOC)
		return -EINVAL;
	return (int)META_ORDER(*m);
}

int frame_block_tag(paddr_t pa)
{
	uint8_t *m = checked_meta(pa);

	if (!m || META_KIND(*m) < KIND_ALLOC)
		return -EINVAL;
	return (int)(META_KIND(*m) - KIND_ALLOC);
}

void frame_get_stats(struct frame_stats *out)
{
	*out = stats;
}

/* Check one free list: links, heads and count.  Adds its bytes to *bytes. */
static int check_list(unsigned order, uint64_t *bytes)
{
	const struct frame_node *head = &free_lists[order];
	const struct frame_node *n = head;
	uint64_t count = 0;

	for (;;) {
		if (n->next->prev != n)
			return -EINVAL;
		n = n->next;
		if (n == head)
			break;
		if (++count > stats.free_blocks[order])
			return -EINVAL;
		paddr_t pa = virt_to_phys(n);
		if (!checked_meta(pa) || !IS_ALIGNED(pa, block_size(order)) ||
		    *meta_of(pa) != META(KIND_FREE, order) || span_hi - pa < block_size(order))
			return -EINVAL;
	}
	if (count != stats.free_blocks[order])
		return -EINVAL;
	*bytes += count * block_size(order);
	return 0;
}

int frame_check(void)
{
	uint64_t list_bytes = 0, free_bytes = 0, alloc_bytes = 0;
	uint64_t heads[FRAME_MAX_ORDER + 1] = { 0 };
	paddr_t covered = span_lo; /* blocks must not overlap: each starts past the last */

	if (!meta) {
		for (unsigned o = 0; o <= FRAME_MAX_ORDER; o++)
			if (stats.free_blocks[o])
				return -EINVAL;
		return stats.free_bytes == 0 ? 0 : -EINVAL;
	}
	for (unsigned o = 0; o <= FRAME_MAX_ORDER; o++)
		if (check_list(o, &list_bytes))
			return -EINVAL;

	for (paddr_t pa = span_lo; pa < span_hi; pa += PAGE_SIZE) {
		uint8_t b = *meta_of(pa);
		unsigned order = META_ORDER(b);

		if (b == 0)
			continue;
		if (META_KIND(b) == KIND_NONE || order > FRAME_MAX_ORDER || pa < covered ||
		    !IS_ALIGNED(pa, block_size(order)) || span_hi - pa < block_size(order))
			return -EINVAL;
		if (pa < meta_hi && pa + block_size(order) > meta_lo)
			return -EINVAL; /* a block over the metadata */
		covered = pa + block_size(order);
		if (META_KIND(b) != KIND_FREE) {
			alloc_bytes += block_size(order);
			continue;
		}
		free_bytes += block_size(order);
		heads[order]++;
		paddr_t buddy = pa ^ block_size(order);
		if (order < FRAME_MAX_ORDER && buddy >= span_lo && buddy < span_hi &&
		    *meta_of(buddy) == b)
			return -EINVAL; /* not coalesced */
	}
	for (unsigned o = 0; o <= FRAME_MAX_ORDER; o++)
		if (heads[o] != stats.free_blocks[o])
			return -EINVAL;
	if (free_bytes != list_bytes || free_bytes != stats.free_bytes ||
	    free_bytes + alloc_bytes != stats.managed_bytes)
		return -EINVAL;
	return 0;
}
