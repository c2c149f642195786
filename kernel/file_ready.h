/*
 * What a file is ready for now (poll's events), and what can change it.
 * Only looks: waiting is kernel/poll.h's.
 */
#ifndef KERNEL_FILE_READY_H
#define KERNEL_FILE_READY_H

#include <stdint.h>

#include "kernel/fd.h"
#include "kernel/poll_events.h"

/* How deep epolls may watch epolls (Linux's EP_MAX_NESTS): deeper is refused with -ELOOP. */
#define EPOLL_MAX_NESTS 4

/*
 * The poll(2) events F is ready for now.  NESTED counts the epolls the
 * question came through (0 from poll or select).
 */
unsigned file_poll(struct file *f, int nested);

/*
 * The stamp (kernel/waitable.h) of F's latest change that concerns
 * EVENTS (its readers' side for POLLIN, its writers' for POLLOUT; 0: none
 * yet): epoll's edge trigger reports a file again only after one.  NESTED
 * as for file_poll.
 */
uint64_t file_changed_at(const struct file *f, unsigned events, int nested);

/* Whether F's readiness can change by waiting (pipes, eventfds, epolls, the console, /dev/urandom). */
int file_can_wait(const struct file *f);

/* Whether console input can change F's readiness (an epoll that watches the console, at any depth). */
int file_watches_console(struct file *f, int nested);

/* The channel (kernel/sched.h) whose wake means F may have changed. */
uint64_t file_channel(const struct file *f);

/*
 * Console input that arrived since the last look: a change of the
 * console, whose waiters are woken.  Called on the timer tick and while
 * the hart waits, when some thread wants input (sched_console_wanted).
 */
void console_input_check(void);

#endif
