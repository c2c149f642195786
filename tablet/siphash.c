#include "tablet/siphash.h"

struct sip_state {
	uint64_t v0, v1, v2, v3;
};

static uint64_t rotl64(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static void sip_round(struct sip_state *s)
{
	s->v0 += s->v1; s->v1 = rotl64(s->v1, 13); s->v1 ^= s->v0; s->v0 = rotl64(s->v0, 32);
	s->v2 += s->v3; s->v3 = rotl64(s->v3, 16); s->v3 ^= s->v2;
	s->v0 += s->v3; s->v3 = rotl64(s->v3, 21); s->v3 ^= s->v0;
	s->v2 += s->v1; s->v1 = rotl64(s->v1, 17); s->v1 ^= s->v2; s->v2 = rotl64(s->v2, 32);
}

static struct sip_state sip_init(const struct siphash_key *key)
{
	/* "somepseudorandomlygeneratedbytes" */
	return (struct sip_state){ key->k0 ^ 0x736f6d6570736575ull, key->k1 ^ 0x646f72616e646f6dull,
				   key->k0 ^ 0x6c7967656e657261ull, key->k1 ^ 0x7465646279746573ull };
}

/* Two compression rounds over one message word. */
static void sip_compress(struct sip_state *s, uint64_t m)
{
	s->v3 ^= m;
	sip_round(s);
	sip_round(s);
	s->v0 ^= m;
}

static uint64_t sip_finish(struct sip_state *s, uint64_t last)
{
	sip_compress(s, last);
	s->v2 ^= 0xff;
	for (int i = 0; i < 4; i++)
		sip_round(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

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
	struct sip_state s = sip_init(key);
	size_t whole = len & ~(size_t)7;
	for (size_t i = 0; i < whole; i += 8)
		sip_compress(&s, load_le64(p + i, 8));
	/* The last word carries the length in its top byte. */
	return sip_finish(&s, ((uint64_t)len << 56) | load_le64(p + whole, len - whole));
}

uint64_t siphash24_words(const struct siphash_key *key, const uint64_t *words, size_t n)
{
	struct sip_state s = sip_init(key);
	for (size_t i = 0; i < n; i++)
		sip_compress(&s, words[i]);
	return sip_finish(&s, (uint64_t)(n * 8) << 56);
}
