/* What the files of compart/ share: the one program's compartments. */
#ifndef COMPART_INTERNAL_H
#define COMPART_INTERNAL_H

#include "compart/compart.h"
#include "compart/image.h"
#include "policies/policy.h"

/* Calls between compartments in progress, when they pass through the kernel (Sv48). */
#define COMPART_DEPTH_MAX 64

struct compart_frame {
	unsigned caller, callee;
	uint64_t resume; /* where the caller goes on: after its ecall */
};

struct compart_program {
	const struct policy *policy;
	const void *image;
	size_t image_size;
	struct vmm_space *space;
	struct compart_image img; /* count 0: the program has no compartments */
	unsigned views;		  /* 1 when the policy keeps none apart */
	enum compart_method method;
	struct policy_compartment who[COMPART_MAX];
	struct compart_frame frames[COMPART_DEPTH_MAX];
	unsigned depth;
	struct compart_info *info; /* the information page, as the kernel writes it */
};

extern struct compart_program compart_program;

/* trap_entry.S's fast path for SYS_compart_call and SYS_compart_return (switch.c): 1 done, 0 not. */
int compart_switch_fast(struct trap_frame *f);

/* Whether an ended grant to C covered ADDR: 1 and *CAUSE (REVOKED or EXPIRED), else 0. */
int compart_grant_ended(unsigned c, uint64_t addr, enum policy_fault_cause *cause);

#endif
