/*
 * A minimal host test framework.
 *
 * Each test binary runs its cases in order and prints one line per case:
 * "ok NAME" or "not ok NAME: file:line: expression".  tests/run counts those
 * lines, so a case that is not run is never counted as passed.  The binary
 * exits 1 when any case failed.
 */
#ifndef TESTS_HOST_CHECK_H
#define TESTS_HOST_CHECK_H

#include <stdio.h>

static int check_failures;
static int check_case_failed;
static const char *check_case_name;

/* Record a failed expectation; the case continues so one run shows every failure. */
#define CHECK(expr)                                                              \
	do {                                                                     \
		if (!(expr)) {                                                   \
			if (!check_case_failed)                                  \
				printf("not ok %s: %s:%d: %s\n", check_case_name,  \
				       __FILE__, __LINE__, #expr);               \
			else                                                     \
				printf("#   also %s:%d: %s\n", __FILE__, __LINE__, \
				       #expr);                                   \
			check_case_failed = 1;                                   \
		}                                                                \
	} while (0)

#define CHECK_EQ(a, b) CHECK((a) == (b))

/* Run one case: a function taking no arguments. */
#define RUN(fn)                                                                  \
	do {                                                                     \
		check_case_name = #fn;                                           \
		check_case_failed = 0;                                           \
		fn();                                                            \
		if (check_case_failed)                                           \
			check_failures++;                                        \
		else                                                             \
			printf("ok %s\n", #fn);                                  \
		fflush(stdout);                                                  \
	} while (0)

#define CHECK_EXIT() return check_failures ? 1 : 0

#endif
