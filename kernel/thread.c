/*
 * The threads of the application (kernel/thread.h): a list, oldest first,
 * whose first entry is the main thread, the process itself (tid 1 = pid).
 */
#include "kernel/thread.h"

#include <string.h>

#include "kernel/heap.h"

static struct thread main_thread = { .tid = 1, .state = THREAD_RUNNING, .altstack_disabled = 1 };
static struct thread *threads = &main_thread;
struct thread *thread_running = &main_thread;
static struct trap_frame *trap_frame;
static int next_tid = 2;
static unsigned alive = 1;

void thread_set_current(struct thread *t)
{
	thread_running = t;
}

struct thread *thread_first(void)
{
	return threads;
}

struct thread *thread_find(int tid)
{
	for (struct thread *t = threads; t; t = t->next)
		if (t->tid == tid && t->state != THREAD_DEAD)
			return t;
	return NULL;
}

unsigned thread_alive_count(void)
{
	return alive;
}

struct thread *thread_new(const struct trap_frame *from)
{
	if (alive >= THREADS_MAX || next_tid <= 0)
		return NULL;
	struct thread *t = kzalloc(sizeof(*t));
	if (!t)
		return NULL;
	t->tid = next_tid++;
	t->state = THREAD_READY;
	t->saved = 1;
	t->frame = *from;
	fpu_save(&t->fpu);
	/* Linux: a new thread inherits its creator's mask, not its pending signals or alternate stack. */
	t->sig_blocked = thread_running->sig_blocked;
	t->altstack_disabled = 1;
	struct thread **end = &threads;
	while (*end)
		end = &(*end)->next;
	*end = t;
	alive++;
	return t;
}

/* Take T out of the list and free it (the main thread's struct is static). */
static void unlink_and_free(struct thread *t)
{
	for (struct thread **p = &threads; *p; p = &(*p)->next)
		if (*p == t) {
			*p = t->next;
			break;
		}
	if (t != &main_thread)
		kfree(t);
}

void thread_discard(struct thread *t)
{
	alive--;
	unlink_and_free(t);
}

void thread_mark_dead(struct thread *t)
{
	t->state = THREAD_DEAD;
	alive--;
}

void thread_free_dead(struct thread *t)
{
	unlink_and_free(t);
}

void thread_trap_enter(struct trap_frame *f)
{
	trap_frame = f;
	thread_running->syscall_a0 = f->regs[REG_A0];
}

struct trap_frame *thread_trap_frame(void)
{
	return trap_frame;
}
