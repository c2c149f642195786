/*
 * Threads of the one application, on one hart.
 *
 * A thread is its user registers and what it waits for; it owns no kernel
 * stack.  The running thread's registers are the trap frame on the kernel
 * stack (trap_entry.S saves them there); the others' are kept in their
 * struct thread.  A system call that must wait marks its thread blocked
 * and returns; on the way out of the trap, sched_resume() saves the frame
 * and loads the next thread's, and whoever ends the wait (a futex wake, a
 * deadline) writes the call's result into the waiting thread's saved a0.
 * So a switch between threads is two frame copies (and the floating-point
 * registers saved and loaded) and never touches translation: threads share
 * the process's space.
 *
 * Programs with compartments keep per-program switch state
 * (docs/compartments.md); they may not create threads (clone: -EINVAL).
 */
#ifndef KERNEL_THREAD_H
#define KERNEL_THREAD_H

#include <stdint.h>

#include "machine.h"

#define THREADS_MAX 1024
#define NO_DEADLINE UINT64_MAX

enum thread_state {
	THREAD_RUNNING, /* its registers are the live trap frame */
	THREAD_READY,   /* waiting for the hart */
	THREAD_BLOCKED, /* waiting: see struct wait */
	THREAD_DEAD,    /* exited; freed at the next switch */
};

enum wait_kind {
	WAIT_SLEEP,  /* for its deadline */
	WAIT_FUTEX,  /* for a futex wake */
	WAIT_SIGNAL, /* for a signal (rt_sigsuspend) */
	WAIT_IO,     /* for an event on a channel (kernel/sched.h): its call is then made again */
};

/* What a blocked thread waits for, and how its system call ends (56 bytes: filled in on each wait). */
struct wait {
	enum wait_kind kind;
	uint32_t bitset;         /* WAIT_FUTEX: FUTEX_WAIT_BITSET's mask */
	union {
		uint64_t futex;   /* WAIT_FUTEX: the user address of the word */
		uint64_t channel; /* WAIT_IO: the object waited on, or WAIT_CHANNEL_ANY */
	};
	uint64_t deadline;       /* timer_now_ns() at which it ends anyway, or NO_DEADLINE */
	long timeout_result;     /* its call's result then; WAIT_IO calls are made again instead */
	uint64_t remaining_user; /* where the time left goes on -EINTR (nanosleep's rem, ppoll's timeout) */
	long progress;           /* WAIT_IO: bytes the call moved before it waited: its result if a signal ends it */
	uint8_t restartable;     /* a handler with SA_RESTART makes the call again; else -EINTR */
	uint8_t console_input;   /* WAIT_IO: console input could end it (so waiting is no deadlock) */
};

struct thread {
	int tid;
	enum thread_state state;
	struct trap_frame frame;  /* user registers while not running */
	struct fpu_state fpu;     /* and floating-point ones */
	uint64_t clear_child_tid; /* zeroed and woken at exit (CLONE_CHILD_CLEARTID) */
	uint64_t ticks;           /* timer ticks in its current turn on the hart */
	int saved;                /* frame and fpu hold its registers (not the live trap frame) */
	struct wait wait;         /* while BLOCKED */
	uint64_t wait_order;      /* wakes go oldest first */
	int call_again;           /* woken to make its call again: the call keeps wait.deadline */
	/* Signals (kernel/signal.h): */
	uint64_t sig_blocked;     /* its mask */
	uint64_t sig_pending;     /* sent to it (tgkill, its own faults) */
	int fault_signo, fault_code; /* the synchronous fault pending, with its siginfo */
	uint64_t fault_addr;
	uint64_t altstack_sp, altstack_size; /* sigaltstack; size 0: none */
	int altstack_disabled;
	uint64_t syscall_a0;      /* a0 as the last system call found it (a restart needs it) */
	uint64_t suspend_mask;    /* the mask rt_sigsuspend replaced, while suspended */
	int suspended;
	struct thread *next;      /* every thread, oldest first */
};

/* The thread on the hart.  Before the program starts, the main thread (tid 1). */
extern struct thread *thread_running;
static inline struct thread *thread_current(void)
{
	return thread_running;
}

/* T's call that set a mask of its own (kernel/signal.h's signal_call_mask) is over: its mask from before. */
static inline void thread_call_mask_end(struct thread *t)
{
	if (t->suspended) {
		t->sig_blocked = t->suspend_mask;
		t->suspended = 0;
	}
}

/* Every thread, oldest first (the main thread first while it lives). */
struct thread *thread_first(void);

/* The thread TID, alive (not DEAD), or NULL. */
struct thread *thread_find(int tid);

/*
 * A new READY thread running a copy of the registers in FROM and of the
 * running thread's floating-point registers: the
 * process's next thread ID, or NULL when THREADS_MAX threads are alive or
 * memory ran out.
 */
struct thread *thread_new(const struct trap_frame *from);

/* Undo thread_new for a thread that never ran. */
void thread_discard(struct thread *t);

/* Threads not DEAD. */
unsigned thread_alive_count(void);

/* For the scheduler: T runs now; T exited (counted out, kept until freed); free the DEAD T. */
void thread_set_current(struct thread *t);
void thread_mark_dead(struct thread *t);
void thread_free_dead(struct thread *t);

/*
 * The registers of the running thread while a trap from U-mode is being
 * handled (trap.c sets them at entry): what clone copies.
 */
void thread_trap_enter(struct trap_frame *f);
struct trap_frame *thread_trap_frame(void);

#endif
