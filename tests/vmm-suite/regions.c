/*
 * The vmm.h suite's cases for what the region layer decides itself (see
 * vmm_suite.h): backed regions (the backing in place, copies, snapshots and
 * their charge), replacing regions all or nothing, and placement.  They run
 * on every backend, so the backends' part (a page copied, a page mapped as
 * it is) is checked on each.
 */
#include <string.h>

#include "arch.h"
#include "kernel/error.h"
#include "kernel/frame.h"
#include "tests/host/check.h"
#include "tests/vmm-suite/suite_util.h"
#include "tests/vmm-suite/vmm_suite.h"

/* The byte at offset I of the pretend image. */
static uint8_t image_byte(uint64_t i)
{
	return (uint8_t)(i * 7 + 1);
}

/* Four contiguous frames holding the pretend image: what a backed region of the image shows. */
static paddr_t image_frames(void)
{
	paddr_t pa = 0;
	CHECK_EQ(frame_alloc(2, &pa), 0);
	for (uint64_t i = 0; i < 4 * P; i++)
		((uint8_t *)phys_to_virt(pa))[i] = image_byte(i);
	return pa;
}

/* The page at PA holds the image's bytes from offset OFF for N bytes, then zeros. */
static int holds_image(paddr_t pa, uint64_t off, uint64_t n)
{
	const uint8_t *b = phys_to_virt(pa);
	for (uint64_t i = 0; i < P; i++)
		if (b[i] != (i < n ? image_byte(off + i) : 0))
			return diag("byte %lu of %#lx: %#x", i, pa, b[i]);
	return 1;
}

/*
 * The pa VA translates to; when it does not translate (a failed check), a
 * zeroed scratch frame of the arena, so the case goes on reading memory
 * that exists instead of crashing.
 */
static paddr_t pa_of(struct vmm_space *s, vaddr_t va)
{
	static paddr_t scratch;
	struct vmm_mapping m = { 0 };
	int r = vmm_translate(s, va, &m);
	CHECK_EQ(r, 0);
	if (r == 0)
		return m.pa;
	if (!scratch && frame_alloc(0, &scratch) == 0)
		memset(phys_to_virt(scratch), 0, P);
	return scratch;
}

struct writable_in {
	paddr_t lo, hi;
	int found;
};

/* A visitor: whether a translation maps [lo, hi) with write access. */
static int writable_in(const struct vmm_mapping *m, void *ctx)
{
	struct writable_in *w = ctx;
	if ((m->rights & VMM_WRITE) && m->pa < w->hi && m->pa + m->len > w->lo)
		w->found = 1;
	return 0;
}

/*
 * A read-only backed region maps its backing itself, a partial page and
 * the part past its bytes as copies and zeros; made writable, the backing's
 * translations go, a write gets a copy, and the backing is never written.
 */
static void backed_in_place_then_copied(void)
{
	struct vmm_space *s = space_new();
	paddr_t img = image_frames();
	vaddr_t r = R_BASE;
	if (!s)
		return;
	CHECK_EQ(vmm_region_add_backed(s, r, 4 * P, URX, img, 2 * P + 100), 0);
	CHECK_EQ(vmm_fault(s, 0, r + 8, VMM_EXEC), 0);
	CHECK_EQ(vmm_fault(s, 0, r + P, VMM_READ), 0);
	CHECK(mapped_as(s, r, 2 * P, img, URX));
	CHECK_EQ(vmm_fault(s, 0, r, VMM_WRITE), -EFAULT);
	CHECK_EQ(vmm_fault(s, 0, r + 2 * P, VMM_READ), 0);
	paddr_t partial = pa_of(s, r + 2 * P);
	CHECK(partial != img + 2 * P && holds_image(partial, 2 * P, 100));
	CHECK_EQ(vmm_fault(s, 0, r + 3 * P, VMM_READ), 0);
	CHECK(page_is_zero(pa_of(s, r + 3 * P)));

	CHECK_EQ(vmm_region_protect(s, r, 4 * P, URW), 0);
	CHECK(unmapped(s, r, 2 * P));
	CHECK(mapped_as(s, r + 2 * P, P, partial, URW));
	CHECK_EQ(vmm_fault(s, 0, r + 5, VMM_WRITE), 0);
	paddr_t copy = pa_of(s, r);
	CHECK(copy != img && frame_block_order(copy) >= 0 && holds_image(copy, 0, P));
	((uint8_t *)phys_to_virt(copy))[5] ^= 0xff; /* the application's store */
	CHECK(holds_image(img, 0, P));
	/* Dropped (MADV_DONTNEED), the page is the backing's bytes again. */
	CHECK_EQ(vmm_unmap(s, r, P), 0);
	CHECK_EQ(frame_block_order(copy), -EINVAL);
	CHECK_EQ(vmm_fault(s, 0, r, VMM_READ), 0);
	CHECK(holds_image(pa_of(s, r), 0, P));
	CHECK_EQ(vmm_fault(s, 0, r + P, VMM_READ), 0);
	struct writable_in w = { img, img + 4 * P, 0 };
	CHECK_EQ(vmm_traverse(s, r, 4 * P, writable_in, &w), 0);
	CHECK(!w.found);

	/* The copies go with the region; the backing stays the caller's. */
	paddr_t copies[2] = { pa_of(s, r), pa_of(s, r + P) };
	CHECK_EQ(vmm_region_remove(s, r, 4 * P), 0);
	CHECK_EQ(frame_block_order(copies[0]), -EINVAL);
	CHECK_EQ(frame_block_order(copies[1]), -EINVAL);
	CHECK_EQ(frame_block_order(partial), -EINVAL);
	CHECK_EQ(frame_block_order(img), 2);
	CHECK(holds_image(img + P, P, P));
	CHECK_EQ(frame_free(img, 2), 0);
	vmm_space_destroy(s);
}

/* Bad backings, and a backed region's pages across a split by mprotect. */
static void backed_rules(void)
{
	struct vmm_space *s = space_new();
	paddr_t img = image_frames();
	vaddr_t r = R_BASE + MiB;
	if (!s)
		return;
	CHECK_EQ(vmm_region_add_backed(s, r, 4 * P, UR, img + 8, P), -EINVAL);
	CHECK_EQ(vmm_region_add_backed(s, r, 4 * P, UR, img, 4 * P + 1), -EINVAL);
	CHECK_EQ(vmm_region_add_backed(s, r, 4 * P, UR, 0, P), -EINVAL);
	CHECK_EQ(vmm_region_add_backed(s, r, 4 * P, UR, UINT64_MAX & ~(P - 1), P), -EINVAL);
	CHECK_EQ(vmm_region_add_backed(s, r, 4 * P, UR, img, 4 * P), 0);
	CHECK_EQ(vmm_region_add_backed(s, r + 3 * P, 4 * P, UR, img, P), -EEXIST);
	/* The middle page made executable: each part keeps its own piece of the backing. */
	CHECK_EQ(vmm_region_protect(s, r + 2 * P, P, URX), 0);
	CHECK_EQ(vmm_fault(s, 0, r + 2 * P, VMM_EXEC), 0);
	CHECK_EQ(vmm_fault(s, 0, r + 3 * P, VMM_READ), 0);
	CHECK(mapped_as(s, r + 2 * P, P, img + 2 * P, URX));
	CHECK(mapped_as(s, r + 3 * P, P, img + 3 * P, UR));
	/* Back to one protection: the parts join again and the pages stay. */
	CHECK_EQ(vmm_region_protect(s, r + 2 * P, P, UR), 0);
	CHECK(mapped_as(s, r + 2 * P, 2 * P, img + 2 * P, UR));
	/* Made inaccessible, the backing's own pages can go (nothing is lost) ... */
	CHECK_EQ(vmm_region_protect(s, r, 4 * P, VMM_USER), 0);
	CHECK(unmapped(s, r, 4 * P));
	CHECK_EQ(vmm_region_protect(s, r, 4 * P, UR), 0);
	/* ... but a copy is held with its contents, and comes back with them. */
	CHECK_EQ(vmm_region_protect(s, r + 3 * P, P, URW), 0);
	CHECK_EQ(vmm_fault(s, 0, r + 3 * P, VMM_WRITE), 0);
	CHECK_EQ(vmm_fault(s, 0, r + 2 * P, VMM_READ), 0);
	paddr_t copy = pa_of(s, r + 3 * P);
	CHECK_EQ(vmm_region_protect(s, r + 2 * P, 2 * P, VMM_USER), 0);
	CHECK(mapped_as(s, r + 3 * P, P, copy, VMM_USER));
	CHECK(!vmm_region_allows(s, r + 2 * P, P, VMM_READ));
	CHECK_EQ(vmm_region_protect(s, r + 2 * P, 2 * P, URW), 0);
	CHECK(mapped_as(s, r + 3 * P, P, copy, URW));
	CHECK(vmm_region_allows(s, r + 2 * P, P, VMM_READ));
	CHECK_EQ(vmm_region_remove(s, r, 4 * P), 0);
	CHECK_EQ(frame_block_order(copy), -EINVAL);
	CHECK_EQ(frame_free(img, 2), 0);
	vmm_space_destroy(s);
}

/* Out of memory for a copy: -ENOMEM with nothing mapped and nothing taken, then it works. */
static void backed_copy_out_of_memory(void)
{
	struct vmm_space *s = space_new();
	paddr_t img = image_frames();
	vaddr_t r = R_BASE + 7 * GiB + 2 * MiB - P;
	int done = 0;
	if (!s)
		return;
	CHECK_EQ(vmm_region_add_backed(s, r, 4 * P, URW, img, 4 * P), 0);
	for (unsigned spare = 0; spare < SPARE_LIMIT && !done; spare = next_spare(spare)) {
		struct hoard h = exhaust(spare);
		uint64_t tables = table_bytes(), free = free_bytes();
		int e = vmm_fault(s, 0, r + P + 8, VMM_READ);
		if (e == 0) {
			done = 1;
			CHECK(holds_image(pa_of(s, r + P), P, P));
		} else {
			CHECK_EQ(e, -ENOMEM);
			CHECK(unmapped(s, r - GiB, 2 * GiB));
			CHECK_EQ(table_bytes(), tables);
			CHECK_EQ(free_bytes(), free);
		}
		hoard_release(&h);
	}
	CHECK(done);
	vmm_space_destroy(s);
	CHECK(holds_image(img + P, P, P));
	CHECK_EQ(frame_free(img, 2), 0);
}

static uint64_t committed(void)
{
	uint64_t bytes, limit;
	vmm_get_commit(&bytes, &limit);
	return bytes;
}

/*
 * A snapshot backs a region from its first page: read-only its pages are
 * mapped as they are, writable they are copied; each of its pages is freed
 * and uncharged as the part of the region holding it goes.
 */
static void backed_snapshot(void)
{
	struct vmm_space *s = space_new();
	struct vmm_snapshot *snap = NULL, *other = NULL;
	paddr_t pages[3];
	vaddr_t r = R_BASE + 2 * MiB;
	uint64_t base = committed();
	if (!s)
		return;
	CHECK_EQ(vmm_snapshot_alloc(0, &snap), -EINVAL);
	CHECK_EQ(vmm_snapshot_alloc(3, &snap), 0);
	for (unsigned i = 0; i < 3; i++) {
		CHECK(page_is_zero(virt_to_phys(vmm_snapshot_page(snap, i))));
		memset(vmm_snapshot_page(snap, i), 'a' + (int)i, P);
		pages[i] = virt_to_phys(vmm_snapshot_page(snap, i));
	}
	CHECK(vmm_snapshot_page(snap, 3) == NULL);
	CHECK_EQ(vmm_region_map(s, r, 2 * P, UR, REGION_BACKED, snap, 0), -EINVAL);
	CHECK_EQ(vmm_region_map(s, r, 4 * P, UR, REGION_ANON, snap, 0), -EINVAL);
	CHECK_EQ(committed(), base);
	CHECK_EQ(vmm_region_map(s, r, 5 * P, UR, REGION_BACKED, snap, 0), 0);
	CHECK_EQ(committed(), base + 3 * P);
	CHECK_EQ(vmm_fault(s, 0, r + P, VMM_READ), 0);
	CHECK(mapped_as(s, r + P, P, pages[1], UR));
	CHECK_EQ(vmm_fault(s, 0, r + 4 * P, VMM_READ), 0);
	CHECK(page_is_zero(pa_of(s, r + 4 * P)));

	CHECK_EQ(vmm_region_protect(s, r, 5 * P, URW), 0);
	CHECK_EQ(committed(), base + 8 * P);
	CHECK(unmapped(s, r + P, P));
	CHECK_EQ(vmm_fault(s, 0, r + P, VMM_WRITE), 0);
	paddr_t copy = pa_of(s, r + P);
	CHECK(copy != pages[1] && *(char *)phys_to_virt(copy + P - 1) == 'b');
	CHECK_EQ(vmm_region_remove(s, r, P), 0);
	CHECK_EQ(frame_block_order(pages[0]), -EINVAL);
	CHECK_EQ(committed(), base + 6 * P);
	/* Shrunk, the snapshot page cut off goes; grown again, that part reads zero. */
	CHECK_EQ(vmm_region_resize(s, r + 5 * P, r + 2 * P), 0);
	CHECK_EQ(frame_block_order(pages[2]), -EINVAL);
	CHECK_EQ(frame_block_order(pages[1]), 0);
	CHECK_EQ(committed(), base + 2 * P);
	CHECK_EQ(vmm_region_resize(s, r + 2 * P, r + 3 * P), 0);
	CHECK_EQ(vmm_fault(s, 0, r + 2 * P, VMM_READ), 0);
	CHECK(page_is_zero(pa_of(s, r + 2 * P)));
	CHECK_EQ(committed(), base + 3 * P);
	CHECK_EQ(vmm_region_remove(s, r, 5 * P), 0);
	CHECK_EQ(frame_block_order(pages[1]), -EINVAL);
	CHECK_EQ(frame_block_order(copy), -EINVAL);
	CHECK_EQ(committed(), base);

	/* A snapshot no region took is the caller's to free; one a region took goes with the space. */
	CHECK_EQ(vmm_snapshot_alloc(2, &snap), 0);
	vmm_snapshot_free(snap);
	CHECK_EQ(vmm_snapshot_alloc(2, &other), 0);
	paddr_t kept = virt_to_phys(vmm_snapshot_page(other, 1));
	CHECK_EQ(vmm_region_map(s, r, 2 * P, UR, REGION_BACKED, other, 0), 0);
	CHECK_EQ(vmm_fault(s, 0, r + P, VMM_READ), 0);
	vmm_space_destroy(s);
	CHECK_EQ(frame_block_order(kept), -EINVAL);
	CHECK_EQ(committed(), base);
}

/*
 * Backed regions where a backend fills zeroed memory ahead (Sv48: 2 MiB
 * pages in the huge-page area, read-ahead in the stack's): it may do so
 * only past the backing, never over a page the backing holds.
 */
static void backed_where_zeros_are_filled_ahead(void)
{
	static const vaddr_t places[] = { 0x0000008000000000ul + 64 * MiB,
					  0x00007f8000000000ul + GiB };
	for (unsigned i = 0; i < NELEM(places); i++) {
		struct vmm_space *s = space_new();
		struct vmm_snapshot *snap = NULL;
		vaddr_t r = places[i];
		if (!s)
			return;
		CHECK_EQ(vmm_snapshot_alloc(2, &snap), 0);
		memset(vmm_snapshot_page(snap, 0), 'x', P);
		memset(vmm_snapshot_page(snap, 1), 'y', P);
		paddr_t first = virt_to_phys(vmm_snapshot_page(snap, 0));
		CHECK_EQ(vmm_region_map(s, r, 2 * MiB, UR, REGION_BACKED, snap, 0), 0);
		CHECK_EQ(vmm_fault(s, 0, r + 6 * P, VMM_READ), 0);
		CHECK(page_is_zero(pa_of(s, r + 6 * P)));
		CHECK(unmapped(s, r, 2 * P));
		CHECK_EQ(vmm_fault(s, 0, r, VMM_READ), 0);
		CHECK(mapped_as(s, r, P, first, UR));
		CHECK_EQ(vmm_fault(s, 0, r + P, VMM_READ), 0);
		CHECK_EQ(*(char *)phys_to_virt(pa_of(s, r + P)), 'y');
		vmm_space_destroy(s);
	}
}

/*
 * Replacing (mmap's MAP_FIXED) is all or nothing: when the new region
 * would not fit the commit limit even with what it replaces given back, or
 * no memory is left for the records, the old regions and pages stay.
 */
static void region_replace(void)
{
	struct vmm_space *s = space_new();
	vaddr_t r = R_BASE + 3 * MiB;
	paddr_t pa[8];
	if (!s)
		return;
	CHECK_EQ(vmm_region_add(s, r, 8 * P, URW, REGION_ANON), 0);
	for (unsigned i = 0; i < 8; i++) {
		CHECK_EQ(vmm_fault(s, 0, r + i * P, VMM_WRITE), 0);
		pa[i] = pa_of(s, r + i * P);
	}
	uint64_t base = committed();
	vmm_set_commit_limit(base + 2 * P);
	CHECK_EQ(vmm_region_map(s, r + 4 * P, 8 * P, URW, REGION_ANON, NULL, 1), -ENOMEM);
	CHECK_EQ(committed(), base);
	for (unsigned i = 0; i < 8; i++)
		CHECK(mapped_as(s, r + i * P, P, pa[i], URW));
	CHECK(!vmm_region_allows(s, r + 8 * P, P, 0));
	/* Six pages: the four it replaces and two to spare. */
	CHECK_EQ(vmm_region_map(s, r + 4 * P, 6 * P, URW, REGION_ANON, NULL, 1), 0);
	CHECK_EQ(committed(), base + 2 * P);
	CHECK(unmapped(s, r + 4 * P, 6 * P));
	CHECK_EQ(frame_block_order(pa[4]), -EINVAL);
	CHECK(mapped_as(s, r + 3 * P, P, pa[3], URW));
	CHECK(vmm_region_allows(s, r, 10 * P, VMM_WRITE));
	CHECK_EQ(vmm_region_map(s, r, P, URW, REGION_ANON, NULL, 0), -EEXIST);
	CHECK_EQ(vmm_region_map(s, r, 10 * P, UR, REGION_ANON, NULL, 1), 0);
	CHECK_EQ(committed(), base - 8 * P);
	CHECK(unmapped(s, r, 10 * P));
	vmm_set_commit_limit(UINT64_MAX);

	/* No memory for the records (the new region, the splits around it): nothing changes. */
	struct hoard h = exhaust(0);
	void *objs = heap_take_all();
	CHECK_EQ(vmm_region_map(s, r + 2 * P, P, URW, REGION_ANON, NULL, 1), -ENOMEM);
	heap_release(objs);
	hoard_release(&h);
	CHECK_EQ(committed(), base - 8 * P);
	CHECK(vmm_region_allows(s, r, 10 * P, VMM_READ));
	CHECK(!vmm_region_allows(s, r + 2 * P, P, VMM_WRITE));
	/* And with memory, the middle is replaced and the rest kept. */
	CHECK_EQ(vmm_region_map(s, r + 2 * P, P, URW, REGION_ANON, NULL, 1), 0);
	CHECK(vmm_region_allows(s, r + 2 * P, P, VMM_WRITE));
	CHECK(!vmm_region_allows(s, r + 3 * P, P, VMM_WRITE));
	CHECK(vmm_region_allows(s, r, 10 * P, VMM_READ));
	vmm_space_destroy(s);
}

/*
 * Placement: first fit above the hint, around regions in the way (one put
 * there with MAP_FIXED, one grown in place), at the alignment asked, and
 * from the area's start once nothing above the hint fits.
 */
static void placement(void)
{
	struct vmm_space *s = space_new();
	vaddr_t a = R_BASE + 4 * GiB, end = a + 64 * P, h = R_BASE + 8 * GiB, va = 0;
	if (!s)
		return;
	CHECK_EQ(vmm_region_find_free(s, a, end, a, P, P, &va), 0);
	CHECK_EQ(va, a);
	CHECK_EQ(vmm_region_add(s, a, P, URW, REGION_ANON), 0);
	/* A region ahead of the hint (MAP_FIXED): gone around. */
	CHECK_EQ(vmm_region_add(s, a + P, 2 * P, URW, REGION_ANON), 0);
	CHECK_EQ(vmm_region_find_free(s, a, end, a + P, P, P, &va), 0);
	CHECK_EQ(va, a + 3 * P);
	/* Regions and holes: the first hole large enough above the hint. */
	CHECK_EQ(vmm_region_add(s, a + 4 * P, P, URW, REGION_ANON), 0);
	CHECK_EQ(vmm_region_add(s, a + 7 * P, P, URW, REGION_ANON), 0);
	CHECK_EQ(vmm_region_find_free(s, a, end, a + 3 * P, 2 * P, P, &va), 0);
	CHECK_EQ(va, a + 5 * P);
	CHECK_EQ(vmm_region_find_free(s, a, end, a + 3 * P, 3 * P, P, &va), 0);
	CHECK_EQ(va, a + 8 * P);
	/* Nothing above the hint fits: from the start of the area. */
	CHECK_EQ(vmm_region_add(s, a + 16 * P, 48 * P, URW, REGION_ANON), 0);
	CHECK_EQ(vmm_region_find_free(s, a, end, a + 8 * P, 8 * P, P, &va), 0);
	CHECK_EQ(va, a + 8 * P);
	CHECK_EQ(vmm_region_find_free(s, a, end, a + 10 * P, 8 * P, P, &va), 0);
	CHECK_EQ(va, a + 8 * P);
	CHECK_EQ(vmm_region_find_free(s, a, end, a + 60 * P, P, P, &va), 0);
	CHECK_EQ(va, a + 3 * P);
	/* Full, or larger than any hole: -ENOMEM; a hint outside the area means its start. */
	CHECK_EQ(vmm_region_find_free(s, a, end, a, 9 * P, P, &va), -ENOMEM);
	CHECK_EQ(vmm_region_find_free(s, a, end, a, 65 * P, P, &va), -ENOMEM);
	CHECK_EQ(vmm_region_find_free(s, a, end, 0, P, P, &va), 0);
	CHECK_EQ(va, a + 3 * P);
	CHECK_EQ(vmm_region_find_free(s, a, end, end, P, P, &va), 0);
	CHECK_EQ(va, a + 3 * P);
	/* Huge pages: 2 MiB aligned, after a mapping that grew in place. */
	CHECK_EQ(vmm_region_add(s, h, 2 * MiB, URW, REGION_ANON), 0);
	CHECK_EQ(vmm_region_resize(s, h + 2 * MiB, h + 4 * MiB + P), 0);
	CHECK_EQ(vmm_region_find_free(s, h, h + 64 * MiB, h + 2 * MiB, 2 * MiB, 2 * MiB, &va), 0);
	CHECK_EQ(va, h + 6 * MiB);
	/* Bad arguments. */
	CHECK_EQ(vmm_region_find_free(s, a, end, a, 0, P, &va), -EINVAL);
	CHECK_EQ(vmm_region_find_free(s, a, end, a, P + 1, P, &va), -EINVAL);
	CHECK_EQ(vmm_region_find_free(s, a, end, a, P, 3 * P, &va), -EINVAL);
	CHECK_EQ(vmm_region_find_free(s, a, end, a, P, P / 2, &va), -EINVAL);
	CHECK_EQ(vmm_region_find_free(s, end, a, a, P, P, &va), -EINVAL);
	CHECK_EQ(vmm_region_find_free(s, a, USER_TOP + P, a, P, P, &va), -EINVAL);
	/* The top of the user half is usable, and a length of all of it does not wrap. */
	CHECK_EQ(vmm_region_find_free(s, USER_TOP - 2 * P, USER_TOP, 0, 2 * P, P, &va), 0);
	CHECK_EQ(va, USER_TOP - 2 * P);
	CHECK_EQ(vmm_region_find_free(s, a, USER_TOP, a, -P, P, &va), -ENOMEM);
	vmm_space_destroy(s);
}

/* Every length and address sum the region calls take is checked: a range that wraps changes nothing. */
static void region_ranges_that_wrap(void)
{
	struct vmm_space *s = space_new();
	vaddr_t r = R_BASE + 5 * MiB;
	if (!s)
		return;
	CHECK_EQ(vmm_region_add(s, r, 4 * P, URW, REGION_ANON), 0);
	CHECK_EQ(vmm_fault(s, 0, r + P, VMM_WRITE), 0);
	paddr_t pa = pa_of(s, r + P);
	CHECK_EQ(vmm_region_add(s, r + 8 * P, -P, URW, REGION_ANON), -EINVAL);
	CHECK_EQ(vmm_region_map(s, r, -P, URW, REGION_ANON, NULL, 1), -EINVAL);
	CHECK_EQ(vmm_region_map(s, -P, 2 * P, URW, REGION_ANON, NULL, 1), -EINVAL);
	CHECK_EQ(vmm_region_remove(s, r, -P), -EINVAL);
	CHECK_EQ(vmm_region_remove(s, r + P, -P), -EINVAL);
	CHECK_EQ(vmm_region_protect(s, r, -P, UR), -EINVAL);
	CHECK_EQ(vmm_region_resize(s, r + 4 * P, r + 4 * P - 5 * P), -EINVAL);
	CHECK_EQ(vmm_region_resize(s, r + 4 * P, -P), -EINVAL);
	CHECK_EQ(vmm_region_resize(s, 0, r), -EINVAL);
	CHECK(!vmm_region_allows(s, r, -P, 0));
	CHECK(!vmm_region_allows(s, -P, 2 * P, 0));
	CHECK(mapped_as(s, r + P, P, pa, URW));
	CHECK(vmm_region_allows(s, r, 4 * P, VMM_WRITE));
	CHECK(!vmm_region_allows(s, r + 4 * P, P, 0));
	vmm_space_destroy(s);
}

int vmm_suite_regions_run(void)
{
	RUN(backed_in_place_then_copied);
	RUN(backed_rules);
	RUN(backed_copy_out_of_memory);
	RUN(backed_snapshot);
	RUN(backed_where_zeros_are_filled_ahead);
	RUN(region_replace);
	RUN(placement);
	RUN(region_ranges_that_wrap);
	return check_failures;
}
