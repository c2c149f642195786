/* epoll instances (kernel/epoll.h). */
#include "kernel/epoll.h"

#include "kernel/error.h"
#include "kernel/fd.h"
#include "kernel/heap.h"
#include "kernel/file_ready.h"

#define NEVER_SEEN UINT64_MAX /* an item's file has no change yet reported */

struct epoll_item {
	long fd;
	uint64_t file_id;
	uint32_t events; /* what it asks for, with EPOLLET, EPOLLONESHOT ... */
	uint64_t data;
	uint64_t seen_changes; /* EPOLLET: the file's changes when last reported */
	int disabled;          /* EPOLLONESHOT, reported once */
	struct epoll_item *next;
};

struct epoll {
	struct epoll_item *items; /* the order reports go in: a reported item moves to the end */
};

static unsigned watches; /* items in every epoll */

struct epoll *epoll_new(void)
{
	return kzalloc(sizeof(struct epoll));
}

void epoll_free(struct epoll *ep)
{
	while (ep->items) {
		struct epoll_item *it = ep->items;
		ep->items = it->next;
		kfree(it);
		watches--;
	}
	kfree(ep);
}

/* The file IT names, or NULL when its descriptor was closed or now names another file. */
static struct file *item_file(const struct epoll_item *it)
{
	struct file *f = fd_get(it->fd);
	return f && f->id == it->file_id ? f : NULL;
}

/* Take the item at *LINK out of its list. */
static void unlink_item(struct epoll_item **link)
{
	struct epoll_item *it = *link;
	*link = it->next;
	kfree(it);
	watches--;
}

/* Drop the items whose file is gone. */
static void drop_dead(struct epoll *ep)
{
	for (struct epoll_item **link = &ep->items; *link;)
		if (item_file(*link))
			link = &(*link)->next;
		else
			unlink_item(link);
}

/* The link to EP's live item for FD, or NULL. */
static struct epoll_item **find(struct epoll *ep, long fd)
{
	for (struct epoll_item **link = &ep->items; *link; link = &(*link)->next)
		if ((*link)->fd == fd)
			return link;
	return NULL;
}

/* Whether EP has a live item on the file with ID. */
static int watches_file(struct epoll *ep, uint64_t id)
{
	for (struct epoll_item *it = ep->items; it; it = it->next)
		if (it->file_id == id && item_file(it))
			return 1;
	return 0;
}

/*
 * How many epolls deep the chain below EP goes (an epoll watching nothing
 * but other files: 0), stopping past LIMIT; or -1 when it reaches the file
 * with id SELF (a loop).
 */
static int depth_below(struct epoll *ep, uint64_t self, int limit)
{
	int deepest = 0;
	for (struct epoll_item *it = ep->items; it; it = it->next) {
		struct file *f = item_file(it);
		if (!f || f->kind != FILE_EPOLL)
			continue;
		if (f->id == self)
			return -1;
		int d = limit > 0 ? depth_below(f->epoll, self, limit - 1) : 0;
		if (d < 0)
			return -1;
		if (d + 1 > deepest)
			deepest = d + 1;
	}
	return deepest;
}

/* How many epolls deep the chain above the epoll file with id SELF goes (every epoll is in the descriptor table). */
static int depth_above(uint64_t self, int limit)
{
	int deepest = 0;
	for (long fd = 0; fd < FD_MAX && limit > 0; fd++) {
		struct file *f = fd_get(fd);
		if (f && f->kind == FILE_EPOLL && f->id != self && watches_file(f->epoll, self)) {
			int d = 1 + depth_above(f->id, limit - 1);
			if (d > deepest)
				deepest = d;
		}
	}
	return deepest;
}

/* Linux's check before TARGET joins EP (open on SELF): no loop, no chain too deep. */
static long check_nesting(const struct file *self, const struct file *target)
{
	if (target->kind != FILE_EPOLL)
		return 0;
	int below = depth_below(target->epoll, self->id, EPOLL_MAX_NESTS);
	if (below < 0 || below + 1 + depth_above(self->id, EPOLL_MAX_NESTS) > EPOLL_MAX_NESTS)
		return -ELOOP;
	return 0;
}

long epoll_ctl(struct epoll *ep, const struct file *self, int op, long fd, struct file *target,
	       uint32_t events, uint64_t data)
{
	/* In Linux's order: what the target is, then the operation. */
	if (!file_can_wait(target))
		return -EPERM;
	if (target == self)
		return -EINVAL;
	if ((events & EPOLLEXCLUSIVE) && op == EPOLL_CTL_MOD)
		return -EINVAL;
	drop_dead(ep);
	struct epoll_item **link = find(ep, fd);
	if (op == EPOLL_CTL_DEL) {
		if (!link)
			return -ENOENT;
		unlink_item(link);
		return 0;
	}
	if (op == EPOLL_CTL_MOD) {
		if (!link)
			return -ENOENT;
		struct epoll_item *it = *link;
		it->events = events;
		it->data = data;
		it->disabled = 0;
		it->seen_changes = NEVER_SEEN;
		return 0;
	}
	if (op != EPOLL_CTL_ADD)
		return -EINVAL;
	if (link)
		return -EEXIST;
	long err = check_nesting(self, target);
	if (err)
		return err;
	if (watches >= EPOLL_WATCHES_MAX)
		return -ENOSPC;
	struct epoll_item *it = kzalloc(sizeof(*it));
	if (!it)
		return -ENOMEM;
	*it = (struct epoll_item){ .fd = fd, .file_id = target->id, .events = events, .data = data,
				   .seen_changes = NEVER_SEEN };
	struct epoll_item **end = &ep->items;
	while (*end)
		end = &(*end)->next;
	*end = it;
	watches++;
	return 0;
}

/* The events IT reports now (0: none), its file being F. */
static uint32_t item_events(const struct epoll_item *it, struct file *f, int nested)
{
	if (it->disabled)
		return 0;
	uint32_t ready = file_poll(f, nested) & (it->events | POLLERR | POLLHUP);
	if (ready && (it->events & EPOLLET) && file_changes(f) == it->seen_changes)
		return 0;
	return ready;
}

int epoll_look(struct epoll *ep, struct epoll_batch *b, int max)
{
	drop_dead(ep);
	b->n = 0;
	for (struct epoll_item *it = ep->items; it && b->n < max && b->n < EPOLL_BATCH; it = it->next) {
		uint32_t ready = item_events(it, item_file(it), 1);
		if (!ready)
			continue;
		b->events[b->n] = (struct epoll_event){ .events = ready, .data = it->data };
		b->items[b->n++] = it;
	}
	return b->n;
}

void epoll_consume(struct epoll *ep, const struct epoll_batch *b)
{
	for (int i = 0; i < b->n; i++) {
		struct epoll_item *it = b->items[i];
		it->seen_changes = file_changes(item_file(it));
		if (it->events & EPOLLONESHOT)
			it->disabled = 1;
		/* To the end, so that a caller asking for few events sees the others next time. */
		struct epoll_item **link = &ep->items;
		while (*link != it)
			link = &(*link)->next;
		*link = it->next;
		it->next = NULL;
		struct epoll_item **end = &ep->items;
		while (*end)
			end = &(*end)->next;
		*end = it;
	}
}

unsigned epoll_poll(struct epoll *ep, int nested)
{
	if (nested >= EPOLL_MAX_NESTS + 1)
		return 0; /* deeper than epoll_ctl lets a chain grow */
	for (struct epoll_item *it = ep->items; it; it = it->next) {
		struct file *f = item_file(it);
		if (f && item_events(it, f, nested + 1))
			return POLLIN | POLLRDNORM;
	}
	return 0;
}

uint64_t epoll_changes(const struct epoll *ep)
{
	uint64_t sum = 0;
	for (const struct epoll_item *it = ep->items; it; it = it->next) {
		struct file *f = item_file(it);
		if (f && f->kind != FILE_EPOLL)
			sum += file_changes(f);
		else if (f)
			sum += epoll_changes(f->epoll); /* chains are at most EPOLL_MAX_NESTS deep */
	}
	return sum;
}

int epoll_watches_console(struct epoll *ep, int nested)
{
	if (nested > EPOLL_MAX_NESTS)
		return 0;
	for (struct epoll_item *it = ep->items; it; it = it->next) {
		struct file *f = item_file(it);
		if (f && file_watches_console(f, nested + 1))
			return 1;
	}
	return 0;
}
