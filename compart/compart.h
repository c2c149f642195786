/*
 * Compartments, the kernel's side (docs/compartments.md): the mechanism.
 * compart/ reads the program's compartments, asks the image's policy
 * (policies/) for every decision and carries it out through vmm/ views:
 * masks at load, switches between compartments where the backend needs the
 * kernel for them, grants and revokes, and faults, reported and contained.
 * It knows no backend; what differs is whether a switch passes through the
 * kernel (vmm_views_switch_in_user).
 */
#ifndef COMPART_COMPART_H
#define COMPART_COMPART_H

#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "libcompart/compart_abi.h"
#include "vmm/vmm.h"

/*
 * Before the program is loaded into SPACE: read its compartments from the
 * ELF at IMAGE and, when the image's policy keeps them apart, give SPACE
 * one view per compartment.  0, or -ENOEXEC (a malformed compartment
 * table: the reason is printed), -ENOMEM.
 */
int compart_prepare(struct vmm_space *space, const void *image, size_t size);

/*
 * Once the program's segments and its stack [stack_lo, stack_hi) are in
 * SPACE: each view's masks as the policy's load hook decides, and the
 * information page.  0, -ENOMEM.
 */
int compart_apply(struct vmm_space *space, vaddr_t stack_lo, vaddr_t stack_hi);

/* The compartment running now (0 without compartments). */
unsigned compart_current(void);

/* How many compartments the program declares (0: none; it runs as one). */
unsigned compart_declared(void);

/* The views a region the running compartment creates (mmap, brk) is given to. */
unsigned compart_views_for_new_memory(void);
/*
 * Whether the running compartment may change the memory of [va, va+len)
 * (munmap, mprotect, mremap, madvise, MAP_FIXED): main may change any; any
 * other only memory it may write.
 */
int compart_may_change(vaddr_t va, uint64_t len);

/*
 * A switch system call (SYS_compart_call, SYS_compart_return) in frame F:
 * checked and carried out; the frame is what U-mode resumes with.
 */
void compart_switch(struct trap_frame *f, uint64_t nr);

/* What went wrong, as trap.c saw it. */
enum compart_trap {
	COMPART_TRAP_READ,
	COMPART_TRAP_WRITE,
	COMPART_TRAP_EXEC,
	COMPART_TRAP_ILLEGAL,	  /* an illegal instruction (a forged return into a compartment) */
	COMPART_TRAP_INSTRUCTION, /* a SecureCells instruction refused (causes 0x18-0x1C) */
	COMPART_TRAP_BAD_TARGET,  /* a switch to a non-entry address (cause 0x1C) */
};

/*
 * A fault of the running compartment that vmm could not resolve: reported
 * (cause, compartment, pc, address), then the policy decides.  Returns 1
 * when it was contained: F now resumes the caller of the faulting
 * compartment's call, with the error; 0 when the program must end.
 */
int compart_fault(struct trap_frame *f, enum compart_trap what);

/* The timer ticked: grants whose lease ended, and notices whose deadline passed, are revoked. */
void compart_tick(void);

/* The system calls of libcompart/compart_abi.h other than the switches. */
long compart_sys_grant(uint64_t va, uint64_t len, uint64_t to, uint64_t rights, uint64_t kind);
long compart_sys_revoke(uint64_t grant);
long compart_sys_restrict(uint64_t va, uint64_t len, uint64_t rights);
long compart_sys_self(void);

#endif
