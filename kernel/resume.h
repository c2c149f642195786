/*
 * The way back to U-mode from any trap taken there: the thread to run
 * (kernel/sched.h), waiting when none can, then its pending signal
 * (kernel/signal.h).
 */
#ifndef KERNEL_RESUME_H
#define KERNEL_RESUME_H

#include "machine.h"

/*
 * Leave F holding the registers U-mode resumes with.  When every thread
 * waits, wait (wfi) for the earliest deadline or alarm; when every thread
 * waits with none, the program can never go on: it ends, reported.
 */
void resume_user(struct trap_frame *f);

/*
 * The same after a timer tick taken in U-mode: the running thread's turn
 * may be over, deadlines and the alarm may have come, console input that
 * a thread waits for may have arrived.
 */
void resume_after_tick(struct trap_frame *f);

#endif
