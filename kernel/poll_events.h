/* The events of poll(2) and epoll(7), as Linux numbers them (the same bits for both). */
#ifndef KERNEL_POLL_EVENTS_H
#define KERNEL_POLL_EVENTS_H

#define POLLIN 0x1
#define POLLPRI 0x2
#define POLLOUT 0x4
#define POLLERR 0x8
#define POLLHUP 0x10
#define POLLNVAL 0x20
#define POLLRDNORM 0x40
#define POLLRDBAND 0x80
#define POLLWRNORM 0x100
#define POLLWRBAND 0x200
#define POLLRDHUP 0x2000

/* What a file that cannot wait answers: always readable and writable (Linux's DEFAULT_POLLMASK). */
#define POLL_ALWAYS (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)

#endif
