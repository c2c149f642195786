/* What files are ready for (kernel/file_ready.h). */
#include "kernel/file_ready.h"

#include "kernel/change_stamp.h"
#include "kernel/epoll.h"
#include "kernel/eventfd.h"
#include "kernel/sched.h"
#include "kernel/tty.h"

static uint64_t console_changed; /* a line became readable */

static int is_console(const struct file *f)
{
	return f->kind == FILE_NODE && f->node->dev == FS_DEV_CONSOLE;
}

unsigned file_poll(struct file *f, int nested)
{
	switch (f->kind) {
	case FILE_PIPE:
		return pipe_poll(f->pipe, (f->flags & O_ACCMODE) == O_WRONLY);
	case FILE_EVENTFD:
		return eventfd_poll(f->eventfd);
	case FILE_EPOLL:
		return epoll_poll(f->epoll, nested);
	case FILE_NODE:
		break;
	}
	if (is_console(f))
		return POLLOUT | POLLWRNORM | (tty_readable() ? POLLIN | POLLRDNORM : 0);
	return POLL_ALWAYS;
}

uint64_t change_stamp_next(void)
{
	static uint64_t last;
	return ++last;
}

/* The later of IN and OUT, or the one EVENTS concerns. */
static uint64_t side(unsigned events, uint64_t in, uint64_t out)
{
	uint64_t at = 0;
	if (events & (POLLIN | POLLRDNORM | POLLRDBAND | POLLPRI | POLLHUP | POLLRDHUP))
		at = in;
	if ((events & (POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR)) && out > at)
		at = out;
	return at;
}

uint64_t file_changed_at(const struct file *f, unsigned events, int nested)
{
	switch (f->kind) {
	case FILE_PIPE:
		return (f->flags & O_ACCMODE) == O_WRONLY ? f->pipe->out_changed : f->pipe->in_changed;
	case FILE_EVENTFD:
		return side(events, f->eventfd->in_changed, f->eventfd->out_changed);
	case FILE_EPOLL:
		return epoll_changed_at(f->epoll, nested);
	case FILE_NODE:
		break;
	}
	return is_console(f) ? console_changed : 0;
}

int file_can_wait(const struct file *f)
{
	return f->kind != FILE_NODE || is_console(f) || f->node->dev == FS_DEV_URANDOM;
}

int file_watches_console(struct file *f, int nested)
{
	if (f->kind == FILE_EPOLL)
		return epoll_watches_console(f->epoll, nested);
	return is_console(f);
}

uint64_t file_channel(const struct file *f)
{
	switch (f->kind) {
	case FILE_PIPE:
		return f->pipe->channel;
	case FILE_EVENTFD:
		return f->eventfd->channel;
	default:
		return is_console(f) ? WAIT_CHANNEL_CONSOLE : WAIT_CHANNEL_ANY;
	}
}


void console_input_check(void)
{
	int before = tty_readable();
	if (tty_poll_input() && !before) {
		console_changed = change_stamp_next();
		sched_wake_channel(WAIT_CHANNEL_CONSOLE);
	}
}
