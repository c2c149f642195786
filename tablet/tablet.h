/*
 * Tablets: the only code that writes Sv48 translation entries.
 *
 * A tablet is a naturally aligned virtual range of a hardware page size,
 * 2^size_bits bytes.  A page-table tablet is one 4 KiB table whose 512
 * entries each cover 2^(size_bits - 9) bytes (size_bits 21, 30 or 39); a data
 * tablet is 2^size_bits bytes of frames (12, 21 or 30).  A tablet of 2^b
 * bytes sits only in an entry of a page-table tablet of 2^(b + 9) bytes.
 *
 * Each tablet has one handler, named by an unguessable 64-bit ID: knowing
 * the ID is the capability.  A page-table tablet's handler rents out its
 * entries; a rental is signed with a MAC under a key drawn at boot, and a
 * handler maps a rental into its own tablet only after the kernel checks it.
 * Versions make rentals of a freed and reallocated tablet worthless.
 *
 * Root tables (one per space) are not tablets: a segment's top tablet is
 * attached to a root slot with tablet_attach_root.
 *
 * Errors are negated errno values.  Not reentrant; the timer's expiry pass
 * runs only while no other tablet call is under way (interrupts are taken
 * from U-mode only).
 */
#ifndef TABLET_TABLET_H
#define TABLET_TABLET_H

#include <stdint.h>

#include "kernel/memory.h"
#include "tablet/entry.h"
#include "vmm/vmm.h"

typedef uint64_t handler_id;
/* The ID of a handler nobody outside tablet/ has named yet (never a real ID). */
#define TABLET_UNNAMED 0

enum tablet_kind { TABLET_TABLE, TABLET_DATA };

#define TABLET_BITS_4K 12
#define TABLET_BITS_2M 21
#define TABLET_BITS_1G 30
#define TABLET_BITS_SEGMENT 39
#define TABLET_ENTRY_BITS 9
#define TABLET_ENTRIES 512

/* A duration (and an expiry) that never ends. */
#define RENTAL_FOREVER UINT64_MAX

/*
 * The right to place a tablet in one entry of a page-table tablet.  A rental
 * for an entry that will point to a page-table tablet has no rights and no
 * end; one for a data tablet carries the vmm rights of the mapping.
 */
struct rental {
	uint64_t version; /* of the page-table tablet that rented the entry */
	paddr_t frame;    /* that tablet's table frame */
	uint32_t index;   /* the entry, 0..511 */
	uint32_t rights;  /* VMM_* rights, or 0 for a page-table tablet */
	uint64_t expiry;  /* absolute time in timer units, or RENTAL_FOREVER */
	uint64_t mac;     /* SipHash-2-4 of the fields above under the boot key */
};

struct segment;

/* What the kernel tells about a tablet. */
struct tablet_info {
	/*
	 * The handler's ID, drawn the first time the tablet is named outside
	 * tablet/ (tablet_alloc, tablet_adopt, tablet_split, tablet_locate,
	 * tablet_child).  tablet_for_each_data and tablet_next_unreachable do not
	 * name it: there it is TABLET_UNNAMED for a tablet the kernel placed and
	 * nobody asked for (ask tablet_locate for one).
	 */
	handler_id id;
	enum tablet_kind kind;
	unsigned size_bits;
	paddr_t frame;         /* table frame, or first data frame */
	uint64_t version;
	unsigned refs;         /* entries and root slots that hold it */
	unsigned used;         /* page-table tablets: entries in use */
	int owns_frames;       /* data tablets: frames freed by tablet_delete */
	struct segment *parent;
	vaddr_t va;            /* where it translates, when refs > 0 */
	/*
	 * The rental it is placed with, when placed in an entry.  Signed in the
	 * info of tablet_get_info and tablet_child; tablet_locate and
	 * tablet_for_each_data report where a tablet is and may leave it
	 * unsigned (mac 0, good for nothing): ask by ID for one to present.
	 */
	struct rental rental;
	/* Placed data tablets: the rights their entry gives now, A/D included (a hold: VMM_USER). */
	unsigned entry_rights;
};

/* Draw the MAC key and start the registry: 0, or -EINVAL without entropy. */
int tablet_init(void);

/* --------------------------------------------------- segproc primitives --- */

/* A new tablet with a fresh handler; data tablets get newly allocated frames. */
int tablet_alloc(struct segment *parent, enum tablet_kind kind, unsigned size_bits,
		 handler_id *out);
/* A data tablet over memory it does not own (the image, devices, the direct map). */
int tablet_adopt(struct segment *parent, paddr_t pa, unsigned size_bits, handler_id *out);
/*
 * Walk from the page-table tablet TOP toward the tablet of SIZE_BITS holding
 * VA; report where the walk stopped (the size asked for, a data tablet, or
 * the last table before an empty entry), named: 0, -ESRCH, or -ENOMEM when
 * it had no ID yet and there is no room to register one.
 */
int tablet_locate(handler_id top, vaddr_t va, unsigned size_bits, struct tablet_info *out);
/*
 * The size (bits) of the data tablet placed below TOP that VA cuts (covers
 * without starting at it), 0 when VA is a boundary between data tablets or
 * in a hole, -ESRCH.  Only a tablet that must be split is then located (named).
 */
int tablet_cut_at(handler_id top, vaddr_t va);
/* The data tablet below TOP that translates VA, as the vmm sees it: 0, -ENOENT or -ESRCH. */
int tablet_translate(handler_id top, vaddr_t va, struct vmm_mapping *out);
/*
 * Place the data tablet DATA at VA (aligned to its size) below the
 * page-table tablet TOP with RIGHTS for DURATION, building the tables on
 * the way for DATA's parent: one rental, one MAC, per entry placed.  The
 * refusals of handler_map (-EEXIST also when a data tablet covers VA);
 * on failure the tables it built are gone again.
 */
int tablet_place_at(handler_id top, vaddr_t va, handler_id data, unsigned rights,
		    uint64_t duration);
/*
 * New memory placed in one step, the way faults and fixed maps need it: a
 * data tablet of 2^SIZE_BITS for TOP's parent, placed at VA (aligned to
 * its size) below TOP with RIGHTS for DURATION, as tablet_place_at would
 * place it.  The entry is checked first, so a VA already covered costs
 * -EEXIST and no allocation; any failure leaves nothing behind.
 *   tablet_place_new    newly allocated frames holding the first BYTES of
 *                       the memory at SRC, zeros after them (BYTES 0: zeros)
 *   tablet_adopt_at     the caller's memory at PA, which it keeps owning
 */
int tablet_place_new(handler_id top, vaddr_t va, unsigned size_bits, unsigned rights,
		     uint64_t duration, paddr_t src, uint64_t bytes);
int tablet_adopt_at(handler_id top, vaddr_t va, paddr_t pa, unsigned size_bits, unsigned rights,
		    uint64_t duration);
/*
 * Visit each data tablet placed below TOP overlapping [va, va+len), in
 * address order; stop at a non-zero return (returned).
 */
typedef int (*tablet_visitor)(const struct tablet_info *t, void *ctx);
int tablet_for_each_data(handler_id top, vaddr_t va, uint64_t len, tablet_visitor visit,
			 void *ctx);
/*
 * Take every tablet placed below TOP inside [va, va+len) out of its entry,
 * and the tables left empty by that or found empty (an expired rental
 * leaves its tables placed): they join the unreachable queue
 * (their parents delete them, or not).  A data tablet the range's ends cut
 * is taken out whole: split it first (tablet_split) to keep its other part.
 * Cannot fail but for -ESRCH.
 */
int tablet_clear(handler_id top, vaddr_t va, uint64_t len);
/*
 * Give every data tablet placed below TOP inside [va, va+len) RIGHTS in
 * place (VMM_USER alone holds it), keeping its A/D state; holes are
 * skipped, the ends must not cut a data tablet.  Rentals that never end
 * make this unable to fail; a finite one may meet -ENOMEM.
 */
int tablet_set_rights(handler_id top, vaddr_t va, uint64_t len, unsigned rights);
/* Make the tablet's memory reachable by the caller: its kernel address, or NULL. */
void *tablet_map(handler_id id);
/* Undo tablet_map: 0, or -EINVAL for an address tablet_map did not return. */
int tablet_unmap(const void *addr);
/* End the handler and free what the tablet owns: -EBUSY while it is held, -ENOTEMPTY for a table in use. */
int tablet_delete(handler_id id);
int tablet_get_info(handler_id id, struct tablet_info *out);
/* The tablet placed in entry INDEX of page-table tablet TABLE: 0, -ENOENT (empty), -ESRCH, -EINVAL. */
int tablet_child(handler_id table, unsigned index, struct tablet_info *out);
/*
 * Make room now for N more placements (FINITE: of rentals that expire), so
 * the next N handler_map calls cannot run out: 0 or -ENOMEM.
 */
int tablet_reserve(unsigned n, int finite);
/* Give back what a reservation did not use (after the operation gave up). */
void tablet_unreserve(void);

/*
 * Turn the data tablet ID, held by nobody, into 512 data tablets of the next
 * smaller size covering the same memory (ownership goes with each piece);
 * their IDs go to PIECES.  ID itself is retired, not deleted: nobody can use
 * it, and tablet_split_undo can bring it back (no allocation, cannot run
 * out) until tablet_split_commit forgets it.  0, -ESRCH, -EBUSY, -EINVAL or
 * -ENOMEM (nothing changed).
 */
int tablet_split(handler_id id, handler_id pieces[TABLET_ENTRIES]);
/* Delete the unplaced PIECES and revive the tablet ID they were split from. */
int tablet_split_undo(handler_id id, const handler_id pieces[TABLET_ENTRIES]);
/* The split of ID stands: forget the retired tablet. */
void tablet_split_commit(handler_id id);

/* --------------------------------------------------- handler primitives --- */

/* Rent entry INDEX of page-table tablet TABLE with RIGHTS for DURATION timer units. */
int handler_rent(handler_id table, unsigned index, unsigned rights, uint64_t duration,
		 struct rental *out);
/*
 * Place tablet SELF in the entry R names.  Refused, each with its own error:
 * a forged or altered rental -EBADMSG, an expired one -ETIME, a rental of a
 * freed or reallocated table -ESTALE, an entry in use -EEXIST, a size that
 * does not fit the entry -ERANGE; also -ESRCH (no such handler), -EBUSY
 * (SELF already placed), -EINVAL (rights unfit for SELF's kind), -ENOMEM.
 */
int handler_map(handler_id self, const struct rental *r);
/*
 * Take SELF out of the entry R names, with the fence that makes the change
 * visible.  -EBADMSG for a forged rental, -ENOENT when SELF is not placed
 * there with R.  When nothing holds SELF any more, it joins the queue of
 * unreachable tablets (tablet_next_unreachable).
 */
int handler_unmap(handler_id self, const struct rental *r);
/*
 * Give SELF, placed with NOW, the rights of NEXT, a rental of the same
 * entry, in place: the tablet stays placed, nothing is allocated for a
 * rental that never ends.  NEXT's rights of VMM_USER alone (with A/D) hold
 * a user data tablet: its entry keeps the page but is invalid to the MMU.
 * Refusals as handler_unmap for NOW and handler_map for NEXT (-EINVAL when
 * NEXT names another entry); nothing changes on failure.
 */
int handler_remap(handler_id self, const struct rental *now, const struct rental *next);
/*
 * handler_rent and handler_map in one step, for the kernel's own
 * placements: one MAC, the refusals of handler_map but for a forged one.
 */
int handler_place(handler_id table, unsigned index, handler_id self, unsigned rights,
		  uint64_t duration, struct rental *out);

/* ---------------------------------------------------------- root slots --- */

/* Put segment top table TOP (39 bits) in slot SLOT of the root table at ROOT. */
int tablet_attach_root(paddr_t root, unsigned slot, handler_id top);
int tablet_detach_root(paddr_t root, unsigned slot, handler_id top);
/* A root table frame, zeroed: 0 or -ENOMEM. */
int tablet_root_alloc(paddr_t *root);
void tablet_root_free(paddr_t root);

/* ---------------------------------------------------------------- time --- */

/* Now, in the timer units rentals use. */
uint64_t tablet_now(void);
/* Unmap every mapped rental whose expiry is at or before NOW (the timer tick calls it). */
void tablet_expire(uint64_t now);

/* ----------------------------------------------------------- reporting --- */


struct tablet_stats {
	uint64_t table_bytes;    /* page-table tablets and root tables */
	uint64_t metadata_bytes; /* tablet records, registry maps and the expiry log */
	uint64_t tables, data_tablets;
	uint64_t rents, maps, unmaps, refused, expired;
};
void tablet_get_stats(struct tablet_stats *out);

/*
 * Tablets that nothing holds any more (a rental expired, a table was taken
 * out) wait on a queue, oldest first, until whoever called down hands them
 * to their parents: the oldest into OUT, taken off the queue, or -ENOENT.
 * A tablet placed again or deleted meanwhile leaves the queue by itself.
 */
int tablet_next_unreachable(struct tablet_info *out);
/*
 * Delete the tablet the last tablet_next_unreachable handed out, INFO, named
 * or not (a segproc's unreachable handler deletes by record, so a tablet
 * nobody ever named never needs an ID): 0, -ESRCH when INFO is not that
 * tablet any more, -EBUSY when it is held again, -ENOTEMPTY.
 */
int tablet_delete_unreachable(const struct tablet_info *info);

#endif
