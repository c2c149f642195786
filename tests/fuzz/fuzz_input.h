/*
 * A fuzzer's input, consumed a byte at a time: zeros once it is used up,
 * so every input, however short, drives a whole run.
 */
#ifndef TESTS_FUZZ_FUZZ_INPUT_H
#define TESTS_FUZZ_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct input {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t next8(struct input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

/* Eight bytes, little-endian. */
static inline uint64_t next64(struct input *in)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)next8(in) << (8 * i);
	return v;
}

#endif
