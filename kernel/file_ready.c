/* What files are ready for (kernel/file_ready.h). */
#include "kernel/file_ready.h"

#include "kernel/epoll.h"
#include "kernel/eventfd.h"
#include "kernel/sched.h"
#include "kernel/tty.h"
#include "kernel/waitable.h"

static struct waitable console = { .channel = WAIT_CHANNEL_CONSOLE }; /* in: a line became readable */

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

/* What F's waiters wait on (an epoll's is its own business: epoll_changed_at), or NULL: F never changes. */
static const struct waitable *waitable_of(const struct file *f)
{
	switch (f->kind) {
	case FILE_PIPE:
		return &f->pipe->w;
	case FILE_EVENTFD:
		return &f->eventfd->w;
	case FILE_EPOLL:
		return NULL;
	case FILE_NODE:
		break;
	}
	return is_console(f) ? &console : NULL;
}

uint64_t file_changed_at(const struct file *f, unsigned events, int nested)
{
	if (f->kind == FILE_EPOLL)
		return epoll_changed_at(f->epoll, nested);
	const struct waitable *w = waitable_of(f);
	if (!w)
		return 0;
	/* A pipe's end has one side: its readers' or its writers'. */
	if (f->kind == FILE_PIPE)
		events = (f->flags & O_ACCMODE) == O_WRONLY ? POLLOUT : POLLIN;
	uint64_t at = 0;
	if (events & (POLLIN | POLLRDNORM | POLLRDBAND | POLLPRI | POLLHUP | POLLRDHUP))
		at = w->in_changed;
	if ((events & (POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR)) && w->out_changed > at)
		at = w->out_changed;
	return at;
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
	const struct waitable *w = waitable_of(f);
	return w ? w->channel : WAIT_CHANNEL_ANY;
}

void console_input_check(void)
{
	int before = tty_readable();
	if (tty_poll_input() && !before)
		waitable_changed(&console, 1);
}
