/*
 * libFuzzer: nobody places a tablet with a rental the kernel did not issue.
 *
 * One small hierarchy is built once on a host arena (root, 39-bit segment
 * table, 30-bit and 21-bit tables, placed and unplaced tablets of every
 * kind and size), and rentals are issued for it with handler_rent: good
 * ones, finite ones, an expired one and stale ones (their table deleted, its
 * frame then reused by a new table).  Each input picks one issued rental and
 * one tablet, mutates the rental (bits flipped, fields overwritten, xored,
 * nudged or copied from another issued rental, the whole struct replaced by
 * input bytes) and calls handler_map, or handler_unmap for a placed tablet.
 * The property:
 *
 *   handler_map and handler_unmap return 0 only for a rental bit-identical
 *   (all six fields) to one handler_rent issued that is still good (neither
 *   stale nor expired); handler_unmap only with the rental the tablet holds.
 *
 * A success is undone (unmap, or map back) so every input meets the same
 * state; a violation aborts, which libFuzzer reports as a crash.
 *
 * tablet/rental.c is compiled without comparison tracing (tests/host/host.mk):
 * tracing its MAC comparison would hand the expected MAC to the fuzzer, an
 * oracle no attacker has, and every "forgery" found that way would be false.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kernel/error.h"
#include "kernel/frame.h"
#include "kernel/heap.h"
#include "kernel/random.h"
#include "tablet/tablet.h"
#include "tests/fuzz/fuzz_input.h"

#define ARENA (64ul << 20)
#define FAKE_BASE 0x80000000ul
#define FAR_PA 0x4000000000ul /* adopted memory outside the arena, never touched */
#define NOW 1000000ul         /* the clock, fixed */

extern uint64_t host_test_time;

/* ------------------------------------------------------------- state --- */

#define MAX_ISSUED 64
static struct issued {
	struct rental r;
	int good; /* neither stale nor expired: the only rentals that may be accepted */
} issued[MAX_ISSUED];
static unsigned nissued;

/* Tablets handler_map is tried with: unplaced ones of each kind and size, placed ones, unknown IDs. */
#define MAX_SELVES 24
static handler_id selves[MAX_SELVES];
static unsigned nselves;

/* Placed tablets and the rental each holds, for handler_unmap. */
#define MAX_PLACED 8
static struct {
	handler_id id;
	struct rental r;
} placed[MAX_PLACED];
static unsigned nplaced;

static uint64_t finite_successes;

static void fail(const char *what)
{
	fprintf(stderr, "rental_fuzz: %s\n", what);
	abort();
}

static handler_id must_alloc(enum tablet_kind kind, unsigned bits)
{
	handler_id id;
	if (tablet_alloc(NULL, kind, bits, &id) != 0)
		fail("setup: tablet_alloc");
	return id;
}

static handler_id must_adopt(paddr_t pa, unsigned bits)
{
	handler_id id;
	if (tablet_adopt(NULL, pa, bits, &id) != 0)
		fail("setup: tablet_adopt");
	return id;
}

static void add_self(handler_id id)
{
	if (nselves == MAX_SELVES)
		fail("setup: too many tablets");
	selves[nselves++] = id;
}

static struct rental issue(handler_id table, unsigned index, unsigned rights, uint64_t duration)
{
	struct rental r;
	if (handler_rent(table, index, rights, duration, &r) != 0)
		fail("setup: handler_rent");
	if (nissued == MAX_ISSUED)
		fail("setup: too many rentals");
	issued[nissued++] = (struct issued){ r, 1 };
	return r;
}

/* Mark the rentals of the table at FRAME with VERSION stale (the table is gone). */
static void mark_stale(paddr_t frame, uint64_t version)
{
	for (unsigned i = 0; i < nissued; i++)
		if (issued[i].r.frame == frame && issued[i].r.version == version)
			issued[i].good = 0;
}

static void place(handler_id self, handler_id table, unsigned index, unsigned rights)
{
	struct rental r = issue(table, index, rights, RENTAL_FOREVER);
	if (handler_map(self, &r) != 0 || nplaced == MAX_PLACED)
		fail("setup: handler_map");
	placed[nplaced].id = self;
	placed[nplaced++].r = r;
	add_self(self); /* placed tablets are tried too (-EBUSY) */
}

static struct tablet_info info_of(handler_id id)
{
	struct tablet_info i;
	if (tablet_get_info(id, &i) != 0)
		fail("setup: tablet_get_info");
	return i;
}

static void setup(void)
{
	void *arena = mmap(NULL, ARENA, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (arena == MAP_FAILED)
		fail("setup: mmap");
	direct_map_offset = (uintptr_t)arena - FAKE_BASE;
	struct mem_range ram = { FAKE_BASE, ARENA };
	if (frame_init(&ram, 1, NULL, 0) != 0)
		fail("setup: frame_init");
	heap_reset_for_test();
	static const uint8_t seed[16] = "rental_fuzz key";
	random_init(seed, sizeof(seed));
	if (tablet_init() != 0)
		fail("setup: tablet_init");
	host_test_time = NOW;

	/* The hierarchy: root slot 3, segment table, 30-bit table at 7, 21-bit table at 9. */
	paddr_t root;
	if (tablet_root_alloc(&root) != 0)
		fail("setup: tablet_root_alloc");
	handler_id t39 = must_alloc(TABLET_TABLE, 39);
	if (tablet_attach_root(root, 3, t39) != 0)
		fail("setup: tablet_attach_root");
	handler_id t30 = must_alloc(TABLET_TABLE, 30), t21 = must_alloc(TABLET_TABLE, 21);
	place(t30, t39, 7, 0);
	place(t21, t30, 9, 0);
	/* A placed data tablet of each size. */
	place(must_alloc(TABLET_DATA, 12), t21, 100, VMM_READ | VMM_WRITE | VMM_USER);
	place(must_adopt(FAR_PA + (1ul << 30), 21), t30, 100, VMM_READ | VMM_EXEC);
	place(must_adopt(FAR_PA + (2ul << 30), 30), t39, 100, VMM_READ);

	/* Unplaced tablets of every kind and size, and IDs of nobody. */
	add_self(must_alloc(TABLET_DATA, 12));
	add_self(must_alloc(TABLET_DATA, 12));
	add_self(must_adopt(FAR_PA, 21));
	add_self(must_adopt(FAR_PA, 30));
	add_self(must_alloc(TABLET_TABLE, 21));
	add_self(must_alloc(TABLET_TABLE, 30));
	add_self(must_alloc(TABLET_TABLE, 39));
	add_self(0);
	add_self(random_u64());

	/* Rentals of empty entries: data rights of every shape, finite and forever, and table ones. */
	issue(t21, 0, VMM_READ, RENTAL_FOREVER);
	issue(t21, 1, VMM_READ | VMM_WRITE, 1000000);
	issue(t21, 2, VMM_READ | VMM_EXEC | VMM_USER, RENTAL_FOREVER);
	issue(t21, 3, VMM_EXEC, 5000);
	issue(t21, 511, VMM_READ | VMM_WRITE | VMM_EXEC | VMM_USER | VMM_GLOBAL | VMM_DEVICE,
	      RENTAL_FOREVER);
	issue(t21, 4, 0, RENTAL_FOREVER);             /* a table rental in a leaf table */
	issue(t21, 6, VMM_WRITE, RENTAL_FOREVER);     /* rights no entry takes */
	issue(t30, 0, 0, RENTAL_FOREVER);             /* for a 21-bit table */
	issue(t30, 1, VMM_READ, RENTAL_FOREVER);      /* for a 2M tablet */
	issue(t30, 2, VMM_READ | VMM_WRITE, 700000);
	issue(t30, 3, 0, 700000);                     /* a table may not take a finite one */
	issue(t39, 0, 0, RENTAL_FOREVER);             /* for a 30-bit table */
	issue(t39, 1, VMM_READ | VMM_EXEC, RENTAL_FOREVER);
	issue(t39, 2, VMM_READ, 123456);
	/* Rentals of placed entries, for handler_remap: a hold, other rights, a finite one. */
	issue(t21, 100, VMM_USER, RENTAL_FOREVER);
	issue(t21, 100, VMM_READ | VMM_USER | VMM_DIRTY, RENTAL_FOREVER);
	issue(t30, 100, VMM_READ, 600000);
	issue(t30, 9, 0, RENTAL_FOREVER); /* the entry a table holds, as it holds it but reissued */

	/* An expired rental: issued in the past. */
	host_test_time = NOW - 500;
	issue(t21, 5, VMM_READ, 100);
	issued[nissued - 1].good = 0;
	host_test_time = NOW;

	/* Stale rentals: their table deleted... */
	handler_id gone = must_alloc(TABLET_TABLE, 21);
	struct tablet_info gi = info_of(gone);
	issue(gone, 0, VMM_READ, RENTAL_FOREVER);
	issue(gone, 1, VMM_READ | VMM_WRITE, 900000);
	if (tablet_delete(gone) != 0)
		fail("setup: tablet_delete");
	mark_stale(gi.frame, gi.version);
	/* ...and another whose frame a new, placed table now uses. */
	handler_id old = must_alloc(TABLET_TABLE, 21);
	struct tablet_info oi = info_of(old);
	issue(old, 0, VMM_READ, RENTAL_FOREVER);
	issue(old, 7, VMM_READ | VMM_WRITE, RENTAL_FOREVER);
	issue(old, 8, 0, RENTAL_FOREVER);
	if (tablet_delete(old) != 0)
		fail("setup: tablet_delete");
	mark_stale(oi.frame, oi.version);
	handler_id reused = 0, others[64];
	unsigned nothers = 0;
	while (!reused && nothers < 64) {
		handler_id t = must_alloc(TABLET_TABLE, 21);
		if (info_of(t).frame == oi.frame)
			reused = t;
		else
			others[nothers++] = t;
	}
	while (nothers)
		tablet_delete(others[--nothers]);
	if (!reused)
		fail("setup: the frame did not come back");
	place(reused, t30, 10, 0);
	issue(reused, 0, VMM_READ, RENTAL_FOREVER); /* same frame and index as a stale one */
	issue(reused, 7, VMM_READ | VMM_WRITE, 800000);
}

/* ------------------------------------------------------------ the run --- */

enum { F_VERSION, F_FRAME, F_INDEX, F_RIGHTS, F_EXPIRY, F_MAC, NFIELDS };

static uint64_t get_field(const struct rental *r, unsigned f)
{
	switch (f) {
	case F_VERSION: return r->version;
	case F_FRAME: return r->frame;
	case F_INDEX: return r->index;
	case F_RIGHTS: return r->rights;
	case F_EXPIRY: return r->expiry;
	default: return r->mac;
	}
}

static void set_field(struct rental *r, unsigned f, uint64_t v)
{
	switch (f) {
	case F_VERSION: r->version = v; break;
	case F_FRAME: r->frame = v; break;
	case F_INDEX: r->index = (uint32_t)v; break;
	case F_RIGHTS: r->rights = (uint32_t)v; break;
	case F_EXPIRY: r->expiry = v; break;
	default: r->mac = v; break;
	}
}

/* The issued rental R is bit-identical to, or -1. */
static int issued_index(const struct rental *r)
{
	for (unsigned i = 0; i < nissued; i++)
		if (memcmp(&issued[i].r, r, sizeof(*r)) == 0)
			return (int)i;
	return -1;
}

static void report(const char *what, const struct rental *r, handler_id self, int err)
{
	fprintf(stderr,
		"rental_fuzz: VIOLATION: %s (returned %d)\n"
		"  self %016llx\n  rental version %llu frame %#llx index %u rights %#x expiry %llu mac %016llx\n",
		what, err, (unsigned long long)self, (unsigned long long)r->version,
		(unsigned long long)r->frame, r->index, r->rights, (unsigned long long)r->expiry,
		(unsigned long long)r->mac);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		setup();
		ready = 1;
	}
	if (size < 2)
		return 0;
	struct input in = { data, size };
	uint8_t mode = next8(&in), pick = next8(&in);
	int unmap = mode & 0x80;
	struct rental r = issued[(mode & 0x7f) % nissued].r;

	/* Mutations until the input runs out. */
	while (in.n) {
		uint8_t op = next8(&in);
		unsigned f = (op >> 3) % NFIELDS;
		switch (op & 7) {
		case 0: { /* flip one bit */
			unsigned bit = (next8(&in) | (unsigned)next8(&in) << 8) % (8 * sizeof(r));
			((uint8_t *)&r)[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			break;
		}
		case 1: /* overwrite a field */
			set_field(&r, f, next64(&in));
			break;
		case 2: /* xor a field */
			set_field(&r, f, get_field(&r, f) ^ next64(&in));
			break;
		case 3: /* nudge a field */
			set_field(&r, f, get_field(&r, f) + (uint64_t)(int64_t)(int8_t)next8(&in));
			break;
		case 4: /* a field of another issued rental */
			set_field(&r, f, get_field(&issued[next8(&in) % nissued].r, f));
			break;
		case 5: /* the whole struct from the input */
			for (size_t i = 0; i < sizeof(r); i++)
				((uint8_t *)&r)[i] = next8(&in);
			break;
		case 6: /* a byte */
			((uint8_t *)&r)[next8(&in) % sizeof(r)] = next8(&in);
			break;
		default: /* another issued rental, to mutate from there */
			r = issued[next8(&in) % nissued].r;
			break;
		}
	}

	int known = issued_index(&r);
	int acceptable = known >= 0 && issued[known].good;
	if (!unmap) {
		handler_id self = selves[pick % nselves];
		int err = handler_map(self, &r);
		if (err == 0) {
			if (!acceptable)
				report(known < 0 ? "handler_map accepted a rental never issued"
						 : "handler_map accepted a stale or expired rental",
				       &r, self, err);
			if (handler_unmap(self, &r) != 0)
				fail("handler_unmap of a rental just mapped failed");
			if (r.expiry != RENTAL_FOREVER && ++finite_successes % 4096 == 0)
				tablet_expire(RENTAL_FOREVER - 1); /* drain the log; nothing finite stays placed */
		}
	} else if (pick & 0x40) {
		/*
		 * handler_remap: a mutated rental as the one held (only the very
		 * rental held is accepted), or as the next (only an issued, good
		 * rental of the same entry); then back as it was.
		 */
		unsigned k = pick % nplaced;
		int as_next = pick & 0x20;
		const struct rental *now = as_next ? &placed[k].r : &r;
		const struct rental *next = as_next ? &r : &placed[k].r;
		int err = handler_remap(placed[k].id, now, next);
		if (err == 0) {
			int same_entry = r.frame == placed[k].r.frame && r.index == placed[k].r.index &&
					 r.version == placed[k].r.version;
			if (as_next ? !acceptable || !same_entry : memcmp(&r, &placed[k].r, sizeof(r)))
				report("handler_remap accepted a rental it must refuse", &r, placed[k].id,
				       err);
			if (as_next && handler_remap(placed[k].id, &r, &placed[k].r) != 0)
				fail("remapping back a tablet just remapped failed");
		}
	} else {
		unsigned k = pick % nplaced;
		int err = handler_unmap(placed[k].id, &r);
		if (err == 0) {
			if (!acceptable || memcmp(&r, &placed[k].r, sizeof(r)) != 0)
				report("handler_unmap accepted a rental the tablet does not hold", &r,
				       placed[k].id, err);
			if (handler_map(placed[k].id, &placed[k].r) != 0)
				fail("mapping back a tablet just unmapped failed");
		}
	}
	/* Hand over what became unreachable, as the backend does after each operation. */
	struct tablet_info gone;
	while (tablet_next_unreachable(&gone) == 0)
		;
	return 0;
}
