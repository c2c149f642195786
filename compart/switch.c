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
#include "kernel/stats.h"
#include "machine.h"

#define REG_T0 5
#define REG_T1 6
#define REG_A1 11

/* Whether STUB is a declared entry point of compartment TO. */
static int declared_entry(const struct compart_program *p, uint64_t stub, uint64_t to)
{
	return to < p->views && compart_image_entry_owner(&p->img, stub) == (int)to;
}

/* Whether a call into TO through STUB may be made now. */
static int may_call(const struct compart_program *p, uint64_t stub, uint64_t to)
{
	return declared_entry(p, stub, to) && p->depth < COMPART_DEPTH_MAX;
}

/* Whether the running compartment FROM may return: it is the callee of the current call. */
static int may_return(const struct compart_program *p, unsigned from)
{
	return p->depth > 0 && p->frames[p->depth - 1].callee == from;
}

/* Enter TO at STUB for a caller that goes on at RESUME: where U-mode resumes. */
static uint64_t enter(struct compart_program *p, unsigned from, unsigned to, uint64_t stub,
		      uint64_t resume)
{
	p->frames[p->depth++] = (struct compart_frame){ from, to, resume };
	vmm_activate(p->space, to);
	return stub + 4; /* past the landing pad, which only SecureCells executes */
}

/* Back to the caller of the current call: where U-mode resumes. */
static uint64_t leave(struct compart_program *p)
{
	const struct compart_frame *fr = &p->frames[--p->depth];
	vmm_activate(p->space, fr->caller);
	return fr->resume;
}

/* A call the kernel will not make: the caller's stub gets an error back as its callee's fault. */
static void refuse_call(struct trap_frame *f, long err, long fault)
{
	f->regs[REG_A0] = (uint64_t)err;
	f->regs[REG_A1] = (uint64_t)fault;
}

/* The whole trap path's call (trap.c moved sepc past the ecall: where the caller goes on). */
static void call(struct compart_program *p, struct trap_frame *f)
{
	unsigned from = vmm_current_view();
	uint64_t stub = f->regs[REG_T0], to = f->regs[REG_T1];
	if (!declared_entry(p, stub, to)) {
		f->stval = stub;
		if (!compart_fault(f, COMPART_TRAP_BAD_TARGET))
			process_exit(128 + 11); /* SIGSEGV, as the fault would */
		return;
	}
	if (!may_call(p, stub, to)) {
		kprintf("compart: calls nested deeper than %u: %s's call refused\n",
			COMPART_DEPTH_MAX, p->who[from].name);
		refuse_call(f, -E2BIG, COMPART_FAULT_OTHER);
		return;
	}
	f->sepc = enter(p, from, (unsigned)to, stub, f->sepc);
}

static void ret(struct compart_program *p, struct trap_frame *f)
{
	if (!may_return(p, vmm_current_view())) {
		f->stval = f->sepc - 4;
		if (!compart_fault(f, COMPART_TRAP_BAD_TARGET))
			process_exit(128 + 11); /* SIGSEGV, as the fault would */
		return;
	}
	f->sepc = leave(p);
	f->regs[REG_A1] = COMPART_OK;
}

/*
 * The switch's fast path (trap_entry.S, Sv48): F holds only t0, t1, a0-a5,
 * a7 and sepc (the ecall's own address); U-mode's other registers are
 * still live.  A switch that may be made is made here, and counted as the
 * system call it is; anything else (a program without the ECALL method, a
 * refusal) is left untouched for the whole trap path, which reports it: 0.
 */
int compart_switch_fast(struct trap_frame *f)
{
	struct compart_program *p = &compart_program;
	if (p->method != COMPART_METHOD_ECALL)
		return 0;
	unsigned from = vmm_current_view();
	if (f->regs[REG_A7] == SYS_compart_call) {
		uint64_t stub = f->regs[REG_T0], to = f->regs[REG_T1];
		if (!may_call(p, stub, to))
			return 0;
		f->sepc = enter(p, from, (unsigned)to, stub, f->sepc + 4);
	} else {
		if (!may_return(p, from))
			return 0;
		f->sepc = leave(p);
		f->regs[REG_A1] = COMPART_OK;
	}
	kstats.syscalls++;
	return 1;
}

void compart_switch(struct trap_frame *f, uint64_t nr)
{
	struct compart_program *p = &compart_program;
	if (p->method != COMPART_METHOD_ECALL) {
		/* No stub makes these here: whoever did gets the error a missing call gets. */
		f->regs[REG_A0] = (uint64_t)-ENOSYS;
		return;
	}
	/* This program switches through the kernel: its next switches take the fast path. */
	trap_use_switching_vector();
	if (nr == SYS_compart_call)
		call(p, f);
	else
		ret(p, f);
}
