/* Futex wait, wake and requeue over the thread list (kernel/futex.h). */
#include "kernel/futex.h"

#include "kernel/error.h"
#include "kernel/sched.h"
#include "machine.h"
#include "uaccess.h"

/* The oldest thread blocked on UADDR whose bitset shares BITSET, or NULL. */
static struct thread *oldest_waiter(uint64_t uaddr, uint32_t bitset)
{
	struct thread *oldest = NULL;
	for (struct thread *t = thread_first(); t; t = t->next)
		if (t->state == THREAD_BLOCKED && t->wait.kind == WAIT_FUTEX && t->wait.futex == uaddr &&
		    (t->wait.bitset & bitset) &&
		    (!oldest || t->wait_order < oldest->wait_order))
			oldest = t;
	return oldest;
}

long futex_wait(uint64_t uaddr, uint32_t val, uint64_t deadline, uint32_t bitset)
{
	uint32_t word;
	if (copy_from_user(&word, uaddr, sizeof(word)))
		return -EFAULT;
	if (word != val)
		return -EAGAIN;
	if (deadline != NO_DEADLINE && deadline <= timer_now_ns())
		return -ETIMEDOUT;
	/* Linux restarts a futex wait after a handler only when it has no timeout. */
	struct wait w = { .kind = WAIT_FUTEX, .futex = uaddr, .bitset = bitset, .deadline = deadline,
			  .timeout_result = -ETIMEDOUT, .restartable = deadline == NO_DEADLINE };
	sched_block(&w);
	return 0;
}

long futex_wake(uint64_t uaddr, uint64_t n, uint32_t bitset)
{
	long woken = 0;
	struct thread *t;
	while ((uint64_t)woken < n && (t = oldest_waiter(uaddr, bitset))) {
		sched_wake(t, 0);
		woken++;
	}
	return woken;
}

long futex_requeue(uint64_t uaddr, uint64_t nwake, uint64_t uaddr2, uint64_t nmove, int compare,
		   uint32_t val3)
{
	uint32_t word;
	if (copy_from_user(&word, uaddr, sizeof(word)))
		return -EFAULT;
	if (compare && word != val3)
		return -EAGAIN;
	long done = futex_wake(uaddr, nwake, FUTEX_BITSET_ANY);
	uint64_t waiting = 0;
	for (struct thread *t = thread_first(); t; t = t->next)
		waiting += t->state == THREAD_BLOCKED && t->wait.kind == WAIT_FUTEX && t->wait.futex == uaddr;
	/* Each move takes one waiter off UADDR (none when UADDR2 is UADDR: they stay). */
	if (nmove > waiting)
		nmove = waiting;
	for (uint64_t moved = 0; moved < nmove; moved++) {
		oldest_waiter(uaddr, FUTEX_BITSET_ANY)->wait.futex = uaddr2;
		done++;
	}
	return done;
}
