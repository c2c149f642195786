/*
 * What pipes, eventfds and epolls call below them, on the host
 * (tests/host/wait_host.c): channels that count their wakes instead of
 * waking threads, and a console whose input the test types.
 */
#ifndef TESTS_HOST_WAIT_HOST_H
#define TESTS_HOST_WAIT_HOST_H

#include <stdint.h>

/* How many times CHANNEL was woken since the last wait_host_reset. */
unsigned wait_host_wakes(uint64_t channel);
void wait_host_reset(void);

/* The console holds one line of input to read (TEXT, or end of input when NULL). */
void wait_host_console_line(const char *text);

#endif
