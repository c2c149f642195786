/*
 * The tables this kernel builds and the security divisions in them: which
 * row holds what, stated once (docs/cells.md says why).
 *
 * The kernel table: every kernel-half cell, one division (0).  S-mode
 * always runs on it: the trap path switches to it before the vector's
 * first memory access.
 *
 * A user table, one per space: the space's user cells and the trap page.
 * U-mode runs on it.  A space seen through n views (one per compartment,
 * docs/compartments.md) has M = n + 2 divisions in its user table:
 *   DIV_KERNEL  (0) execute on the trap page, nothing else: a trap shifts
 *               usid to 0 and must fetch the vector before it switches.
 *   1..n        the views: view v is division v + 1 (div_of_view), with
 *               the view's rights on each cell and execute on the trap
 *               page (traps the firmware forwards unshifted start in the
 *               division that ran).  DIV_APP (1) is view 0's: the only
 *               one of a space with one view, the application.
 *   the witness (M - 1, div_witness) never entered (it can execute
 *               nothing, so no jals or jalrs lands in it): read on every
 *               cell the kernel relies on, so that no user division, nor
 *               all of them together, is ever the only holder that
 *               `inval` counts, and `reval` never gets a cell to widen.
 * A space of one view has exactly the three rows it always had (M = 3).
 * A user table holds nothing else of the kernel's: a division register
 * written from U-mode (the reference emulator allows it) reaches only rows
 * of the user table.
 *
 * The kernel table also has rows 1..n for the largest n of any space, with
 * execute on the trap page only: the vector switches tables before it
 * reads usid (the only register it has free holds the kernel table's
 * satp), so its next fetches are made in the trapped division's row of
 * the kernel table (trap_switch.h).
 */
#ifndef SECURE_CELLS_DIVISIONS_H
#define SECURE_CELLS_DIVISIONS_H

#include <stdint.h>

#include "secure-cells/table.h"
#include "vmm/backend.h"
#include "vmm/vmm.h"

#define DIV_KERNEL 0
#define DIV_APP 1 /* view 0's division */

/* The division of view V, in every user table. */
static inline uint32_t div_of_view(unsigned v)
{
	return v + 1;
}

/* The witness of a user table of M divisions: the last one. */
static inline uint32_t div_witness(uint32_t M)
{
	return M - 1;
}

/* The divisions a user table of a space with NVIEWS views has: kernel, views, witness. */
static inline uint32_t user_table_m(unsigned nviews)
{
	return nviews + 2;
}

#define KERNEL_TABLE_M 2 /* divisions in use in the kernel table at first: the kernel's, view 0's */
#define KERNEL_TABLE_R 2 /* and reserved; a space of n views makes it n + 1 (cells_kernel_trap_rows) */
#define USER_TABLE_M 3	 /* in a user table of one view: kernel, application, witness */
#define USER_TABLE_MAX_M (VMM_MAX_VIEWS + 2)
#define USER_TABLE_R 4	 /* rows reserved in a user table at least (one spare) */
#define TABLE_T 1	 /* 63 cells to start with; a table grows */

/* Bit 4 of a permission byte is unused by the MMU: it carries VMM_DEVICE. */
#define CELL_DEVICE 0x10u

/* The rights bits of a byte, A and D aside. */
#define CELL_RIGHTS (CELL_R | CELL_W | CELL_X | CELL_DEVICE | CELL_G)

/* VMM_ACCESSED and VMM_DIRTY as a byte's A and D bits say. */
static inline unsigned cell_byte_ad(uint8_t b)
{
	return ((b & CELL_A) ? VMM_ACCESSED : 0) | ((b & CELL_D) ? VMM_DIRTY : 0);
}

/*
 * The permission byte of a mapping with vmm RIGHTS: V set, or, with none of
 * read, write and execute (a user page held by vmm_protect with VMM_USER
 * alone), no V and no rights, only A and D.
 */
static inline uint8_t cell_byte(unsigned rights)
{
	if (!(rights & (VMM_READ | VMM_WRITE | VMM_EXEC)))
		return (uint8_t)(((rights & VMM_ACCESSED) ? CELL_A : 0) |
				 ((rights & VMM_DIRTY) ? CELL_D : 0));
	uint8_t b = CELL_V;
	b |= (rights & VMM_READ) ? CELL_R : 0;
	b |= (rights & VMM_WRITE) ? CELL_W : 0;
	b |= (rights & VMM_EXEC) ? CELL_X : 0;
	b |= (rights & VMM_DEVICE) ? CELL_DEVICE : 0;
	b |= (rights & VMM_GLOBAL) ? CELL_G : 0;
	b |= (rights & VMM_ACCESSED) ? CELL_A : 0;
	b |= (rights & VMM_DIRTY) ? CELL_D : 0;
	return b;
}

/* The vmm rights a byte B stands for (USER: it is a user cell's); 0 without V. */
static inline unsigned cell_byte_rights(uint8_t b, int user)
{
	if (!(b & CELL_V))
		return 0;
	unsigned r = user ? VMM_USER : 0;
	r |= (b & CELL_R) ? VMM_READ : 0;
	r |= (b & CELL_W) ? VMM_WRITE : 0;
	r |= (b & CELL_X) ? VMM_EXEC : 0;
	r |= (b & CELL_DEVICE) ? VMM_DEVICE : 0;
	r |= (b & CELL_G) ? VMM_GLOBAL : 0;
	return r | cell_byte_ad(b);
}

/*
 * View V's byte of a cell whose rights R says: the view's rights (the
 * page's device and global bits with them), or 0 when it has none (a view
 * without rights has no A/D either: vmm/region_view.c; a held page's A/D
 * bits stay in every row, as protect keeps them).
 */
static inline uint8_t view_byte(const struct view_rights *r, unsigned v)
{
	return cell_byte(r->view[v] | (r->page & (VMM_DEVICE | VMM_GLOBAL)));
}

/*
 * The rows of a new user cell in a table of M divisions: nothing for the
 * kernel's row, each view's byte from R (all of them B when R is NULL:
 * the caller's memory, every view the same), and the witness's read when
 * KERNEL_RELIED (the frames are not the space's own: the kernel's image,
 * or memory the caller mapped and keeps).
 */
static inline void user_cell_rows(uint32_t M, const struct view_rights *r, uint8_t b,
				  int kernel_relied, uint8_t *rows)
{
	rows[DIV_KERNEL] = 0;
	rows[DIV_APP] = r ? view_byte(r, 0) : b;
	/* One view (a flat program): three rows, as before views, at the same cost. */
	if (M == USER_TABLE_M) {
		rows[USER_TABLE_M - 1] = kernel_relied ? CELL_V | CELL_R : 0;
		return;
	}
	for (uint32_t d = DIV_APP + 1; d < div_witness(M); d++)
		rows[d] = r ? view_byte(r, d - DIV_APP) : b;
	rows[div_witness(M)] = kernel_relied ? CELL_V | CELL_R : 0;
}

/*
 * What the space's page is, from the view rows of a user cell: the union
 * of their bytes; without V in any of them the page is held (VMM_USER and
 * its A/D bits).  (A view's rights are a subset of the page's, so this is
 * the page's rights whenever some view has them all: docs/cells.md.)
 */
static inline unsigned user_page_rights(const uint8_t *views, uint32_t nviews)
{
	uint8_t b = views[0];
	for (uint32_t v = 1; v < nviews; v++)
		b |= views[v];
	if (!(b & CELL_V))
		return VMM_USER | cell_byte_ad(b);
	return cell_byte_rights(b, 1);
}

#endif
