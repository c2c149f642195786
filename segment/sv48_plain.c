/*
 * The Sv48 backend of vmm.h, as a plain page-table walker.
 *
 * This is the foundation's "simplest correct" backend; the tablet and
 * segment layers replace it (issue 3) behind the same vmm/backend.h.  It
 * already keeps the rules they need: leaves of the largest size alignment
 * allows (4 KiB, 2 MiB, 1 GiB), a larger leaf split before part of it
 * changes, and every failure leaving the tables as they were.
 */
#include <string.h>

#include "arch.h"
#include "kernel/error.h"
#include "kernel/frame.h"
#include "kernel/heap.h"
#include "sv48.h"
#include "vmm/backend.h"

/* The largest leaf level used: 1 GiB.  512 GiB root leaves would take whole segments. */
#define MAX_LEAF_LEVEL 2
/* Above this many pages one full fence is cheaper than one per page. */
#define FENCE_PAGE_LIMIT 16
/*
 * VMM_DEVICE kept in a bit reserved for software (RSW): without Svpbmt Sv48
 * has no memory types to set, but translate and traverse must still report
 * the rights a mapping was given.
 */
#define PTE_SW_DEVICE (1ul << 8)

const char backend_name[] = "sv48";

struct backend_space {
	paddr_t root;
	int is_kernel;
};

static uint64_t tables_in_use;

static pte_t *table_at(paddr_t pa)
{
	return phys_to_virt(pa);
}

/* A zeroed table frame: 0 and *PA, or -ENOMEM. */
static int table_alloc(paddr_t *pa)
{
	if (frame_alloc(0, pa) != 0)
		return -ENOMEM;
	memset(table_at(*pa), 0, PAGE_SIZE);
	tables_in_use++;
	return 0;
}

static void table_free(paddr_t pa)
{
	frame_free(pa, 0);
	tables_in_use--;
}

uint64_t backend_table_bytes(void)
{
	return tables_in_use * PAGE_SIZE;
}

static pte_t rights_to_pte(unsigned rights)
{
	pte_t bits = 0;
	if (rights & VMM_READ)
		bits |= PTE_R;
	if (rights & VMM_WRITE)
		bits |= PTE_W;
	if (rights & VMM_EXEC)
		bits |= PTE_X;
	if (rights & VMM_USER)
		bits |= PTE_U;
	if (rights & VMM_GLOBAL)
		bits |= PTE_G;
	if (rights & VMM_DEVICE)
		bits |= PTE_SW_DEVICE;
	return bits;
}

static unsigned pte_to_rights(pte_t e)
{
	unsigned r = 0;
	r |= (e & PTE_R) ? VMM_READ : 0;
	r |= (e & PTE_W) ? VMM_WRITE : 0;
	r |= (e & PTE_X) ? VMM_EXEC : 0;
	r |= (e & PTE_U) ? VMM_USER : 0;
	r |= (e & PTE_G) ? VMM_GLOBAL : 0;
	r |= (e & PTE_SW_DEVICE) ? VMM_DEVICE : 0;
	r |= (e & PTE_A) ? VMM_ACCESSED : 0;
	r |= (e & PTE_D) ? VMM_DIRTY : 0;
	return r;
}

/* Fence the pages of [va, va+len) after their entries changed. */
static void fence_range(vaddr_t va, uint64_t len)
{
	if (len / PAGE_SIZE > FENCE_PAGE_LIMIT) {
		sfence_vma_all();
		return;
	}
	for (uint64_t off = 0; off < len; off += PAGE_SIZE)
		sfence_vma_page(va + off);
}

/* ------------------------------------------------------------ spaces --- */

int backend_space_create(struct backend_space *kernel, struct backend_space **out)
{
	struct backend_space *s = kzalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (table_alloc(&s->root) != 0) {
		kfree(s);
		return -ENOMEM;
	}
	s->is_kernel = kernel == NULL;
	if (kernel) {
		/* The kernel half is shared by reference: copy its root entries. */
		pte_t *dst = table_at(s->root), *src = table_at(kernel->root);
		for (unsigned i = SV48_ENTRIES / 2; i < SV48_ENTRIES; i++)
			dst[i] = src[i];
	}
	*out = s;
	return 0;
}

/* Free the table at PA of LEVEL and every table below it. */
static void free_table_tree(paddr_t pa, unsigned level)
{
	pte_t *t = table_at(pa);
	for (unsigned i = 0; level > 0 && i < SV48_ENTRIES; i++)
		if (pte_valid(t[i]) && !pte_is_leaf(t[i]))
			free_table_tree(pte_pa(t[i]), level - 1);
	table_free(pa);
}

void backend_space_destroy(struct backend_space *s)
{
	pte_t *root = table_at(s->root);
	/* Only the user half belongs to this space (unless it is the kernel's). */
	unsigned end = s->is_kernel ? SV48_ENTRIES : SV48_ENTRIES / 2;
	for (unsigned i = 0; i < end; i++)
		if (pte_valid(root[i]) && !pte_is_leaf(root[i]))
			free_table_tree(pte_pa(root[i]), SV48_ROOT_LEVEL - 1);
	table_free(s->root);
	kfree(s);
}

void backend_activate(struct backend_space *s)
{
	csr_write(satp, (SATP_MODE_SV48 << SATP_MODE_SHIFT) | (s->root >> PAGE_SHIFT));
	sfence_vma_all();
}

/* ------------------------------------------------------------- walks --- */

/* The start of the LEVEL slot containing VA, and its end clipped to END. */
static vaddr_t slot_end(vaddr_t va, unsigned level, vaddr_t end)
{
	vaddr_t next = ALIGN_DOWN(va, sv48_level_size(level)) + sv48_level_size(level);
	return (next == 0 || next > end) ? end : next;
}

/* Whether any leaf maps a byte of [va, end) under the table at LEVEL. */
static int any_leaf(paddr_t table, unsigned level, vaddr_t va, vaddr_t end)
{
	pte_t *t = table_at(table);
	while (va < end) {
		vaddr_t next = slot_end(va, level, end);
		pte_t e = t[sv48_index(va, level)];
		if (pte_valid(e) && (pte_is_leaf(e) || any_leaf(pte_pa(e), level - 1, va, next)))
			return 1;
		va = next;
	}
	return 0;
}

/* Whether leaves map every byte of [va, end) under the table at LEVEL. */
static int all_leaves(paddr_t table, unsigned level, vaddr_t va, vaddr_t end)
{
	pte_t *t = table_at(table);
	while (va < end) {
		vaddr_t next = slot_end(va, level, end);
		pte_t e = t[sv48_index(va, level)];
		if (!pte_valid(e) || (!pte_is_leaf(e) && !all_leaves(pte_pa(e), level - 1, va, next)))
			return 0;
		va = next;
	}
	return 1;
}

/*
 * Replace the leaf E at LEVEL by a table of leaves one level down that map
 * the same memory with the same rights.  Returns the new table entry in
 * *OUT, or -ENOMEM.
 */
static int split_leaf(pte_t e, unsigned level, pte_t *out)
{
	paddr_t table;
	if (table_alloc(&table) != 0)
		return -ENOMEM;
	pte_t *t = table_at(table);
	uint64_t step = sv48_level_size(level - 1);
	pte_t bits = e & ~PTE_PPN_MASK;
	for (unsigned i = 0; i < SV48_ENTRIES; i++)
		t[i] = pte_make(pte_pa(e) + i * step, bits);
	*out = pte_make(table, 0);
	return 0;
}

/*
 * The leaves split_at replaced, so that a failure later in the same
 * operation can put them back: translations never change by a split, but
 * the tables it took must not outlive a call that fails ("nothing changed"
 * includes the memory).  Two split_at calls split at most three leaves each.
 */
struct split_log {
	unsigned n;
	pte_t *slot[2 * SV48_ROOT_LEVEL];
	pte_t leaf[2 * SV48_ROOT_LEVEL];
};

/*
 * Make VA a leaf boundary: split every leaf that covers VA without starting
 * there, noting each split in LOG.
 */
static int split_at(struct backend_space *s, vaddr_t va, struct split_log *log)
{
	paddr_t table = s->root;
	for (unsigned level = SV48_ROOT_LEVEL; level > 0; level--) {
		if (IS_ALIGNED(va, sv48_level_size(level)))
			return 0;
		pte_t *slot = &table_at(table)[sv48_index(va, level)];
		if (!pte_valid(*slot))
			return 0;
		if (pte_is_leaf(*slot)) {
			pte_t leaf = *slot;
			int err = split_leaf(leaf, level, slot);
			if (err)
				return err;
			log->slot[log->n] = slot;
			log->leaf[log->n++] = leaf;
		}
		table = pte_pa(*slot);
	}
	return 0;
}

/* Put back the leaves LOG noted, latest (innermost) first, and free their tables. */
static void split_undo(struct split_log *log)
{
	if (log->n == 0)
		return;
	while (log->n > 0) {
		log->n--;
		paddr_t table = pte_pa(*log->slot[log->n]);
		*log->slot[log->n] = log->leaf[log->n];
		table_free(table);
	}
	/* Non-leaf entries changed: a page-walk cache may hold them. */
	sfence_vma_all();
}

/* Make VA and END leaf boundaries; -ENOMEM leaves the tables as they were. */
static int split_ends(struct backend_space *s, vaddr_t va, vaddr_t end)
{
	struct split_log log = { .n = 0 };
	int err = split_at(s, va, &log);
	if (!err)
		err = split_at(s, end, &log);
	if (err)
		split_undo(&log);
	return err;
}

/* ------------------------------------------------------------- map --- */

/* The highest level whose leaf fits at va/pa with LEFT bytes to go. */
static unsigned leaf_level_for(vaddr_t va, paddr_t pa, uint64_t left)
{
	for (unsigned level = MAX_LEAF_LEVEL; level > 0; level--) {
		uint64_t size = sv48_level_size(level);
		if (IS_ALIGNED(va | pa, size) && left >= size)
			return level;
	}
	return 0;
}

/* The slot for VA's leaf at LEAF_LEVEL, creating tables on the way: NULL when out of memory. */
static pte_t *leaf_slot(struct backend_space *s, vaddr_t va, unsigned leaf_level)
{
	paddr_t table = s->root;
	for (unsigned level = SV48_ROOT_LEVEL; level > leaf_level; level--) {
		pte_t *slot = &table_at(table)[sv48_index(va, level)];
		if (!pte_valid(*slot)) {
			paddr_t next;
			if (table_alloc(&next) != 0)
				return NULL;
			*slot = pte_make(next, 0);
		}
		table = pte_pa(*slot);
	}
	return &table_at(table)[sv48_index(va, leaf_level)];
}

static int clear_range(paddr_t table, unsigned level, vaddr_t va, vaddr_t end);

int backend_map(struct backend_space *s, vaddr_t va, paddr_t pa, uint64_t len, unsigned rights)
{
	vaddr_t end = va + len;
	if (any_leaf(s->root, SV48_ROOT_LEVEL, va, end))
		return -EEXIST;
	pte_t bits = rights_to_pte(rights);
	for (vaddr_t cur = va; cur < end;) {
		unsigned level = leaf_level_for(cur, pa + (cur - va), end - cur);
		pte_t *slot = leaf_slot(s, cur, level);
		if (!slot) {
			/*
			 * Clear all of [va, end), not just [va, cur): the tables
			 * made for CUR before memory ran out are empty and go too.
			 * No other leaf is in the range (any_leaf above), so its
			 * ends are leaf boundaries.
			 */
			clear_range(s->root, SV48_ROOT_LEVEL, va, end);
			sfence_vma_all();
			return -ENOMEM;
		}
		*slot = pte_make(pa + (cur - va), bits);
		cur += sv48_level_size(level);
	}
	/* Implementations may cache invalid entries: fence new ones too. */
	fence_range(va, len);
	return 0;
}

/* ----------------------------------------------------------- unmap --- */

/*
 * Whether the table at PA has no valid entry.  The scan starts at FROM, the
 * entry after the ones just cleared: unmapping page after page in ascending
 * order then finds a valid entry at once instead of rescanning the cleared.
 */
static int table_empty(paddr_t pa, unsigned from)
{
	pte_t *t = table_at(pa);
	for (unsigned i = 0; i < SV48_ENTRIES; i++)
		if (pte_valid(t[(from + i) % SV48_ENTRIES]))
			return 0;
	return 1;
}

/*
 * Clear every entry under the table at LEVEL inside [va, end), whose ends
 * are leaf boundaries (split_at).  Tables left empty are freed, so that
 * unmapping returns the memory mapping took; except the tables the kernel
 * half's root entries point to, which every space's root copied when it was
 * created (backend_space_create) and so must live as long as the kernel
 * space.  Returns whether a table was freed (the caller must then fence all).
 */
static int clear_range(paddr_t table, unsigned level, vaddr_t va, vaddr_t end)
{
	pte_t *t = table_at(table);
	int freed = 0;
	while (va < end) {
		vaddr_t next = slot_end(va, level, end);
		pte_t *slot = &t[sv48_index(va, level)];
		if (pte_valid(*slot) && !pte_is_leaf(*slot)) {
			int shared = level == SV48_ROOT_LEVEL && !va_is_user(va);
			int whole = IS_ALIGNED(va, sv48_level_size(level)) &&
				    next - va == sv48_level_size(level);
			if (whole && !shared) {
				free_table_tree(pte_pa(*slot), level - 1);
				*slot = 0;
				freed = 1;
			} else {
				paddr_t sub = pte_pa(*slot);
				freed |= clear_range(sub, level - 1, va, next);
				if (!shared && table_empty(sub, sv48_index(next, level - 1))) {
					table_free(sub);
					*slot = 0;
					freed = 1;
				}
			}
		} else {
			*slot = 0;
		}
		va = next;
	}
	return freed;
}

int backend_unmap(struct backend_space *s, vaddr_t va, uint64_t len)
{
	int err = split_ends(s, va, va + len);
	if (err)
		return err;
	/* A freed table may sit in a page-walk cache: only a full fence drops it. */
	if (clear_range(s->root, SV48_ROOT_LEVEL, va, va + len))
		sfence_vma_all();
	else
		fence_range(va, len);
	return 0;
}

/* --------------------------------------------------------- protect --- */

/* Set the rights bits of every leaf under the table at LEVEL inside [va, end). */
static void set_rights(paddr_t table, unsigned level, vaddr_t va, vaddr_t end, pte_t bits)
{
	pte_t *t = table_at(table);
	while (va < end) {
		vaddr_t next = slot_end(va, level, end);
		pte_t *slot = &t[sv48_index(va, level)];
		if (pte_is_leaf(*slot))
			*slot = pte_make(pte_pa(*slot), bits | (*slot & (PTE_A | PTE_D)));
		else
			set_rights(pte_pa(*slot), level - 1, va, next, bits);
		va = next;
	}
}

int backend_protect(struct backend_space *s, vaddr_t va, uint64_t len, unsigned rights)
{
	vaddr_t end = va + len;
	if (!all_leaves(s->root, SV48_ROOT_LEVEL, va, end))
		return -ENOENT;
	int err = split_ends(s, va, end);
	if (err)
		return err;
	set_rights(s->root, SV48_ROOT_LEVEL, va, end, rights_to_pte(rights));
	fence_range(va, len);
	return 0;
}

/* ------------------------------------------------ translate, traverse --- */

int backend_translate(struct backend_space *s, vaddr_t va, struct vmm_mapping *out)
{
	paddr_t table = s->root;
	for (int level = SV48_ROOT_LEVEL; level >= 0; level--) {
		pte_t e = table_at(table)[sv48_index(va, level)];
		if (!pte_valid(e))
			return -ENOENT;
		if (pte_is_leaf(e)) {
			uint64_t size = sv48_level_size(level);
			uint64_t off = va & (size - 1);
			*out = (struct vmm_mapping){ va, pte_pa(e) + off, size - off, pte_to_rights(e) };
			return 0;
		}
		table = pte_pa(e);
	}
	return -ENOENT;
}

/* Visit the leaves under the table at LEVEL inside [va, end), in order. */
static int visit_range(paddr_t table, unsigned level, vaddr_t va, vaddr_t end, vmm_visitor visit,
		       void *ctx)
{
	pte_t *t = table_at(table);
	while (va < end) {
		vaddr_t next = slot_end(va, level, end);
		pte_t e = t[sv48_index(va, level)];
		int r = 0;
		if (pte_valid(e) && pte_is_leaf(e)) {
			uint64_t off = va & (sv48_level_size(level) - 1);
			struct vmm_mapping m = { va, pte_pa(e) + off, next - va, pte_to_rights(e) };
			r = visit(&m, ctx);
		} else if (pte_valid(e)) {
			r = visit_range(pte_pa(e), level - 1, va, next, visit, ctx);
		}
		if (r)
			return r;
		va = next;
	}
	return 0;
}

int backend_traverse(struct backend_space *s, vaddr_t va, uint64_t len, vmm_visitor visit,
		     void *ctx)
{
	return visit_range(s->root, SV48_ROOT_LEVEL, va, va + len, visit, ctx);
}
