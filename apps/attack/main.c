/*
 * apps/attack: the attacks a hostile program tries, kept as a suite.
 *   attack NAME [ARGS...]   run one attack; exit 0 when the outcome is Linux's
 *   attack list             list every attack with what it checks
 * An attack that must end in a fault does not return: its guest test checks
 * the kernel's report and the exit status (tests/guest/attacks/).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "attack.h"

int expect_errno(const char *check, long ret, int want)
{
	int got = errno;
	if (ret == -1 && got == want) {
		printf("attack: %s: ok\n", check);
		return 0;
	}
	printf("attack: %s: FAILED: returned %ld, errno %d (%s); expected -1 with errno %d (%s)\n",
	       check, ret, ret == -1 ? got : 0, ret == -1 ? strerror(got) : "-", want, strerror(want));
	return 1;
}

int expect_value(const char *check, long ret, long want)
{
	if (ret == want) {
		printf("attack: %s: ok\n", check);
		return 0;
	}
	printf("attack: %s: FAILED: got %ld (errno %d), expected %ld\n", check, ret, errno, want);
	return 1;
}

int expect_true(const char *check, int cond)
{
	printf("attack: %s: %s\n", check, cond ? "ok" : "FAILED");
	return !cond;
}

static const struct attack *const tables[] = { attacks_basic, attacks_cells, attacks_fs,
					       attacks_memory };

static const struct attack *find(const char *name)
{
	for (unsigned t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct attack *a = tables[t]; a->name; a++)
			if (strcmp(a->name, name) == 0)
				return a;
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "list") == 0) {
		for (unsigned t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
			for (const struct attack *a = tables[t]; a->name; a++)
				printf("%-28s %s\n", a->name, a->what);
		return argc < 2;
	}
	const struct attack *a = find(argv[1]);
	if (!a) {
		printf("attack: no attack named %s (attack list)\n", argv[1]);
		return 2;
	}
	printf("attack %s: %s\n", a->name, a->what);
	fflush(stdout);
	int failed = a->run(argc - 1, argv + 1);
	printf("attack %s: %s\n", a->name, failed ? "FAILED" : "held");
	return failed ? 1 : 0;
}
