/* Objects a thread can wait for (kernel/waitable.h). */
#include "kernel/waitable.h"

#include "kernel/sched.h"

/* A stamp later than every one given before. */
static uint64_t change_stamp_next(void)
{
	static uint64_t last;
	return ++last;
}

void waitable_init(struct waitable *w, uint64_t channel)
{
	*w = (struct waitable){ .channel = channel ? channel : sched_new_channel() };
}

void waitable_changed(struct waitable *w, int for_readers)
{
	if (for_readers)
		w->in_changed = change_stamp_next();
	else
		w->out_changed = change_stamp_next();
	sched_wake_channel(w->channel);
}
