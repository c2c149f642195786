/*
 * The kernel heap.
 *
 * Small sizes (16 to 2048 bytes, powers of two) are carved out of slab pages:
 * a 4 KiB frame whose first SLAB_HDR bytes are a header recording the size
 * class and a bitmap of the objects handed out.  Objects start past the
 * header, so a small object is never page aligned, while a large object
 * (its own frame_alloc block) always is: that is how kfree tells them apart.
 * The frame allocator tags slab pages and large blocks, so kfree checks a
 * pointer against the allocator's own records before trusting any header,
 * and the bitmap catches double frees of small objects.
 *
 * Slabs with a free object sit on a list per class.  A slab whose objects
 * are all free goes straight back to the frame allocator.
 */
#include <string.h>

#include "kernel/frame.h"
#include "kernel/heap.h"
#include "kernel/memory.h"
#include "kernel/panic.h"

#define NCLASSES 8 /* 16 << 0 .. 16 << 7 == HEAP_MAX_SMALL */
#define MIN_SHIFT 4
#define SLAB_MAGIC 0x51ab0b1eu
#define SLAB_HDR 64 /* sizeof(struct slab), rounded to the object alignment */

struct slab {
	uint32_t magic;
	uint16_t cls;
	uint16_t nobj;
	uint16_t nfree;
	struct slab *next, *prev; /* the class's list of slabs with a free object */
	uint64_t used[4];	  /* bit i: object i is handed out */
};

_Static_assert(sizeof(struct slab) <= SLAB_HDR, "slab header too big");
_Static_assert(SLAB_HDR % 16 == 0, "objects must stay 16-byte aligned");
_Static_assert((PAGE_SIZE - SLAB_HDR) / HEAP_MIN_SMALL <= 4 * 64, "bitmap too small");
_Static_assert(HEAP_MIN_SMALL << (NCLASSES - 1) == HEAP_MAX_SMALL, "classes mismatch");

static struct slab *partial[NCLASSES];
static struct heap_stats stats;

static inline size_t class_size(unsigned cls)
{
	return (size_t)HEAP_MIN_SMALL << cls;
}

/* The smallest class that holds SIZE (1 <= SIZE <= HEAP_MAX_SMALL). */
static unsigned class_of(size_t size)
{
	unsigned cls = 0;

	while (class_size(cls) < size)
		cls++;
	return cls;
}

/* Put S at the head of its class's list, so it is used next. */
static void partial_push(struct slab *s)
{
	s->prev = NULL;
	s->next = partial[s->cls];
	if (s->next)
		s->next->prev = s;
	partial[s->cls] = s;
}

/* Take S off its class's list. */
static void partial_remove(struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		partial[s->cls] = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

/* A fresh slab page for CLS, already on its list, or NULL when out of frames. */
static struct slab *slab_new(unsigned cls)
{
	paddr_t pa;
	struct slab *s;

	if (frame_alloc_tagged(FRAME_ORDER_4K, FRAME_TAG_SLAB, &pa))
		return NULL;
	s = phys_to_virt(pa);
	memset(s, 0, sizeof(*s));
	s->magic = SLAB_MAGIC;
	s->cls = (uint16_t)cls;
	s->nobj = (uint16_t)((PAGE_SIZE - SLAB_HDR) >> (cls + MIN_SHIFT));
	s->nfree = s->nobj;
	partial_push(s);
	stats.bytes_reserved += PAGE_SIZE;
	stats.slab_pages++;
	return s;
}

/* The lowest free object of S, which has one. */
static unsigned slab_first_free(const struct slab *s)
{
	/* Bits past nobj stay clear, but the lowest clear bit is below nobj
	 * whenever an object is free. */
	for (unsigned w = 0; w < 4; w++)
		if (~s->used[w])
			return w * 64 + (unsigned)__builtin_ctzll(~s->used[w]);
	panic("heap: slab %p of class %u has nfree %u but no free object", (void *)s, s->cls,
	      s->nfree);
}

static void *small_alloc(unsigned cls)
{
	struct slab *s = partial[cls];
	unsigned i;

	if (!s && !(s = slab_new(cls)))
		return NULL;
	i = slab_first_free(s);
	if (i >= s->nobj)
		panic("heap: slab %p of class %u: free object %u past the end", (void *)s, cls, i);
	s->used[i / 64] |= 1ull << (i % 64);
	if (--s->nfree == 0)
		partial_remove(s);
	stats.bytes_in_use += class_size(cls);
	return (char *)s + SLAB_HDR + ((size_t)i << (cls + MIN_SHIFT));
}

static void *large_alloc(size_t size)
{
	unsigned order = 0;
	paddr_t pa;

	if (size > (PAGE_SIZE << FRAME_MAX_ORDER))
		return NULL;
	while ((PAGE_SIZE << order) < size)
		order++;
	if (frame_alloc_tagged(order, FRAME_TAG_HEAP, &pa))
		return NULL;
	stats.bytes_in_use += PAGE_SIZE << order;
	stats.bytes_reserved += PAGE_SIZE << order;
	return phys_to_virt(pa);
}

void *kmalloc(size_t size)
{
	void *p;

	if (size == 0)
		return NULL;
	p = size <= HEAP_MAX_SMALL ? small_alloc(class_of(size)) : large_alloc(size);
	if (p)
		stats.allocs++;
	else
		stats.failures++;
	return p;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

/* Free the small object P inside the slab page at PAGE. */
static void small_free(void *p, paddr_t page)
{
	struct slab *s = phys_to_virt(page);
	uint64_t off = virt_to_phys(p) - page;
	unsigned shift, i;

	if (s->magic != SLAB_MAGIC || s->cls >= NCLASSES || s->nfree >= s->nobj)
		panic("kfree(%p): slab page %p is corrupted", p, (void *)s);
	shift = s->cls + MIN_SHIFT;
	i = (unsigned)((off - SLAB_HDR) >> shift);
	if (off < SLAB_HDR || (off - SLAB_HDR) & ((1ull << shift) - 1) || i >= s->nobj)
		panic("kfree(%p): not an object kmalloc returned (inside a slab of %zu-byte objects)",
		      p, class_size(s->cls));
	if (!(s->used[i / 64] & (1ull << (i % 64))))
		panic("kfree(%p): double free of a %zu-byte object", p, class_size(s->cls));
	s->used[i / 64] &= ~(1ull << (i % 64));
	stats.bytes_in_use -= class_size(s->cls);
	if (s->nfree++ == 0)
		partial_push(s);
	if (s->nfree < s->nobj)
		return;
	/* All free: give the page back rather than hoard it. */
	partial_remove(s);
	s->magic = 0;
	if (frame_free(page, FRAME_ORDER_4K))
		panic("kfree(%p): the frame allocator refused slab page %p", p, (void *)s);
	stats.bytes_reserved -= PAGE_SIZE;
	stats.slab_pages--;
}

/* Free the large object at PA, which frame_alloc tagged as the heap's. */
static void large_free(paddr_t pa)
{
	int order = frame_block_order(pa);

	if (order < 0 || frame_free(pa, (unsigned)order))
		panic("kfree: frame allocator refused large block %#lx", (unsigned long)pa);
	stats.bytes_in_use -= PAGE_SIZE << order;
	stats.bytes_reserved -= PAGE_SIZE << order;
}

void kfree(void *p)
{
	paddr_t pa, page;

	if (!p)
		return;
	pa = virt_to_phys(p);
	page = ALIGN_DOWN(pa, PAGE_SIZE);
	/* The frame allocator vouches for the page before any header is read. */
	if (pa == page) {
		if (frame_block_tag(pa) != FRAME_TAG_HEAP)
			panic("kfree(%p): not returned by kmalloc, or already freed", p);
		large_free(pa);
	} else {
		if (frame_block_tag(page) != FRAME_TAG_SLAB)
			panic("kfree(%p): not returned by kmalloc, or already freed", p);
		small_free(p, page);
	}
	stats.frees++;
}

void heap_get_stats(struct heap_stats *out)
{
	*out = stats;
}

void heap_reset_for_test(void)
{
	memset(partial, 0, sizeof(partial));
	memset(&stats, 0, sizeof(stats));
}
