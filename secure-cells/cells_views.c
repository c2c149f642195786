/*
 * Views of a space on the cells backend (docs/compartments.md, "Cells:
 * divisions"): view v of a space is division v + 1 of its user table, and
 * the witness follows the last view (divisions.h).  A cell's byte in a
 * view's row is what the view may do with it; the space's own rights are
 * what the view rows allow together (user_page_rights), so no row is kept
 * for them that a compartment could enter or that `reval` could turn on.
 */
#include "arch.h"
#include "kernel/error.h"
#include "secure-cells/cells_space.h"
#include "secure-cells/divisions.h"
#include "vmm/backend.h"

/*
 * A user table with the new count of divisions replaces the old one, which
 * holds only the trap page (no user mapping yet): rows move with M's
 * offsets only in a new layout.  All or nothing: the new table comes
 * first, then the kernel table's rows for the new views (which may relay
 * it out, all or nothing); a failure there frees the new table.
 */
int backend_views_init(struct backend_space *s, unsigned nviews)
{
	if (nviews == 0 || nviews > VMM_MAX_VIEWS)
		return -EINVAL;
	if (cells_count(&s->table) != 1) /* the trap page alone */
		return -EBUSY;
	if (nviews == s->nviews)
		return 0;
	struct cell_table fresh;
	int err = cells_user_table_create(&fresh, nviews);
	if (err)
		return err;
	err = cells_kernel_trap_rows(nviews);
	if (err) {
		cells_destroy(&fresh);
		return err;
	}
	cells_destroy(&s->table);
	s->table = fresh;
	s->nviews = nviews;
	cells_user_table_moved(s);
	return 0;
}

int backend_translate_view(struct backend_space *s, unsigned view, vaddr_t va,
			   struct vmm_mapping *out)
{
	const struct cell_table *t = &s->table;
	uint32_t slot;
	struct cell c;
	if (view >= s->nviews || !va_is_user(va) || cells_lookup(t, vpn_of(va), &slot) != 0)
		return -ENOENT;
	cells_get(t, slot, &c);
	unsigned rights = cell_byte_rights(cells_get_rights(t, slot, div_of_view(view)), 1);
	if (!c.valid || !(rights & (VMM_READ | VMM_WRITE | VMM_EXEC)))
		return -ENOENT;
	vaddr_t start = ALIGN_DOWN(va, PAGE_SIZE) - ((vpn_of(va) - c.vpn_first) << PAGE_SHIFT);
	uint64_t len = (c.vpn_last - c.vpn_first + 1) << PAGE_SHIFT;
	*out = (struct vmm_mapping){ va, (c.ppn << PAGE_SHIFT) + (va - start), start + len - va,
				     rights };
	return 0;
}
