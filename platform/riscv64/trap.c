/*
 * Trap dispatch: timer interrupts, system calls, page faults, and the report
 * for every trap that nothing can handle.
 */
#include <stddef.h>

#include "compart/compart.h"
#include "kernel/console.h"
#include "kernel/ksyms.h"
#include "kernel/panic.h"
#include "kernel/process.h"
#include "kernel/resume.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "kernel/syscall.h"
#include "machine.h"
#include <trap_causes.h> /* the platform's own: -I order, not this folder */
#include "uaccess.h"
#include "vmm/vmm.h"

_Static_assert(offsetof(struct trap_frame, sepc) == TF_SEPC, "TF_SEPC");
_Static_assert(offsetof(struct trap_frame, stval) == TF_STVAL, "TF_STVAL");
_Static_assert(sizeof(struct trap_frame) == TF_SIZE, "TF_SIZE");
_Static_assert(offsetof(struct hart, kernel_sp) == HART_KERNEL_SP, "struct hart layout");
_Static_assert(offsetof(struct hart, scratch) == HART_SCRATCH, "struct hart layout");
_Static_assert(offsetof(struct hart, kernel_satp) == HART_KERNEL_SATP, "struct hart layout");
_Static_assert(offsetof(struct hart, user_satp) == HART_USER_SATP, "struct hart layout");
_Static_assert(offsetof(struct hart, user_division) == HART_USER_DIVISION, "struct hart layout");
_Static_assert(offsetof(struct hart, user_urid) == HART_USER_URID, "struct hart layout");
_Static_assert(SYS_compart_call == 500 && SYS_compart_return == 501, "trap_entry.S's fast switch");

struct hart boot_hart;

extern char trap_entry[], __trap_page[], __trap_page_end[];

void trap_page_range(uint64_t *va, uint64_t *pa, uint64_t *len)
{
	*va = (uint64_t)__trap_page;
	*pa = virt_to_phys(__trap_page);
	*len = (uint64_t)(__trap_page_end - __trap_page);
}

void trap_set_satps(uint64_t kernel_satp, uint64_t user_satp)
{
	boot_hart.kernel_satp = kernel_satp;
	boot_hart.user_satp = user_satp;
}

void trap_set_user_division(uint64_t division)
{
	boot_hart.user_division = division;
}

void trap_init(void)
{
	csr_write(sscratch, 0);
	csr_write(stvec, (uint64_t)trap_entry);
	/* Applications may read cycle, time and instret (benchmarks count with them). */
	csr_write(scounteren, 7);
}

/* A readable name for SCAUSE. */
const char *trap_cause_name(uint64_t scause)
{
	static const char *const exceptions[] = {
		[EXC_INST_MISALIGNED] = "instruction address misaligned",
		[EXC_INST_ACCESS] = "instruction access fault",
		[EXC_ILLEGAL_INST] = "illegal instruction",
		[EXC_BREAKPOINT] = "breakpoint",
		[EXC_LOAD_MISALIGNED] = "load address misaligned",
		[EXC_LOAD_ACCESS] = "load access fault",
		[EXC_STORE_MISALIGNED] = "store address misaligned",
		[EXC_STORE_ACCESS] = "store access fault",
		[EXC_ECALL_U] = "environment call from U-mode",
		[EXC_ECALL_S] = "environment call from S-mode",
		[EXC_INST_PAGE_FAULT] = "instruction page fault",
		[EXC_LOAD_PAGE_FAULT] = "load page fault",
		[EXC_STORE_PAGE_FAULT] = "store page fault",
		PLATFORM_EXCEPTION_NAMES
	};
	if (scause & SCAUSE_INTERRUPT)
		return (scause & ~SCAUSE_INTERRUPT) == IRQ_S_TIMER ? "supervisor timer interrupt"
								     : "interrupt";
	if (scause < sizeof(exceptions) / sizeof(exceptions[0]) && exceptions[scause])
		return exceptions[scause];
	return "unknown exception";
}

/* The access a page fault cause stands for, in vmm rights. */
static unsigned fault_access(uint64_t scause)
{
	switch (scause) {
	case EXC_INST_PAGE_FAULT:
		return VMM_EXEC;
	case EXC_STORE_PAGE_FAULT:
		return VMM_WRITE;
	default:
		return VMM_READ;
	}
}

static int is_page_fault(uint64_t scause)
{
	return scause == EXC_INST_PAGE_FAULT || scause == EXC_LOAD_PAGE_FAULT ||
	       scause == EXC_STORE_PAGE_FAULT;
}

/* Signal-style exit status for an application killed by a fault (128 + signal). */
static int fault_exit_status(uint64_t scause)
{
	switch (scause) {
	case EXC_ILLEGAL_INST:
		return 128 + 4; /* SIGILL */
	case EXC_BREAKPOINT:
		return 128 + 5; /* SIGTRAP */
	case EXC_INST_MISALIGNED:
	case EXC_LOAD_MISALIGNED:
	case EXC_STORE_MISALIGNED:
		return 128 + 7; /* SIGBUS */
	default:
		return 128 + 11; /* SIGSEGV */
	}
}

/*
 * A trap from U-mode whose vector could not be fetched: the fetch faulted
 * in S-mode before the vector ran a single instruction (sscratch still
 * said "from U-mode"), so the frame holds the application's registers but
 * the first trap's cause, pc and address are lost.  On the cells platform
 * this is what a program gets for dropping its own rights on the trap page
 * (forwarded traps start in its division): it ends, reported.
 */
static int vector_unreachable(const struct trap_frame *f)
{
	return (f->sstatus & SSTATUS_SPP) && f->scause == EXC_INST_PAGE_FAULT &&
	       f->sepc == (uint64_t)trap_entry;
}

/* What a user trap of cause CAUSE is to compart/, or -1 when it is none of its business. */
static int compart_trap_of(uint64_t cause)
{
	switch (cause) {
	case EXC_LOAD_PAGE_FAULT:
		return COMPART_TRAP_READ;
	case EXC_STORE_PAGE_FAULT:
		return COMPART_TRAP_WRITE;
	case EXC_INST_PAGE_FAULT:
		return COMPART_TRAP_EXEC;
	case EXC_ILLEGAL_INST:
		return COMPART_TRAP_ILLEGAL;
	default:
		return exc_platform_compart_trap(cause);
	}
}

static void user_trap(struct trap_frame *f)
{
	uint64_t cause = f->scause;
	trap_note_user_view();
	thread_trap_enter(f);
	if (cause == EXC_ECALL_U) {
		f->sepc += 4;
		syscall_handle(f);
		return;
	}
	if (is_page_fault(cause) &&
	    vmm_fault(vmm_current_space(), vmm_current_view(), f->stval, fault_access(cause)) == 0)
		return;
	/* Inside a compartment, the policy may contain it: the call into it returns an error. */
	int what = compart_trap_of(cause);
	if (what >= 0 && compart_fault(f, (enum compart_trap)what))
		return;
	/* A program that handles the signal the fault stands for gets it. */
	if (signal_fault(f, cause))
		return;
	/* stval is the faulting address for memory faults, the instruction bits otherwise. */
	int memory_fault = cause != EXC_ILLEGAL_INST && cause != EXC_BREAKPOINT &&
			   !exc_platform_stval_not_address(cause);
	kprintf("user fault: %s (scause %lu) at pc %#lx, %s %#lx", trap_cause_name(cause), cause,
		f->sepc, memory_fault ? "address" : "stval", f->stval);
	trap_report_compartment();
	process_exit(fault_exit_status(cause));
}

_Noreturn static void kernel_trap_panic(struct trap_frame *f)
{
	char pc_sym[96], ra_sym[96];
	ksyms_describe(f->sepc, pc_sym, sizeof(pc_sym));
	ksyms_describe(f->regs[REG_RA], ra_sym, sizeof(ra_sym));
	panic("kernel trap: %s (scause %#lx)\n  sepc  %#lx %s\n  stval %#lx\n  ra    %#lx %s\n"
	      "  sp    %#lx",
	      trap_cause_name(f->scause), f->scause, f->sepc, pc_sym, f->stval, f->regs[REG_RA],
	      ra_sym, f->regs[REG_SP]);
}

static void kernel_trap(struct trap_frame *f)
{
	uint64_t cause = f->scause;
	if (is_page_fault(cause) && !va_is_user(f->stval) &&
	    vmm_kernel_fault(f->stval, fault_access(cause)) == 0)
		return;
	if (is_page_fault(cause) && va_is_user(f->stval) && uaccess_fault(f, fault_access(cause)))
		return;
	kernel_trap_panic(f);
}

/* Called by trap_entry.S with the saved registers; returns to resume them. */
void trap_handle(struct trap_frame *f)
{
	if (f->scause & SCAUSE_INTERRUPT) {
		if ((f->scause & ~SCAUSE_INTERRUPT) == IRQ_S_TIMER) {
			struct hart *hart;
			__asm__("mv %0, tp" : "=r"(hart));
			timer_interrupt(hart);
			vmm_tick(); /* time-limited translations end on the tick */
			compart_tick(); /* and so do grants whose lease or notice ran out */
			if (!(f->sstatus & SSTATUS_SPP)) {
				resume_after_tick(f); /* a thread's turn ends on the tick */
			}
			return;
		}
		kernel_trap_panic(f);
	}
	if (vector_unreachable(f)) {
		kprintf("user fault: the trap vector could not be fetched in the application's "
			"division (its rights on the trap page were dropped); the trap's cause, pc "
			"and address are lost\n");
		process_exit(128 + 11);
	}
	if (f->sstatus & SSTATUS_SPP) {
		kernel_trap(f);
		return;
	}
	user_trap(f);
	resume_user(f); /* the thread may have blocked, exited or yielded, or have a signal */
}
