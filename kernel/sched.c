/*
 * Round-robin scheduling of the application's threads (kernel/sched.h).
 * Everything here runs with interrupts off, in a trap: a switch is two
 * copies of a trap frame and of the floating-point registers, made on the
 * way back to U-mode.
 */
#include "kernel/sched.h"

#include "kernel/error.h"

static int turn_given_up; /* sched_yield, or the running thread stopped */
static uint64_t wait_order;

void sched_block(uint64_t futex, uint32_t bitset, uint64_t deadline, long timeout_result)
{
	struct thread *t = thread_current();
	t->state = THREAD_BLOCKED;
	t->wait_futex = futex;
	t->wait_bitset = bitset;
	t->wait_order = ++wait_order;
	t->wait_deadline = deadline;
	t->wait_timeout_result = timeout_result;
	turn_given_up = 1;
}

/* T is never the running thread: it blocked in an earlier trap, so its registers are saved. */
void sched_wake(struct thread *t, long result)
{
	t->frame.regs[REG_A0] = (uint64_t)result;
	t->state = THREAD_READY;
	t->wait_futex = 0;
	t->wait_deadline = NO_DEADLINE;
}

void sched_yield_turn(void)
{
	turn_given_up = 1;
}

void sched_exit_current(void)
{
	thread_mark_dead(thread_current());
	turn_given_up = 1;
}

uint64_t sched_wake_expired(void)
{
	uint64_t now = timer_now_ns(), earliest = NO_DEADLINE;
	for (struct thread *t = thread_first(); t; t = t->next) {
		if (t->state != THREAD_BLOCKED || t->wait_deadline == NO_DEADLINE)
			continue;
		if (t->wait_deadline <= now)
			sched_wake(t, t->wait_timeout_result);
		else if (t->wait_deadline < earliest)
			earliest = t->wait_deadline;
	}
	return earliest;
}

void sched_tick(void)
{
	thread_current()->ticks++;
	sched_wake_expired();
}

/* The first READY thread after FROM in list order, wrapping round to FROM itself; or NULL. */
static struct thread *next_ready(struct thread *from)
{
	for (struct thread *t = from->next; t; t = t->next)
		if (t->state == THREAD_READY)
			return t;
	for (struct thread *t = thread_first(); t && t != from->next; t = t->next)
		if (t->state == THREAD_READY)
			return t;
	return NULL;
}

int sched_must_switch(void)
{
	const struct thread *cur = thread_current();
	return cur->state != THREAD_RUNNING || turn_given_up || cur->ticks >= SCHED_SLICE_TICKS;
}

int sched_ready_exists(void)
{
	for (struct thread *t = thread_first(); t; t = t->next)
		if (t->state == THREAD_READY)
			return 1;
	return 0;
}

int sched_resume(struct trap_frame *f)
{
	struct thread *cur = thread_current();
	if (cur->state == THREAD_RUNNING && !turn_given_up && cur->ticks < SCHED_SLICE_TICKS)
		return 0;
	turn_given_up = 0;
	if (cur->state == THREAD_RUNNING) {
		cur->ticks = 0;
		if (!next_ready(cur))
			return 0; /* nobody else wants the hart */
		cur->state = THREAD_READY;
	}
	if (cur->state != THREAD_DEAD && !cur->saved) {
		cur->frame = *f;
		fpu_save(&cur->fpu);
		cur->saved = 1;
	}
	struct thread *next = next_ready(cur);
	if (!next)
		return -1;
	if (cur->state == THREAD_DEAD)
		thread_free_dead(cur);
	*f = next->frame;
	fpu_restore(&next->fpu);
	next->saved = 0;
	next->state = THREAD_RUNNING;
	next->ticks = 0;
	thread_set_current(next);
	return 0;
}
