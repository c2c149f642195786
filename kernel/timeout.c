/* Timeouts as programs give them (kernel/timeout.h). */
#include "kernel/timeout.h"

#include "kernel/error.h"
#include "kernel/rtc.h"
#include "kernel/thread.h"
#include "machine.h"
#include "uaccess.h"

int deadline_from_user(uint64_t uts, int absolute, int wall_clock, uint64_t *deadline)
{
	struct linux_timespec ts;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= (int64_t)NSEC_PER_SEC)
		return -EINVAL;
	/* Times past the counter's range saturate: such a wait ends never in practice, not at once. */
	uint64_t ns = (uint64_t)ts.sec > (NO_DEADLINE - 1 - (uint64_t)ts.nsec) / NSEC_PER_SEC
			      ? NO_DEADLINE - 1
			      : (uint64_t)ts.sec * NSEC_PER_SEC + (uint64_t)ts.nsec;
	uint64_t now = timer_now_ns();
	if (absolute)
		*deadline = wall_clock ? realtime_to_boot_ns(ns) : ns;
	else
		*deadline = ns > NO_DEADLINE - 1 - now ? NO_DEADLINE - 1 : now + ns;
	return 0;
}

int time_left_to_user(uint64_t uts, uint64_t deadline)
{
	uint64_t now = timer_now_ns();
	struct linux_timespec ts = ns_to_timespec(deadline > now ? deadline - now : 0);
	return copy_to_user(uts, &ts, sizeof(ts)) ? -EFAULT : 0;
}
