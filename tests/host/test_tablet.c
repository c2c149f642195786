/*
 * Tablets and rentals (tablet/tablet.h) on a host arena: a root, a 39-bit
 * segment table, a 30-bit and a 21-bit table below it and data tablets in
 * their entries, built by hand; every refusal of handler_map with its own
 * error and nothing changed, unmap, expiry, deletion, split and the stats.
 * The clock is host_test_time (what read_time() returns under HOST_TEST).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"
#include "kernel/error.h"
#include "kernel/frame.h"
#include "kernel/heap.h"
#include "kernel/random.h"
#include "sv48.h"
#include "tablet/tablet.h"

#define ARENA (64ul << 20)
#define FAKE_BASE 0x80000000ul
/* Outside the arena: adopted tablets there are only written into entries, never touched. */
#define FAR_PA 0x4000000000ul /* 256 GiB, 1 GiB aligned */
#define T0 1000 /* the clock at the start of each case */

extern uint64_t host_test_time;

/* --------------------------------------------------------- environment --- */

static void *arena;

/* Parents: the tablet layer only hands them back with unreachable tablets. */
static char seg_a_storage, seg_b_storage;
#define SEG_A ((struct segment *)&seg_a_storage)
#define SEG_B ((struct segment *)&seg_b_storage)

#define MAX_EVENTS 1024
static struct event {
	struct segment *parent;
	struct tablet_info info;
	int deleted; /* what tablet_delete returned from inside the event, when asked to */
} events[MAX_EVENTS];
static int event_count;
static int delete_when_unreachable;
/* When set, an unreachable data tablet is placed again at entry index + 256 of this table. */
static handler_id replace_in_table;
static uint64_t replace_duration;

/* What segment_deliver_unreachable does for a segment: take each queued tablet. */
static void drain_unreachable(void)
{
	struct tablet_info info, *t = &info;
	while (tablet_next_unreachable(t) == 0) {
		if (event_count < MAX_EVENTS) {
			events[event_count] = (struct event){ t->parent, *t, 1 };
			/* What a segment would do: delete the tablet nothing holds any more. */
			if (delete_when_unreachable)
				events[event_count].deleted = tablet_delete_unreachable(t);
			if (replace_in_table && t->rental.index < 256) {
				struct rental r;
				events[event_count].deleted =
					handler_rent(replace_in_table, t->rental.index + 256, VMM_READ,
						     replace_duration, &r) ?: handler_map(t->id, &r);
			}
		}
		event_count++;
	}
}

/* The events delivered so far, after handing over what is queued (as the backend does). */
static int events_delivered(void)
{
	drain_unreachable();
	return event_count;
}
#define nevents events_delivered()

/* The timer tick: expire, then hand over what expired (as backend_tick does). */
static void expire_and_deliver(uint64_t now)
{
	tablet_expire(now);
	drain_unreachable();
}

/* Every case starts from a fresh arena, allocator, heap, key and registry. */
static void fresh(void)
{
	/* Free the registry's memory while the heap that holds it is still the current one. */
	tablet_init();
	if (!arena)
		arena = mmap(NULL, ARENA, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	else
		madvise(arena, ARENA, MADV_DONTNEED);
	direct_map_offset = (uintptr_t)arena - FAKE_BASE;
	struct mem_range ram = { FAKE_BASE, ARENA };
	frame_init(&ram, 1, NULL, 0);
	heap_reset_for_test();
	static const uint8_t seed[32] = "tablet host test seed, fixed...";
	random_init(seed, sizeof(seed));
	CHECK_EQ(tablet_init(), 0);
	host_test_time = T0;
	event_count = 0;
	delete_when_unreachable = 0;
	replace_in_table = 0;
}

static uint64_t free_bytes(void)
{
	struct frame_stats s;
	frame_get_stats(&s);
	return s.free_bytes;
}

static struct tablet_stats stats(void)
{
	struct tablet_stats s;
	tablet_get_stats(&s);
	return s;
}

static struct tablet_info info(handler_id id)
{
	struct tablet_info i;
	memset(&i, 0, sizeof(i));
	CHECK_EQ(tablet_get_info(id, &i), 0);
	return i;
}

/* Field by field: the struct has padding. */
static int info_eq(const struct tablet_info *a, const struct tablet_info *b)
{
	return a->id == b->id && a->kind == b->kind && a->size_bits == b->size_bits &&
	       a->frame == b->frame && a->version == b->version && a->refs == b->refs &&
	       a->used == b->used && a->owns_frames == b->owns_frames && a->parent == b->parent &&
	       a->va == b->va && memcmp(&a->rental, &b->rental, sizeof(a->rental)) == 0;
}

static int exists(handler_id id)
{
	struct tablet_info i;
	return tablet_get_info(id, &i) == 0;
}

/* Entry INDEX of page-table tablet TABLE, read from its frame through the direct map. */
static pte_t entry(handler_id table, unsigned index)
{
	return ((pte_t *)phys_to_virt(info(table).frame))[index];
}

static pte_t root_entry(paddr_t root, unsigned slot)
{
	return ((pte_t *)phys_to_virt(root))[slot];
}

static handler_id alloc(enum tablet_kind kind, unsigned bits)
{
	handler_id id = 0;
	CHECK_EQ(tablet_alloc(SEG_A, kind, bits, &id), 0);
	CHECK(id != 0);
	return id;
}

static handler_id adopt(paddr_t pa, unsigned bits)
{
	handler_id id = 0;
	CHECK_EQ(tablet_adopt(SEG_A, pa, bits, &id), 0);
	CHECK(id != 0);
	return id;
}

static struct rental rent(handler_id table, unsigned index, unsigned rights, uint64_t duration)
{
	struct rental r;
	memset(&r, 0, sizeof(r));
	CHECK_EQ(handler_rent(table, index, rights, duration, &r), 0);
	return r;
}

/*
 * A new tablet whose (first) frame is FRAME: allocate until the allocator
 * hands that frame out again (it returns recently freed frames first), then
 * delete the others.  0 when it never came back.
 */
static handler_id alloc_at(enum tablet_kind kind, unsigned bits, paddr_t frame)
{
	static handler_id others[256];
	int n = 0;
	handler_id found = 0;
	while (!found && n < 256) {
		handler_id t = alloc(kind, bits);
		if (info(t).frame == frame)
			found = t;
		else
			others[n++] = t;
	}
	while (n > 0)
		CHECK_EQ(tablet_delete(others[--n]), 0);
	return found;
}

/* Rent entry INDEX of TABLE and place SELF there: the rental. */
static struct rental place(handler_id self, handler_id table, unsigned index, unsigned rights,
			   uint64_t duration)
{
	struct rental r = rent(table, index, rights, duration);
	CHECK_EQ(handler_map(self, &r), 0);
	return r;
}

static int rental_eq(const struct rental *a, const struct rental *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/* The address the first byte of root slot SLOT translates (sign-extended). */
static vaddr_t slot_va(unsigned slot)
{
	vaddr_t va = (vaddr_t)slot << 39;
	return slot >= 256 ? va | 0xffff000000000000ul : va;
}

/* ----------------------------------------------------------- hierarchy --- */

#define SLOT 5
#define I30 7 /* the 30-bit table's entry in the segment table */
#define I21 9 /* the 21-bit table's entry in the 30-bit table */
#define VA30 (slot_va(SLOT) + ((vaddr_t)I30 << 30))
#define VA21 (VA30 + ((vaddr_t)I21 << 21))

struct hier {
	paddr_t root;
	handler_id t39, t30, t21;
	struct rental r30, r21;
};

/* Top-down: root, segment table attached, then each table placed in the one above. */
static void build(struct hier *h)
{
	CHECK_EQ(tablet_root_alloc(&h->root), 0);
	h->t39 = alloc(TABLET_TABLE, 39);
	CHECK_EQ(tablet_attach_root(h->root, SLOT, h->t39), 0);
	h->t30 = alloc(TABLET_TABLE, 30);
	h->r30 = place(h->t30, h->t39, I30, 0, RENTAL_FOREVER);
	h->t21 = alloc(TABLET_TABLE, 21);
	h->r21 = place(h->t21, h->t30, I21, 0, RENTAL_FOREVER);
}

/* ------------------------------------------------------------ refusals --- */

/*
 * handler_map(SELF, R) must fail with ERR and change nothing: the entry R
 * names (of TABLE, when it still exists), SELF's and TABLE's records, the
 * counters but refused.  1 when all of that holds; "#" lines say what did not.
 */
static int refused_unchanged(handler_id self, const struct rental *r, handler_id table,
			     unsigned index, int err)
{
	int ok = 1;
	struct tablet_info s0, s1, t0, t1;
	int have_self = tablet_get_info(self, &s0) == 0;
	int have_table = table && tablet_get_info(table, &t0) == 0;
	pte_t e0 = have_table ? entry(table, index) : 0;
	struct tablet_stats st0 = stats();
	int nev = nevents;
	int got = handler_map(self, r);
	if (got != err) {
		printf("#   handler_map returned %d, expected %d\n", got, err);
		ok = 0;
	}
	struct tablet_stats st1 = stats();
	if (st1.refused != st0.refused + 1 || st1.maps != st0.maps || st1.unmaps != st0.unmaps ||
	    st1.tables != st0.tables || st1.data_tablets != st0.data_tablets) {
		printf("#   counters changed: refused %lu->%lu maps %lu->%lu\n",
		       (unsigned long)st0.refused, (unsigned long)st1.refused,
		       (unsigned long)st0.maps, (unsigned long)st1.maps);
		ok = 0;
	}
	if (have_self && (tablet_get_info(self, &s1) != 0 || !info_eq(&s0, &s1))) {
		printf("#   the tablet's record changed\n");
		ok = 0;
	}
	if (have_table) {
		if (tablet_get_info(table, &t1) != 0 || !info_eq(&t0, &t1)) {
			printf("#   the table's record changed\n");
			ok = 0;
		}
		if (entry(table, index) != e0) {
			printf("#   the entry changed\n");
			ok = 0;
		}
	}
	if (nevents != nev) {
		printf("#   an unreachable event was delivered\n");
		ok = 0;
	}
	return ok;
}

/* A forged MAC, and every single bit of every field flipped after signing. */
static void map_refuses_forged_rentals(void)
{
	fresh();
	struct hier h;
	build(&h);
	handler_id d = alloc(TABLET_DATA, 12);
	struct rental good = rent(h.t21, 3, VMM_READ | VMM_WRITE, RENTAL_FOREVER);

	struct rental r = good;
	r.mac = random_u64();
	CHECK(refused_unchanged(d, &r, h.t21, 3, -EBADMSG));
	r.mac = 0;
	CHECK(refused_unchanged(d, &r, h.t21, 3, -EBADMSG));

	/* Each field altered in a meaningful way, MAC kept. */
	struct rental alt[6];
	for (int i = 0; i < 6; i++)
		alt[i] = good;
	alt[0].version++;
	alt[1].frame = info(h.t30).frame; /* another table's frame */
	alt[2].index = 4;
	alt[3].rights |= VMM_EXEC | VMM_USER;
	alt[4].expiry = T0 + 1000000;
	alt[5].mac ^= 1;
	for (int i = 0; i < 6; i++) {
		CHECK(refused_unchanged(d, &alt[i], h.t21, 3, -EBADMSG));
		CHECK(refused_unchanged(d, &alt[i], h.t21, 4, -EBADMSG));
	}
	/* Every bit of the 40 bytes. */
	int wrong = 0;
	for (unsigned bit = 0; bit < 8 * sizeof(struct rental); bit++) {
		r = good;
		((uint8_t *)&r)[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (handler_map(d, &r) != -EBADMSG)
			wrong++;
	}
	CHECK_EQ(wrong, 0);
	CHECK_EQ(entry(h.t21, 3), 0);
	CHECK_EQ(info(d).refs, 0);
	CHECK_EQ(info(h.t21).used, 0);
	CHECK_EQ(stats().refused, 2 + 12 + 8 * sizeof(struct rental));
	/* A rental of a finite expiry turned infinite is also refused. */
	struct rental fin = rent(h.t21, 3, VMM_READ, 50);
	r = fin;
	r.expiry = RENTAL_FOREVER;
	CHECK(refused_unchanged(d, &r, h.t21, 3, -EBADMSG));
	/* A MAC lifted from one genuine rental onto another's fields. */
	r = good;
	r.mac = fin.mac;
	CHECK(refused_unchanged(d, &r, h.t21, 3, -EBADMSG));
	/* The genuine one still works. */
	CHECK_EQ(handler_map(d, &good), 0);
}

/* A MAC is a function of the fields: the same fields sign the same, others differently. */
static void rentals_sign_their_fields(void)
{
	fresh();
	struct hier h;
	build(&h);
	handler_id d = alloc(TABLET_DATA, 12);
	struct rental r = rent(h.t21, 0, VMM_READ, RENTAL_FOREVER);
	/* Re-sign the same fields: the MAC is a function of the fields only (deterministic). */
	struct rental again = rent(h.t21, 0, VMM_READ, RENTAL_FOREVER);
	CHECK(rental_eq(&r, &again));
	struct rental other = rent(h.t21, 1, VMM_READ, RENTAL_FOREVER);
	CHECK(other.mac != r.mac);
	CHECK_EQ(handler_map(d, &r), 0);
}

static void map_refuses_expired(void)
{
	fresh();
	struct hier h;
	build(&h);
	handler_id d = alloc(TABLET_DATA, 12);
	struct rental r = rent(h.t21, 1, VMM_READ, 100);
	CHECK_EQ(r.expiry, T0 + 100);
	host_test_time = T0 + 100; /* expiry is at or before now */
	CHECK(refused_unchanged(d, &r, h.t21, 1, -ETIME));
	host_test_time = T0 + 5000;
	CHECK(refused_unchanged(d, &r, h.t21, 1, -ETIME));
	/* A duration of 0 ends at once. */
	struct rental z = rent(h.t21, 1, VMM_READ, 0);
	CHECK(refused_unchanged(d, &z, h.t21, 1, -ETIME));
	/* One tick before the end it is good. */
	host_test_time = T0 + 99;
	CHECK_EQ(handler_map(d, &r), 0);
	CHECK(pte_valid(entry(h.t21, 1)));
}

/* A rental of a table that was deleted is stale, and stays stale when the frame comes back. */
static void map_refuses_stale_version(void)
{
	fresh();
	struct hier h;
	build(&h);
	handler_id d = alloc(TABLET_DATA, 12);
	handler_id leaf = alloc(TABLET_TABLE, 21);
	paddr_t frame = info(leaf).frame;
	uint64_t version = info(leaf).version;
	struct rental old = rent(leaf, 10, VMM_READ, RENTAL_FOREVER);
	CHECK_EQ(tablet_delete(leaf), 0);
	CHECK(refused_unchanged(d, &old, 0, 0, -ESTALE));

	/* A new table on the same frame. */
	handler_id again = alloc_at(TABLET_TABLE, 21, frame);
	CHECK(again != 0);
	if (!again)
		return;
	CHECK(info(again).version > version);
	CHECK(refused_unchanged(d, &old, again, 10, -ESTALE));
	/* A rental from the new table for the same entry is good. */
	struct rental fresh_rental = rent(again, 10, VMM_READ, RENTAL_FOREVER);
	CHECK_EQ(fresh_rental.frame, old.frame);
	CHECK(fresh_rental.version != old.version);
	CHECK_EQ(handler_map(d, &fresh_rental), 0);
	CHECK_EQ(pte_pa(entry(again, 10)), info(d).frame);
	/* And unmapping with the old rental is refused too. */
	CHECK_EQ(handler_unmap(d, &old), -ENOENT);

	/* The same with the frame reused by a table of another size. */
	handler_id t30b = alloc(TABLET_TABLE, 30);
	paddr_t f30 = info(t30b).frame;
	struct rental old30 = rent(t30b, 2, 0, RENTAL_FOREVER);
	CHECK_EQ(tablet_delete(t30b), 0);
	handler_id l2 = alloc_at(TABLET_TABLE, 21, f30);
	CHECK(l2 != 0);
	handler_id l3 = alloc(TABLET_TABLE, 21);
	CHECK(refused_unchanged(l3, &old30, l2, 2, -ESTALE));
	/* And reused as data: no table at that frame at all. */
	CHECK_EQ(tablet_delete(l2), 0);
	CHECK(alloc_at(TABLET_DATA, 12, f30) != 0);
	CHECK(refused_unchanged(l3, &old30, 0, 0, -ESTALE));
	CHECK_EQ(entry(again, 10) & PTE_V, PTE_V);
}

static void map_refuses_entry_in_use(void)
{
	fresh();
	struct hier h;
	build(&h);
	handler_id a = alloc(TABLET_DATA, 12), b = alloc(TABLET_DATA, 12);
	struct rental ra = place(a, h.t21, 6, VMM_READ, RENTAL_FOREVER);
	pte_t before = entry(h.t21, 6);
	/* The same rental, and a second genuine rental of the same entry. */
	CHECK(refused_unchanged(b, &ra, h.t21, 6, -EEXIST));
	struct rental rb = rent(h.t21, 6, VMM_READ | VMM_WRITE, RENTAL_FOREVER);
	CHECK(refused_unchanged(b, &rb, h.t21, 6, -EEXIST));
	CHECK_EQ(entry(h.t21, 6), before);
	CHECK_EQ(pte_pa(entry(h.t21, 6)), info(a).frame);
	/* An entry holding a table. */
	handler_id l = alloc(TABLET_TABLE, 21);
	struct rental r30 = rent(h.t30, I21, 0, RENTAL_FOREVER);
	CHECK(refused_unchanged(l, &r30, h.t30, I21, -EEXIST));
	CHECK_EQ(info(h.t30).used, 1);
	/* Free again, the entry takes b. */
	CHECK_EQ(handler_unmap(a, &ra), 0);
	CHECK_EQ(handler_map(b, &rb), 0);
	CHECK_EQ(pte_pa(entry(h.t21, 6)), info(b).frame);
}

static void map_refuses_size_mismatch(void)
{
	fresh();
	struct hier h;
	build(&h);
	handler_id d4k = alloc(TABLET_DATA, 12), d2m = alloc(TABLET_DATA, 21);
	handler_id l2 = alloc(TABLET_TABLE, 21), t30b = alloc(TABLET_TABLE, 30);
	handler_id d1g = adopt(FAR_PA, 30);
	/* A 4K data tablet in a 30-bit table's entry. */
	struct rental r = rent(h.t30, 20, VMM_READ, RENTAL_FOREVER);
	CHECK(refused_unchanged(d4k, &r, h.t30, 20, -ERANGE));
	/* A 21-bit table into a 21-bit table. */
	r = rent(h.t21, 20, 0, RENTAL_FOREVER);
	CHECK(refused_unchanged(l2, &r, h.t21, 20, -ERANGE));
	/* A 2M data tablet into a leaf table. */
	r = rent(h.t21, 21, VMM_READ, RENTAL_FOREVER);
	CHECK(refused_unchanged(d2m, &r, h.t21, 21, -ERANGE));
	/* A 1G data tablet or a 30-bit table into a 30-bit table, a 21-bit table into the segment. */
	r = rent(h.t30, 22, VMM_READ, RENTAL_FOREVER);
	CHECK(refused_unchanged(d1g, &r, h.t30, 22, -ERANGE));
	r = rent(h.t30, 22, 0, RENTAL_FOREVER);
	CHECK(refused_unchanged(t30b, &r, h.t30, 22, -ERANGE));
	r = rent(h.t39, 22, 0, RENTAL_FOREVER);
	CHECK(refused_unchanged(l2, &r, h.t39, 22, -ERANGE));
	/* A table into itself, a segment table into anything. */
	r = rent(l2, 23, 0, RENTAL_FOREVER);
	CHECK(refused_unchanged(l2, &r, l2, 23, -ERANGE));
	r = rent(h.t39, 23, 0, RENTAL_FOREVER);
	handler_id seg2 = alloc(TABLET_TABLE, 39);
	CHECK(refused_unchanged(seg2, &r, h.t39, 23, -ERANGE));
	/* The right sizes fit. */
	place(d1g, h.t39, 30, VMM_READ, RENTAL_FOREVER);
	place(d2m, h.t30, 30, VMM_READ, RENTAL_FOREVER);
	place(d4k, h.t21, 30, VMM_READ, RENTAL_FOREVER);
	place(l2, h.t30, 31, 0, RENTAL_FOREVER);
	place(t30b, h.t39, 31, 0, RENTAL_FOREVER);
}

static void map_refuses_unknown_and_busy_self(void)
{
	fresh();
	struct hier h;
	build(&h);
	struct rental r = rent(h.t21, 2, VMM_READ, RENTAL_FOREVER);
	CHECK(refused_unchanged(0, &r, h.t21, 2, -ESRCH));
	CHECK(refused_unchanged(random_u64() | 1, &r, h.t21, 2, -ESRCH));
	handler_id gone = alloc(TABLET_DATA, 12);
	CHECK_EQ(tablet_delete(gone), 0);
	CHECK(refused_unchanged(gone, &r, h.t21, 2, -ESRCH));
	/* Already placed elsewhere, with a finite or an infinite rental. */
	handler_id d = alloc(TABLET_DATA, 12);
	place(d, h.t21, 3, VMM_READ, RENTAL_FOREVER);
	CHECK(refused_unchanged(d, &r, h.t21, 2, -EBUSY));
	handler_id e = alloc(TABLET_DATA, 12);
	place(e, h.t21, 4, VMM_READ, 100);
	CHECK(refused_unchanged(e, &r, h.t21, 2, -EBUSY));
	/* A placed table. */
	struct rental r30 = rent(h.t39, 40, 0, RENTAL_FOREVER);
	CHECK(refused_unchanged(h.t30, &r30, h.t39, 40, -EBUSY));
	CHECK_EQ(info(d).refs, 1);
	CHECK_EQ(info(h.t21).used, 2);
}

static void map_refuses_unfit_rights(void)
{
	fresh();
	struct hier h;
	build(&h);
	handler_id l = alloc(TABLET_TABLE, 21);
	/* A table-tablet rental with rights, or with an end. */
	struct rental r = rent(h.t30, 50, VMM_READ, RENTAL_FOREVER);
	CHECK(refused_unchanged(l, &r, h.t30, 50, -EINVAL));
	r = rent(h.t30, 50, 0, 1000);
	CHECK(refused_unchanged(l, &r, h.t30, 50, -EINVAL));
	r = rent(h.t30, 50, VMM_USER, RENTAL_FOREVER);
	CHECK(refused_unchanged(l, &r, h.t30, 50, -EINVAL));
	/* Data rentals that no leaf entry can express. */
	handler_id d = alloc(TABLET_DATA, 12);
	static const unsigned bad[] = { 0, VMM_WRITE, VMM_WRITE | VMM_EXEC,
					VMM_USER | VMM_WRITE, VMM_GLOBAL, VMM_DEVICE,
					VMM_READ | (1u << 8), VMM_READ | (1u << 31) };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = rent(h.t21, 50, bad[i], RENTAL_FOREVER);
		if (!refused_unchanged(d, &r, h.t21, 50, -EINVAL))
			CHECK(!"data rights accepted");
	}
	CHECK_EQ(entry(h.t21, 50), 0);
	/* Those that are fine: R, X, RW, RWX with U, G and DEVICE. */
	static const unsigned good[] = { VMM_READ, VMM_EXEC, VMM_READ | VMM_WRITE,
					 VMM_READ | VMM_WRITE | VMM_EXEC | VMM_USER,
					 VMM_READ | VMM_GLOBAL | VMM_DEVICE,
					 VMM_READ | VMM_WRITE | VMM_ACCESSED | VMM_DIRTY };
	for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct rental g = rent(h.t21, 60 + i, good[i], RENTAL_FOREVER);
		CHECK_EQ(handler_map(d, &g), 0);
		pte_t e = entry(h.t21, 60 + i);
		CHECK(pte_valid(e) && pte_is_leaf(e));
		CHECK_EQ(tablet_entry_rights(e), good[i]);
		CHECK_EQ(handler_unmap(d, &g), 0);
	}
	/* A table rental (no rights, forever) is no good for a data tablet. */
	r = rent(h.t21, 50, 0, RENTAL_FOREVER);
	CHECK(refused_unchanged(d, &r, h.t21, 50, -EINVAL));
	/* VMM_USER alone holds: the entry keeps the page, invalid to the MMU. */
	r = rent(h.t21, 50, VMM_USER | VMM_DIRTY, RENTAL_FOREVER);
	CHECK_EQ(handler_map(d, &r), 0);
	pte_t e = entry(h.t21, 50);
	CHECK(!pte_valid(e) && pte_present(e) && pte_is_leaf(e) && (e & PTE_SW_HELD));
	CHECK_EQ(pte_pa(e), info(d).frame);
	CHECK_EQ(tablet_entry_rights(e), VMM_USER | VMM_DIRTY);
	/* A held entry is in use: nothing else goes there. */
	handler_id other = alloc(TABLET_DATA, 12);
	struct rental ro = rent(h.t21, 50, VMM_READ, RENTAL_FOREVER);
	CHECK(refused_unchanged(other, &ro, h.t21, 50, -EEXIST));
	CHECK_EQ(handler_unmap(d, &r), 0);
	CHECK_EQ(entry(h.t21, 50), 0);
}

/* handler_remap: new rights in place (a hold and back), with the refusals of unmap and map. */
static void remap_in_place(void)
{
	fresh();
	struct hier h;
	build(&h);
	handler_id d = alloc(TABLET_DATA, 12), other = alloc(TABLET_DATA, 12);
	struct rental r = place(d, h.t21, 7, VMM_USER | VMM_READ | VMM_WRITE | VMM_DIRTY,
				RENTAL_FOREVER);
	struct rental ro = place(other, h.t21, 8, VMM_USER | VMM_READ, RENTAL_FOREVER);
	uint64_t table_used = info(h.t21).used;
	struct rental hold = rent(h.t21, 7, VMM_USER | VMM_DIRTY, RENTAL_FOREVER);
	CHECK_EQ(handler_remap(d, &r, &hold), 0);
	pte_t e = entry(h.t21, 7);
	CHECK(!pte_valid(e) && (e & PTE_SW_HELD) && pte_pa(e) == info(d).frame);
	CHECK_EQ(info(d).refs, 1);
	CHECK_EQ(info(h.t21).used, table_used);
	CHECK_EQ(info(d).rental.mac, hold.mac);
	/* The old rental is spent: it neither remaps nor unmaps any more. */
	struct rental back = rent(h.t21, 7, VMM_USER | VMM_READ | VMM_DIRTY, RENTAL_FOREVER);
	CHECK_EQ(handler_remap(d, &r, &back), -ENOENT);
	CHECK_EQ(handler_unmap(d, &r), -ENOENT);
	/* Refused: a forged current rental, a next rental forged, for another entry, or unfit. */
	struct rental forged = hold;
	forged.rights |= VMM_WRITE;
	CHECK_EQ(handler_remap(d, &forged, &back), -EBADMSG);
	forged = back;
	forged.rights |= VMM_WRITE;
	CHECK_EQ(handler_remap(d, &hold, &forged), -EBADMSG);
	struct rental elsewhere = rent(h.t21, 9, VMM_USER | VMM_READ, RENTAL_FOREVER);
	CHECK_EQ(handler_remap(d, &hold, &elsewhere), -EINVAL);
	struct rental unfit = rent(h.t21, 7, VMM_WRITE, RENTAL_FOREVER);
	CHECK_EQ(handler_remap(d, &hold, &unfit), -EINVAL);
	/* Another tablet's rental does not remap this one. */
	CHECK_EQ(handler_remap(d, &ro, &back), -ENOENT);
	CHECK_EQ(entry(h.t21, 7), e);
	/* Back, with the page and its dirty bit. */
	CHECK_EQ(handler_remap(d, &hold, &back), 0);
	e = entry(h.t21, 7);
	CHECK(pte_valid(e) && pte_pa(e) == info(d).frame);
	CHECK_EQ(tablet_entry_rights(e), VMM_USER | VMM_READ | VMM_DIRTY);
	CHECK_EQ(handler_unmap(d, &back), 0);
	CHECK_EQ(nevents, 1);
}

/* Exhaust the frame allocator and every heap size class; give it all back afterwards. */
#define MAX_HOG 40000
static struct {
	paddr_t pa[MAX_HOG];
	unsigned order[MAX_HOG];
	int n;
	void *obj[MAX_HOG];
	int nobj;
} hog;

static void exhaust_memory(void)
{
	paddr_t pa;
	for (int order = FRAME_MAX_ORDER; order >= 0; order--)
		while (hog.n < MAX_HOG && frame_alloc(order, &pa) == 0) {
			hog.pa[hog.n] = pa;
			hog.order[hog.n++] = order;
		}
	for (size_t size = HEAP_MAX_SMALL; size >= HEAP_MIN_SMALL; size /= 2) {
		void *p;
		while (hog.nobj < MAX_HOG && (p = kmalloc(size)))
			hog.obj[hog.nobj++] = p;
	}
	CHECK(hog.n < MAX_HOG && hog.nobj < MAX_HOG);
	CHECK_EQ(free_bytes(), 0);
}

/* Give back N pages of the hogged frames, splitting the smallest hogged block when needed. */
static void release_pages(int n)
{
	while (n-- > 0 && hog.n > 0) {
		int last = hog.n - 1;
		unsigned order = hog.order[last];
		if (order > 0 && hog.n + (1 << order) <= MAX_HOG) {
			CHECK_EQ(frame_split(hog.pa[last], order, 0), 0);
			for (int i = (1 << order) - 1; i >= 0; i--) {
				hog.pa[last + i] = hog.pa[last] + ((paddr_t)i << PAGE_SHIFT);
				hog.order[last + i] = 0;
			}
			hog.n += (1 << order) - 1;
		}
		hog.n--;
		CHECK_EQ(frame_free(hog.pa[hog.n], hog.order[hog.n]), 0);
	}
}

static void release_memory(void)
{
	while (hog.nobj > 0)
		kfree(hog.obj[--hog.nobj]);
	while (hog.n > 0) {
		hog.n--;
		CHECK_EQ(frame_free(hog.pa[hog.n], hog.order[hog.n]), 0);
	}
}

/* With no memory left, a placement that must grow the registry or the expiry log is refused. */
static void map_refuses_without_memory(void)
{
	fresh();
	struct hier h;
	build(&h);
	handler_id d[40];
	for (int i = 0; i < 40; i++)
		d[i] = adopt(FAR_PA + ((paddr_t)i << 12), 12);
	struct rental fin = rent(h.t21, 0, VMM_READ, 100);
	exhaust_memory();
	/* The expiry log is empty and has no room: a finite rental needs memory. */
	CHECK(refused_unchanged(d[0], &fin, h.t21, 0, -ENOMEM));
	/* A rental that never ends needs none: the table holds a place for each child. */
	int i, err = 0;
	unsigned placed = 0;
	struct rental r;
	for (i = 0; i < 40; i++) {
		r = rent(h.t21, i, VMM_READ, RENTAL_FOREVER);
		err = handler_map(d[i], &r);
		if (err)
			break;
		placed++;
	}
	CHECK_EQ(err, 0);
	CHECK_EQ(placed, 40);
	CHECK_EQ(info(h.t21).used, placed);
	CHECK_EQ(tablet_reserve(1, 0), 0);
	CHECK_EQ(tablet_reserve(1, 1), -ENOMEM);
	release_memory();
	/* Reserve room, exhaust again: the reserved placements cannot fail. */
	for (i = 0; i < 40; i++) {
		struct tablet_info di = info(d[i]);
		if (di.refs)
			CHECK_EQ(handler_unmap(d[i], &di.rental), 0);
	}
	CHECK_EQ(info(h.t21).used, 0);
	CHECK_EQ(tablet_reserve(40, 1), 0);
	exhaust_memory();
	for (i = 0; i < 40; i++) {
		struct rental r = rent(h.t21, 100 + i, VMM_READ, 100 + i);
		CHECK_EQ(handler_map(d[i], &r), 0);
	}
	CHECK_EQ(info(h.t21).used, 40);
	CHECK_EQ(tablet_reserve(1000, 1), -ENOMEM);
	tablet_unreserve();
	release_memory();
}

/* ---------------------------------------------------------- placement --- */

/*
 * tablet_place_new and tablet_adopt_at: the contents, the entry, -EEXIST
 * before any allocation, nothing left behind without memory; the rental
 * is signed only when asked for by ID, and an unsigned copy is worthless.
 */
static struct tablet_info seen_info;
static int copy_first(const struct tablet_info *t, void *out)
{
	*(struct tablet_info *)out = *t;
	return 1;
}

/*
 * A tablet the kernel places and takes out alone is never named: no ID is
 * drawn for it, walks and range visits report it as TABLET_UNNAMED, and its
 * segment deletes it by record when it becomes unreachable.  Located, it is
 * named, and from then on found by that ID.
 */
static void unnamed_until_asked(void)
{
	fresh();
	struct hier h;
	build(&h);
	const unsigned urw = VMM_USER | VMM_READ | VMM_WRITE;
	vaddr_t va = VA21 + (5ul << 12), named_va = VA21 + (6ul << 12);
	struct tablet_stats st = stats();
	uint64_t before = free_bytes();
	CHECK_EQ(tablet_place_new(h.t39, va, 12, urw, RENTAL_FOREVER, 0, 0), 0);
	CHECK_EQ(tablet_place_new(h.t39, named_va, 12, urw, RENTAL_FOREVER, 0, 0), 0);
	/* Visited by range, it stays unnamed. */
	CHECK_EQ(tablet_for_each_data(h.t39, va, PAGE_SIZE, copy_first, &seen_info), 1);
	CHECK_EQ(seen_info.id, TABLET_UNNAMED);
	CHECK_EQ(seen_info.va, va);
	/* Cut or not: a page boundary cuts nothing, the middle of a page cannot be asked. */
	CHECK_EQ(tablet_cut_at(h.t39, va), 0);
	CHECK_EQ(tablet_cut_at(h.t39, va + PAGE_SIZE), 0);
	CHECK_EQ(tablet_cut_at(random_u64() | 1, va), -ESRCH);
	/* Located, it is named: found by ID from then on. */
	struct tablet_info where;
	CHECK_EQ(tablet_locate(h.t39, named_va, 12, &where), 0);
	CHECK(where.id != TABLET_UNNAMED);
	CHECK_EQ(info(where.id).frame, where.frame);
	CHECK_EQ(tablet_get_info(TABLET_UNNAMED, &where), -ESRCH);
	/* Both taken out: each handed over and deleted, the unnamed one by record. */
	delete_when_unreachable = 1;
	int first = nevents; /* what was queued before is handed over first */
	CHECK_EQ(tablet_clear(h.t39, va, 2 * PAGE_SIZE), 0);
	/* The two pages, then the two tables they leave empty. */
	CHECK_EQ(nevents - first, 4);
	CHECK_EQ(events[first].info.id, TABLET_UNNAMED);
	CHECK_EQ(events[first].deleted, 0);
	CHECK(events[first + 1].info.id != TABLET_UNNAMED);
	CHECK_EQ(events[first + 1].deleted, 0);
	CHECK_EQ(stats().data_tablets, st.data_tablets);
	CHECK_EQ(stats().tables, st.tables - 2);
	/* Every frame back: the pages', and the two tables' (a table and its child pointers each). */
	CHECK_EQ(free_bytes(), before + 2 * 2 * PAGE_SIZE);
	/* Deleting by a record that is no longer the one handed out finds nothing. */
	CHECK_EQ(tablet_delete_unreachable(&events[first].info), -ESRCH);
	delete_when_unreachable = 0;
}

static void place_new_in_one_step(void)
{
	fresh();
	struct hier h;
	build(&h);
	const unsigned urw = VMM_USER | VMM_READ | VMM_WRITE;
	handler_id src = alloc(TABLET_DATA, 12);
	char *s = tablet_map(src);
	memset(s, 0x5a, PAGE_SIZE);
	vaddr_t va = VA21 + (3ul << 12);
	CHECK_EQ(tablet_place_new(h.t39, va, 12, urw, RENTAL_FOREVER, info(src).frame, 100), 0);
	CHECK(entry(h.t21, 3) != 0);
	struct tablet_info where;
	CHECK_EQ(tablet_locate(h.t39, va, 12, &where), 0);
	CHECK_EQ(where.kind, TABLET_DATA);
	CHECK(where.owns_frames && where.parent == SEG_A);
	const unsigned char *m = phys_to_virt(where.frame);
	int bad = 0;
	for (unsigned i = 0; i < PAGE_SIZE; i++)
		bad += m[i] != (i < 100 ? 0x5a : 0);
	CHECK_EQ(bad, 0);
	/* Taken: refused before anything is allocated (so even with no memory), at any size. */
	uint64_t before = free_bytes();
	struct tablet_stats st = stats();
	exhaust_memory();
	CHECK_EQ(tablet_place_new(h.t39, va, 12, urw, RENTAL_FOREVER, 0, 0), -EEXIST);
	CHECK_EQ(tablet_adopt_at(h.t39, va, FAR_PA, 12, VMM_READ, RENTAL_FOREVER), -EEXIST);
	CHECK_EQ(tablet_place_new(h.t39, VA21, 21, urw, RENTAL_FOREVER, 0, 0), -EEXIST);
	release_memory();
	CHECK_EQ(free_bytes(), before);
	CHECK_EQ(stats().data_tablets, st.data_tablets);
	/* Bad arguments. */
	CHECK_EQ(tablet_place_new(h.t39, va + 8, 12, urw, RENTAL_FOREVER, 0, 0), -EINVAL);
	CHECK_EQ(tablet_place_new(h.t39, va, 13, urw, RENTAL_FOREVER, 0, 0), -EINVAL);
	CHECK_EQ(tablet_place_new(h.t39, va, 12, urw, RENTAL_FOREVER, 0, PAGE_SIZE + 1), -EINVAL);
	CHECK_EQ(tablet_adopt_at(h.t39, va + PAGE_SIZE, FAR_PA + 8, 12, VMM_READ, RENTAL_FOREVER),
		 -EINVAL);
	CHECK_EQ(tablet_place_new(src, va, 12, urw, RENTAL_FOREVER, 0, 0), -ESRCH);
	CHECK_EQ(free_bytes(), before);
	/* An adopted page elsewhere, building the tables on the way. */
	vaddr_t far = slot_va(SLOT) + (100ul << 30) + (5ul << 12);
	CHECK_EQ(tablet_adopt_at(h.t39, far, FAR_PA, 12, VMM_READ, RENTAL_FOREVER), 0);
	CHECK_EQ(tablet_locate(h.t39, far, 12, &where), 0);
	CHECK(where.kind == TABLET_DATA && where.frame == FAR_PA && !where.owns_frames);
	/* No memory: nothing is left, not even the tables built on the way. */
	st = stats();
	exhaust_memory();
	vaddr_t other = slot_va(SLOT) + (200ul << 30);
	CHECK_EQ(tablet_place_new(h.t39, other, 12, urw, RENTAL_FOREVER, 0, 0), -ENOMEM);
	CHECK_EQ(tablet_adopt_at(h.t39, other, FAR_PA, 12, VMM_READ, RENTAL_FOREVER), -ENOMEM);
	CHECK_EQ(stats().tables, st.tables);
	CHECK_EQ(stats().data_tablets, st.data_tablets);
	CHECK_EQ(free_bytes(), 0);
	release_memory();
	/* Located, the rental may be unsigned and unmaps nothing; asked for by ID, it does. */
	CHECK_EQ(tablet_locate(h.t39, va, 12, &where), 0);
	struct rental unsigned_copy = where.rental;
	unsigned_copy.mac = 0;
	CHECK_EQ(handler_unmap(where.id, &unsigned_copy), -EBADMSG);
	struct tablet_info named = info(where.id);
	CHECK(named.rental.mac != 0);
	CHECK_EQ(handler_unmap(where.id, &named.rental), 0);
	CHECK_EQ(entry(h.t21, 3), 0);
}

static void map_writes_entries(void)
{
	fresh();
	struct hier h;
	build(&h);
	/* The root slot and each table pointer: V only, the PPN of the table below. */
	pte_t e = root_entry(h.root, SLOT);
	CHECK(pte_valid(e) && !pte_is_leaf(e));
	CHECK_EQ(pte_pa(e), info(h.t39).frame);
	e = entry(h.t39, I30);
	CHECK(pte_valid(e) && !pte_is_leaf(e) && !(e & (PTE_U | PTE_G | PTE_A | PTE_D)));
	CHECK_EQ(pte_pa(e), info(h.t30).frame);
	e = entry(h.t30, I21);
	CHECK(pte_valid(e) && !pte_is_leaf(e));
	CHECK_EQ(pte_pa(e), info(h.t21).frame);
	CHECK_EQ(info(h.t39).used, 1);
	CHECK_EQ(info(h.t30).used, 1);
	CHECK_EQ(info(h.t21).used, 0);
	CHECK_EQ(info(h.t39).refs, 1);
	CHECK_EQ(info(h.t30).refs, 1);
	CHECK_EQ(info(h.t21).refs, 1);
	/* A 4K owned data tablet, user read-write. */
	handler_id d = alloc(TABLET_DATA, 12);
	struct rental r = place(d, h.t21, 17, VMM_READ | VMM_WRITE | VMM_USER, RENTAL_FOREVER);
	e = entry(h.t21, 17);
	CHECK(pte_valid(e));
	CHECK((e & PTE_R) && (e & PTE_W) && (e & PTE_U) && !(e & PTE_X) && !(e & PTE_G));
	CHECK_EQ(pte_pa(e), info(d).frame);
	struct tablet_info di = info(d);
	CHECK_EQ(di.refs, 1);
	CHECK(rental_eq(&di.rental, &r));
	CHECK_EQ(di.va, VA21 + (17ul << 12));
	CHECK_EQ(info(h.t21).used, 1);
	/* A 2M adopted tablet in the 30-bit table, kernel read-execute. */
	handler_id m = adopt(FAR_PA + (2ul << 21), 21);
	place(m, h.t30, 100, VMM_READ | VMM_EXEC, RENTAL_FOREVER);
	e = entry(h.t30, 100);
	CHECK((e & PTE_V) && (e & PTE_R) && (e & PTE_X) && !(e & PTE_W) && !(e & PTE_U));
	CHECK_EQ(pte_pa(e), FAR_PA + (2ul << 21));
	CHECK_EQ(info(m).va, VA30 + (100ul << 21));
	/* A 1G adopted tablet in the segment table, execute-only, global. */
	handler_id g = adopt(FAR_PA, 30);
	place(g, h.t39, 200, VMM_EXEC | VMM_GLOBAL, RENTAL_FOREVER);
	e = entry(h.t39, 200);
	CHECK((e & PTE_V) && (e & PTE_X) && (e & PTE_G) && !(e & PTE_R) && !(e & PTE_W));
	CHECK_EQ(pte_pa(e), FAR_PA);
	CHECK_EQ(info(g).va, slot_va(SLOT) + (200ul << 30));
	CHECK_EQ(info(h.t39).used, 2);
	CHECK_EQ(info(h.t30).used, 2);
	/* The entry rights read back what was asked. */
	CHECK_EQ(tablet_entry_rights(entry(h.t21, 17)) & VMM_RIGHTS_MASK,
		 VMM_READ | VMM_WRITE | VMM_USER);
	/* tablet_child reports what sits in an entry. */
	struct tablet_info c;
	CHECK_EQ(tablet_child(h.t21, 17, &c), 0);
	CHECK_EQ(c.id, d);
	CHECK_EQ(tablet_child(h.t21, 18, &c), -ENOENT);
	CHECK_EQ(tablet_child(h.t21, 512, &c), -EINVAL);
	CHECK_EQ(tablet_child(d, 0, &c), -EINVAL);
	CHECK_EQ(tablet_child(random_u64() | 1, 0, &c), -ESRCH);
	struct tablet_stats s = stats();
	CHECK_EQ(s.rents, 5);
	CHECK_EQ(s.maps, 5);
	CHECK_EQ(s.refused, 0);
}

static void rent_checks_its_arguments(void)
{
	fresh();
	struct hier h;
	build(&h);
	struct rental r;
	handler_id d = alloc(TABLET_DATA, 12);
	CHECK_EQ(handler_rent(random_u64() | 1, 0, VMM_READ, 10, &r), -ESRCH);
	CHECK_EQ(handler_rent(d, 0, VMM_READ, 10, &r), -EINVAL);
	CHECK_EQ(handler_rent(h.t21, 512, VMM_READ, 10, &r), -EINVAL);
	CHECK_EQ(handler_rent(h.t21, ~0u, VMM_READ, 10, &r), -EINVAL);
	CHECK_EQ(stats().rents, 2);
	r = rent(h.t21, 511, VMM_READ, 10);
	CHECK_EQ(r.version, info(h.t21).version);
	CHECK_EQ(r.frame, info(h.t21).frame);
	CHECK_EQ(r.index, 511);
	CHECK_EQ(r.rights, VMM_READ);
	CHECK_EQ(r.expiry, T0 + 10);
	/* Durations that reach past the end of time are forever. */
	CHECK_EQ(rent(h.t21, 0, VMM_READ, RENTAL_FOREVER).expiry, RENTAL_FOREVER);
	CHECK_EQ(rent(h.t21, 0, VMM_READ, RENTAL_FOREVER - T0).expiry, RENTAL_FOREVER);
	CHECK_EQ(rent(h.t21, 0, VMM_READ, RENTAL_FOREVER - T0 - 1).expiry, RENTAL_FOREVER - 1);
	host_test_time = RENTAL_FOREVER - 5;
	CHECK_EQ(rent(h.t21, 0, VMM_READ, 10).expiry, RENTAL_FOREVER);
	CHECK_EQ(rent(h.t21, 0, VMM_READ, 4).expiry, RENTAL_FOREVER - 1);
}

/* ------------------------------------------------------------- unmap --- */

static void unmap_checks_the_rental(void)
{
	fresh();
	struct hier h;
	build(&h);
	handler_id d = alloc(TABLET_DATA, 12), other = alloc(TABLET_DATA, 12);
	handler_id placed_other = alloc(TABLET_DATA, 12);
	struct rental r = place(d, h.t21, 8, VMM_READ, RENTAL_FOREVER);
	struct rental ro = place(placed_other, h.t21, 9, VMM_READ, RENTAL_FOREVER);
	uint64_t refused0 = stats().refused;
	/* A wrong MAC. */
	struct rental bad = r;
	bad.mac ^= 0x100;
	CHECK_EQ(handler_unmap(d, &bad), -EBADMSG);
	bad = r;
	bad.index = 9;
	CHECK_EQ(handler_unmap(placed_other, &bad), -EBADMSG);
	/* A genuine rental of another entry; another genuine rental of the same entry. */
	struct rental elsewhere = rent(h.t21, 10, VMM_READ, RENTAL_FOREVER);
	CHECK_EQ(handler_unmap(d, &elsewhere), -ENOENT);
	CHECK_EQ(handler_unmap(d, &ro), -ENOENT);
	struct rental same_entry = rent(h.t21, 8, VMM_READ | VMM_WRITE, RENTAL_FOREVER);
	CHECK_EQ(handler_unmap(d, &same_entry), -ENOENT);
	/* The right rental, the wrong tablet: one not placed, one placed elsewhere, the table. */
	CHECK_EQ(handler_unmap(other, &r), -ENOENT);
	CHECK_EQ(handler_unmap(placed_other, &r), -ENOENT);
	CHECK_EQ(handler_unmap(h.t21, &r), -ENOENT);
	CHECK_EQ(handler_unmap(random_u64() | 1, &r), -ENOENT);
	CHECK_EQ(stats().refused, refused0 + 9);
	CHECK_EQ(nevents, 0);
	CHECK_EQ(pte_pa(entry(h.t21, 8)), info(d).frame);
	CHECK_EQ(info(d).refs, 1);
	CHECK_EQ(info(h.t21).used, 2);

	/* Success: entry cleared, refs drop, one event with the tablet's record. */
	struct tablet_info before = info(d);
	CHECK_EQ(handler_unmap(d, &r), 0);
	CHECK_EQ(entry(h.t21, 8), 0);
	CHECK_EQ(info(d).refs, 0);
	CHECK_EQ(info(h.t21).used, 1);
	CHECK_EQ(nevents, 1);
	CHECK(events[0].parent == SEG_A);
	CHECK_EQ(events[0].info.id, d);
	CHECK_EQ(events[0].info.kind, TABLET_DATA);
	CHECK_EQ(events[0].info.size_bits, 12);
	CHECK_EQ(events[0].info.frame, before.frame);
	CHECK_EQ(events[0].info.version, before.version);
	CHECK_EQ(events[0].info.refs, 0);
	CHECK_EQ(events[0].info.owns_frames, 1);
	CHECK_EQ(stats().unmaps, 1);
	/* Once only: a second unmap with the same rental finds nothing. */
	CHECK_EQ(handler_unmap(d, &r), -ENOENT);
	CHECK_EQ(nevents, 1);
	/* The entry is free again, and the rental, still valid, places the tablet again. */
	CHECK_EQ(handler_map(d, &r), 0);
	CHECK_EQ(pte_pa(entry(h.t21, 8)), info(d).frame);
	CHECK_EQ(handler_unmap(d, &r), 0);
	CHECK_EQ(nevents, 2);

	/* A table taken out of the segment table: its subtree stays, it becomes unreachable. */
	CHECK_EQ(handler_unmap(h.t30, &h.r30), 0);
	CHECK_EQ(entry(h.t39, I30), 0);
	CHECK_EQ(nevents, 3);
	CHECK_EQ(events[2].info.id, h.t30);
	CHECK_EQ(events[2].info.kind, TABLET_TABLE);
	CHECK_EQ(events[2].info.used, 1);
	CHECK_EQ(pte_pa(entry(h.t30, I21)), info(h.t21).frame);
	CHECK_EQ(info(h.t21).refs, 1);
	/* The segment's reaction, deleting the tablet from inside the event, is allowed. */
	delete_when_unreachable = 1;
	CHECK_EQ(handler_unmap(placed_other, &ro), 0);
	CHECK_EQ(nevents, 4);
	CHECK_EQ(events[3].deleted, 0);
	CHECK(!exists(placed_other));
	CHECK_EQ(info(h.t21).used, 0);
}

/* ---------------------------------------------------- ids and versions --- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void ids_and_versions(void)
{
	fresh();
	enum { N = 10000 };
	static handler_id ids[N], sorted[N];
	uint64_t last = 0;
	int bad_version = 0, zero = 0;
	for (int i = 0; i < N; i++) {
		/* Tables, owned and adopted data tablets, some deleted at once. */
		if (i % 3 == 0)
			ids[i] = alloc(TABLET_TABLE, 21);
		else if (i % 3 == 1)
			ids[i] = alloc(TABLET_DATA, 12);
		else
			ids[i] = adopt(FAR_PA + ((paddr_t)i << 12), 12);
		zero += ids[i] == 0;
		uint64_t v = info(ids[i]).version;
		bad_version += v <= last;
		last = v;
		if (i % 5 == 0)
			CHECK_EQ(tablet_delete(ids[i]), 0);
	}
	CHECK_EQ(zero, 0);
	CHECK_EQ(bad_version, 0);
	memcpy(sorted, ids, sizeof(ids));
	qsort(sorted, N, sizeof(sorted[0]), cmp_u64);
	int dup = 0;
	for (int i = 1; i < N; i++)
		dup += sorted[i] == sorted[i - 1];
	CHECK_EQ(dup, 0);
	/* Deleted handlers are gone; the others answer. */
	struct tablet_info ti;
	int wrong = 0;
	for (int i = 0; i < N; i++)
		wrong += (tablet_get_info(ids[i], &ti) == 0) != (i % 5 != 0);
	CHECK_EQ(wrong, 0);
	CHECK_EQ(tablet_get_info(0, &ti), -ESRCH);
	CHECK_EQ(tablet_delete(ids[0]), -ESRCH);
	/* IDs use the whole 64 bits: not small counters. */
	int high = 0;
	for (int i = 0; i < N; i++)
		high += ids[i] >> 56 != 0;
	CHECK(high > N / 2);
	/* Versions keep rising after deletions. */
	handler_id t = alloc(TABLET_TABLE, 21);
	CHECK(info(t).version > last);
}

/* ------------------------------------------------------------- delete --- */

static void delete_follows_references(void)
{
	fresh();
	struct hier h;
	build(&h);
	uint64_t start = free_bytes();
	handler_id d = alloc(TABLET_DATA, 21);
	uint64_t after_alloc = free_bytes();
	CHECK(start - after_alloc >= (2ul << 20));
	struct rental r = place(d, h.t30, 3, VMM_READ, RENTAL_FOREVER);
	CHECK_EQ(tablet_delete(d), -EBUSY);
	CHECK_EQ(tablet_delete(h.t21), -EBUSY);  /* placed */
	CHECK_EQ(tablet_delete(h.t39), -EBUSY);  /* attached */
	CHECK_EQ(handler_unmap(d, &r), 0);
	/* A table with used entries, not held by anything. */
	CHECK_EQ(handler_unmap(h.t30, &h.r30), 0);
	CHECK_EQ(tablet_delete(h.t30), -ENOTEMPTY);
	CHECK(exists(h.t30));
	/* Owned frames go back. */
	uint64_t before = free_bytes();
	CHECK_EQ(tablet_delete(d), 0);
	CHECK(!exists(d));
	CHECK(free_bytes() - before >= (2ul << 20) && free_bytes() - before <= (2ul << 20) + PAGE_SIZE);
	CHECK_EQ(tablet_delete(d), -ESRCH);
	/* Bottom up: the leaf table, then the 30-bit one. */
	CHECK_EQ(handler_unmap(h.t21, &h.r21), 0);
	CHECK_EQ(tablet_delete(h.t30), 0);
	CHECK_EQ(tablet_delete(h.t21), 0);
	CHECK_EQ(tablet_detach_root(h.root, SLOT, h.t39), 0);
	CHECK_EQ(tablet_delete(h.t39), 0);
	/* Adopted frames stay allocated to whoever had them (the record's slab page may go back). */
	paddr_t pa;
	CHECK_EQ(frame_alloc(9, &pa), 0);
	handler_id a = adopt(pa, 21);
	CHECK_EQ(info(a).owns_frames, 0);
	before = free_bytes();
	CHECK_EQ(tablet_delete(a), 0);
	CHECK(free_bytes() - before <= PAGE_SIZE);
	CHECK_EQ(frame_block_order(pa), 9);
	CHECK_EQ(frame_free(pa, 9), 0);
	/* Table frames go back too. */
	before = free_bytes();
	handler_id t = alloc(TABLET_TABLE, 30);
	CHECK_EQ(tablet_delete(t), 0);
	CHECK_EQ(free_bytes(), before);
	tablet_root_free(h.root);
	CHECK_EQ(stats().tables, 0);
	CHECK_EQ(stats().data_tablets, 0);
	CHECK_EQ(stats().table_bytes, 0);
	CHECK_EQ(frame_check(), 0);
}

static void alloc_checks_its_arguments(void)
{
	fresh();
	handler_id id = 0;
	CHECK_EQ(tablet_alloc(SEG_A, TABLET_TABLE, 12, &id), -EINVAL);
	CHECK_EQ(tablet_alloc(SEG_A, TABLET_TABLE, 48, &id), -EINVAL);
	CHECK_EQ(tablet_alloc(SEG_A, TABLET_DATA, 39, &id), -EINVAL);
	CHECK_EQ(tablet_alloc(SEG_A, TABLET_DATA, 13, &id), -EINVAL);
	CHECK_EQ(tablet_alloc(SEG_A, TABLET_DATA, 0, &id), -EINVAL);
	CHECK_EQ(tablet_alloc(SEG_A, (enum tablet_kind)7, 21, &id), -EINVAL);
	CHECK_EQ(tablet_adopt(SEG_A, FAR_PA + 4096, 21, &id), -EINVAL);
	CHECK_EQ(tablet_adopt(SEG_A, FAR_PA + 123, 12, &id), -EINVAL);
	CHECK_EQ(tablet_adopt(SEG_A, FAR_PA, 39, &id), -EINVAL);
	CHECK_EQ(id, 0);
	CHECK_EQ(stats().tables + stats().data_tablets, 0);
	/* A 1G data tablet does not fit a 64 MiB arena. */
	uint64_t before = free_bytes();
	CHECK_EQ(tablet_alloc(SEG_A, TABLET_DATA, 30, &id), -ENOMEM);
	CHECK_EQ(free_bytes(), before);
	/* Records: a new table reads as empty; a data tablet's frames are a block of its size. */
	/* Dirty frames the next tables may come from. */
	paddr_t dirty_frames[16];
	for (int i = 0; i < 16; i++) {
		CHECK_EQ(frame_alloc(0, &dirty_frames[i]), 0);
		memset(phys_to_virt(dirty_frames[i]), 0xa5, PAGE_SIZE);
	}
	for (int i = 16; i-- > 0;)
		CHECK_EQ(frame_free(dirty_frames[i], 0), 0);
	for (int i = 0; i < 8; i++) {
		handler_id t = alloc(TABLET_TABLE, i % 2 ? 21 : 39);
		struct tablet_info ti = info(t);
		CHECK_EQ(ti.kind, TABLET_TABLE);
		CHECK_EQ(ti.refs + ti.used, 0);
		CHECK(ti.parent == SEG_A);
		const pte_t *e = phys_to_virt(ti.frame);
		int dirty = 0;
		for (int j = 0; j < 512; j++)
			dirty += e[j] != 0;
		CHECK_EQ(dirty, 0);
	}
	handler_id d = 0;
	CHECK_EQ(tablet_alloc(SEG_B, TABLET_DATA, 21, &d), 0);
	struct tablet_info di = info(d);
	CHECK(di.parent == SEG_B);
	CHECK_EQ(di.size_bits, 21);
	CHECK_EQ(di.owns_frames, 1);
	CHECK_EQ(di.frame % (2ul << 20), 0);
	CHECK_EQ(frame_block_order(di.frame), 9);
	/* tablet_map is the tablet's memory, writable by the segproc. */
	uint8_t *p = tablet_map(d);
	CHECK(p == phys_to_virt(di.frame));
	p[0] = 1;
	p[(2ul << 20) - 1] = 2;
	CHECK_EQ(tablet_unmap(p), 0);
	CHECK(tablet_map(random_u64() | 1) == NULL);
	CHECK_EQ(tablet_unmap(p + 8), -EINVAL);
	CHECK_EQ(tablet_unmap(NULL), -EINVAL);
}

/* ------------------------------------------------------------- locate --- */

static void locate_walks_the_tree(void)
{
	fresh();
	struct hier h;
	build(&h);
	handler_id d = alloc(TABLET_DATA, 12);
	place(d, h.t21, 33, VMM_READ, RENTAL_FOREVER);
	handler_id m = adopt(FAR_PA, 21);
	place(m, h.t30, 44, VMM_READ, RENTAL_FOREVER);
	struct tablet_info li;
	vaddr_t va = VA21 + (33ul << 12) + 0x123;
	/* Stops at the requested size. */
	CHECK_EQ(tablet_locate(h.t39, va, 12, &li), 0);
	CHECK_EQ(li.id, d);
	CHECK_EQ(li.size_bits, 12);
	CHECK_EQ(li.va, VA21 + (33ul << 12));
	CHECK_EQ(tablet_locate(h.t39, va, 21, &li), 0);
	CHECK_EQ(li.id, h.t21);
	CHECK_EQ(li.va, VA21);
	CHECK_EQ(tablet_locate(h.t39, va, 30, &li), 0);
	CHECK_EQ(li.id, h.t30);
	CHECK_EQ(li.va, VA30);
	CHECK_EQ(tablet_locate(h.t39, va, 39, &li), 0);
	CHECK_EQ(li.id, h.t39);
	CHECK_EQ(li.va, slot_va(SLOT));
	/* From a lower top. */
	CHECK_EQ(tablet_locate(h.t21, va, 12, &li), 0);
	CHECK_EQ(li.id, d);
	/* Stops at a data tablet bigger than asked. */
	va = VA30 + (44ul << 21) + 0x5000;
	CHECK_EQ(tablet_locate(h.t39, va, 12, &li), 0);
	CHECK_EQ(li.id, m);
	CHECK_EQ(li.kind, TABLET_DATA);
	CHECK_EQ(li.size_bits, 21);
	CHECK_EQ(li.va, VA30 + (44ul << 21));
	/* Stops at the last table before an empty entry. */
	CHECK_EQ(tablet_locate(h.t39, VA21 + (34ul << 12), 12, &li), 0);
	CHECK_EQ(li.id, h.t21);
	CHECK_EQ(tablet_locate(h.t39, VA30 + (45ul << 21), 12, &li), 0);
	CHECK_EQ(li.id, h.t30);
	CHECK_EQ(li.va, VA30);
	CHECK_EQ(tablet_locate(h.t39, slot_va(SLOT) + (8ul << 30), 12, &li), 0);
	CHECK_EQ(li.id, h.t39);
	/* Only tables are tops. */
	CHECK_EQ(tablet_locate(d, 0, 12, &li), -ESRCH);
	CHECK_EQ(tablet_locate(random_u64() | 1, 0, 12, &li), -ESRCH);
}

/*
 * The same tree assembled from the bottom up, attached last: every tablet
 * reports where it translates once the whole path is in place.
 */
static void va_after_bottom_up_assembly(void)
{
	fresh();
	paddr_t root;
	CHECK_EQ(tablet_root_alloc(&root), 0);
	handler_id t39 = alloc(TABLET_TABLE, 39), t30 = alloc(TABLET_TABLE, 30);
	handler_id t21 = alloc(TABLET_TABLE, 21), d = alloc(TABLET_DATA, 12);
	place(d, t21, 33, VMM_READ, RENTAL_FOREVER);
	place(t21, t30, I21, 0, RENTAL_FOREVER);
	place(t30, t39, I30, 0, RENTAL_FOREVER);
	CHECK_EQ(tablet_attach_root(root, SLOT, t39), 0);
	vaddr_t want = VA21 + (33ul << 12);
	struct tablet_info li;
	CHECK_EQ(tablet_locate(t39, want, 12, &li), 0);
	CHECK_EQ(li.id, d);
	CHECK_EQ(li.va, want);
	CHECK_EQ(info(d).va, want);
	CHECK_EQ(info(t21).va, VA21);
	CHECK_EQ(info(t30).va, VA30);
	/* Moved to another slot (the upper half): everything below moves with it. */
	CHECK_EQ(tablet_detach_root(root, SLOT, t39), 0);
	CHECK_EQ(tablet_attach_root(root, 300, t39), 0);
	vaddr_t base = slot_va(300);
	CHECK_EQ(base, 0xffff960000000000ul);
	CHECK_EQ(info(t39).va, base);
	CHECK_EQ(info(t30).va, base + ((vaddr_t)I30 << 30));
	CHECK_EQ(info(d).va, base + ((vaddr_t)I30 << 30) + ((vaddr_t)I21 << 21) + (33ul << 12));
}

/* -------------------------------------------------------------- split --- */

/* Grow the registry's maps to hold a split's pieces first: they do not shrink. */
static void grow_registry(void)
{
	static handler_id warm[1100];
	for (int i = 0; i < 1100; i++)
		warm[i] = adopt(FAR_PA, 12);
	for (int i = 0; i < 1100; i++)
		CHECK_EQ(tablet_delete(warm[i]), 0);
}

static void split_into_pieces(void)
{
	fresh();
	struct hier h;
	build(&h);
	grow_registry();
	uint64_t start = free_bytes();
	handler_id big = alloc(TABLET_DATA, 21);
	struct tablet_info bi = info(big);
	static handler_id pieces[TABLET_ENTRIES];
	/* Not while placed. */
	struct rental r = place(big, h.t30, 1, VMM_READ, RENTAL_FOREVER);
	CHECK_EQ(tablet_split(big, pieces), -EBUSY);
	CHECK_EQ(handler_unmap(big, &r), 0);
	/* Not a 4K tablet, nor a table, nor an unknown one. */
	handler_id small = alloc(TABLET_DATA, 12);
	CHECK_EQ(tablet_split(small, pieces), -EINVAL);
	CHECK_EQ(tablet_split(h.t21, pieces), -EINVAL);
	CHECK_EQ(tablet_split(random_u64() | 1, pieces), -ESRCH);
	CHECK_EQ(tablet_delete(small), 0);
	uint64_t data0 = stats().data_tablets;
	CHECK_EQ(tablet_split(big, pieces), 0);
	/* The split tablet is retired: nobody can use it. */
	CHECK(!exists(big));
	CHECK_EQ(tablet_delete(big), -ESRCH);
	CHECK_EQ(tablet_split(big, pieces), -ESRCH);
	CHECK(tablet_map(big) == NULL);
	CHECK_EQ(handler_map(big, &r), -ESRCH);
	tablet_split_commit(big);
	CHECK_EQ(stats().data_tablets, data0 - 1 + 512);
	int bad = 0;
	for (int i = 0; i < 512; i++) {
		struct tablet_info pi = info(pieces[i]);
		bad += pi.kind != TABLET_DATA || pi.size_bits != 12 ||
		       pi.frame != bi.frame + ((paddr_t)i << 12) || !pi.owns_frames ||
		       pi.refs != 0 || pi.parent != SEG_A || pi.version <= bi.version ||
		       pieces[i] == 0 || pieces[i] == big;
		for (int j = 0; j < i; j++)
			bad += pieces[j] == pieces[i];
	}
	CHECK_EQ(bad, 0);
	/* A piece is placeable on its own. */
	struct rental pr = place(pieces[7], h.t21, 7, VMM_READ | VMM_WRITE, RENTAL_FOREVER);
	CHECK_EQ(pte_pa(entry(h.t21, 7)), bi.frame + (7ul << 12));
	CHECK_EQ(tablet_delete(pieces[7]), -EBUSY);
	CHECK_EQ(handler_unmap(pieces[7], &pr), 0);
	/* Each piece frees its own frame. */
	for (int i = 0; i < 512; i++) {
		uint64_t before = free_bytes();
		CHECK_EQ(tablet_delete(pieces[i]), 0);
		if (free_bytes() < before + PAGE_SIZE) {
			CHECK(!"a piece did not free its frame");
			break;
		}
	}
	CHECK_EQ(free_bytes(), start);
	CHECK_EQ(frame_check(), 0);

	/* Adopted memory splits into pieces that own nothing. */
	handler_id far = adopt(FAR_PA, 30);
	CHECK_EQ(tablet_split(far, pieces), 0);
	tablet_split_commit(far);
	struct tablet_info last = info(pieces[511]);
	CHECK_EQ(last.size_bits, 21);
	CHECK_EQ(last.frame, FAR_PA + (511ul << 21));
	CHECK_EQ(last.owns_frames, 0);
	/* A piece splits again. */
	static handler_id small_pieces[TABLET_ENTRIES];
	CHECK_EQ(tablet_split(pieces[3], small_pieces), 0);
	tablet_split_commit(pieces[3]);
	CHECK(!exists(pieces[3]));
	CHECK_EQ(info(small_pieces[5]).frame, FAR_PA + (3ul << 21) + (5ul << 12));
	CHECK_EQ(info(small_pieces[5]).size_bits, 12);
	CHECK_EQ(tablet_split(small_pieces[5], pieces), -EINVAL);
	uint64_t before = free_bytes();
	for (int i = 0; i < 512; i++) {
		if (i != 3)
			CHECK_EQ(tablet_delete(pieces[i]), 0);
		CHECK_EQ(tablet_delete(small_pieces[i]), 0);
	}
	CHECK(free_bytes() >= before); /* heap slabs may come back; no frame is freed */
	CHECK_EQ(frame_check(), 0);
}

static void split_without_memory_changes_nothing(void)
{
	fresh();
	grow_registry();
	handler_id big = alloc(TABLET_DATA, 21);
	struct tablet_info bi = info(big);
	static handler_id pieces[TABLET_ENTRIES];
	/* No memory at all, then a little: the split fails at its first piece or part-way. */
	static const int leave[] = { 0, 1, 3, 8 };
	for (unsigned k = 0; k < sizeof(leave) / sizeof(leave[0]); k++) {
		exhaust_memory();
		release_pages(leave[k]);
		CHECK_EQ(free_bytes(), leave[k] * PAGE_SIZE);
		struct tablet_stats s0 = stats();
		CHECK_EQ(tablet_split(big, pieces), -ENOMEM);
		struct tablet_info now;
		CHECK_EQ(tablet_get_info(big, &now), 0);
		CHECK(info_eq(&now, &bi));
		CHECK_EQ(stats().data_tablets, s0.data_tablets);
		CHECK_EQ(frame_block_order(bi.frame), 9);
		release_memory();
		CHECK_EQ(frame_check(), 0);
	}
	uint64_t before = free_bytes();
	CHECK_EQ(tablet_split(big, pieces), 0);
	tablet_split_commit(big);
	for (int i = 0; i < 512; i++)
		CHECK_EQ(tablet_delete(pieces[i]), 0);
	/* The frames come back; so may the slab page of the split tablet's record. */
	CHECK(free_bytes() >= before + (2ul << 20) && free_bytes() <= before + (2ul << 20) + PAGE_SIZE);
	CHECK_EQ(frame_block_order(bi.frame), -EINVAL);
}

/* Until it is committed, a split can be undone: the tablet comes back as it was. */
static void split_undo_restores(void)
{
	fresh();
	struct hier h;
	build(&h);
	uint64_t start = free_bytes();
	struct tablet_stats s0 = stats();
	handler_id big = alloc(TABLET_DATA, 21);
	struct tablet_info bi = info(big);
	static handler_id pieces[TABLET_ENTRIES], copy[TABLET_ENTRIES];
	CHECK_EQ(tablet_split(big, pieces), 0);
	CHECK_EQ(frame_block_order(bi.frame), 0);
	/* Not while a piece is placed. */
	struct rental r = place(pieces[9], h.t21, 9, VMM_READ, RENTAL_FOREVER);
	CHECK_EQ(tablet_split_undo(big, pieces), -EBUSY);
	CHECK(exists(pieces[9]) && !exists(big));
	CHECK_EQ(handler_unmap(pieces[9], &r), 0);
	/* Only with its own pieces: not one of them twice, not another tablet, not another's ID. */
	memcpy(copy, pieces, sizeof(copy));
	copy[1] = copy[0];
	CHECK(tablet_split_undo(big, copy) < 0);
	handler_id stranger = alloc(TABLET_DATA, 12);
	memcpy(copy, pieces, sizeof(copy));
	copy[100] = stranger;
	CHECK(tablet_split_undo(big, copy) < 0);
	CHECK(exists(stranger));
	CHECK_EQ(tablet_split_undo(pieces[0], pieces), -ESRCH);
	CHECK_EQ(tablet_split_undo(random_u64() | 1, pieces), -ESRCH);
	int missing = 0;
	for (int i = 0; i < 512; i++)
		missing += !exists(pieces[i]);
	CHECK_EQ(missing, 0);
	CHECK(!exists(big));
	/* Undone: the pieces are gone, the tablet is back whole and owns its block again. */
	CHECK_EQ(tablet_split_undo(big, pieces), 0);
	struct tablet_info now;
	CHECK_EQ(tablet_get_info(big, &now), 0);
	CHECK(info_eq(&now, &bi));
	CHECK_EQ(frame_block_order(bi.frame), 9);
	for (int i = 0; i < 512; i++)
		missing += exists(pieces[i]);
	CHECK_EQ(missing, 0);
	CHECK_EQ(tablet_split_undo(big, pieces), -ESRCH); /* nothing to undo any more */
	place(big, h.t30, 2, VMM_READ, RENTAL_FOREVER);
	CHECK_EQ(pte_pa(entry(h.t30, 2)), bi.frame);
	/* Commit after undo changes nothing; a second split and commit, then all is freed. */
	tablet_split_commit(big);
	CHECK(exists(big));
	struct tablet_info placed_info = info(big);
	CHECK_EQ(handler_unmap(big, &placed_info.rental), 0);
	CHECK_EQ(tablet_split(big, pieces), 0);
	tablet_split_commit(big);
	CHECK_EQ(tablet_split_undo(big, pieces), -ESRCH);
	for (int i = 0; i < 512; i++)
		CHECK_EQ(tablet_delete(pieces[i]), 0);
	CHECK_EQ(tablet_delete(stranger), 0);
	CHECK_EQ(free_bytes(), start);
	CHECK_EQ(stats().data_tablets, s0.data_tablets);
	CHECK_EQ(stats().metadata_bytes, s0.metadata_bytes);
	CHECK_EQ(frame_check(), 0);
}

/*
 * A piece deleted (its frame freed) and the frame handed to another tablet:
 * undoing the split must not give the whole tablet back over that frame.
 */
static void split_undo_refuses_after_a_piece_went(void)
{
	fresh();
	handler_id big = alloc(TABLET_DATA, 21);
	paddr_t frame = info(big).frame;
	static handler_id pieces[TABLET_ENTRIES];
	CHECK_EQ(tablet_split(big, pieces), 0);
	CHECK_EQ(tablet_delete(pieces[5]), 0);
	CHECK(tablet_split_undo(big, pieces) < 0);
	/* The freed frame now belongs to another tablet of another segment. */
	handler_id other = 0;
	for (int i = 0; i < 64 && !other; i++) {
		handler_id t = 0;
		CHECK_EQ(tablet_alloc(SEG_B, TABLET_DATA, 12, &t), 0);
		if (info(t).frame == frame + (5ul << 12))
			other = t;
	}
	CHECK(other != 0);
	pieces[5] = other;
	CHECK(tablet_split_undo(big, pieces) < 0);
	CHECK(exists(other));
	CHECK(!exists(big));
	CHECK_EQ(frame_block_order(frame), 0);
}

/* ------------------------------------------------------------- expiry --- */

static void expiry_evicts_exactly_the_expired(void)
{
	fresh();
	struct hier h;
	build(&h);
	enum { N = 64 };
	handler_id d[N];
	struct rental r[N];
	uint64_t dur[N];
	/* Durations in a scrambled order, some equal, a few forever. */
	for (int i = 0; i < N; i++) {
		d[i] = alloc(TABLET_DATA, 12);
		dur[i] = i % 9 == 4 ? RENTAL_FOREVER : 10 + (uint64_t)((i * 37) % N) * 10;
		r[i] = place(d[i], h.t21, i, VMM_READ, dur[i]);
	}
	CHECK_EQ(info(h.t21).used, N);
	/* Some leave early; one leaves and comes back with a new, longer rental. */
	CHECK_EQ(handler_unmap(d[1], &r[1]), 0);
	CHECK_EQ(handler_unmap(d[2], &r[2]), 0);
	struct rental longer = rent(h.t21, 2, VMM_READ, 100000);
	CHECK_EQ(handler_map(d[2], &longer), 0);
	/* d[2] is held again before anyone asked: only d[1] is still unreachable. */
	CHECK_EQ(nevents, 1);
	CHECK_EQ(events[0].info.id, d[1]);
	event_count = 0;
	uint64_t expired0 = stats().expired;
	/* Nothing has ended before the first expiry. */
	expire_and_deliver(T0);
	CHECK_EQ(nevents, 0);
	uint64_t expected_expired = 0;
	for (uint64_t now = T0 + 5; now <= T0 + 10 * N + 50; now += 45) {
		host_test_time = now;
		expire_and_deliver(now);
		int wrong = 0;
		for (int i = 0; i < N; i++) {
			int should_be_placed = i == 2 || (i != 1 && T0 + dur[i] > now) ||
					       dur[i] == RENTAL_FOREVER;
			wrong += (info(d[i]).refs == 1) != should_be_placed;
			wrong += pte_valid(entry(h.t21, i)) != should_be_placed;
		}
		CHECK_EQ(wrong, 0);
	}
	for (int i = 0; i < N; i++)
		expected_expired += i != 1 && i != 2 && dur[i] != RENTAL_FOREVER;
	CHECK_EQ(stats().expired - expired0, expected_expired);
	CHECK_EQ((uint64_t)nevents, expected_expired);
	/* Each event once, for a tablet whose rental ended. */
	int wrong = 0;
	for (int e = 0; e < nevents; e++) {
		int i = 0;
		while (i < N && d[i] != events[e].info.id)
			i++;
		wrong += i == N || i == 1 || i == 2 || dur[i] == RENTAL_FOREVER ||
			 events[e].info.refs != 0 || events[e].parent != SEG_A;
		for (int f = 0; f < e; f++)
			wrong += events[f].info.id == events[e].info.id;
	}
	CHECK_EQ(wrong, 0);
	/* The re-placed one goes at its new expiry. */
	CHECK_EQ(info(d[2]).refs, 1);
	expire_and_deliver(T0 + 100000);
	CHECK_EQ(info(d[2]).refs, 0);
	CHECK_EQ(stats().expired - expired0, expected_expired + 1);
	/* An expired mapping's rental no longer places or unmaps anything. */
	CHECK_EQ(handler_map(d[0], &r[0]), -ETIME);
	CHECK_EQ(handler_unmap(d[0], &r[0]), -ENOENT);
	/* Forever stays. */
	expire_and_deliver(RENTAL_FOREVER - 1);
	CHECK_EQ(info(d[4]).refs, 1);
}

/* The order of insertion does not matter, and the segment may delete what expired. */
static void expiry_in_any_order(void)
{
	fresh();
	struct hier h;
	build(&h);
	enum { N = 200 };
	static handler_id d[N];
	static uint64_t end[N];
	uint64_t seed = 12345;
	for (int i = 0; i < N; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		uint64_t dur = 1 + (seed >> 33) % 1000;
		d[i] = adopt(FAR_PA + ((paddr_t)i << 12), 12);
		place(d[i], h.t21, i, VMM_READ, dur);
		end[i] = host_test_time + dur;
		/* Time moves on while rentals are placed. */
		if (i % 10 == 9)
			host_test_time += 3;
	}
	delete_when_unreachable = 1;
	for (uint64_t now = T0; now < T0 + 1100; now += 7) {
		expire_and_deliver(now);
		int wrong = 0;
		for (int i = 0; i < N; i++)
			wrong += exists(d[i]) != (end[i] > now);
		if (wrong) {
			CHECK(!"expiry evicted the wrong rentals");
			break;
		}
	}
	CHECK_EQ(nevents, N);
	int not_deleted = 0;
	for (int e = 0; e < nevents; e++)
		not_deleted += events[e].deleted != 0;
	CHECK_EQ(not_deleted, 0);
	CHECK_EQ(info(h.t21).used, 0);
	CHECK_EQ(stats().expired, N);
	CHECK_EQ(stats().data_tablets, 0);
}

/*
 * The segment may place an expired tablet again from inside the event, with
 * a new finite rental: the expiry log grows (and moves) during the drain.
 */
static void expiry_event_may_place_again(void)
{
	fresh();
	struct hier h;
	build(&h);
	enum { N = 200 };
	static handler_id d[N];
	for (int i = 0; i < N; i++) {
		d[i] = adopt(FAR_PA + ((paddr_t)i << 12), 12);
		place(d[i], h.t21, i, VMM_READ, 10);
	}
	host_test_time = T0 + 10;
	replace_in_table = h.t21;
	replace_duration = 1000;
	expire_and_deliver(T0 + 10);
	CHECK_EQ(nevents, N);
	int wrong = 0;
	for (int i = 0; i < N; i++) {
		struct tablet_info di = info(d[i]);
		wrong += events[i].deleted != 0 || di.refs != 1 || di.rental.index != 256u + i ||
			 di.rental.expiry != T0 + 1010 || entry(h.t21, i) != 0 ||
			 pte_pa(entry(h.t21, 256 + i)) != di.frame;
	}
	CHECK_EQ(wrong, 0);
	CHECK_EQ(stats().expired, N);
	/* The second rentals end in their turn; nothing is placed again (index >= 256). */
	expire_and_deliver(T0 + 1009);
	CHECK_EQ(info(h.t21).used, N);
	expire_and_deliver(T0 + 1010);
	CHECK_EQ(info(h.t21).used, 0);
	CHECK_EQ(nevents, 2 * N);
	CHECK_EQ(stats().expired, 2 * N);
}

/*
 * An expired rental leaves the tables above it placed and empty; clearing
 * the range (a segment being destroyed) must take them out too, or the
 * segment's top stays in use and nothing frees it or them.
 */
static void clear_takes_out_tables_left_empty(void)
{
	fresh();
	struct hier h;
	build(&h);
	handler_id d = adopt(FAR_PA, 12), kept = adopt(FAR_PA + 4096, 12);
	place(d, h.t21, 3, VMM_READ, 10);
	delete_when_unreachable = 1;
	expire_and_deliver(T0 + 10);
	CHECK(!exists(d));
	CHECK_EQ(info(h.t21).used, 0);
	CHECK_EQ(info(h.t39).used, 1);
	/* A table partly outside the range stays; one holding something is walked into. */
	handler_id t30b = alloc(TABLET_TABLE, 30);
	place(t30b, h.t39, I30 + 1, 0, RENTAL_FOREVER);
	handler_id t21b = alloc(TABLET_TABLE, 21);
	place(t21b, t30b, 0, 0, RENTAL_FOREVER);
	place(kept, t21b, 0, VMM_READ, RENTAL_FOREVER);
	handler_id t21c = alloc(TABLET_TABLE, 21);
	place(t21c, t30b, 1, 0, RENTAL_FOREVER);
	uint64_t tables0 = stats().tables;
	CHECK_EQ(tablet_clear(h.t39, VA30, (1ul << 30) + (1ul << 21) + 4096), 0);
	drain_unreachable();
	/* The 2 MiB and 1 GiB tables of the expired page, and KEPT's 2 MiB table with it. */
	CHECK(!exists(h.t21));
	CHECK(!exists(h.t30));
	CHECK(!exists(kept));
	CHECK(!exists(t21b));
	CHECK(exists(t21c));
	CHECK_EQ(stats().tables, tables0 - 3);
	CHECK_EQ(info(t30b).used, 1);
	CHECK_EQ(info(h.t39).used, 1);
	/* The rest of the segment: the top is empty and can go. */
	CHECK_EQ(tablet_clear(h.t39, slot_va(SLOT), 1ul << 39), 0);
	drain_unreachable();
	CHECK_EQ(info(h.t39).used, 0);
	CHECK_EQ(tablet_detach_root(h.root, SLOT, h.t39), 0);
	CHECK_EQ(tablet_delete(h.t39), 0);
	CHECK_EQ(stats().tables, 0);
}

/* --------------------------------------------------------- root slots --- */

/* Map/unmap loops with long rentals leave stale log entries: the log must stay bounded. */
static void expiry_log_stays_bounded(void)
{
	fresh();
	struct hier h;
	build(&h);
	handler_id d = alloc(TABLET_DATA, 12), keep = alloc(TABLET_DATA, 12);
	/* One rental that stays mapped all along must still expire on time. */
	struct rental kept = place(keep, h.t21, 1, VMM_READ, 500);
	uint64_t meta0 = stats().metadata_bytes;
	for (int i = 0; i < 100000; i++) {
		struct rental r = rent(h.t21, 0, VMM_READ, 1000000);
		CHECK_EQ(handler_map(d, &r), 0);
		CHECK_EQ(handler_unmap(d, &r), 0);
	}
	/* 100,000 stale entries of 24 bytes would be 2.4 MB. */
	CHECK(stats().metadata_bytes < meta0 + 64 * 1024);
	host_test_time += 501;
	expire_and_deliver(host_test_time);
	CHECK_EQ(info(keep).refs, 0);
	CHECK(!(entry(h.t21, 1) & PTE_V));
	(void)kept;
}

/* A user-accessible leaf may not go into the kernel half, whoever rented the entry. */
static void map_refuses_user_leaf_in_kernel_half(void)
{
	fresh();
	paddr_t root;
	CHECK_EQ(tablet_root_alloc(&root), 0);
	handler_id t39 = alloc(TABLET_TABLE, 39), t30 = alloc(TABLET_TABLE, 30);
	CHECK_EQ(tablet_attach_root(root, 300, t39), 0);
	place(t30, t39, 0, 0, RENTAL_FOREVER);
	handler_id big = alloc(TABLET_DATA, 21);
	struct rental r = rent(t30, 3, VMM_READ | VMM_USER, RENTAL_FOREVER);
	CHECK_EQ(handler_map(big, &r), -EINVAL);
	r = rent(t30, 3, VMM_READ, RENTAL_FOREVER);
	CHECK_EQ(handler_map(big, &r), 0);
}

static void root_attach_and_detach(void)
{
	fresh();
	paddr_t root, root2;
	CHECK_EQ(tablet_root_alloc(&root), 0);
	CHECK_EQ(tablet_root_alloc(&root2), 0);
	handler_id seg = alloc(TABLET_TABLE, 39), seg2 = alloc(TABLET_TABLE, 39);
	handler_id t30 = alloc(TABLET_TABLE, 30), d = alloc(TABLET_DATA, 12);
	CHECK_EQ(tablet_attach_root(root, 1, t30), -EINVAL);
	CHECK_EQ(tablet_attach_root(root, 1, d), -EINVAL);
	CHECK_EQ(tablet_attach_root(root, 512, seg), -EINVAL);
	CHECK_EQ(tablet_attach_root(root, 1, random_u64() | 1), -ESRCH);
	CHECK_EQ(root_entry(root, 1), 0);
	CHECK_EQ(tablet_attach_root(root, 1, seg), 0);
	pte_t e = root_entry(root, 1);
	CHECK(pte_valid(e) && !pte_is_leaf(e) && !(e & PTE_U));
	CHECK_EQ(pte_pa(e), info(seg).frame);
	CHECK_EQ(info(seg).refs, 1);
	CHECK_EQ(info(seg).va, slot_va(1));
	CHECK_EQ(tablet_attach_root(root, 1, seg2), -EEXIST);
	CHECK_EQ(tablet_attach_root(root, 1, seg), -EEXIST);
	CHECK_EQ(info(seg2).refs, 0);
	/* Shared by a second space at the same slot. */
	CHECK_EQ(tablet_attach_root(root2, 1, seg), 0);
	CHECK_EQ(info(seg).refs, 2);
	/* Detach: the wrong top, an empty slot, a bad slot. */
	CHECK_EQ(tablet_detach_root(root, 1, seg2), -ENOENT);
	CHECK_EQ(tablet_detach_root(root, 2, seg), -ENOENT);
	CHECK_EQ(tablet_detach_root(root, 1 + 512, seg), -ENOENT);
	CHECK_EQ(tablet_detach_root(root, 1, random_u64() | 1), -ENOENT);
	CHECK(pte_valid(root_entry(root, 1)));
	CHECK_EQ(tablet_delete(seg), -EBUSY);
	CHECK_EQ(tablet_detach_root(root, 1, seg), 0);
	CHECK_EQ(root_entry(root, 1), 0);
	CHECK_EQ(info(seg).refs, 1);
	CHECK_EQ(nevents, 0);
	CHECK_EQ(tablet_detach_root(root, 1, seg), -ENOENT);
	CHECK_EQ(tablet_detach_root(root2, 1, seg), 0);
	CHECK_EQ(nevents, 1);
	CHECK_EQ(events[0].info.id, seg);
	CHECK_EQ(events[0].info.refs, 0);
	CHECK_EQ(events[0].info.size_bits, 39);
	CHECK_EQ(tablet_delete(seg), 0);
	/* The last slot, upper half. */
	CHECK_EQ(tablet_attach_root(root, 511, seg2), 0);
	CHECK_EQ(info(seg2).va, 0xffffff8000000000ul);
	CHECK_EQ(tablet_detach_root(root, 511, seg2), 0);
	tablet_root_free(root);
	tablet_root_free(root2);
}

/* -------------------------------------------------------------- stats --- */

static void stats_count(void)
{
	fresh();
	struct tablet_stats s = stats();
	CHECK_EQ(s.table_bytes, 0);
	CHECK_EQ(s.tables + s.data_tablets + s.rents + s.maps + s.unmaps + s.refused + s.expired, 0);
	uint64_t meta0 = s.metadata_bytes;
	struct hier h;
	build(&h); /* a root, three tables, two placements */
	s = stats();
	CHECK_EQ(s.table_bytes, 4 * PAGE_SIZE);
	CHECK_EQ(s.tables, 3);
	CHECK_EQ(s.data_tablets, 0);
	CHECK_EQ(s.rents, 2);
	CHECK_EQ(s.maps, 2);
	CHECK(s.metadata_bytes > meta0);
	uint64_t meta1 = s.metadata_bytes;
	handler_id d = alloc(TABLET_DATA, 12);
	handler_id a = adopt(FAR_PA, 21);
	s = stats();
	CHECK_EQ(s.data_tablets, 2);
	CHECK_EQ(s.table_bytes, 4 * PAGE_SIZE); /* data is not table memory */
	uint64_t per_record = (s.metadata_bytes - meta1) / 2;
	CHECK(per_record >= sizeof(struct tablet_info) / 2);
	struct rental r = place(d, h.t21, 0, VMM_READ, 10);
	struct rental bad = r;
	bad.rights = VMM_READ | VMM_WRITE;
	CHECK_EQ(handler_map(a, &bad), -EBADMSG);
	CHECK_EQ(handler_unmap(a, &bad), -EBADMSG);
	s = stats();
	CHECK_EQ(s.rents, 3);
	CHECK_EQ(s.maps, 3);
	CHECK_EQ(s.refused, 2);
	CHECK(s.metadata_bytes > meta1 + 2 * per_record - 1); /* the expiry log now holds memory */
	expire_and_deliver(T0 + 10);
	s = stats();
	CHECK_EQ(s.expired, 1);
	CHECK_EQ(s.unmaps, 1);
	uint64_t meta2 = s.metadata_bytes;
	CHECK_EQ(tablet_delete(d), 0);
	CHECK_EQ(tablet_delete(a), 0);
	s = stats();
	CHECK_EQ(s.data_tablets, 0);
	CHECK_EQ(s.metadata_bytes, meta2 - 2 * per_record);
	handler_id t = alloc(TABLET_TABLE, 21);
	CHECK_EQ(stats().table_bytes, 5 * PAGE_SIZE);
	CHECK_EQ(tablet_delete(t), 0);
	paddr_t root2;
	CHECK_EQ(tablet_root_alloc(&root2), 0);
	CHECK_EQ(stats().table_bytes, 5 * PAGE_SIZE);
	tablet_root_free(root2);
	CHECK_EQ(stats().table_bytes, 4 * PAGE_SIZE);
	/* tablet_now is the clock. */
	host_test_time = 4242;
	CHECK_EQ(tablet_now(), 4242);
}

int main(void)
{
	RUN(map_writes_entries);
	RUN(place_new_in_one_step);
	RUN(unnamed_until_asked);
	RUN(rent_checks_its_arguments);
	RUN(alloc_checks_its_arguments);
	RUN(map_refuses_forged_rentals);
	RUN(rentals_sign_their_fields);
	RUN(map_refuses_expired);
	RUN(map_refuses_stale_version);
	RUN(map_refuses_entry_in_use);
	RUN(map_refuses_size_mismatch);
	RUN(map_refuses_unknown_and_busy_self);
	RUN(map_refuses_unfit_rights);
	RUN(remap_in_place);
	RUN(map_refuses_user_leaf_in_kernel_half);
	RUN(expiry_log_stays_bounded);
	RUN(clear_takes_out_tables_left_empty);
	RUN(map_refuses_without_memory);
	RUN(unmap_checks_the_rental);
	RUN(ids_and_versions);
	RUN(delete_follows_references);
	RUN(locate_walks_the_tree);
	RUN(va_after_bottom_up_assembly);
	RUN(split_into_pieces);
	RUN(split_without_memory_changes_nothing);
	RUN(split_undo_restores);
	RUN(split_undo_refuses_after_a_piece_went);
	RUN(expiry_evicts_exactly_the_expired);
	RUN(expiry_in_any_order);
	RUN(expiry_event_may_place_again);
	RUN(root_attach_and_detach);
	RUN(stats_count);
	CHECK_EXIT();
}
