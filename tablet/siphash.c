#include "tablet/siphash.h"

/*
 * The state lives in four locals and a round is a macro, so the compiler
 * keeps it in registers: the MAC is on every map's path.
 */
#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                               \
	do {                                                                   \
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);       \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                         \
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                         \
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);       \
	} while (0)

/* "somepseudorandomlygeneratedbytes" */
#define SIP_INIT(key)                                                          \
	uint64_t v0 = (key)->k0 ^ 0x736f6d6570736575ull;                       \
	uint64_t v1 = (key)->k1 ^ 0x646f72616e646f6dull;                       \
	uint64_t v2 = (key)->k0 ^ 0x6c7967656e657261ull;                       \
	uint64_t v3 = (key)->k1 ^ 0x7465646279746573ull

/* Two compression rounds over message word M. */
#define SIP_COMPRESS(m)                                                        \
	do {                                                                   \
		uint64_t m_ = (m);                                             \
		v3 ^= m_;                                                      \
		SIPROUND;                                                      \
		SIPROUND;                                                      \
		v0 ^= m_;                                                      \
	} while (0)

/* The last word (carrying the length), then four finalisation rounds. */
#define SIP_FINISH(last)                                                       \
	do {                                                                   \
		SIP_COMPRESS(last);                                            \
		v2 ^= 0xff;                                                    \
		SIPROUND;                                                      \
		SIPROUND;                                                      \
		SIPROUND;                                                      \
		SIPROUND;                                                      \
	} while (0)

static uint64_t load_le64(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

uint64_t siphash24(const struct siphash_key *key, const void *data, size_t len)
{
	const uint8_t *p = data;
	SIP_INIT(key);
	size_t whole = len & ~(size_t)7;
	for (size_t i = 0; i < whole; i += 8)
		SIP_COMPRESS(load_le64(p + i, 8));
	/* The last word carries the length in its top byte. */
	SIP_FINISH(((uint64_t)len << 56) | load_le64(p + whole, len - whole));
	return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t siphash24_words(const struct siphash_key *key, const uint64_t *words, size_t n)
{
	SIP_INIT(key);
	for (size_t i = 0; i < n; i++)
		SIP_COMPRESS(words[i]);
	SIP_FINISH((uint64_t)(n * 8) << 56);
	return v0 ^ v1 ^ v2 ^ v3;
}
