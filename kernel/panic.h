/*
 * Stopping the kernel when an invariant is broken.
 *
 * panic() is for kernel bugs only: bad input from an application or the
 * firmware is reported through an error return instead.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

/* Print the message and a backtrace hint, then stop the machine with status 1. */
_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Panic with the failed expression when COND is false. */
#define ASSERT(cond)                                                               \
	do {                                                                       \
		if (!(cond))                                                       \
			panic("assertion failed: %s at %s:%d", #cond, __FILE__,    \
			      __LINE__);                                           \
	} while (0)

#endif
