/*
 * The permission-table backend of vmm.h (SATP mode 15, SecureCells).
 *
 * Two kinds of table (secure-cells/divisions.h, docs/cells.md): one kernel
 * table with every kernel-half cell, on which S-mode always runs, and one
 * user table per space with that space's user cells and the trap page, on
 * which U-mode runs.  The trap path switches between them.  A user table
 * holds nothing of the kernel's but the trap page, so whatever the
 * application does with the SecureCells instructions or the division
 * registers reaches no kernel memory; and the kernel reaches application
 * memory through the user table's rows in software (the platform's
 * uaccess), never through the hardware.
 *
 * A mapping is one cell; neighbours contiguous in both address spaces with
 * equal rows are merged, so a direct map or a program's text becomes a
 * handful of cells.  A full table grows (the trap path's satp values are
 * updated).
 */
#include <stdio.h>
#include <string.h>

#include "arch.h"
#include "machine.h"
#include "kernel/error.h"
#include "kernel/frame.h"
#include "kernel/heap.h"
#include "secure-cells/cells_edit.h"
#include "secure-cells/cells_space.h"
#include "secure-cells/divisions.h"
#include "vmm/backend.h"

const char backend_name[] = "cells";
const int backend_views_switch_in_user = 1;

static struct cell_table kernel_table;
static struct backend_space *spaces, *active;

/* The address a VPN stands for (sign-extended from bit 47). */
static vaddr_t va_of(uint64_t vpn)
{
	vaddr_t va = vpn << PAGE_SHIFT;
	return (va & (1ul << 47)) ? va | ~((1ul << 48) - 1) : va;
}

struct cell_table *cells_table_for(struct backend_space *s, vaddr_t va)
{
	return va_is_user(va) ? &s->table : &kernel_table;
}

/*
 * The vmm rights of slot I as its space sees it, or 0 when the slot maps
 * nothing there (an invalid cell).  A user cell's are what its view rows
 * say together (user_page_rights): without V in any of them it is held
 * (vmm_protect with VMM_USER alone), VMM_USER and its A/D bits.
 */
static unsigned slot_rights(const struct cell_table *t, uint32_t i)
{
	struct cell c;
	cells_get(t, i, &c);
	if (!c.valid)
		return 0;
	if (t == &kernel_table)
		return cell_byte_rights(cells_get_rights(t, i, DIV_KERNEL), 0);
	uint8_t views[VMM_MAX_VIEWS];
	uint32_t n = div_witness(t->M) - DIV_APP;
	views[0] = cells_get_rights(t, i, DIV_APP);
	for (uint32_t v = 1; v < n; v++)
		views[v] = cells_get_rights(t, i, div_of_view(v));
	return user_page_rights(views, n);
}

/* ------------------------------------------------------------ the MMU --- */

/* Tell the trap path where the tables are now (after a table moved, or a space changed). */
static void publish_satps(void)
{
	trap_set_satps(cells_satp(&kernel_table), active ? cells_satp(&active->table) : 0);
}

/* Run S-mode on the kernel table (the platform stops the machine when the emulator lacks mode 15). */
static void load_kernel_satp(void)
{
	satp_cells_load_or_stop(cells_satp(&kernel_table));
}

void backend_activate(struct backend_space *s, unsigned view)
{
	if (!active)
		load_kernel_satp();
	active = s;
	publish_satps();
	trap_set_user_division(div_of_view(view));
}

/* ------------------------------------------------------------ spaces --- */

/*
 * Put the trap page into the new user table T at its kernel address, so
 * that the vector keeps running when it switches tables: execute for the
 * kernel's row and every view's, read for the witness.  (No grant is
 * recorded on it: a pending grant would make every later shift of the
 * table move its grant rows too, and it could only stop an `inval` by a
 * program running as division 0, which an emulator that lets it do that
 * also lets hang the machine: docs/cells.md.)
 */
static int add_trap_page(struct cell_table *t)
{
	uint64_t va, pa, len;
	trap_page_range(&va, &pa, &len);
	struct cell c = { vpn_of(va), vpn_of(va + len - 1), pa >> PAGE_SHIFT, 1 };
	uint32_t slot;
	int err = cells_insert(t, &c, &slot);
	if (err)
		return err;
	for (uint32_t d = DIV_KERNEL; d < div_witness(t->M); d++)
		cells_set_rights(t, slot, d, CELL_V | CELL_X);
	cells_set_rights(t, slot, div_witness(t->M), CELL_V | CELL_R);
	return 0;
}

int cells_user_table_create(struct cell_table *t, unsigned nviews)
{
	uint32_t M = user_table_m(nviews);
	int err = cells_create(t, TABLE_T, M > USER_TABLE_R ? M : USER_TABLE_R, M);
	if (!err && (err = add_trap_page(t)) != 0)
		cells_destroy(t);
	return err;
}

struct cell_table *cells_kernel_table(void)
{
	return &kernel_table;
}

void cells_user_table_moved(struct backend_space *s)
{
	if (s == active)
		publish_satps();
}

int backend_space_create(struct backend_space *kernel, struct backend_space **out)
{
	if (!kernel && !kernel_table.mem) {
		int err = cells_create(&kernel_table, TABLE_T, KERNEL_TABLE_R, KERNEL_TABLE_M);
		if (err)
			return err;
	}
	struct backend_space *s = kzalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->nviews = 1;
	int err = cells_user_table_create(&s->table, s->nviews);
	if (err) {
		kfree(s);
		return err;
	}
	s->next = spaces;
	spaces = s;
	*out = s;
	return 0;
}

static int unmap_in(struct cell_table *t, uint64_t vf, uint64_t vl);

void backend_space_destroy(struct backend_space *s)
{
	unmap_in(&s->table, 0, vpn_of(USER_TOP - 1));
	cells_destroy(&s->table);
	for (struct backend_space **p = &spaces; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			break;
		}
	if (active == s)
		active = NULL;
	kfree(s);
}

uint64_t backend_table_bytes(void)
{
	uint64_t bytes = cells_bytes(&kernel_table);
	for (struct backend_space *s = spaces; s; s = s->next)
		bytes += cells_bytes(&s->table);
	return bytes;
}

/* ------------------------------------------------------------- edits --- */

/* Whether T is the table S-mode runs on: then an edit runs off it (cells_edit.h). */
static int is_live(const struct cell_table *t)
{
	return t == &kernel_table && active != NULL;
}

/*
 * After an edit of T that may have moved it: the trap path learns where the
 * tables are.  (A live table's edit ends on its new base: cells_edit_end.)
 */
static void edited(struct cell_table *t, paddr_t base_before)
{
	if (t->base != base_before && (t == &kernel_table || (active && t == &active->table)))
		publish_satps();
}

int cells_insert_in(struct cell_table *t, uint64_t vf, uint64_t vl, uint64_t ppn,
		     const uint8_t *rows)
{
	paddr_t base = t->base;
	int err = cells_edit_insert(t, is_live(t), vf, vl, ppn, rows);
	edited(t, base);
	return err;
}

/* A cell of T holds the space's own frames: a user cell without a witness (divisions.h). */
static int owned_cell(const struct cell_table *t, uint32_t slot)
{
	return t != &kernel_table && cells_get_rights(t, slot, div_witness(t->M)) == 0;
}

/* Whether a boundary just below page VPN (when BELOW) or just above it cuts a huge frame of T's. */
static int cuts_huge(const struct cell_table *t, uint64_t vpn, int below)
{
	uint32_t slot;
	struct cell c;
	if (vpn > CELL_VPN_MAX || cells_lookup(t, vpn, &slot) != 0 || !owned_cell(t, slot))
		return 0;
	cells_get(t, slot, &c);
	return cells_owned_cut(c.ppn + (vpn - c.vpn_first), below);
}

static int release_cell(const struct cell_table *t, uint32_t slot, const struct cell *c, void *ctx)
{
	if (owned_cell(t, slot))
		cells_owned_release(c->ppn, c->vpn_last - c->vpn_first + 1);
	return 0;
}

/*
 * Remove every cell of T inside [vf, vl], freeing owned frames; an emptier
 * table shrinks.  All or nothing: -EINVAL when the range would cut a 2 MiB
 * frame of a huge fault (the region layer cuts those only at 2 MiB), and
 * the room for two splits is taken before any store (-ENOMEM).
 */
static int unmap_in(struct cell_table *t, uint64_t vf, uint64_t vl)
{
	if (cuts_huge(t, vf, 1) || cuts_huge(t, vl, 0))
		return -EINVAL;
	paddr_t base = t->base;
	int live = is_live(t);
	cells_edit_begin(t, live);
	int err = cells_edit_isolate(t, vf, vl);
	/* After the splits the cells in the range are whole: free their frames, then drop them. */
	if (!err) {
		cells_traverse(t, vf, vl, release_cell, NULL);
		cells_remove_range(t, vf, vl);
		/* A failure to shrink keeps the larger table, which is still correct. */
		cells_shrink(t, TABLE_T);
	}
	cells_edit_end(t, live);
	edited(t, base);
	return err;
}
/*
 * Map [vf, vl] -> PPN with ROWS in the kernel table when the range holds
 * the trap page [tf, tl]: three cells, the trap page's with execute in
 * rows 1.. too (divisions.h), so that it is a cell of its own from the
 * start.  All or nothing: the overlap check and the room for the three
 * inserts come first, and then none can fail.
 */
static int map_with_trap_page(struct cell_table *t, uint64_t vf, uint64_t vl, uint64_t ppn,
			      const uint8_t *rows, uint64_t tf, uint64_t tl)
{
	if (tf < vf || tl > vl)
		return -EINVAL; /* the trap page cut by a kernel mapping: the image is not laid out so */
	int live = is_live(t);
	struct cell_place place;
	cells_edit_begin(t, live);
	int err = cells_find_place(t, vf, vl, &place) != 0 ? -EEXIST : cells_edit_reserve(t, 3);
	if (!err) {
		uint8_t trap[VMM_MAX_VIEWS + 1];
		trap[DIV_KERNEL] = rows[DIV_KERNEL];
		for (uint32_t d = DIV_APP; d < t->M; d++)
			trap[d] = CELL_V | CELL_X;
		if (tf > vf)
			cells_edit_insert(t, live, vf, tf - 1, ppn, rows);
		cells_edit_insert(t, live, tf, tl, ppn + (tf - vf), trap);
		if (tl < vl)
			cells_edit_insert(t, live, tl + 1, vl, ppn + (tl + 1 - vf), rows);
	}
	cells_edit_end(t, live);
	return err;
}

/* A kernel-half mapping: the kernel's row; rows 1.. of the kernel table are the trap page's only. */
static __attribute__((noinline)) int map_kernel(vaddr_t va, paddr_t pa, uint64_t len, unsigned rights)
{
	struct cell_table *t = &kernel_table;
	uint8_t rows[VMM_MAX_VIEWS + 1] = { cell_byte(rights) };
	uint64_t vf = vpn_of(va), vl = vpn_of(va + len - 1), tva, tpa, tlen;
	trap_page_range(&tva, &tpa, &tlen);
	uint64_t tf = vpn_of(tva), tl = vpn_of(tva + tlen - 1);
	int err;
	if (vl < tf || vf > tl) {
		err = cells_insert_in(t, vf, vl, pa >> PAGE_SHIFT, rows);
	} else {
		paddr_t base = t->base;
		err = map_with_trap_page(t, vf, vl, pa >> PAGE_SHIFT, rows, tf, tl);
		edited(t, base);
	}
	if (!err && is_live(t))
		sfence_vma_all();
	return err;
}

/*
 * Rows 1..NVIEWS of the kernel table, with execute on the trap page and
 * nothing else (divisions.h: the vector's fetches between its table switch
 * and its read of usid).  The trap page is a cell of its own there
 * (map_with_trap_page).  All or nothing: the table is relaid out for the
 * rows first when it has too few (off itself: it is live), and then
 * nothing fails.  A row no one but the vector enters changes no
 * translation the kernel makes, so the live table takes it in place.
 */
int cells_kernel_trap_rows(unsigned nviews)
{
	struct cell_table *t = &kernel_table;
	uint64_t va, pa, len;
	uint32_t slot, div;
	if (nviews < t->M)
		return 0;
	paddr_t base = t->base;
	int live = is_live(t);
	cells_edit_begin(t, live);
	int err = cells_reserve_rows(t, nviews + 1);
	cells_edit_end(t, live);
	edited(t, base);
	if (err)
		return err;
	trap_page_range(&va, &pa, &len);
	int mapped = cells_lookup(t, vpn_of(va), &slot) == 0;
	while (t->M <= nviews && cells_add_division(t, &div) == 0)
		if (mapped)
			cells_set_rights(t, slot, div, CELL_V | CELL_X);
	return 0;
}

int backend_map(struct backend_space *s, vaddr_t va, paddr_t pa, uint64_t len, unsigned rights)
{
	if (!va_is_user(va))
		return map_kernel(va, pa, len, rights);
	/* The caller's memory: the kernel relies on it; every view gets the rights. */
	struct cell_table *t = &s->table;
	uint8_t rows[USER_TABLE_MAX_M];
	user_cell_rows(t->M, NULL, cell_byte(rights), 1, rows);
	/* A user table is never live in S-mode: the way back to U-mode fences. */
	return cells_insert_in(t, vpn_of(va), vpn_of(va + len - 1), pa >> PAGE_SHIFT, rows);
}

int backend_unmap(struct backend_space *s, vaddr_t va, uint64_t len)
{
	struct cell_table *t = cells_table_for(s, va);
	int err = unmap_in(t, vpn_of(va), vpn_of(va + len - 1));
	if (!err && is_live(t))
		sfence_vma_all();
	return err;
}

/*
 * Every cell present in the range (held ones too) gets each view's rights
 * from R in the view's row (a kernel cell: R->page in the kernel's row);
 * holes are skipped (vmm.c checks coverage).  VMM_USER alone holds: every
 * view's byte keeps only A/D, so neither the MMU nor the kernel's uaccess
 * lets anything reach the frame, which stays in the cell.  The witness row
 * is not touched.  All or nothing: the only allocation is the room for two
 * splits, taken before any store.  A user table is never live in S-mode:
 * the trap path's fence on the way back to U-mode covers the rights taken.
 */
/* Each view's byte for R in a user table of M divisions (a held page's A/D bits in every one). */
static __attribute__((noinline)) void view_bytes(const struct view_rights *r, uint32_t M,
						 uint8_t *bytes)
{
	uint8_t held = (r->page & (VMM_READ | VMM_WRITE | VMM_EXEC)) ? 0 : cell_byte(r->page);
	for (uint32_t v = 0; v < div_witness(M) - DIV_APP; v++)
		bytes[v] = (uint8_t)(view_byte(r, v) | held);
}

int backend_protect(struct backend_space *s, vaddr_t va, uint64_t len, const struct view_rights *r)
{
	struct cell_table *t = cells_table_for(s, va);
	uint8_t bytes[VMM_MAX_VIEWS];
	uint32_t first = DIV_APP, count = 1;
	if (t == &kernel_table) {
		first = DIV_KERNEL;
		bytes[0] = cell_byte(r->page);
	} else if (t->M == USER_TABLE_M) {
		/* One view: its byte as the page's was before views (held: A/D only). */
		bytes[0] = r->page & (VMM_READ | VMM_WRITE | VMM_EXEC) ? view_byte(r, 0)
								      : cell_byte(r->page);
	} else {
		count = div_witness(t->M) - DIV_APP;
		view_bytes(r, t->M, bytes);
	}
	uint64_t vf = vpn_of(va), vl = vpn_of(va + len - 1);
	paddr_t base = t->base;
	int live = is_live(t);
	cells_edit_begin(t, live);
	int err = cells_edit_isolate(t, vf, vl);
	/* Only the views' bytes change (the kernel's, in its table): what the MMU recorded (A/D) stays. */
	if (!err)
		cells_edit_set_rows(t, vf, vl, first, count, bytes, CELL_A | CELL_D);
	cells_edit_end(t, live);
	edited(t, base);
	if (!err && live)
		sfence_vma_all();
	return err;
}

/* ------------------------------------------------ translate, traverse --- */

int backend_translate(struct backend_space *s, vaddr_t va, struct vmm_mapping *out)
{
	const struct cell_table *t = cells_table_for(s, va);
	uint32_t slot;
	struct cell c;
	if (cells_lookup(t, vpn_of(va), &slot) != 0)
		return -ENOENT;
	unsigned rights = slot_rights(t, slot);
	if (!rights)
		return -ENOENT;
	cells_get(t, slot, &c);
	vaddr_t start = va_of(c.vpn_first);
	uint64_t len = (c.vpn_last - c.vpn_first + 1) << PAGE_SHIFT;
	*out = (struct vmm_mapping){ va, (c.ppn << PAGE_SHIFT) + (va - start), start + len - va, rights };
	return 0;
}

struct visit_ctx {
	vaddr_t va, end;
	vmm_visitor visit;
	void *ctx;
};

static int visit_cell(const struct cell_table *t, uint32_t slot, const struct cell *c, void *arg)
{
	struct visit_ctx *v = arg;
	unsigned rights = slot_rights(t, slot);
	if (!rights)
		return 0;
	vaddr_t start = va_of(c->vpn_first), end = start + ((c->vpn_last - c->vpn_first + 1) << PAGE_SHIFT);
	vaddr_t lo = start > v->va ? start : v->va, hi = end < v->end ? end : v->end;
	struct vmm_mapping m = { lo, (c->ppn << PAGE_SHIFT) + (lo - start), hi - lo, rights };
	return v->visit(&m, v->ctx);
}

int backend_traverse(struct backend_space *s, vaddr_t va, uint64_t len, vmm_visitor visit,
		     void *ctx)
{
	struct visit_ctx v = { va, va + len, visit, ctx };
	return cells_traverse(cells_table_for(s, va), vpn_of(va), vpn_of(va + len - 1), visit_cell, &v);
}

/* ---------------------------------------------------------- reporting --- */

void backend_stats(char *buf, size_t size)
{
	uint32_t user = active ? cells_count(&active->table) : 0;
	uint32_t kernel = cells_count(&kernel_table);
	snprintf(buf, size, " cells=%u user_cells=%u kernel_cells=%u table_grows=%lu",
		 user + kernel, user, kernel, cells_edit_grows());
}

void backend_tick(void)
{
}
