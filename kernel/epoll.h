/*
 * epoll(7) instances: an interest list of (descriptor, file) pairs.
 *
 * An item names its file by descriptor number and that descriptor's
 * opening (fd_opening), never by pointer: once the descriptor is closed,
 * even if it is opened again at once, the item is dead and is dropped the
 * next time the list is read (Linux drops it when the file's last
 * descriptor closes; here a dup'd descriptor does not keep it).
 * Readiness is asked of each file when needed (kernel/file_ready.h), not
 * queued by wakeups: level-triggered items report while ready; EPOLLET
 * items after their ADD or MOD and then once per change of their file on
 * the side they ask about; EPOLLONESHOT items once until EPOLL_CTL_MOD.
 */
#ifndef KERNEL_EPOLL_H
#define KERNEL_EPOLL_H

#include <stdint.h>

struct file;
struct epoll;

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3

#define EPOLLEXCLUSIVE (1u << 28)
#define EPOLLWAKEUP (1u << 29)
#define EPOLLONESHOT (1u << 30)
#define EPOLLET (1u << 31)

/* Linux's struct epoll_event on riscv64 (not packed: 16 bytes). */
struct epoll_event {
	uint32_t events;
	uint64_t data;
};

struct epoll *epoll_new(void);
void epoll_free(struct epoll *ep);

/*
 * EPOLL_CTL_ADD, _MOD or _DEL of descriptor FD, open on TARGET, in EP (open
 * on SELF) with EVENTS and DATA: 0, or Linux's errno (-EEXIST, -ENOENT,
 * -EPERM for a file that cannot wait, -EINVAL for EP itself, -ELOOP,
 * -ENOSPC past EPOLL_WATCHES_MAX items in all, -ENOMEM).
 */
long epoll_ctl(struct epoll *ep, const struct file *self, int op, long fd, struct file *target,
	       uint32_t events, uint64_t data);

#define EPOLL_WATCHES_MAX 65536

/*
 * What one epoll_wait reports: the events, and the items they came from.
 * Looking changes nothing; once the events reached the program,
 * epoll_consume marks them reported (EPOLLET, EPOLLONESHOT, the order).
 */
#define EPOLL_BATCH 256
struct epoll_batch {
	int n;
	struct epoll_event events[EPOLL_BATCH];
	struct epoll_item *items[EPOLL_BATCH];
};

/* Up to MAX (at most EPOLL_BATCH) ready events of EP into B: how many. */
int epoll_look(struct epoll *ep, struct epoll_batch *b, int max);

/* B's events, from epoll_look on EP with no epoll call between, were delivered. */
void epoll_consume(struct epoll *ep, const struct epoll_batch *b);

/* EP as a file: POLLIN when some item would report (NESTED: epolls above it). */
unsigned epoll_poll(struct epoll *ep, int nested);

/*
 * EP's latest change stamp (kernel/waitable.h): its last ADD or MOD,
 * or the latest change of a file it watches; an EPOLLET epoll watching EP
 * reports it again after one.  NESTED: epolls above EP.
 */
uint64_t epoll_changed_at(const struct epoll *ep, int nested);

/* Whether console input could make an item of EP report. */
int epoll_watches_console(struct epoll *ep, int nested);

#endif
