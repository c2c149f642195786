/*
 * What every fixture of tests/host/test_compart_image.c shares: they are
 * read, never run, so each is a bare static program (no C library) with a
 * _start that makes one call and stops, small enough for the fuzzer
 * (tests/fuzz/compart_fuzz.c) to mutate quickly.
 */
#ifndef TESTS_HOST_COMPART_FIXTURE_H
#define TESTS_HOST_COMPART_FIXTURE_H

/* Small stacks: the fixtures are never run, and the fuzzer mutates them. */
#define COMPARTMENT_STACK_SIZE 256
#include "compart.h"

/* A constant every compartment may read, and code every compartment may run. */
const char fixture_greeting[] = "shared constant";
__attribute__((noinline)) long fixture_shared(long x)
{
	return x * 3 + fixture_greeting[x & 7];
}

/* _start, calling FN of compartment TO from main: the call is what links the stubs in. */
#define FIXTURE_START(to, fn)                                                   \
	__attribute__((noreturn)) void _start(void)                             \
	{                                                                       \
		struct compart_result r = COMPARTMENT_CALL(main, to, fn, 1, 2); \
		fixture_shared(r.value);                                        \
		for (;;)                                                        \
			__asm__ volatile("wfi");                                \
	}

#endif
