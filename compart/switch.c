/*
 * Switches between compartments that pass through the kernel (the ECALL
 * method: Sv48, a root per compartment).  A call is checked against the
 * declared entry points before the root changes, and the kernel keeps the
 * calls in progress itself, so that a return goes exactly to the caller of
 * the current call and nowhere else.  On cells the stubs switch with jalrs
 * and the kernel never sees a call.
 */
#include "compart/internal.h"
#include "kernel/console.h"
#include "kernel/error.h"
#include "kernel/process.h"

#define REG_T0 5
#define REG_T1 6
#define REG_A1 11

/* Whether STUB is a declared entry point of compartment TO. */
static int declared_entry(const struct compart_program *p, uint64_t stub, uint64_t to)
{
	for (unsigned i = 0; i < p->img.nentries; i++)
		if (p->img.entries[i].stub == stub && p->img.entries[i].id == to)
			return 1;
	return 0;
}

/* A call the kernel will not make: the caller's stub gets an error back as its callee's fault. */
static void refuse_call(struct trap_frame *f, long err, long fault)
{
	f->regs[REG_A0] = (uint64_t)err;
	f->regs[REG_A1] = (uint64_t)fault;
}

static void call(struct compart_program *p, struct trap_frame *f)
{
	unsigned from = vmm_current_view();
	uint64_t stub = f->regs[REG_T0], to = f->regs[REG_T1];
	if (to >= p->views || !declared_entry(p, stub, to)) {
		f->stval = stub;
		if (!compart_fault(f, COMPART_TRAP_BAD_TARGET))
			process_exit(128 + 11); /* SIGSEGV, as the fault would */
		return;
	}
	if (p->depth == COMPART_DEPTH_MAX) {
		kprintf("compart: calls nested deeper than %u: %s's call refused\n",
			COMPART_DEPTH_MAX, p->who[from].name);
		refuse_call(f, -E2BIG, COMPART_FAULT_OTHER);
		return;
	}
	/* trap.c moved sepc past the ecall: that is where the caller goes on. */
	p->frames[p->depth++] = (struct compart_frame){ from, (unsigned)to, f->sepc };
	vmm_activate(p->space, (unsigned)to);
	f->sepc = stub + 4; /* past the landing pad, which only SecureCells executes */
}

static void ret(struct compart_program *p, struct trap_frame *f)
{
	unsigned from = vmm_current_view();
	if (p->depth == 0 || p->frames[p->depth - 1].callee != from) {
		f->stval = f->sepc - 4;
		if (!compart_fault(f, COMPART_TRAP_BAD_TARGET))
			process_exit(128 + 11); /* SIGSEGV, as the fault would */
		return;
	}
	struct compart_frame fr = p->frames[--p->depth];
	vmm_activate(p->space, fr.caller);
	f->sepc = fr.resume;
	f->regs[REG_A1] = COMPART_OK;
}

void compart_switch(struct trap_frame *f, uint64_t nr)
{
	struct compart_program *p = &compart_program;
	if (p->method != COMPART_METHOD_ECALL) {
		/* No stub makes these here: whoever did gets the error a missing call gets. */
		f->regs[REG_A0] = (uint64_t)-ENOSYS;
		return;
	}
	if (nr == SYS_compart_call)
		call(p, f);
	else
		ret(p, f);
}
