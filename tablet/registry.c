/*
 * The registry of tablets: handler IDs, versions, frames, and the lifecycle
 * calls of segprocs (alloc, adopt, locate, delete, split).
 */
#include <string.h>

#include "arch.h"
#include "kernel/error.h"
#include "kernel/frame.h"
#include "kernel/heap.h"
#include "kernel/zero.h"
#include "kernel/random.h"
#include "tablet/internal.h"
#include "tablet/siphash.h"
#include "kernel/u64map.h"

static struct u64map by_id, by_frame;
/* IDs are SipHash of a counter under a key of their own: unguessable, and one MAC's cost each. */
static struct siphash_key id_key;
static uint64_t ids_drawn;
static struct tablet *unreachable_head, *unreachable_tail;
/* The tablet tablet_next_unreachable handed out last, for tablet_delete_unreachable. */
static struct tablet *delivered;
static uint64_t last_version;
uint64_t tablet_metadata_bytes;
struct tablet_stats tstats;

/* Retired tablets are nobody's: only the split that retired them reaches them. */
struct tablet *tablet_by_id(handler_id id)
{
	struct tablet *t = u64map_get(&by_id, id);
	return t && !t->retired ? t : NULL;
}

struct tablet *table_by_frame(paddr_t pa)
{
	return u64map_get(&by_frame, pa);
}

struct tablet *tablet_in_entry(paddr_t entry)
{
	struct tablet *t = table_by_frame(ALIGN_DOWN(entry, PAGE_SIZE));
	return t ? child_at(t, (entry % PAGE_SIZE) / sizeof(pte_t)) : NULL;
}

vaddr_t tablet_va(const struct tablet *t)
{
	return t->va;
}

void tablet_refresh_va(struct tablet *t)
{
	/* Trees are built from the top down, so this is nearly always an empty table. */
	if (t->kind != TABLET_TABLE || t->used == 0)
		return;
	const pte_t *e = phys_to_virt(t->frame);
	for (unsigned i = 0; i < TABLET_ENTRIES; i++) {
		struct tablet *child = pte_present(e[i]) ? t->children[i] : NULL;
		if (child) {
			child->va = t->va + (vaddr_t)i * entry_span(t);
			tablet_refresh_va(child);
		}
	}
}

void tablet_fill_info(const struct tablet *t, struct tablet_info *out)
{
	unsigned rights = t->kind == TABLET_DATA && t->placed ?
				  tablet_entry_rights(*holding_entry(t)) : 0;
	*out = (struct tablet_info){ t->id,	 t->kind,      t->size_bits, t->frame,
				     t->version, t->refs,      t->used,	     t->owns_frames,
				     t->parent,	 tablet_va(t), t->rental,    rights };
}

static int size_ok(enum tablet_kind kind, unsigned bits)
{
	if (kind == TABLET_TABLE)
		return bits == TABLET_BITS_2M || bits == TABLET_BITS_1G || bits == TABLET_BITS_SEGMENT;
	return kind == TABLET_DATA &&
	       (bits == TABLET_BITS_4K || bits == TABLET_BITS_2M || bits == TABLET_BITS_1G);
}

/*
 * A record with a fresh version, registered by frame when it is a table:
 * NULL when out of memory.  It has no handler ID until it is first named
 * outside tablet/ (tablet_name): most data tablets are placed and taken out
 * again by the kernel alone, and never need one.
 */
static struct tablet *tablet_new(struct segment *parent, enum tablet_kind kind, unsigned bits,
				 paddr_t frame, int owns)
{
	struct tablet *t = kmalloc(sizeof(*t)); /* every field is set just below */
	if (!t)
		return NULL;
	*t = (struct tablet){ .id = TABLET_UNNAMED, .kind = kind, .size_bits = bits,
			      .frame = frame, .version = ++last_version, .owns_frames = owns,
			      .parent = parent };
	if (kind == TABLET_TABLE) {
		/* The frame after the table's holds its child pointers (an order-1 block). */
		t->children = phys_to_virt(frame + PAGE_SIZE); /* read only through child_at */
		if (u64map_put(&by_frame, frame, t) != 0) {
			kfree(t);
			return NULL;
		}
		tablet_metadata_bytes += PAGE_SIZE;
		tstats.tables++;
	} else {
		tstats.data_tablets++;
	}
	tablet_metadata_bytes += sizeof(*t);
	return t;
}

int tablet_name(struct tablet *t)
{
	if (t->id != TABLET_UNNAMED)
		return 0;
	/* A zero or colliding draw is astronomically rare; draw again rather than fail. */
	handler_id id;
	int err;
	do {
		uint64_t n = ++ids_drawn;
		id = siphash24_words(&id_key, &n, 1);
	} while ((err = u64map_put(&by_id, id, t)) == -EEXIST || err == -EINVAL);
	if (!err)
		t->id = id;
	return err;
}

/* T, new, named for the caller who asked for it: its ID in *OUT, or -ENOMEM with T gone. */
static int named_new(struct tablet *t, handler_id *out)
{
	int err = tablet_name(t);
	if (err) {
		tablet_destroy(t);
		return err;
	}
	*out = t->id;
	return 0;
}

int tablet_init(void)
{
	u64map_clear(&by_id);
	u64map_clear(&by_frame);
	unreachable_head = unreachable_tail = delivered = NULL;
	expiry_log_clear();
	memset(&tstats, 0, sizeof(tstats));
	tablet_metadata_bytes = 0;
	id_key.k0 = random_u64();
	id_key.k1 = random_u64();
	ids_drawn = 0;
	rental_init();
	root_init();
	return 0;
}

int table_new(struct segment *parent, unsigned bits, struct tablet **out)
{
	paddr_t frame;
	if (frame_alloc(1, &frame) != 0) /* the table, then its child pointers */
		return -ENOMEM;
	zero_pages(phys_to_virt(frame), PAGE_SIZE); /* a new table reads as empty */
	*out = tablet_new(parent, TABLET_TABLE, bits, frame, 1);
	if (!*out) {
		frame_free(frame, 1);
		return -ENOMEM;
	}
	return 0;
}

int data_new(struct segment *parent, unsigned bits, int owns, paddr_t pa, struct tablet **out)
{
	if (!size_ok(TABLET_DATA, bits) || (!owns && !IS_ALIGNED(pa, 1ul << bits)))
		return -EINVAL;
	unsigned order = bits - PAGE_SHIFT;
	if (owns && frame_alloc(order, &pa) != 0)
		return -ENOMEM;
	*out = tablet_new(parent, TABLET_DATA, bits, pa, owns);
	if (*out)
		return 0;
	if (owns)
		frame_free(pa, order);
	return -ENOMEM;
}

int tablet_alloc(struct segment *parent, enum tablet_kind kind, unsigned size_bits,
		 handler_id *out)
{
	if (!size_ok(kind, size_bits))
		return -EINVAL;
	struct tablet *t;
	/* Data contents are the segproc's business. */
	int err = kind == TABLET_TABLE ? table_new(parent, size_bits, &t) :
					 data_new(parent, size_bits, 1, 0, &t);
	return err ? err : named_new(t, out);
}

int tablet_adopt(struct segment *parent, paddr_t pa, unsigned size_bits, handler_id *out)
{
	struct tablet *t;
	int err = data_new(parent, size_bits, 0, pa, &t);
	return err ? err : named_new(t, out);
}

int tablet_get_info(handler_id id, struct tablet_info *out)
{
	struct tablet *t = tablet_by_id(id);
	if (!t)
		return -ESRCH;
	tablet_rental(t); /* asked for by name: its rental may leave tablet/ */
	tablet_fill_info(t, out);
	return 0;
}

int tablet_child(handler_id table, unsigned index, struct tablet_info *out)
{
	struct tablet *t = tablet_by_id(table);
	if (!t)
		return -ESRCH;
	if (t->kind != TABLET_TABLE || index >= TABLET_ENTRIES)
		return -EINVAL;
	struct tablet *child = child_at(t, index);
	if (!child)
		return -ENOENT;
	int err = tablet_name(child); /* asked for by name: it gets one */
	if (err)
		return err;
	tablet_rental(child);
	tablet_fill_info(child, out);
	return 0;
}

int tablet_reserve(unsigned n, int finite)
{
	/* Placements of rentals that never end need nothing: a table holds its children's places. */
	return finite ? expiry_log_reserve_n(n) : 0;
}

void tablet_unreserve(void)
{
	/* What a reservation made room for is the expiry log's slack, kept for the next one. */
}

void *tablet_map(handler_id id)
{
	struct tablet *t = tablet_by_id(id);
	/*
	 * Segprocs are kernel modules: the direct map already reaches every
	 * frame, so the tablet's kernel address is its direct-map address.
	 */
	return t ? phys_to_virt(t->frame) : NULL;
}

int tablet_unmap(const void *addr)
{
	/* tablet_map created nothing, so undoing it is only a check of the address. */
	uintptr_t a = (uintptr_t)addr;
	return IS_ALIGNED(a, PAGE_SIZE) && a >= (uintptr_t)phys_to_virt(0) ? 0 : -EINVAL;
}

void unreachable_push(struct tablet *t)
{
	if (t->unreachable)
		return;
	t->unreachable = 1;
	t->unreachable_next = NULL;
	t->unreachable_prev = unreachable_tail;
	if (unreachable_tail)
		unreachable_tail->unreachable_next = t;
	else
		unreachable_head = t;
	unreachable_tail = t;
}

void unreachable_drop(struct tablet *t)
{
	if (!t->unreachable)
		return;
	t->unreachable = 0;
	if (t->unreachable_prev)
		t->unreachable_prev->unreachable_next = t->unreachable_next;
	else
		unreachable_head = t->unreachable_next;
	if (t->unreachable_next)
		t->unreachable_next->unreachable_prev = t->unreachable_prev;
	else
		unreachable_tail = t->unreachable_prev;
}

int tablet_next_unreachable(struct tablet_info *out)
{
	struct tablet *t = unreachable_head;
	if (!t)
		return -ENOENT;
	unreachable_drop(t);
	delivered = t;
	tablet_fill_info(t, out);
	return 0;
}

/* Destroy T (NULL: none such) unless something still holds it or it holds something. */
static int delete_if_free(struct tablet *t)
{
	if (!t)
		return -ESRCH;
	if (t->refs)
		return -EBUSY;
	if (t->used)
		return -ENOTEMPTY;
	tablet_destroy(t);
	return 0;
}

int tablet_delete_unreachable(const struct tablet_info *info)
{
	struct tablet *t = delivered;
	if (t && (t->version != info->version || t->retired))
		t = NULL;
	return delete_if_free(t);
}

void tablet_destroy(struct tablet *t)
{
	unreachable_drop(t);
	if (t == delivered)
		delivered = NULL;
	if (t->id != TABLET_UNNAMED)
		u64map_remove(&by_id, t->id);
	if (t->kind == TABLET_TABLE) {
		u64map_remove(&by_frame, t->frame);
		frame_free(t->frame, 1); /* the table and its child pointers */
		tablet_metadata_bytes -= PAGE_SIZE;
		tstats.tables--;
	} else {
		if (t->owns_frames)
			frame_free(t->frame, t->size_bits - PAGE_SHIFT);
		tstats.data_tablets--;
	}
	tablet_metadata_bytes -= sizeof(*t);
	kfree(t);
}

int tablet_delete(handler_id id)
{
	return delete_if_free(tablet_by_id(id));
}

int tablet_split(handler_id id, handler_id pieces[TABLET_ENTRIES])
{
	struct tablet *t = tablet_by_id(id);
	if (!t)
		return -ESRCH;
	if (t->kind != TABLET_DATA || t->size_bits == TABLET_BITS_4K)
		return -EINVAL;
	if (t->refs)
		return -EBUSY;
	unsigned bits = t->size_bits - TABLET_ENTRY_BITS;
	static struct tablet *made[TABLET_ENTRIES];
	for (unsigned i = 0; i < TABLET_ENTRIES; i++) {
		made[i] = tablet_new(t->parent, TABLET_DATA, bits, t->frame + ((paddr_t)i << bits),
				     t->owns_frames);
		if (made[i] && tablet_name(made[i]) != 0) { /* the caller is given their IDs */
			made[i]->owns_frames = 0;
			tablet_destroy(made[i]);
			made[i] = NULL;
		}
		if (!made[i]) {
			/* The pieces made so far own nothing yet: drop them. */
			while (i--) {
				made[i]->owns_frames = 0;
				tablet_destroy(made[i]);
			}
			return -ENOMEM;
		}
		pieces[i] = made[i]->id;
	}
	if (t->owns_frames)
		frame_split(t->frame, t->size_bits - PAGE_SHIFT, bits - PAGE_SHIFT);
	unreachable_drop(t);
	t->retired = 1;
	return 0;
}

int tablet_split_undo(handler_id id, const handler_id pieces[TABLET_ENTRIES])
{
	struct tablet *t = u64map_get(&by_id, id);
	if (!t || !t->retired)
		return -ESRCH;
	unsigned bits = t->size_bits - TABLET_ENTRY_BITS;
	for (unsigned i = 0; i < TABLET_ENTRIES; i++) {
		struct tablet *p = tablet_by_id(pieces[i]);
		if (!p || p->refs)
			return -EBUSY;
		/* Its own pieces only, each once: T must not take back memory that went elsewhere. */
		if (p->kind != TABLET_DATA || p->size_bits != bits || p->parent != t->parent ||
		    p->owns_frames != t->owns_frames || p->frame != t->frame + ((paddr_t)i << bits) ||
		    p->version <= t->version)
			return -EINVAL;
	}
	for (unsigned i = 0; i < TABLET_ENTRIES; i++) {
		struct tablet *p = tablet_by_id(pieces[i]);
		p->owns_frames = 0;
		tablet_destroy(p);
	}
	if (t->owns_frames)
		frame_join(t->frame, t->size_bits - TABLET_ENTRY_BITS - PAGE_SHIFT,
			   t->size_bits - PAGE_SHIFT);
	t->retired = 0;
	return 0;
}

void tablet_split_commit(handler_id id)
{
	struct tablet *t = u64map_get(&by_id, id);
	if (t && t->retired) {
		t->owns_frames = 0; /* the pieces own the memory now */
		tablet_destroy(t);
	}
}

void tablet_get_stats(struct tablet_stats *out)
{
	*out = tstats;
	out->table_bytes = tstats.tables * PAGE_SIZE + tablet_root_bytes();
	out->metadata_bytes = tablet_metadata_bytes + u64map_bytes(&by_id) +
			      u64map_bytes(&by_frame);
}
