/* What files are ready for (kernel/file_ready.h). */
#include "kernel/file_ready.h"

#include "kernel/epoll.h"
#include "kernel/eventfd.h"
#include "kernel/sched.h"
#include "kernel/tty.h"

static uint64_t console_changes;

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

uint64_t file_changes(const struct file *f)
{
	switch (f->kind) {
	case FILE_PIPE:
		return f->pipe->changes;
	case FILE_EVENTFD:
		return f->eventfd->changes;
	case FILE_EPOLL:
		return epoll_changes(f->epoll);
	case FILE_NODE:
		break;
	}
	return is_console(f) ? console_changes : 0;
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
		console_changes++;
		sched_wake_channel(WAIT_CHANNEL_CONSOLE);
	}
}
