/*
 * Signals: sending, delivery on the way back to U-mode, the riscv64 signal
 * frame and rt_sigreturn, synchronous faults (kernel/signal.h).
 */
#include "kernel/signal.h"

#include <string.h>

#include "compart/compart.h"
#include "kernel/console.h"
#include "kernel/error.h"
#include "kernel/process.h"
#include "kernel/random.h"
#include "kernel/sched.h"
#include "uaccess.h"

#define SIG_DFL 0
#define SIG_IGN 1
#define SIGILL 4
#define SIGTRAP 5
#define SIGBUS 7
#define SIGSEGV 11
#define SIGCHLD 17
#define SIGCONT 18
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGWINCH 28
#define SA_SIGINFO 4
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000u
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRALN 1
#define ILL_ILLOPC 1
#define TRAP_BRKPT 1

/* The riscv64 signal frame (arch/riscv/include/uapi/asm/{ucontext,sigcontext}.h). */
struct linux_siginfo {
	int32_t signo, errno_, code, pad;
	union {
		struct {
			int32_t pid;
			uint32_t uid;
		} kill;
		uint64_t addr;
		uint8_t bytes[112];
	};
};
_Static_assert(sizeof(struct linux_siginfo) == 128, "siginfo_t");

struct linux_ucontext {
	uint64_t flags, link;
	struct linux_stack stack;
	uint64_t sigmask;
	uint8_t unused[1024 / 8 - 8]; /* room for a larger sigset_t */
	uint64_t align;               /* uc_mcontext is 16-byte aligned */
	uint64_t regs[32];            /* pc, then x1..x31 */
	struct fpu_state fpu;         /* the D extension's state at the union's start */
	uint8_t fp_rest[528 - sizeof(struct fpu_state)];
};
_Static_assert(sizeof(struct linux_ucontext) == 960, "ucontext_t");

struct rt_sigframe {
	struct linux_siginfo info;
	struct linux_ucontext uc;
};

static struct linux_sigaction actions[NSIG + 1];
static uint64_t process_pending;
static int process_codes[NSIG + 1];
static uint64_t return_page;

int signal_map_return_page(void)
{
	extern const char sigreturn_page[];
	struct vmm_space *space = current_process.space;
	vaddr_t va, hint = MMAP_BASE + (random_u64() % ((MMAP_END - MMAP_BASE) / PAGE_SIZE)) * PAGE_SIZE;
	if (return_page)
		return 0;
	int err = vmm_region_find_free(space, MMAP_BASE, MMAP_END, hint, PAGE_SIZE, PAGE_SIZE, &va);
	if (!err)
		err = vmm_region_add_backed(space, va, PAGE_SIZE, VMM_USER | VMM_READ | VMM_EXEC,
					    virt_to_phys(sigreturn_page), PAGE_SIZE);
	if (!err)
		return_page = va;
	return err;
}

struct linux_sigaction *signal_action(int sig)
{
	return &actions[sig];
}

/* What SIG does when it arrives: its handler, or the default when none may run. */
static uint64_t handler_of(int sig)
{
	return compart_declared() && actions[sig].handler != SIG_IGN ? SIG_DFL : actions[sig].handler;
}

static int ignored_by_default(int sig)
{
	return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH;
}

static int stops_by_default(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* Whether SIG, arriving now, would do nothing at all. */
static int discarded(int sig)
{
	uint64_t h = handler_of(sig);
	return h == SIG_IGN || (h == SIG_DFL && ignored_by_default(sig));
}

/*
 * A blocked thread T that SIG may interrupt stops waiting: its call
 * returns -EINTR, or under SA_RESTART is made again.
 */
static void interrupt_wait(struct thread *t, int sig)
{
	if (t->state != THREAD_BLOCKED || (t->sig_blocked & SIGBIT(sig)) || discarded(sig))
		return;
	sched_interrupt(t, handler_of(sig) > SIG_IGN && (actions[sig].flags & SA_RESTART));
}

void signal_send_thread(struct thread *t, int sig, int code)
{
	if (discarded(sig))
		return;
	t->sig_pending |= SIGBIT(sig);
	process_codes[sig] = code;
	interrupt_wait(t, sig);
}

void signal_send_process(int sig, int code)
{
	if (discarded(sig))
		return;
	/* The running thread takes it if it can, else the first that does not block it. */
	struct thread *cur = thread_current();
	if (!(cur->sig_blocked & SIGBIT(sig))) {
		signal_send_thread(cur, sig, code);
		return;
	}
	for (struct thread *t = thread_first(); t; t = t->next)
		if (t->state != THREAD_DEAD && !(t->sig_blocked & SIGBIT(sig))) {
			signal_send_thread(t, sig, code);
			return;
		}
	process_pending |= SIGBIT(sig);
	process_codes[sig] = code;
}

int signal_fault(const struct trap_frame *f, uint64_t cause)
{
	int sig, code;
	uint64_t addr = f->stval;
	switch (cause) {
	case EXC_INST_PAGE_FAULT:
	case EXC_LOAD_PAGE_FAULT:
	case EXC_STORE_PAGE_FAULT:
		sig = SIGSEGV;
		code = vmm_region_at(vmm_current_space(), addr, &(vaddr_t){ 0 }, &(vaddr_t){ 0 },
				     &(unsigned){ 0 }, &(enum region_kind){ 0 }) == 0
			       ? SEGV_ACCERR
			       : SEGV_MAPERR;
		break;
	case EXC_INST_ACCESS:
	case EXC_LOAD_ACCESS:
	case EXC_STORE_ACCESS:
		sig = SIGSEGV;
		code = SEGV_ACCERR;
		break;
	case EXC_INST_MISALIGNED:
	case EXC_LOAD_MISALIGNED:
	case EXC_STORE_MISALIGNED:
		sig = SIGBUS;
		code = BUS_ADRALN;
		break;
	case EXC_ILLEGAL_INST:
		sig = SIGILL;
		code = ILL_ILLOPC;
		addr = f->sepc;
		break;
	case EXC_BREAKPOINT:
		sig = SIGTRAP;
		code = TRAP_BRKPT;
		addr = f->sepc;
		break;
	default:
		return 0;
	}
	/* As Linux forces it: blocked or without a handler, the fault ends the program. */
	struct thread *t = thread_current();
	if (handler_of(sig) <= SIG_IGN || (t->sig_blocked & SIGBIT(sig)))
		return 0;
	t->sig_pending |= SIGBIT(sig);
	t->fault_signo = sig;
	t->fault_code = code;
	t->fault_addr = addr;
	return 1;
}

static _Noreturn void die(int sig, const char *why)
{
	kprintf("signal %d %s: the program ends with %d\n", sig, why, 128 + sig);
	process_exit(128 + sig);
}

int signal_on_altstack(const struct thread *t, uint64_t sp)
{
	return !t->altstack_disabled && t->altstack_size && sp - t->altstack_sp < t->altstack_size;
}

/* The stack a handler of SIG runs on: the alternate one under SA_ONSTACK, unless already on it. */
static uint64_t handler_stack(const struct thread *t, int sig, uint64_t sp, int *on_alt)
{
	int alt_usable = !t->altstack_disabled && t->altstack_size;
	*on_alt = signal_on_altstack(t, sp);
	if (alt_usable && (actions[sig].flags & SA_ONSTACK) && !*on_alt) {
		*on_alt = 1;
		return t->altstack_sp + t->altstack_size;
	}
	return sp;
}

/* Run SIG's handler in the running thread T: push the frame, point the registers at the handler. */
static void enter_handler(struct thread *t, struct trap_frame *f, int sig)
{
	static struct rt_sigframe frame;
	int on_alt;
	uint64_t sp = handler_stack(t, sig, f->regs[REG_SP], &on_alt);
	uint64_t at = (sp - sizeof(frame)) & ~15ull;
	memset(&frame, 0, sizeof(frame));
	frame.info.signo = sig;
	frame.info.code = t->fault_signo == sig ? t->fault_code : process_codes[sig];
	if (t->fault_signo == sig) {
		frame.info.addr = t->fault_addr;
		t->fault_signo = 0;
	} else {
		frame.info.kill.pid = 1;
	}
	frame.uc.stack = (struct linux_stack){ t->altstack_sp,
					       t->altstack_disabled ? SS_DISABLE : (on_alt ? SS_ONSTACK : 0), 0,
					       t->altstack_size };
	/* After rt_sigsuspend (or ppoll ...), the handler returns to the mask from before it. */
	frame.uc.sigmask = t->suspended ? t->suspend_mask : t->sig_blocked;
	t->suspended = 0;
	t->call_again = 0; /* a call woken to be made again is made afresh after the handler */
	frame.uc.regs[0] = f->sepc;
	for (int r = 1; r < 32; r++)
		frame.uc.regs[r] = f->regs[r];
	fpu_save(&frame.uc.fpu);
	if (at >= USER_TOP || copy_to_user(at, &frame, sizeof(frame)))
		die(sig, "found no room for its frame on the stack");
	f->sepc = actions[sig].handler;
	f->regs[REG_RA] = return_page;
	f->regs[REG_SP] = at;
	f->regs[REG_A0] = (uint64_t)sig;
	f->regs[REG_A1] = at + offsetof(struct rt_sigframe, info);
	f->regs[REG_A2] = at + offsetof(struct rt_sigframe, uc);
	t->sig_blocked |= actions[sig].mask | ((actions[sig].flags & SA_NODEFER) ? 0 : SIGBIT(sig));
	t->sig_blocked &= ~UNBLOCKABLE;
	if (actions[sig].flags & SA_RESETHAND)
		actions[sig] = (struct linux_sigaction){ SIG_DFL, 0, 0 };
}

uint64_t signal_pending_for(const struct thread *t)
{
	return t->sig_pending | process_pending;
}

void signal_call_mask(struct thread *t, uint64_t mask)
{
	t->suspend_mask = t->sig_blocked;
	t->suspended = 1;
	t->sig_blocked = mask & ~UNBLOCKABLE;
}

void signal_suspend(struct thread *t, uint64_t mask)
{
	signal_call_mask(t, mask);
	/* Already one to deliver: the call returns at once (-EINTR), the handler runs. */
	if (signal_pending_for(t) & ~mask)
		return;
	struct wait w = { .kind = WAIT_SIGNAL, .deadline = NO_DEADLINE };
	sched_block(&w);
}

/* The signals T may take now: pending for it, not blocked. */
static uint64_t deliverable(const struct thread *t)
{
	return signal_pending_for(t) & ~(t->sig_blocked & ~UNBLOCKABLE);
}

int signal_ready(void)
{
	return deliverable(thread_current()) != 0;
}

void signal_deliver(struct trap_frame *f)
{
	struct thread *t = thread_current();
	uint64_t ready = deliverable(t);
	if (!ready)
		return;
	/* A synchronous fault first, then the lowest number. */
	int sig = t->fault_signo && (ready & SIGBIT(t->fault_signo)) ? t->fault_signo
								      : __builtin_ctzll(ready) + 1;
	if (t->sig_pending & SIGBIT(sig))
		t->sig_pending &= ~SIGBIT(sig);
	else
		process_pending &= ~SIGBIT(sig);
	uint64_t h = handler_of(sig);
	if (h == SIG_IGN || (h == SIG_DFL && ignored_by_default(sig)))
		return;
	if (h == SIG_DFL && t->suspended) {
		t->sig_blocked = t->suspend_mask;
		t->suspended = 0;
	}
	if (h == SIG_DFL && stops_by_default(sig) && sig != SIGSTOP) {
		kprintf("signal %d would stop the program; nothing could continue it, so it is ignored\n", sig);
		return;
	}
	if (h == SIG_DFL)
		die(sig, sig == SIGSTOP ? "(SIGSTOP) has no one to continue it" : "is not handled");
	enter_handler(t, f, sig);
}

void signal_return(struct trap_frame *f)
{
	struct thread *t = thread_current();
	struct linux_ucontext uc;
	uint64_t at = f->regs[REG_SP];
	if (at >= USER_TOP || copy_from_user(&uc, at + offsetof(struct rt_sigframe, uc), sizeof(uc)))
		die(SIGSEGV, "(rt_sigreturn found no frame at its sp)");
	/* A frame may change every register but the privilege: the pc must stay in the user half. */
	if (!va_is_user(uc.regs[0]))
		die(SIGSEGV, "(rt_sigreturn's frame points into the kernel)");
	f->sepc = uc.regs[0];
	for (int r = 1; r < 32; r++)
		f->regs[r] = uc.regs[r];
	fpu_restore(&uc.fpu);
	t->sig_blocked = uc.sigmask & ~UNBLOCKABLE;
	if (!(uc.stack.flags & SS_ONSTACK)) {
		t->altstack_disabled = (uc.stack.flags & SS_DISABLE) != 0;
		t->altstack_sp = uc.stack.sp;
		t->altstack_size = uc.stack.size;
	}
}
