/*
 * The attack suite: each attack is a named function that tries one thing a
 * hostile program would, checks that the outcome is Linux's (an errno, data
 * kept, a fault the kernel reports), and returns 0 when it is.  Attacks that
 * must end the program with a fault never return; the guest test checks the
 * kernel's report and the exit status instead.
 *
 * Each area keeps its own table in its own file (basic.c, cells.c, fs.c,
 * memory.c); main.c runs one attack by name.
 */
#ifndef ATTACK_H
#define ATTACK_H

#include <stdint.h>

/* Most attacks take no arguments: their (argc, argv) stay unused. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

struct attack {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the attack's name */
	const char *what;		   /* one line: what it tries and what must happen */
};

/* Each table ends with an entry whose name is NULL. */
extern const struct attack attacks_basic[], attacks_cells[], attacks_fs[], attacks_memory[];

/*
 * Check that RET is -1 with errno WANT (a libc call that must fail):
 * prints "attack: CHECK: ok" or why not, and returns 0 or 1.
 */
int expect_errno(const char *check, long ret, int want);
/* Check that RET is WANT: as expect_errno. */
int expect_value(const char *check, long ret, long want);
/* A check that holds (COND true) or not, with a message: 0 or 1. */
int expect_true(const char *check, int cond);

#endif
