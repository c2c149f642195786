/*
 * Round-robin scheduling of the application's threads (kernel/sched.h).
 * Everything here runs with interrupts off, in a trap: a switch is two
 * copies of a trap frame and of the floating-point registers, made on the
 * way back to U-mode.
 */
#include "kernel/sched.h"

#include "kernel/error.h"
#include "kernel/timeout.h"

static int turn_given_up; /* sched_yield, or the running thread stopped */
static uint64_t wait_order;
static uint64_t last_channel = WAIT_CHANNEL_CONSOLE;

uint64_t sched_new_channel(void)
{
	return ++last_channel;
}

void sched_block(const struct wait *w)
{
	struct thread *t = thread_current();
	t->state = THREAD_BLOCKED;
	t->wait = *w;
	t->wait_order = ++wait_order;
	turn_given_up = 1;
}

/* T is never the running thread: it blocked in an earlier trap, so its registers are saved. */
void sched_wake(struct thread *t, long result)
{
	t->frame.regs[REG_A0] = (uint64_t)result;
	t->state = THREAD_READY;
}

void sched_wake_again(struct thread *t)
{
	sched_wake(t, (long)t->syscall_a0);
	t->frame.sepc -= 4;
	t->call_again = 1;
	thread_call_mask_end(t); /* the call sets its own again (ppoll, pselect6, epoll_pwait) */
}

void sched_interrupt(struct thread *t, int restart)
{
	if (t->wait.progress > 0) { /* a transfer under way ends with what it moved, as Linux's */
		sched_wake(t, t->wait.progress);
		return;
	}
	if (restart && t->wait.restartable) {
		sched_wake_again(t);
		t->call_again = 0; /* a handler runs first: the call starts afresh, as Linux's -ERESTARTSYS */
		return;
	}
	long result = -EINTR;
	/* A sleep whose rem cannot be written fails (Linux); select's and ppoll's time left is a courtesy. */
	if (t->wait.remaining_user && time_left_to_user(t->wait.remaining_user, t->wait.deadline) &&
	    t->wait.kind == WAIT_SLEEP)
		result = -EFAULT;
	sched_wake(t, result);
}

void sched_wake_channel(uint64_t channel)
{
	for (struct thread *t = thread_first(); t; t = t->next)
		if (t->state == THREAD_BLOCKED && t->wait.kind == WAIT_IO &&
		    (t->wait.channel == channel || t->wait.channel == WAIT_CHANNEL_ANY))
			sched_wake_again(t);
}

int sched_console_wanted(void)
{
	for (struct thread *t = thread_first(); t; t = t->next)
		if (t->state == THREAD_BLOCKED && t->wait.kind == WAIT_IO && t->wait.console_input)
			return 1;
	return 0;
}

uint64_t sched_call_progress(void)
{
	const struct thread *t = thread_current();
	return t->call_again && t->wait.progress > 0 ? (uint64_t)t->wait.progress : 0;
}

uint64_t sched_call_deadline(uint64_t computed)
{
	const struct thread *t = thread_current();
	return t->call_again ? t->wait.deadline : computed;
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
		if (t->state != THREAD_BLOCKED || t->wait.deadline == NO_DEADLINE)
			continue;
		if (t->wait.deadline > now) {
			if (t->wait.deadline < earliest)
				earliest = t->wait.deadline;
		} else if (t->wait.kind == WAIT_IO) {
			sched_wake_again(t); /* its call looks once more and returns its own timeout */
		} else {
			sched_wake(t, t->wait.timeout_result);
		}
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
	if (!sched_must_switch())
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
