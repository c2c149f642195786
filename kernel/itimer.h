/*
 * The process's interval timers (setitimer): ITIMER_REAL on the clock,
 * raising SIGALRM; ITIMER_VIRTUAL and ITIMER_PROF on the CPU time the
 * program spends, raising SIGVTALRM and SIGPROF.  CPU time is sampled as
 * Linux's tick accounting does: each timer tick that finds the program in
 * U-mode charges it one tick.  The kernel runs with interrupts off, so no
 * tick ever finds it working for the program: ITIMER_PROF (user and system
 * time) counts what ITIMER_VIRTUAL counts.
 */
#ifndef KERNEL_ITIMER_H
#define KERNEL_ITIMER_H

#include <stdint.h>

#define ITIMER_REAL 0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF 2

/* Arm timer WHICH to expire in VALUE ns (0: disarm it), then every INTERVAL ns (0: once). */
void itimer_set(int which, uint64_t value, uint64_t interval);

/* Timer WHICH's time left (0: disarmed; at least 1 while armed) and its interval, in ns. */
void itimer_get(int which, uint64_t *left, uint64_t *interval);

/* ITIMER_REAL's deadline on timer_now_ns's clock (NO_DEADLINE: disarmed). */
uint64_t itimer_real_deadline(void);

/* Raise SIGALRM if ITIMER_REAL's deadline has come (missed periods are not made up). */
void itimer_real_check(void);

/* A tick of NS found the program in U-mode: the CPU-time timers count it down. */
void itimer_user_tick(uint64_t ns);

#endif
