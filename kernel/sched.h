/*
 * The scheduler: round-robin over the ready threads, a turn of
 * SCHED_SLICE_TICKS timer ticks, switches made only on the way out of a
 * trap from U-mode (sched_resume).  Waiting is a thread state, not a
 * kernel stack: see kernel/thread.h.
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <stdint.h>

#include "kernel/thread.h"

#define SCHED_SLICE_TICKS 1 /* 10 ms at 100 Hz */

/*
 * Block the running thread until a wake or DEADLINE (NO_DEADLINE: none);
 * FUTEX is the user address it waits on (0 for a sleep), BITSET the mask a
 * wake must share with it.  At the deadline its call returns
 * TIMEOUT_RESULT.  The caller's own return value is overwritten.
 */
void sched_block(uint64_t futex, uint32_t bitset, uint64_t deadline, long timeout_result);

/* Make the blocked thread T ready; its call returns RESULT. */
void sched_wake(struct thread *t, long result);

/* Let another ready thread run before the running one (sched_yield). */
void sched_yield_turn(void);

/* The running thread exits: it never runs again (freed at the switch). */
void sched_exit_current(void);

/* A timer tick in U-mode: the running thread's turn may be over. */
void sched_tick(void);

/* Whether the running thread must leave the hart (blocked, exited, yielded, its turn over): sched_resume's work. */
int sched_must_switch(void);

/* Whether some thread is READY. */
int sched_ready_exists(void);

/* Wake the blocked threads whose deadline has come: the earliest deadline still ahead, or NO_DEADLINE. */
uint64_t sched_wake_expired(void);

/*
 * On the way out of a trap from U-mode with the running thread's
 * registers in F: if the running thread cannot go on, or its turn is over
 * and another is ready, save F and load the next ready thread's registers
 * into F: 0.  -1 when no thread is ready (the running one's registers are
 * saved; kernel/resume.c waits and calls again).
 */
int sched_resume(struct trap_frame *f);

#endif
