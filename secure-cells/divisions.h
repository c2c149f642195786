/*
 * The tables this kernel builds and the security divisions in them: which
 * row holds what, stated once (docs/cells.md says why).
 *
 * The kernel table: every kernel-half cell, one division (0).  S-mode
 * always runs on it: the trap path switches to it before the vector's
 * first memory access.
 *
 * A user table, one per space: the space's user cells and the trap page.
 * U-mode runs on it.  Its rows:
 *   DIV_KERNEL  (0) execute on the trap page, nothing else: a trap shifts
 *               usid to 0 and must fetch the vector before it switches.
 *   DIV_APP     (1) the application: its rights on its cells, and execute
 *               on the trap page (traps the firmware forwards unshifted
 *               start in the application's division).
 *   DIV_WITNESS (2) never entered (it can execute nothing, so no jals or
 *               jalrs lands in it): read on every cell the kernel relies
 *               on, so that no user division is ever the only holder that
 *               `inval` counts, and `reval` never gets a cell to widen.
 * A user table holds nothing else of the kernel's: a division register
 * written from U-mode (the reference emulator allows it) reaches only rows
 * of the user table.
 */
#ifndef SECURE_CELLS_DIVISIONS_H
#define SECURE_CELLS_DIVISIONS_H

#include <stdint.h>

#include "secure-cells/table.h"
#include "vmm/vmm.h"

#define DIV_KERNEL 0
#define DIV_APP 1
#define DIV_WITNESS 2

#define KERNEL_TABLE_M 1 /* divisions in use and reserved in the kernel table */
#define USER_TABLE_M 3	 /* in a user table: kernel, application, witness */
#define USER_TABLE_R 4	 /* rows reserved in a user table: one spare for compartments */
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
 * The rows of a user cell with vmm RIGHTS: the application's byte, nothing
 * for the kernel's row, and the witness's read when KERNEL_RELIED (the
 * frames are not the space's own: the kernel's image, or memory the caller
 * mapped and keeps).
 */
static inline void user_cell_rows(unsigned rights, int kernel_relied, uint8_t rows[USER_TABLE_M])
{
	rows[DIV_KERNEL] = 0;
	rows[DIV_APP] = cell_byte(rights);
	rows[DIV_WITNESS] = kernel_relied ? CELL_V | CELL_R : 0;
}

#endif
