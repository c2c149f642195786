/*
 * What the frame allocator manages, from the machine's description: the RAM
 * ranges less the reserved ones (rounded out to pages), each byte once, less
 * the metadata's own home, handed to the buddy core (frame.c) as pieces.
 *
 * The layout is kept, so that memory can be brought online later a window
 * at a time (frame_init_window, then frame_online: the kernel starts on a
 * little memory and grows), each piece clipped to the window it falls in.
 */
#include "kernel/error.h"
#include "kernel/frame.h"
#include "kernel/frame_core.h"

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

/* for_each_piece callback: hand the piece, clipped to the window, to the allocator. */
static void insert_piece(paddr_t start, paddr_t end, void *arg)
{
	if (clip(&start, &end))
		frame_core_hand_over(start, end);
}

/* The lowest set bit of x, or 2^63 for zero (infinitely aligned). */
static uint64_t alignment_of(paddr_t x)
{
	return x ? x & -x : 1ull << 63;
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

	frame_core_reset();
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

	frame_core_start(sp.lo, sp.hi, l.skip_lo, fit.need);
	for_each_piece(&l, insert_piece, NULL);
	saved = l;
	clip_lo = 0;
	clip_hi = UINT64_MAX;
	return 0;
}

int frame_online(paddr_t lo, paddr_t hi)
{
	if (!frame_core_started() || lo >= hi || !IS_ALIGNED(lo | hi, PAGE_SIZE))
		return -EINVAL;
	clip_lo = lo;
	clip_hi = hi;
	for_each_piece(&saved, insert_piece, NULL);
	clip_lo = 0;
	clip_hi = UINT64_MAX;
	return 0;
}

