/* The parts of memtest in files of their own (memtest.c dispatches on argv[1]). */
#ifndef MEMTEST_PARTS_H
#define MEMTEST_PARTS_H

#include <stddef.h>

/* Report a wrong value and exit 1. */
int fail(const char *what, size_t at);

/* contract.c: what commit 03e4c0d promises an application. */
void hold(void);
void hold_touch(void);
void huge_placed(void);
void huge_cut(void);

#endif
