/*
 * Rentals: renting an entry, and the checked placement of a tablet in it;
 * and the one walker of the tree (tablet_walk, as xv6's walk), which
 * builds the tables a placement needs.  Every write of a translation entry
 * in the kernel happens in this file, but for root slots (root.c).
 */
#include "arch.h"
#include "kernel/error.h"
#include "kernel/frame.h"
#include "kernel/random.h"
#include "kernel/zero.h"
#include <string.h>
#include "tablet/internal.h"
#include "tablet/siphash.h"

static struct siphash_key mac_key;

void rental_init(void)
{
	mac_key.k0 = random_u64();
	mac_key.k1 = random_u64();
}

/* Never RENTAL_UNSIGNED, so that a rental the kernel has not signed yet is told apart. */
static uint64_t rental_mac(const struct rental *r)
{
	uint64_t words[4] = { r->version, r->frame, (uint64_t)r->index | (uint64_t)r->rights << 32,
			      r->expiry };
	uint64_t mac = siphash24_words(&mac_key, words, 4);
	return mac != RENTAL_UNSIGNED ? mac : 1;
}

const struct rental *tablet_rental(struct tablet *t)
{
	if (t->placed && t->rental.mac == RENTAL_UNSIGNED)
		t->rental.mac = rental_mac(&t->rental);
	return &t->rental;
}

uint64_t tablet_now(void)
{
	return read_time();
}

/* VMM_USER alone (A/D aside): the page is held, kept but out of reach. */
static int rights_hold(unsigned r)
{
	return (r & VMM_RIGHTS_MASK) == VMM_USER;
}

/*
 * Rights a data tablet can be mapped with: what a leaf entry can express,
 * or a hold.  ACCESSED and DIRTY may come along as the entry's initial
 * state, so that re-placing a tablet with new rights keeps what the
 * hardware recorded.
 */
static int data_rights_ok(unsigned r)
{
	if (r & ~(VMM_RIGHTS_MASK | VMM_ACCESSED | VMM_DIRTY))
		return 0;
	if (rights_hold(r))
		return 1;
	if (!(r & (VMM_READ | VMM_EXEC)))
		return 0;
	return !(r & VMM_WRITE) || (r & VMM_READ);
}

/* The entry that places SELF with RIGHTS: a held page's is invalid to the MMU. */
static pte_t entry_for(const struct tablet *self, unsigned rights)
{
	if (self->kind == TABLET_TABLE)
		return pte_make(self->frame, 0);
	pte_t e = pte_make(self->frame, rights_to_pte(rights));
	return rights_hold(rights) ? (e & ~PTE_V) | PTE_SW_HELD : e;
}

/* Make a change to the entry covering [va, va+span) visible. */
static void fence_entry(vaddr_t va, uint64_t span, int leaf)
{
	if (leaf && span == PAGE_SIZE)
		sfence_vma_page(va);
	else
		sfence_vma_all(); /* a table entry may be cached at any level below */
}

/* ---------------------------------------------------------------- rent --- */

/*
 * A rental of entry INDEX of table T, signed when SIGN is set or it is
 * finite (the expiry log names it by its MAC).  An unsigned one is for the
 * kernel's own placement only, and is signed when it first leaves tablet/
 * (tablet_rental).
 */
static void issue(const struct tablet *t, unsigned index, unsigned rights, uint64_t duration,
		  int sign, struct rental *out)
{
	uint64_t expiry = RENTAL_FOREVER;
	if (duration != RENTAL_FOREVER) {
		uint64_t now = tablet_now();
		expiry = duration >= RENTAL_FOREVER - now ? RENTAL_FOREVER : now + duration;
	}
	*out = (struct rental){ t->version, t->frame, index, rights, expiry, RENTAL_UNSIGNED };
	if (sign || expiry != RENTAL_FOREVER)
		out->mac = rental_mac(out);
	tstats.rents++;
}

int handler_rent(handler_id table, unsigned index, unsigned rights, uint64_t duration,
		 struct rental *out)
{
	struct tablet *t = tablet_by_id(table);
	if (!t)
		return -ESRCH;
	if (t->kind != TABLET_TABLE || index >= TABLET_ENTRIES)
		return -EINVAL;
	issue(t, index, rights, duration, 1, out);
	return 0;
}

/* --------------------------------------------------------------- place --- */

/*
 * Check that SELF may go in entry R->index of table T with R's rights and
 * expiry.  With MOVING, SELF is placed with the rental MOVING and R may
 * name that same entry (handler_remap).
 */
static int check_placement(const struct rental *r, struct tablet *t, struct tablet *self,
			   const struct rental *moving)
{
	if (!self)
		return -ESRCH;
	if (self->placed && !moving)
		return -EBUSY;
	if (self->size_bits + TABLET_ENTRY_BITS != t->size_bits)
		return -ERANGE;
	if (self->kind == TABLET_TABLE ? (r->rights != 0 || r->expiry != RENTAL_FOREVER)
				       : !data_rights_ok(r->rights))
		return -EINVAL;
	/* No user-accessible leaf in the kernel half, whoever rented it. */
	if ((r->rights & VMM_USER) && !va_is_user(t->va + (vaddr_t)r->index * entry_span(t)))
		return -EINVAL;
	if (moving && (r->frame != moving->frame || r->index != moving->index))
		return -EINVAL;
	if (!moving && pte_present(*entry_ptr(t, r->index)))
		return -EEXIST;
	return 0;
}

/* Check R, a rental from outside, and SELF against the kernel's records: the table it names, or an error. */
static int check_rental(const struct rental *r, struct tablet *self, const struct rental *moving,
			struct tablet **table)
{
	if (rental_mac(r) != r->mac)
		return -EBADMSG;
	if (r->expiry != RENTAL_FOREVER && r->expiry <= tablet_now())
		return -ETIME;
	struct tablet *t = table_by_frame(r->frame);
	if (!t || t->version != r->version || r->index >= TABLET_ENTRIES)
		return -ESTALE;
	int err = check_placement(r, t, self, moving);
	if (!err)
		*table = t;
	return err;
}

/* Place SELF in T's entry R->index (checked, and every allocation made): cannot fail. */
static void place(struct tablet *t, struct tablet *self, const struct rental *r)
{
	*entry_ptr(t, r->index) = entry_for(self, r->rights);
	t->children[r->index] = self;
	t->used++;
	if (self->refs++ == 0)
		unreachable_drop(self);
	self->placed = 1;
	self->holder = t;
	self->rental = *r;
	self->va = t->va + (vaddr_t)r->index * entry_span(t);
	if (self->kind == TABLET_TABLE)
		tablet_refresh_va(self); /* a table placed with tablets already in it */
	if (r->expiry != RENTAL_FOREVER)
		expiry_log_add(r);
	/* Without Svvptc the MMU may have cached the empty entry: fence it too. */
	fence_entry(self->va, entry_span(t), self->kind == TABLET_DATA);
	tstats.maps++;
}

/* Room for placing R: for a finite rental, the expiry log's (the table holds its children's places). */
static int reserve_placement(const struct rental *r)
{
	return r->expiry != RENTAL_FOREVER ? expiry_log_reserve() : 0;
}

int tablet_place(struct tablet *t, unsigned index, struct tablet *self, unsigned rights,
		 uint64_t duration, struct rental *out)
{
	if (t->kind != TABLET_TABLE || index >= TABLET_ENTRIES)
		return -EINVAL;
	struct rental r;
	issue(t, index, rights, duration, out != NULL, &r);
	int err = check_placement(&r, t, self, NULL);
	if (!err)
		err = reserve_placement(&r);
	if (err) {
		tstats.refused++;
		return err;
	}
	place(t, self, &r);
	if (out)
		*out = r;
	return 0;
}

int handler_place(handler_id table, unsigned index, handler_id self, unsigned rights,
		  uint64_t duration, struct rental *out)
{
	struct tablet *t = tablet_by_id(table), *d = tablet_by_id(self);
	if (!t)
		return -ESRCH;
	return tablet_place(t, index, d, rights, duration, out);
}

int handler_map(handler_id self_id, const struct rental *r)
{
	struct tablet *self = tablet_by_id(self_id), *t;
	int err = check_rental(r, self, NULL, &t);
	if (!err)
		err = reserve_placement(r);
	if (err) {
		tstats.refused++;
		return err;
	}
	place(t, self, r);
	return 0;
}

void tablet_drop_ref(struct tablet *t)
{
	if (--t->refs == 0)
		unreachable_push(t);
}

void tablet_evict(struct tablet *self)
{
	struct tablet *t = self->holder;
	vaddr_t va = tablet_va(self);
	*entry_ptr(t, self->rental.index) = 0;
	t->used--;
	self->placed = 0;
	fence_entry(va, entry_span(t), self->kind == TABLET_DATA);
	tstats.unmaps++;
	tablet_drop_ref(self);
}

int handler_unmap(handler_id self_id, const struct rental *r)
{
	if (rental_mac(r) != r->mac) {
		tstats.refused++;
		return -EBADMSG;
	}
	struct tablet *self = tablet_by_id(self_id);
	struct tablet *t = table_by_frame(r->frame);
	if (!self || !t || !self->placed || tablet_rental(self)->mac != r->mac ||
	    r->index >= TABLET_ENTRIES || child_at(t, r->index) != self) {
		tstats.refused++;
		return -ENOENT;
	}
	tablet_evict(self);
	if (r->expiry != RENTAL_FOREVER)
		expiry_log_forget();
	return 0;
}

int handler_remap(handler_id self_id, const struct rental *now, const struct rental *next)
{
	struct tablet *self = tablet_by_id(self_id), *t = NULL;
	int err = rental_mac(now) != now->mac ? -EBADMSG : 0;
	if (!err && (!self || !self->placed || tablet_rental(self)->mac != now->mac))
		err = -ENOENT;
	if (!err)
		err = check_rental(next, self, now, &t);
	if (!err && next->expiry != RENTAL_FOREVER)
		err = expiry_log_reserve();
	if (err) {
		tstats.refused++;
		return err;
	}
	*entry_ptr(t, next->index) = entry_for(self, next->rights);
	self->rental = *next;
	if (next->expiry != RENTAL_FOREVER)
		expiry_log_add(next);
	if (now->expiry != RENTAL_FOREVER)
		expiry_log_forget();
	fence_entry(tablet_va(self), entry_span(t), 1);
	tstats.maps++;
	return 0;
}

int tablet_remap(struct tablet *self, unsigned rights)
{
	struct tablet *t = self->holder;
	struct rental r = self->rental;
	r.rights = rights;
	r.mac = r.expiry != RENTAL_FOREVER ? rental_mac(&r) : RENTAL_UNSIGNED;
	if (!data_rights_ok(rights) ||
	    ((rights & VMM_USER) && !va_is_user(self->va)))
		return -EINVAL;
	if (r.expiry != RENTAL_FOREVER && expiry_log_reserve() != 0)
		return -ENOMEM;
	*entry_ptr(t, r.index) = entry_for(self, rights);
	if (self->rental.expiry != RENTAL_FOREVER) {
		expiry_log_forget();
		expiry_log_add(&r);
	}
	self->rental = r;
	fence_entry(self->va, entry_span(t), 1);
	tstats.rents++;
	tstats.maps++;
	return 0;
}

/* -------------------------------------------------------------- walking --- */

static unsigned index_of(const struct tablet *t, vaddr_t va)
{
	return (va >> (t->size_bits - TABLET_ENTRY_BITS)) & (TABLET_ENTRIES - 1);
}

int tablet_walk(struct tablet *t, vaddr_t va, unsigned bits, struct segment *parent,
		struct tablet **out, struct tablet **built_below)
{
	while (t->size_bits > bits) {
		unsigned i = index_of(t, va);
		struct tablet *child;
		if ((child = child_at(t, i)) != NULL) {
			if (child->kind == TABLET_DATA) {
				*out = child;
				return -EEXIST;
			}
		} else if (!parent) {
			*out = t;
			return -ENOENT;
		} else {
			int err = table_new(parent, t->size_bits - TABLET_ENTRY_BITS, &child);
			if (!err && (err = tablet_place(t, i, child, 0, RENTAL_FOREVER, NULL)) != 0)
				tablet_destroy(child);
			if (err) {
				*out = t;
				return err;
			}
			if (built_below && !*built_below)
				*built_below = t;
		}
		t = child;
	}
	*out = t;
	return 0;
}

/* Take the empty tables on the way from TOP to VA out again, deepest first (down to STOP). */
static void prune(struct tablet *top, vaddr_t va, struct tablet *stop)
{
	for (;;) {
		struct tablet *t;
		tablet_walk(top, va, TABLET_BITS_2M, NULL, &t, NULL);
		if (t == top || t == stop || t->kind != TABLET_TABLE || t->used)
			return;
		tablet_evict(t);
		tablet_destroy(t);
	}
}

int tablet_place_at(handler_id top_id, vaddr_t va, handler_id data, unsigned rights,
		    uint64_t duration)
{
	struct tablet *top = tablet_by_id(top_id), *self = tablet_by_id(data), *t;
	if (!top || !self)
		return -ESRCH;
	if (top->kind != TABLET_TABLE || self->kind != TABLET_DATA ||
	    self->size_bits >= top->size_bits || (va & ((1ul << self->size_bits) - 1)))
		return -EINVAL;
	/* The tables this call builds (below BUILT_BELOW) it takes back on failure. */
	struct tablet *built_below = NULL;
	int err = tablet_walk(top, va, self->size_bits + TABLET_ENTRY_BITS, self->parent, &t,
			      &built_below);
	if (!err)
		err = tablet_place(t, index_of(t, va), self, rights, duration, NULL);
	if (err && built_below)
		prune(top, va, built_below);
	return err;
}

/*
 * The table below TOP whose entry VA is, for a data tablet of 2^BITS,
 * built if need be and that entry free: 0 with *T and *INDEX, -EEXIST
 * (the entry, or a data tablet above it, is in use), -EINVAL or -ENOMEM.
 * *BUILT_BELOW as for tablet_walk: prune it on a later failure.
 */
static int free_entry_for(struct tablet *top, vaddr_t va, unsigned bits, struct tablet **t,
			  unsigned *index, struct tablet **built_below)
{
	if (!top || top->kind != TABLET_TABLE)
		return -ESRCH;
	if ((bits != TABLET_BITS_4K && bits != TABLET_BITS_2M && bits != TABLET_BITS_1G) ||
	    bits >= top->size_bits || (va & ((1ul << bits) - 1)))
		return -EINVAL;
	int err = tablet_walk(top, va, bits + TABLET_ENTRY_BITS, top->parent, t, built_below);
	if (err)
		return err;
	*index = index_of(*t, va);
	return pte_present(*entry_ptr(*t, *index)) ? -EEXIST : 0;
}

/* Place the new data tablet SELF at VA (entry INDEX of T), or destroy it and the tables built. */
static int place_or_undo(struct tablet *top, vaddr_t va, struct tablet *t, unsigned index,
			 struct tablet *self, unsigned rights, uint64_t duration,
			 struct tablet *built_below)
{
	int err = tablet_place(t, index, self, rights, duration, NULL);
	if (err) {
		tablet_destroy(self);
		if (built_below)
			prune(top, va, built_below);
	}
	return err;
}

int tablet_place_new(handler_id top_id, vaddr_t va, unsigned size_bits, unsigned rights,
		     uint64_t duration, paddr_t src, uint64_t bytes)
{
	struct tablet *top = tablet_by_id(top_id), *t, *self, *built_below = NULL;
	unsigned index;
	if (bytes > (1ul << size_bits))
		return -EINVAL;
	int err = free_entry_for(top, va, size_bits, &t, &index, &built_below);
	if (!err)
		err = data_new(top->parent, size_bits, 1, 0, &self);
	if (err) {
		if (built_below)
			prune(top, va, built_below);
		return err;
	}
	char *mem = phys_to_virt(self->frame);
	if (bytes)
		memcpy(mem, phys_to_virt(src), bytes);
	if (bytes % 128 == 0)
		zero_pages(mem + bytes, (1ul << size_bits) - bytes);
	else
		memset(mem + bytes, 0, (1ul << size_bits) - bytes);
	return place_or_undo(top, va, t, index, self, rights, duration, built_below);
}

int tablet_adopt_at(handler_id top_id, vaddr_t va, paddr_t pa, unsigned size_bits,
		    unsigned rights, uint64_t duration)
{
	struct tablet *top = tablet_by_id(top_id), *t, *self, *built_below = NULL;
	unsigned index;
	int err = free_entry_for(top, va, size_bits, &t, &index, &built_below);
	if (!err)
		err = data_new(top->parent, size_bits, 0, pa, &self);
	if (err) {
		if (built_below)
			prune(top, va, built_below);
		return err;
	}
	return place_or_undo(top, va, t, index, self, rights, duration, built_below);
}
