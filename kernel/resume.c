/* The way back to U-mode (kernel/resume.h). */
#include "kernel/resume.h"

#include "kernel/console.h"
#include "kernel/itimer.h"
#include "kernel/poll.h"
#include "kernel/process.h"
#include "kernel/sched.h"
#include "kernel/signal.h"

#define CONSOLE_LOOK_NS TICK_NS /* how often a waiting hart looks for console input */

/* Another thread, or a wait until one can run. */
static void switch_threads(struct trap_frame *f)
{
	while (sched_resume(f) != 0) {
		uint64_t until = sched_wake_expired();
		itimer_real_check();
		int console = sched_console_wanted();
		if (console)
			console_input_check();
		if (sched_ready_exists())
			continue;
		uint64_t alarm = itimer_real_deadline();
		if (alarm < until)
			until = alarm;
		uint64_t now = timer_now_ns();
		if (console && until > now + CONSOLE_LOOK_NS)
			until = now + CONSOLE_LOOK_NS; /* the UART is polled: look again then */
		if (until == NO_DEADLINE) {
			kprintf("sched: every thread (%u) waits, with no timeout, for a futex, pipe, eventfd "
				"or signal that only a thread could wake: the program can never go on, so it "
				"ends (status 137, as if killed)\n",
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

void resume_after_tick(struct trap_frame *f)
{
	sched_tick();
	itimer_user_tick(TICK_NS);
	itimer_real_check();
	if (sched_console_wanted())
		console_input_check();
	resume_user(f);
}
