#include "kernel/random.h"

#include <string.h>

#include "kernel/error.h"

static uint32_t rng_key[8];
static uint32_t rng_nonce[3];
static uint32_t rng_counter;
static uint8_t rng_block[64];
static size_t rng_used = sizeof(rng_block);

static uint32_t rotl(uint32_t v, int n)
{
	return (v << n) | (v >> (32 - n));
}

static void quarter_round(uint32_t *x, int a, int b, int c, int d)
{
	x[a] += x[b]; x[d] = rotl(x[d] ^ x[a], 16);
	x[c] += x[d]; x[b] = rotl(x[b] ^ x[c], 12);
	x[a] += x[b]; x[d] = rotl(x[d] ^ x[a], 8);
	x[c] += x[d]; x[b] = rotl(x[b] ^ x[c], 7);
}

void chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3],
		    uint8_t out[64])
{
	uint32_t in[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
	memcpy(&in[4], key, 32);
	in[12] = counter;
	memcpy(&in[13], nonce, 12);
	uint32_t x[16];
	memcpy(x, in, sizeof(x));
	for (int i = 0; i < 10; i++) {
		quarter_round(x, 0, 4, 8, 12);
		quarter_round(x, 1, 5, 9, 13);
		quarter_round(x, 2, 6, 10, 14);
		quarter_round(x, 3, 7, 11, 15);
		quarter_round(x, 0, 5, 10, 15);
		quarter_round(x, 1, 6, 11, 12);
		quarter_round(x, 2, 7, 8, 13);
		quarter_round(x, 3, 4, 9, 14);
	}
	for (int i = 0; i < 16; i++) {
		uint32_t v = x[i] + in[i];
		out[4 * i] = (uint8_t)v;
		out[4 * i + 1] = (uint8_t)(v >> 8);
		out[4 * i + 2] = (uint8_t)(v >> 16);
		out[4 * i + 3] = (uint8_t)(v >> 24);
	}
}

int random_init(const uint8_t *seed, size_t len)
{
	if (len == 0)
		return -EINVAL;
	uint8_t material[44] = { 0 };
	/* Fold a seed of any length into key and nonce. */
	for (size_t i = 0; i < len && i < 64; i++)
		material[i % sizeof(material)] ^= seed[i];
	memcpy(rng_key, material, 32);
	memcpy(rng_nonce, material + 32, 12);
	rng_counter = 0;
	rng_used = sizeof(rng_block);
	return 0;
}

/* Next keystream block; after 2^32 blocks the nonce moves on so no block repeats. */
static void refill(void)
{
	if (++rng_counter == 0)
		rng_nonce[0]++;
	chacha20_block(rng_key, rng_counter, rng_nonce, rng_block);
	rng_used = 0;
}

void random_bytes(void *buf, size_t len)
{
	uint8_t *out = buf;
	while (len) {
		if (rng_used == sizeof(rng_block))
			refill();
		size_t n = sizeof(rng_block) - rng_used;
		if (n > len)
			n = len;
		memcpy(out, rng_block + rng_used, n);
		/* Bytes handed out are erased so a later leak cannot replay them. */
		memset(rng_block + rng_used, 0, n);
		rng_used += n;
		out += n;
		len -= n;
	}
}

uint64_t random_u64(void)
{
	uint64_t v;
	random_bytes(&v, sizeof(v));
	return v;
}
