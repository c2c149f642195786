/* epoll instances (kernel/epoll.h). */
#include "kernel/epoll.h"

#include "kernel/error.h"
#include "kernel/fd.h"
#include "kernel/file_ready.h"
#include "kernel/heap.h"
#include "kernel/waitable.h"

/* Linux's EPOLLEXCLUSIVE_OK_BITS: what may go with EPOLLEXCLUSIVE. */
#define EXCLUSIVE_OK (POLLIN | POLLOUT | POLLERR | POLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE)

struct epoll_item {
	long fd;
	uint64_t opening; /* fd_opening(fd) when added: the item lives while they agree */
	uint32_t events;  /* what it asks for, with EPOLLET, EPOLLONESHOT ... */
	uint64_t data;
	int reported;       /* since its ADD or MOD */
	uint64_t seen;      /* EPOLLET: the file's change stamp when last reported */
	int disabled;       /* EPOLLONESHOT, reported once */
	struct epoll_item *next;
};

struct epoll {
	struct epoll_item *items; /* the order reports go in: a reported item moves to the end */
	struct waitable w;        /* in: an ADD or MOD (an epoll watching this one may report; its waiters look again) */
};

static unsigned watches; /* items in every epoll */

struct epoll *epoll_new(void)
{
	struct epoll *ep = kzalloc(sizeof(*ep));
	if (ep)
		waitable_init(&ep->w, 0);
	return ep;
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

/* The file IT names, or NULL when its descriptor was closed (and perhaps opened again) since. */
static struct file *item_file(const struct epoll_item *it)
{
	return fd_opening(it->fd) == it->opening ? fd_get(it->fd) : NULL;
}

/* Take the item at *LINK out of its list. */
static void unlink_item(struct epoll_item **link)
{
	struct epoll_item *it = *link;
	*link = it->next;
	kfree(it);
	watches--;
}

/* Drop the items whose descriptor is gone. */
static void drop_dead(struct epoll *ep)
{
	for (struct epoll_item **link = &ep->items; *link;)
		if (item_file(*link))
			link = &(*link)->next;
		else
			unlink_item(link);
}

/* The link to EP's item for FD, or NULL. */
static struct epoll_item **find(struct epoll *ep, long fd)
{
	for (struct epoll_item **link = &ep->items; *link; link = &(*link)->next)
		if ((*link)->fd == fd)
			return link;
	return NULL;
}

/* Whether EP has a live item on F. */
static int watches_file(struct epoll *ep, const struct file *f)
{
	for (struct epoll_item *it = ep->items; it; it = it->next)
		if (item_file(it) == f)
			return 1;
	return 0;
}

/*
 * How many epolls deep the chain below EP goes (an epoll watching nothing
 * but other files: 0), stopping past LIMIT; or -1 when it reaches SELF (a
 * loop).
 */
static int depth_below(struct epoll *ep, const struct file *self, int limit)
{
	int deepest = 0;
	for (struct epoll_item *it = ep->items; it; it = it->next) {
		struct file *f = item_file(it);
		if (!f || f->kind != FILE_EPOLL)
			continue;
		if (f == self)
			return -1;
		int d = limit > 0 ? depth_below(f->epoll, self, limit - 1) : 0;
		if (d < 0)
			return -1;
		if (d + 1 > deepest)
			deepest = d + 1;
	}
	return deepest;
}

/* How many epolls deep the chain above the epoll SELF goes (every epoll is in the descriptor table). */
static int depth_above(const struct file *self, int limit)
{
	int deepest = 0;
	for (long fd = 0; fd < FD_MAX && limit > 0; fd++) {
		struct file *f = fd_get(fd);
		if (f && f->kind == FILE_EPOLL && f != self && watches_file(f->epoll, self)) {
			int d = 1 + depth_above(f, limit - 1);
			if (d > deepest)
				deepest = d;
		}
	}
	return deepest;
}

/* Linux's check before TARGET joins the epoll SELF: no loop, no chain too deep. */
static long check_nesting(const struct file *self, const struct file *target)
{
	if (target->kind != FILE_EPOLL)
		return 0;
	int below = depth_below(target->epoll, self, EPOLL_MAX_NESTS);
	if (below < 0 || below + 1 + depth_above(self, EPOLL_MAX_NESTS) > EPOLL_MAX_NESTS)
		return -ELOOP;
	return 0;
}

/* IT asks afresh (ADD, MOD): it may report at once, and whoever waits on or above EP looks again. */
static void asked(struct epoll *ep, struct epoll_item *it)
{
	it->reported = 0;
	it->disabled = 0;
	waitable_changed(&ep->w, 1);
}

long epoll_ctl(struct epoll *ep, const struct file *self, int op, long fd, struct file *target,
	       uint32_t events, uint64_t data)
{
	/* In Linux's order: what the target is, then the operation. */
	if (!file_can_wait(target))
		return -EPERM;
	if (target == self)
		return -EINVAL;
	if ((events & EPOLLEXCLUSIVE) &&
	    (op == EPOLL_CTL_MOD ||
	     (op == EPOLL_CTL_ADD && (target->kind == FILE_EPOLL || (events & ~EXCLUSIVE_OK)))))
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
		if (it->events & EPOLLEXCLUSIVE)
			return -EINVAL; /* as Linux: an exclusive item cannot be modified */
		it->events = events;
		it->data = data;
		asked(ep, it);
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
	*it = (struct epoll_item){ .fd = fd, .opening = fd_opening(fd), .events = events, .data = data };
	struct epoll_item **end = &ep->items;
	while (*end)
		end = &(*end)->next;
	*end = it;
	watches++;
	asked(ep, it);
	return 0;
}

/* The events IT reports now (0: none), its file being F; NESTED: epolls above F. */
static uint32_t item_events(const struct epoll_item *it, struct file *f, int nested)
{
	if (it->disabled)
		return 0;
	uint32_t ready = file_poll(f, nested) & (it->events | POLLERR | POLLHUP);
	if (ready && (it->events & EPOLLET) && it->reported &&
	    file_changed_at(f, it->events, nested) <= it->seen)
		return 0; /* edge-triggered: nothing new since its last report */
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
		struct file *f = item_file(it);
		if (f) {
			it->seen = file_changed_at(f, it->events, 1);
			it->reported = 1;
		}
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
	if (nested > EPOLL_MAX_NESTS)
		return 0; /* deeper than epoll_ctl lets a chain grow */
	for (struct epoll_item *it = ep->items; it; it = it->next) {
		struct file *f = item_file(it);
		if (f && item_events(it, f, nested + 1))
			return POLLIN | POLLRDNORM;
	}
	return 0;
}

uint64_t epoll_changed_at(const struct epoll *ep, int nested)
{
	uint64_t at = ep->w.in_changed;
	if (nested > EPOLL_MAX_NESTS)
		return at;
	for (const struct epoll_item *it = ep->items; it; it = it->next) {
		struct file *f = item_file(it);
		uint64_t item_at = f ? file_changed_at(f, it->events, nested + 1) : 0;
		if (item_at > at)
			at = item_at;
	}
	return at;
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
