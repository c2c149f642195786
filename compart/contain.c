/*
 * Faults inside compartments: reported with cause, compartment, pc and
 * address, then decided by the policy.  Contained, the faulting
 * compartment's current call ends: its caller goes on at its return pad
 * with the fault's code, and the compartment's own state is set back to
 * idle so that the next call into it starts clean.  The caller is found
 * where the kernel can trust it: in its own call stack (ECALL method), or
 * (cells, where calls never enter the kernel) in the callers' own states,
 * which no other compartment can write: the one whose outstanding call went
 * to the faulting compartment, most recently.
 */
#include <string.h>

#include "compart/internal.h"
#include "kernel/console.h"
#include "kernel/error.h"
#include "kernel/memory.h"

#define REG_A1 11

/* The kernel's view of a compartment's state: read or written through the space's own translation. */
static struct compart_state *state_of(struct compart_program *p, unsigned c)
{
	struct vmm_mapping m;
	uint64_t va = p->img.c[c].state;
	/* The stubs keep the state in one page: compart_abi.h aligns it by 16, it is 32 bytes. */
	if (vmm_translate(p->space, va, &m) != 0 || m.len < sizeof(struct compart_state))
		return NULL;
	return phys_to_virt(m.pa);
}

static const char *const cause_names[] = {
	[POLICY_FAULT_READ] = "read without the right",
	[POLICY_FAULT_WRITE] = "write without the right",
	[POLICY_FAULT_EXEC] = "execute without the right",
	[POLICY_FAULT_BAD_ENTRY] = "jump that is no entry point",
	[POLICY_FAULT_REVOKED] = "touch of revoked memory",
	[POLICY_FAULT_EXPIRED] = "touch of memory whose lease expired",
	[POLICY_FAULT_INSTRUCTION] = "SecureCells instruction refused",
};

static const enum compart_fault_code fault_codes[] = {
	[POLICY_FAULT_READ] = COMPART_FAULT_READ,
	[POLICY_FAULT_WRITE] = COMPART_FAULT_WRITE,
	[POLICY_FAULT_EXEC] = COMPART_FAULT_EXEC,
	[POLICY_FAULT_BAD_ENTRY] = COMPART_FAULT_BAD_ENTRY,
	[POLICY_FAULT_REVOKED] = COMPART_FAULT_REVOKED,
	[POLICY_FAULT_EXPIRED] = COMPART_FAULT_EXPIRED,
	[POLICY_FAULT_INSTRUCTION] = COMPART_FAULT_INSTRUCTION,
};

static enum policy_fault_cause cause_of(enum compart_trap what, unsigned c, uint64_t addr)
{
	switch (what) {
	case COMPART_TRAP_READ:
	case COMPART_TRAP_WRITE:
	case COMPART_TRAP_EXEC: {
		enum policy_fault_cause ended;
		if (compart_grant_ended(c, addr, &ended))
			return ended;
		return what == COMPART_TRAP_READ    ? POLICY_FAULT_READ :
		       what == COMPART_TRAP_WRITE ? POLICY_FAULT_WRITE :
						      POLICY_FAULT_EXEC;
	}
	case COMPART_TRAP_INSTRUCTION:
		return POLICY_FAULT_INSTRUCTION;
	default: /* a switch to a non-entry, or a return nobody called for */
		return POLICY_FAULT_BAD_ENTRY;
	}
}

/* Whether compartment C has another call into it in progress than the one ending (ECALL: frames below the top). */
static int reentered(struct compart_program *p, unsigned c, unsigned except)
{
	if (p->method == COMPART_METHOD_ECALL) {
		for (unsigned i = 0; i + 1 < p->depth; i++)
			if (p->frames[i].callee == c)
				return 1;
		return 0;
	}
	for (unsigned x = 0; x < p->img.count; x++) {
		struct compart_state *s = state_of(p, x);
		if (x != except && s && s->callee == c)
			return 1;
	}
	return 0;
}

/* The compartment whose call into C is the most recent in progress, and where it goes on; -1 if none. */
static int caller_of(struct compart_program *p, unsigned c, uint64_t *resume)
{
	if (p->method == COMPART_METHOD_ECALL) {
		if (p->depth == 0 || p->frames[p->depth - 1].callee != c)
			return -1;
		*resume = p->frames[p->depth - 1].resume;
		return (int)p->frames[p->depth - 1].caller;
	}
	int best = -1;
	uint64_t stamp = 0;
	for (unsigned x = 0; x < p->img.count; x++) {
		struct compart_state *s = state_of(p, x);
		if (s && s->callee == c && (best < 0 || s->stamp > stamp)) {
			best = (int)x;
			stamp = s->stamp;
		}
	}
	if (best >= 0)
		*resume = p->img.c[best].return_pad;
	return best;
}

/* End C's current call: its state idle again, its caller resumed with CODE. */
static int unwind(struct compart_program *p, struct trap_frame *f, unsigned c,
		  enum compart_fault_code code)
{
	uint64_t resume;
	int caller = caller_of(p, c, &resume);
	if (caller < 0 || reentered(p, c, (unsigned)caller)) {
		kprintf("compart: cannot contain it: %s\n",
			caller < 0 ? "no call into the compartment is in progress" :
				     "the compartment has more than one call in progress");
		return 0;
	}
	struct compart_state *s = state_of(p, c);
	if (s) {
		s->sp = s->stack_top;
		s->callee = COMPART_NO_CALLEE;
	}
	if (p->method == COMPART_METHOD_ECALL)
		p->depth--;
	vmm_activate(p->space, (unsigned)caller);
	f->sepc = resume;
	f->regs[REG_A0] = 0;
	f->regs[REG_A1] = code;
	kprintf("compart: contained: the call from %s returns fault %u\n", p->who[caller].name,
		code);
	return 1;
}

/*
 * A switch (jalrs) refused because the landing pad's page was not in the
 * table yet: SecureCells fetches the target with the target's rights and
 * raises an illegal target, not a page fault, when nothing maps it.  Bring
 * the page in for its owner's view and let the switch run again; once
 * only: a pad its owner's view had already is a refusal for a real reason
 * (a wrong division, or no landing pad there).
 */
static int pad_was_missing(struct compart_program *p, uint64_t va)
{
	struct vmm_mapping m;
	int owner = p->method == COMPART_METHOD_CELLS ? compart_image_pad_owner(&p->img, va) : -1;
	return owner >= 0 && vmm_translate_view(p->space, (unsigned)owner, va, &m) == -ENOENT &&
	       vmm_fault(p->space, (unsigned)owner, va, VMM_EXEC) == 0;
}

int compart_fault(struct trap_frame *f, enum compart_trap what)
{
	struct compart_program *p = &compart_program;
	if (p->img.count == 0)
		return 0;
	if (what == COMPART_TRAP_BAD_TARGET && pad_was_missing(p, f->stval))
		return 1;
	unsigned c = compart_current();
	enum policy_fault_cause cause = cause_of(what, c, f->stval);
	kprintf("compart: %s in compartment %s (%u) at pc %#lx, address %#lx\n", cause_names[cause],
		p->who[c].name, c, f->sepc, f->stval);
	if (p->views == 1)
		return 0;
	struct policy_fault pf = { &p->who[c], cause, f->stval, f->sepc,
				   caller_of(p, c, &(uint64_t){ 0 }) >= 0 };
	if (policy_decide_fault(p->policy, &pf) != POLICY_CONTAIN) {
		kprintf("compart: policy %s ends the program\n", p->policy->name);
		return 0;
	}
	return unwind(p, f, c, fault_codes[cause]);
}
