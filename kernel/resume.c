/* The way back to U-mode (kernel/resume.h). */
#include "kernel/resume.h"

#include "kernel/console.h"
#include "kernel/process.h"
#include "kernel/sched.h"
#include "kernel/signal.h"

/* Another thread, or a wait until one can run. */
static void switch_threads(struct trap_frame *f)
{
	while (sched_resume(f) != 0) {
		uint64_t until = sched_wake_expired();
		signal_alarm_check();
		if (sched_ready_exists())
			continue;
		uint64_t alarm = signal_alarm_deadline();
		if (alarm < until)
			until = alarm;
		if (until == NO_DEADLINE) {
			kprintf("sched: all %u threads wait on futexes with no timeout and nothing can "
				"wake them: the program can never go on, so it ends (status 137, as if "
				"killed)\n",
				thread_alive_count());
			process_exit(128 + 9);
		}
		timer_wait_until_ns(until);
	}
}

/* Most traps change nothing here: two loads and tests each, before any call. */
void resume_user(struct trap_frame *f)
{
	if (sched_must_switch())
		switch_threads(f);
	if (signal_ready())
		signal_deliver(f);
}
