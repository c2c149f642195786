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
#include "kernel/frame_core.h"
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

void frame_core_reset(void)
{
	meta = NULL;
	span_lo = span_hi = 0;
	meta_lo = meta_hi = 0;
	memset(&stats, 0, sizeof(stats));
	for (unsigned o = 0; o <= FRAME_MAX_ORDER; o++)
		free_lists[o].next = free_lists[o].prev = &free_lists[o];
}

void frame_core_start(paddr_t lo, paddr_t hi, paddr_t meta_at, uint64_t meta_bytes)
{
	span_lo = lo;
	span_hi = hi;
	meta_lo = meta_at;
	meta_hi = meta_at + meta_bytes;
	meta = phys_to_virt(meta_lo);
	memset(meta, 0, meta_bytes);
	stats.metadata_bytes = meta_bytes;
}

int frame_core_started(void)
{
	return meta != NULL;
}

void frame_core_hand_over(paddr_t start, paddr_t end)
{
	while (start < end) {
		unsigned order = 0;

		while (order < FRAME_MAX_ORDER && IS_ALIGNED(start, block_size(order + 1)) &&
		       end - start >= block_size(order + 1))
			order++;
		release(start, order);
		stats.managed_bytes += block_size(order);
		stats.free_bytes += block_size(order);
		start += block_size(order);
	}
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

static int alloc_block(unsigned order, unsigned tag, int high, paddr_t *pa);

/* alloc_block, and when the free memory is too fragmented, again after the low hook. */
static int alloc_with_hook(unsigned order, unsigned tag, int high, paddr_t *pa)
{
	int err = alloc_block(order, tag, high, pa);
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
		err = alloc_block(order, tag, high, pa);
	}
	if (!err)
		check_low();
	return err;
}

int frame_alloc_tagged(unsigned order, unsigned tag, paddr_t *pa)
{
	return alloc_with_hook(order, tag, 0, pa);
}

int frame_alloc_high(unsigned order, paddr_t *pa)
{
	return alloc_with_hook(order, FRAME_TAG_NONE, 1, pa);
}

/* Mark the block of ORDER at PA, now off every list, allocated with TAG. */
static void take(paddr_t pa, unsigned order, unsigned tag)
{
	*meta_of(pa) = META(KIND_ALLOC + tag, order);
	stats.free_bytes -= block_size(order);
	stats.allocs++;
}

/*
 * Take one block of ORDER off the free lists: from the smallest free block
 * that holds one, its lowest block of ORDER, or its highest when HIGH.
 */
static int alloc_block(unsigned order, unsigned tag, int high, paddr_t *pa)
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
	/* Split: one half goes on, the other is freed at each step. */
	while (o > order) {
		o--;
		paddr_t freed = high ? block : block + block_size(o);
		if (high)
			block += block_size(o);
		*meta_of(freed) = META(KIND_FREE, o);
		list_push(freed, o);
	}
	take(block, order, tag);
	*pa = block;
	return 0;
}

int frame_alloc_at(paddr_t pa, unsigned order)
{
	if (order > FRAME_MAX_ORDER || !checked_meta(pa) || !IS_ALIGNED(pa, block_size(order)) ||
	    span_hi - pa < block_size(order))
		return -EINVAL;
	/* A free block holding PA has its head at PA aligned down to its own order. */
	unsigned o = order;
	paddr_t head = pa;
	for (; o <= FRAME_MAX_ORDER; o++) {
		head = pa & ~(block_size(o) - 1);
		if (head < span_lo)
			return -EBUSY;
		if (*meta_of(head) == META(KIND_FREE, o))
			break;
	}
	if (o > FRAME_MAX_ORDER)
		return -EBUSY;
	list_remove(head, o);
	/* Halve it down to ORDER, freeing at each step the half without PA. */
	while (o > order) {
		o--;
		paddr_t freed = (pa & block_size(o)) ? head : head + block_size(o);
		head = (pa & block_size(o)) ? head + block_size(o) : head;
		*meta_of(freed) = META(KIND_FREE, o);
		list_push(freed, o);
	}
	take(pa, order, FRAME_TAG_NONE);
	check_low();
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
