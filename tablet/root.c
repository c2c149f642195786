/*
 * Root tables, one per space, are not tablets: a segment's top table is
 * attached to a root slot (every root's, for a kernel segment).  These are
 * the only entries written outside rental.c.
 */
#include "arch.h"
#include "kernel/error.h"
#include "kernel/frame.h"
#include "tablet/internal.h"

static uint64_t roots_in_use;

void root_init(void)
{
	roots_in_use = 0;
}

int tablet_root_alloc(paddr_t *root)
{
	if (frame_alloc(0, root) != 0)
		return -ENOMEM;
	pte_t *e = phys_to_virt(*root);
	for (unsigned i = 0; i < TABLET_ENTRIES; i++)
		e[i] = 0;
	roots_in_use++;
	return 0;
}

void tablet_root_free(paddr_t root)
{
	frame_free(root, 0);
	roots_in_use--;
}

/* The address the first byte of root slot SLOT translates (sign-extended). */
static vaddr_t slot_base(unsigned slot)
{
	vaddr_t va = (vaddr_t)slot << TABLET_BITS_SEGMENT;
	return slot >= TABLET_ENTRIES / 2 ? va | ~((1ul << 48) - 1) : va;
}

int tablet_attach_root(paddr_t root, unsigned slot, handler_id top)
{
	struct tablet *t = tablet_by_id(top);
	if (!t)
		return -ESRCH;
	if (t->kind != TABLET_TABLE || t->size_bits != TABLET_BITS_SEGMENT || slot >= TABLET_ENTRIES)
		return -EINVAL;
	pte_t *e = (pte_t *)phys_to_virt(root) + slot;
	if (pte_valid(*e))
		return -EEXIST;
	*e = pte_make(t->frame, 0);
	t->va = slot_base(slot);
	tablet_refresh_va(t);
	if (t->refs++ == 0)
		unreachable_drop(t);
	sfence_vma_all();
	return 0;
}

int tablet_detach_root(paddr_t root, unsigned slot, handler_id top)
{
	struct tablet *t = tablet_by_id(top);
	pte_t *e = (pte_t *)phys_to_virt(root) + (slot % TABLET_ENTRIES);
	if (!t || slot >= TABLET_ENTRIES || !pte_valid(*e) || pte_pa(*e) != t->frame)
		return -ENOENT;
	*e = 0;
	sfence_vma_all();
	tablet_drop_ref(t);
	return 0;
}

uint64_t tablet_root_bytes(void)
{
	return roots_in_use * PAGE_SIZE;
}
