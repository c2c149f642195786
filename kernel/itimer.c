/* Interval timers (kernel/itimer.h). */
#include "kernel/itimer.h"

#include "kernel/signal.h"
#include "machine.h"

static uint64_t real_deadline = NO_DEADLINE, real_interval;

/* The CPU-time timers, VIRTUAL and PROF: what is left of the current period (0: disarmed). */
static struct {
	uint64_t left, interval;
	int signo;
} cpu[2] = { { 0, 0, SIGVTALRM }, { 0, 0, SIGPROF } };

void itimer_set(int which, uint64_t value, uint64_t interval)
{
	if (which == ITIMER_REAL) {
		real_deadline = value ? timer_now_ns() + value : NO_DEADLINE;
		real_interval = value ? interval : 0;
		return;
	}
	cpu[which - 1].left = value;
	cpu[which - 1].interval = value ? interval : 0;
}

void itimer_get(int which, uint64_t *left, uint64_t *interval)
{
	if (which == ITIMER_REAL) {
		uint64_t now = timer_now_ns();
		*left = real_deadline == NO_DEADLINE ? 0 : (real_deadline > now ? real_deadline - now : 1);
		*interval = real_interval;
		return;
	}
	*left = cpu[which - 1].left;
	*interval = cpu[which - 1].interval;
}

uint64_t itimer_real_deadline(void)
{
	return real_deadline;
}

void itimer_real_check(void)
{
	uint64_t now = timer_now_ns();
	if (real_deadline == NO_DEADLINE || now < real_deadline)
		return;
	if (real_interval) {
		/* Missed periods are not made up: one signal, the next period from now on. */
		uint64_t late = (now - real_deadline) / real_interval + 1;
		real_deadline += late * real_interval;
	} else {
		real_deadline = NO_DEADLINE;
	}
	signal_send_process(SIGALRM, SI_KERNEL);
}

void itimer_user_tick(uint64_t ns)
{
	for (int i = 0; i < 2; i++) {
		if (!cpu[i].left)
			continue;
		if (cpu[i].left > ns) {
			cpu[i].left -= ns;
			continue;
		}
		cpu[i].left = cpu[i].interval; /* as the real timer, one signal however late */
		signal_send_process(cpu[i].signo, SI_KERNEL);
	}
}
