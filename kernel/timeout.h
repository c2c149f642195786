/* Timeouts as programs give them: a struct timespec in their memory. */
#ifndef KERNEL_TIMEOUT_H
#define KERNEL_TIMEOUT_H

#include <stdint.h>

#define NSEC_PER_SEC 1000000000ull

/* Linux's struct timespec (__kernel_timespec) on riscv64. */
struct linux_timespec {
	int64_t sec, nsec;
};

static inline struct linux_timespec ns_to_timespec(uint64_t ns)
{
	return (struct linux_timespec){ (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };
}

/*
 * The timespec at UTS as a deadline on timer_now_ns's clock: relative to
 * now, or ABSOLUTE on the monotonic clock or (WALL_CLOCK) the wall clock.
 * Times past the counter's range saturate below NO_DEADLINE (sched.h).
 * 0 and *DEADLINE, -EFAULT, -EINVAL (a negative or malformed time).
 */
int deadline_from_user(uint64_t uts, int absolute, int wall_clock, uint64_t *deadline);

/* The time left until DEADLINE (0 once passed) as a struct timespec at UTS: 0 or -EFAULT. */
int time_left_to_user(uint64_t uts, uint64_t deadline);

#endif
