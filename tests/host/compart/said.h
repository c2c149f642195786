/*
 * What compart/image.c printed (it gives its reasons with kprintf): kept in
 * SAID by the kprintf the test and the fuzzer link instead of the console's,
 * so that a refusal can be checked for its reason.  Include it once per
 * program.
 */
#ifndef TESTS_HOST_COMPART_SAID_H
#define TESTS_HOST_COMPART_SAID_H

#include <stdarg.h>
#include <stdio.h>

#include "kernel/console.h"

static char said[4096];
static size_t said_len;

static void said_clear(void)
{
	said_len = 0;
	said[0] = 0;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(said + said_len, sizeof(said) - said_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		said_len += (size_t)n < sizeof(said) - said_len ? (size_t)n : sizeof(said) - said_len - 1;
	return n;
}

#endif
