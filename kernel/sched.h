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

#define TICK_NS 10000000u     /* the timer's period: 100 Hz, Linux's CONFIG_HZ_100 */
#define SCHED_SLICE_TICKS 1 /* a turn: 10 ms */

/*
 * Channels name what WAIT_IO threads wait on: each pipe, eventfd and the
 * console has one; a thread in poll, select or epoll_wait waits on them
 * all (WAIT_CHANNEL_ANY) and looks again at its descriptors when woken.
 */
#define WAIT_CHANNEL_CONSOLE 1
#define WAIT_CHANNEL_ANY UINT64_MAX

/* A channel no other object has. */
uint64_t sched_new_channel(void);

/*
 * Block the running thread as W says.  The caller's own return value is
 * overwritten by whoever ends the wait (kernel/thread.h).
 */
void sched_block(const struct wait *w);

/* Make the blocked thread T ready; its call returns RESULT. */
void sched_wake(struct thread *t, long result);

/*
 * Make the blocked thread T ready to make its call again from the start
 * (the ecall re-executed with its first argument back); the call keeps
 * its deadline (sched_call_deadline) and sets its signal mask again.
 */
void sched_wake_again(struct thread *t);

/* A signal with a handler ends T's wait: its call is made again (RESTART and the wait allows it) or returns -EINTR. */
void sched_interrupt(struct thread *t, int restart);

/* An event on CHANNEL: every thread waiting on it, or on any channel, makes its call again. */
void sched_wake_channel(uint64_t channel);

/* Whether a blocked thread waits for console input. */
int sched_console_wanted(void);

/*
 * The deadline for the running thread's call: COMPUTED, or, when the call
 * is being made again after a wake, the one it had (a relative timeout does
 * not start over).
 */
uint64_t sched_call_deadline(uint64_t computed);

/* What the running thread's call, being made again after a wait, had already moved (struct wait's progress); else 0. */
uint64_t sched_call_progress(void);

/* The running thread's call has returned: whatever it kept for being made again is spent. */
static inline void sched_call_done(void)
{
	thread_running->call_again = 0;
}

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
