/*
 * Pipes: a 64 KiB ring between the descriptors of its two ends.
 *
 * Nothing here blocks: a read of an empty pipe whose write end is open, or
 * a write to a full one, returns -EAGAIN and the caller (kernel/poll.h's
 * file_wait) blocks the thread on the pipe's channel unless O_NONBLOCK.
 * Every change a waiter could care about (bytes in, bytes out, an end
 * closed) wakes that channel and is stamped on the side it concerns
 * (kernel/waitable.h).
 */
#ifndef KERNEL_PIPE_H
#define KERNEL_PIPE_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/waitable.h"

#define PIPE_SIZE 65536
#define PIPE_BUF 4096 /* writes up to this size are never split (POSIX) */

struct pipe {
	char *buf;
	size_t head, len; /* the bytes in the ring: LEN of them from HEAD */
	unsigned readers, writers;
	uint64_t ino;
	struct waitable w; /* in: bytes in, the last writer gone; out: bytes out, the last reader gone */
};

/* A new pipe with one reader and one writer, or NULL (-ENOMEM). */
struct pipe *pipe_new(void);

/* One end closed (WRITER: the write end); the last frees the pipe. */
void pipe_close_end(struct pipe *p, int writer);

/* Up to N bytes: how many, 0 at end of file (no writer), -EAGAIN when empty. */
long pipe_read(struct pipe *p, char *buf, size_t n);

/*
 * Up to N bytes: how many, -EAGAIN when full (or when N <= PIPE_BUF does
 * not fit whole), -EPIPE when no reader is left (the caller sends SIGPIPE).
 */
long pipe_write(struct pipe *p, const char *buf, size_t n);

/* The poll(2) events of an end: POLLIN/POLLHUP for a reader, POLLOUT/POLLERR for a writer. */
unsigned pipe_poll(const struct pipe *p, int writer);

#endif
