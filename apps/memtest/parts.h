/* The parts of memtest in files of their own (memtest.c dispatches on argv[1]). */
#ifndef MEMTEST_PARTS_H
#define MEMTEST_PARTS_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

/* Report a wrong value and exit 1. */
static inline int fail(const char *what, size_t at)
{
	printf("memtest: FAILED %s at offset %#zx\n", what, at);
	exit(1);
}

/* contract.c: what the backend contract (issue 10) promises an application. */
void hold(void);
void hold_touch(void);
void huge_placed(void);
void huge_cut(void);

#endif
