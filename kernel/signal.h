/*
 * Signals (Linux's numbers and riscv64 frame): actions for the process,
 * a mask, a pending set and an alternate stack per thread, delivery on the
 * way back to U-mode (kernel/resume.c), synchronous faults turned into
 * SIGSEGV, SIGBUS, SIGILL and SIGTRAP when the program handles them.
 * The interval timers that raise SIGALRM, SIGVTALRM and SIGPROF are
 * kernel/itimer.h's.
 *
 * A handler runs on a struct rt_sigframe (siginfo, then a ucontext with
 * every register, the floating-point ones included) pushed on its stack,
 * and returns to the page kernel/sigreturn.S, whose rt_sigreturn restores
 * the ucontext as the handler left it.  Programs with compartments get the
 * default actions only (a handler would run in whichever compartment the
 * signal found).
 */
#ifndef KERNEL_SIGNAL_H
#define KERNEL_SIGNAL_H

#include <stdint.h>

#include "kernel/thread.h"

#define NSIG 64
#define SIGBIT(sig) (1ull << ((sig) - 1))
#define SIGINT 2
#define SIGKILL 9
#define SIGPIPE 13
#define SIGALRM 14
#define SIGVTALRM 26
#define SIGPROF 27
#define SIGSTOP 19
#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))
#define SI_USER 0      /* si_code of kill, and of what the kernel sends as if by kill (SIGPIPE) */
#define SI_KERNEL 0x80 /* si_code of what the kernel raises itself (a tty's ^C) */
#define SS_ONSTACK 1
#define SS_DISABLE 2

/* stack_t, as sigaltstack and a ucontext's uc_stack carry it. */
struct linux_stack {
	uint64_t sp;
	int32_t flags, pad;
	uint64_t size;
};

/* Whether SP is on T's alternate signal stack (one set and not disabled). */
int signal_on_altstack(const struct thread *t, uint64_t sp);

/*
 * Map the page handlers return to (kernel/sigreturn.S: read-only and
 * executable, at a random page of the mmap area, which placement goes
 * round), once, when the program first installs a handler: 0, -ENOMEM.
 */
int signal_map_return_page(void);

/*
 * A synchronous fault of the running thread (scause CAUSE at the trap in
 * F): if the program handles the signal it stands for, it is made pending
 * with its siginfo and 1 is returned (the handler runs when the trap
 * returns); else 0, and the caller ends the program as Linux's default
 * action would.
 */
int signal_fault(const struct trap_frame *f, uint64_t cause);

/* Send SIG to the process (kill) or to thread T (tgkill, tkill), with si_code CODE. */
void signal_send_process(int sig, int code);
void signal_send_thread(struct thread *t, int sig, int code);

/* The signals pending for T: sent to it, or to the process. */
uint64_t signal_pending_for(const struct thread *t);

/*
 * A call that waits under a mask of its own (rt_sigsuspend, ppoll,
 * pselect6, epoll_pwait): T's mask is MASK until the call returns
 * (thread_call_mask_end) or a handler runs, whose frame keeps the mask
 * from before the call.
 */
void signal_call_mask(struct thread *t, uint64_t mask);

/* rt_sigsuspend: T waits under MASK until a signal is delivered (its call returns -EINTR). */
void signal_suspend(struct thread *t, uint64_t mask);

/* Whether the running thread has a signal to take (signal_deliver's work). */
int signal_ready(void);

/* Deliver a pending, unblocked signal to the running thread, whose registers are F. */
void signal_deliver(struct trap_frame *f);

/* rt_sigreturn: restore the running thread from the frame at its sp. */
void signal_return(struct trap_frame *f);

/* For sys_signal.c: the process's actions. */
struct linux_sigaction {
	uint64_t handler, flags, mask;
};
struct linux_sigaction *signal_action(int sig);

#endif
