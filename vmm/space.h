/* struct vmm_space, shared by the files of vmm/ only. */
#ifndef VMM_SPACE_H
#define VMM_SPACE_H

#include "vmm/backend.h"

struct region;

struct vmm_space {
	struct backend_space *backend;
	struct region *regions; /* sorted by address, disjoint */
	unsigned nviews;	/* 1 until vmm_views_set */
};

/* Create the kernel space with nothing mapped (vmm_init; host tests). */
int vmm_kernel_space_init(void);
/*
 * Give the translations present in [va, va+len) RIGHTS, in the space and
 * each view (page rights of VMM_USER alone: hold them), skipping holes, all
 * or nothing (the region layer's protect; arguments already checked).
 */
int vmm_protect_present(struct vmm_space *space, vaddr_t va, uint64_t len,
			const struct view_rights *rights);
/* Account one fault resolution that took INSTRET instructions. */
void vmm_count_fault(uint64_t instret);

/* Free every region of SPACE (and the frames of anonymous ones). */
void region_destroy_all(struct vmm_space *space);

#endif
