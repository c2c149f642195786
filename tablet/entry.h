/*
 * What a leaf entry says, in vmm rights: the one encoding between VMM_*
 * rights and Sv48 entry bits, for tablet/ (which writes entries) and for
 * the read-only walks of segment/.
 */
#ifndef TABLET_ENTRY_H
#define TABLET_ENTRY_H

#include "sv48.h"
#include "vmm/vmm.h"

static inline pte_t rights_to_pte(unsigned rights)
{
	pte_t bits = 0;
	bits |= (rights & VMM_READ) ? PTE_R : 0;
	bits |= (rights & VMM_WRITE) ? PTE_W : 0;
	bits |= (rights & VMM_EXEC) ? PTE_X : 0;
	bits |= (rights & VMM_USER) ? PTE_U : 0;
	bits |= (rights & VMM_GLOBAL) ? PTE_G : 0;
	bits |= (rights & VMM_DEVICE) ? PTE_SW_DEVICE : 0;
	bits |= (rights & VMM_ACCESSED) ? PTE_A : 0;
	bits |= (rights & VMM_DIRTY) ? PTE_D : 0;
	return bits;
}

/* The vmm rights of a leaf entry, A/D included (a held page: VMM_USER and its A/D). */
static inline unsigned tablet_entry_rights(uint64_t e)
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

#endif
