/* Waiting for files (kernel/poll.h). */
#include "kernel/poll.h"

#include "kernel/error.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "kernel/timeout.h"
#include "machine.h"
#include "uaccess.h"

void file_wait(struct file *f, long progress)
{
	struct wait w = { .kind = WAIT_IO,
			  .channel = file_channel(f),
			  .console_input = file_watches_console(f, 0),
			  .deadline = NO_DEADLINE,
			  .progress = progress,
			  .restartable = 1 };
	sched_block(&w);
}

int poll_timeout(uint64_t uts, uint64_t *deadline)
{
	*deadline = NO_DEADLINE;
	return uts ? deadline_from_user(uts, 0, 0, deadline) : 0;
}

int poll_call_mask(uint64_t umask, uint64_t size)
{
	uint64_t mask;
	if (!umask)
		return 0;
	if (size != sizeof(mask))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	signal_call_mask(thread_current(), mask);
	return 0;
}

long poll_many_result(long found, uint64_t deadline, int console_input, uint64_t remaining_user)
{
	struct thread *t = thread_current();
	if (found != 0 || deadline <= timer_now_ns()) {
		thread_call_mask_end(t);
		if (remaining_user && deadline != NO_DEADLINE && found >= 0)
			(void)time_left_to_user(remaining_user, deadline); /* errors ignored, as Linux */
		return found;
	}
	if (signal_ready()) {
		if (remaining_user && deadline != NO_DEADLINE)
			(void)time_left_to_user(remaining_user, deadline); /* errors ignored, as Linux */
		return -EINTR;
	}
	struct wait w = { .kind = WAIT_IO,
			  .channel = WAIT_CHANNEL_ANY,
			  .console_input = console_input,
			  .deadline = deadline,
			  .remaining_user = deadline != NO_DEADLINE ? remaining_user : 0 };
	sched_block(&w);
	return 0;
}
