/* The tablet records and registry, shared by the files of tablet/ only. */
#ifndef TABLET_INTERNAL_H
#define TABLET_INTERNAL_H

#include "sv48.h"
#include "tablet/tablet.h"

/* Packed into 128 bytes: one record per tablet, made on every 4 KiB map and fault. */
struct tablet {
	handler_id id;     /* TABLET_UNNAMED until first named outside tablet/ */
	paddr_t frame;
	uint64_t version;
	/*
	 * Tables: the tablet in each entry (512 pointers in the frame after the
	 * table's, one order-1 block with it), so walks
	 * need no lookup.  Only the slots of entries in use mean anything
	 * (child_at), so a new table's array needs no zeroing.
	 */
	struct tablet **children;
	struct tablet *holder; /* while placed: the table whose entry holds it */
	struct segment *parent;
	/* On the queue of tablets nothing holds (tablet_next_unreachable), oldest first. */
	struct tablet *unreachable_prev, *unreachable_next;
	vaddr_t va;        /* where it translates: kept up to date at placement and attachment */
	struct rental rental;
	uint32_t refs;
	uint16_t used;     /* tables: entries in use (0..512) */
	uint8_t kind;      /* enum tablet_kind */
	uint8_t size_bits;
	uint8_t owns_frames;
	uint8_t placed;    /* held by an entry (with rental), not only by root slots */
	uint8_t retired;   /* split into pieces; kept only so the split can be undone */
	uint8_t unreachable;
};

/*
 * Give T its handler ID if it has none yet: SipHash of a counter under a key
 * drawn at boot, registered in the ID map.  Done the first time T is named
 * outside tablet/, so a tablet only the kernel places and takes out never
 * pays for one.  0 or -ENOMEM (T unnamed as before).
 */
int tablet_name(struct tablet *t);
/* The tablet whose handler is ID, or NULL (TABLET_UNNAMED finds nothing). */
struct tablet *tablet_by_id(handler_id id);
/* The page-table tablet whose table is the frame at PA, or NULL. */
struct tablet *table_by_frame(paddr_t pa);
/* The tablet placed in the entry at physical address ENTRY, or NULL. */
struct tablet *tablet_in_entry(paddr_t entry);

/* The physical address of entry INDEX of table T. */
static inline paddr_t entry_pa(const struct tablet *t, unsigned index)
{
	return t->frame + index * sizeof(pte_t);
}

static inline pte_t *entry_ptr(const struct tablet *t, unsigned index)
{
	return (pte_t *)phys_to_virt(entry_pa(t, index));
}

/* The tablet in entry INDEX of table T, or NULL when the entry is free. */
static inline struct tablet *child_at(const struct tablet *t, unsigned index)
{
	return pte_present(*entry_ptr(t, index)) ? t->children[index] : NULL;
}

/* Bytes one entry of table T covers. */
static inline uint64_t entry_span(const struct tablet *t)
{
	return 1ul << (t->size_bits - TABLET_ENTRY_BITS);
}

/*
 * A placed tablet's va is kept up to date from its table's at placement;
 * when a table that already holds tablets is placed or attached (a tree
 * built bottom-up, a segment moved), its subtree is brought up to date.
 */
void tablet_refresh_va(struct tablet *t);
/* T's info, its rental as it is (unsigned if nobody asked for it yet: tablet_rental). */
void tablet_fill_info(const struct tablet *t, struct tablet_info *out);
/*
 * The rental T is placed with, signed: the kernel's own placements of
 * rentals that never end are signed only when their rental is first asked
 * for by name (tablet_get_info, tablet_child) or checked (one MAC per
 * placement at most, none when nobody asks).
 */
#define RENTAL_UNSIGNED 0
const struct rental *tablet_rental(struct tablet *t);
/* Where T translates now, from the entries above it (a subtree may be placed or attached after its own entries were filled). */
vaddr_t tablet_va(const struct tablet *t);
/* Queue T as held by nothing, or take it off that queue (held again, or destroyed). */
void unreachable_push(struct tablet *t);
void unreachable_drop(struct tablet *t);
/* One holder of T let go: queue T for its parent when nothing holds it any more. */
void tablet_drop_ref(struct tablet *t);
/* A new empty page-table tablet of BITS for PARENT, registered: 0 or -ENOMEM. */
int table_new(struct segment *parent, unsigned bits, struct tablet **out);
/*
 * A new data tablet of 2^BITS for PARENT, registered: over newly allocated
 * frames (contents undefined) when OWNS is set, else over the memory at PA.
 * 0, -EINVAL (size or alignment) or -ENOMEM.
 */
int data_new(struct segment *parent, unsigned bits, int owns, paddr_t pa, struct tablet **out);
/* Forget T and free what it owns (no checks: it is held by nothing). */
void tablet_destroy(struct tablet *t);
/*
 * Issue a rental of entry INDEX of table T and place SELF with it, in one
 * step (one MAC, kept for the unmap): the refusals of handler_map but for
 * those of a forged rental.  The rental goes to OUT when it is not NULL.
 */
int tablet_place(struct tablet *t, unsigned index, struct tablet *self, unsigned rights,
		 uint64_t duration, struct rental *out);
/* The entry that holds the placed tablet T. */
static inline pte_t *holding_entry(const struct tablet *t)
{
	return entry_ptr(t->holder, t->rental.index);
}

/*
 * Give the placed data tablet T RIGHTS in place, with a new rental of its
 * entry (one MAC) that ends when its rental did: 0, -EINVAL (rights unfit)
 * or -ENOMEM (a finite rental and no room in the expiry log).
 */
int tablet_remap(struct tablet *t, unsigned rights);
/*
 * The walker: from table T toward VA down to the table of BITS.  *OUT is
 * where it stopped: that table (0), a data tablet covering VA (-EEXIST), or
 * the last table before an empty entry (-ENOENT, or the error of building
 * it when PARENT is given: then the missing tables are built for PARENT,
 * and *BUILT_BELOW, when given and still NULL, becomes the table the first
 * of them went into).
 */
int tablet_walk(struct tablet *t, vaddr_t va, unsigned bits, struct segment *parent,
		struct tablet **out, struct tablet **built_below);
/* Take T out of the entry it is placed in, skipping the rental check (expiry, unmap). */
void tablet_evict(struct tablet *t);
/* Log a finite rental that was just mapped: 0 or -ENOMEM. */
int expiry_log_add(const struct rental *r);
/* Room for one more logged rental, so handler_map can fail before it changes anything. */
int expiry_log_reserve(void);
int expiry_log_reserve_n(size_t n);
/* A logged finite rental was unmapped before it expired (the log may compact itself). */
void expiry_log_forget(void);
/* Forget every logged rental and free the log (tablet_init starts over). */
void expiry_log_clear(void);

void rental_init(void);
/* Start counting root tables afresh (tablet_init). */
void root_init(void);
uint64_t tablet_root_bytes(void);

extern uint64_t tablet_metadata_bytes;
extern struct tablet_stats tstats;

#endif
