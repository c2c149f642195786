/*
 * Waiting for files: blocking until they may have changed (what they are
 * ready for is kernel/file_ready.h's).
 *
 * There are no wait queues.  A thread that must wait for a file blocks on
 * the file's channel (kernel/sched.h): the pipe's, the eventfd's, the
 * console's; ppoll, pselect6 and epoll_pwait, which wait for many, block
 * on every channel at once.  Whatever changes a file wakes its channel,
 * and each thread woken makes its system call again from the start (the
 * ecall re-executed, its deadline kept): a read finds the bytes, a poll
 * looks at its descriptors afresh and blocks again if it still finds
 * nothing.  Threads own no kernel stack, so a call that waits leaves
 * nothing behind but the registers it will be made again with.
 */
#ifndef KERNEL_POLL_H
#define KERNEL_POLL_H

#include <stdint.h>

#include "kernel/file_ready.h"

/*
 * A read or write of F returned -EAGAIN: block the running thread until F
 * changes (a pipe's readers and writers share its channel), then make the
 * call again; the caller returns whatever (its value is overwritten).
 * PROGRESS: bytes the call moved before it had to wait (sched_call_progress
 * gives them to the call made again; a signal ends the wait with them).
 * With none, a handler under SA_RESTART makes the call again, else -EINTR.
 */
void file_wait(struct file *f, long progress);

/* A call's relative timeout, a struct timespec at UTS (0: none), as a deadline: 0 or -EFAULT, -EINVAL. */
int poll_timeout(uint64_t uts, uint64_t *deadline);

/*
 * The call's own signal mask at UMASK (0: none) of SIZE bytes, in force
 * until it returns (kernel/signal.h's signal_call_mask): 0, -EINVAL (a
 * size not a sigset's), -EFAULT.
 */
int poll_call_mask(uint64_t umask, uint64_t size);

/*
 * The end of a call that waits for several files (ppoll, pselect6,
 * epoll_pwait) whose look found FOUND ready (or an errno): FOUND when not
 * 0 or when DEADLINE has come, the call's own signal mask ended, the time
 * left written at REMAINING_USER if not 0; -EINTR when a signal can be
 * taken (the mask kept for the handler's frame); else the thread blocks on
 * every channel until DEADLINE (CONSOLE_INPUT: console input can end it)
 * and the call is made again.  Never restarted after a handler (signal(7)).
 */
long poll_many_result(long found, uint64_t deadline, int console_input, uint64_t remaining_user);

#endif
