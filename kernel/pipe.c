/* Pipes (kernel/pipe.h). */
#include "kernel/pipe.h"

#include "kernel/error.h"
#include "kernel/heap.h"
#include "kernel/poll_events.h"

static uint64_t next_pipe_ino = 1;

struct pipe *pipe_new(void)
{
	struct pipe *p = kzalloc(sizeof(*p));
	char *buf = kmalloc(PIPE_SIZE);
	if (!p || !buf) {
		kfree(p);
		kfree(buf);
		return NULL;
	}
	p->buf = buf;
	p->readers = p->writers = 1;
	p->ino = next_pipe_ino++;
	waitable_init(&p->w, 0);
	return p;
}

void pipe_close_end(struct pipe *p, int writer)
{
	if (writer)
		p->writers--;
	else
		p->readers--;
	if (!p->readers && !p->writers) {
		kfree(p->buf);
		kfree(p);
		return;
	}
	waitable_changed(&p->w, writer); /* the last writer gone: end of file for readers; the last reader: -EPIPE */
}

long pipe_read(struct pipe *p, char *buf, size_t n)
{
	if (n == 0)
		return 0; /* at once, as Linux's pipe_read, even when empty */
	if (p->len == 0)
		return p->writers ? -EAGAIN : 0;
	if (n > p->len)
		n = p->len;
	for (size_t i = 0; i < n; i++)
		buf[i] = p->buf[(p->head + i) % PIPE_SIZE];
	p->head = (p->head + n) % PIPE_SIZE;
	p->len -= n;
	waitable_changed(&p->w, 0);
	return (long)n;
}

long pipe_write(struct pipe *p, const char *buf, size_t n)
{
	if (!p->readers)
		return -EPIPE;
	if (n == 0)
		return 0;
	size_t room = PIPE_SIZE - p->len;
	if (room == 0 || (n <= PIPE_BUF && n > room))
		return -EAGAIN;
	if (n > room)
		n = room;
	for (size_t i = 0; i < n; i++)
		p->buf[(p->head + p->len + i) % PIPE_SIZE] = buf[i];
	p->len += n;
	waitable_changed(&p->w, 1);
	return (long)n;
}

unsigned pipe_poll(const struct pipe *p, int writer)
{
	unsigned events = 0;
	if (writer) {
		if (p->len < PIPE_SIZE)
			events |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			events |= POLLERR;
	} else {
		if (p->len)
			events |= POLLIN | POLLRDNORM;
		if (!p->writers)
			events |= POLLHUP;
	}
	return events;
}
