/* ChaCha20 against RFC 8439's test vectors, and the generator built on it. */
#include <string.h>

#include "check.h"
#include "kernel/error.h"
#include "kernel/random.h"

/* RFC 8439 section 2.3.2: key 00..1f, nonce 000000090000004a00000000, counter 1. */
static void block_rfc8439_2_3_2(void)
{
	static const uint8_t expect[64] = {
		0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f, 0xa3,
		0x20, 0x71, 0xc4, 0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03, 0x04, 0x22,
		0xaa, 0x9a, 0xc3, 0xd4, 0x6c, 0x4e, 0xd2, 0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa,
		0x09, 0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2, 0xb5, 0x12, 0x9c, 0xd1,
		0xde, 0x16, 0x4e, 0xb9, 0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e,
	};
	uint8_t keyb[32], nonceb[12] = { 0, 0, 0, 0x09, 0, 0, 0, 0x4a, 0, 0, 0, 0 }, out[64];
	uint32_t key[8], nonce[3];
	for (int i = 0; i < 32; i++)
		keyb[i] = (uint8_t)i;
	memcpy(key, keyb, 32); /* little-endian host, as the RFC's word order */
	memcpy(nonce, nonceb, 12);
	chacha20_block(key, 1, nonce, out);
	CHECK(memcmp(out, expect, 64) == 0);
}

/* RFC 8439 appendix A.1, test vector 1: all-zero key, nonce and counter. */
static void block_rfc8439_a1_zero(void)
{
	static const uint8_t expect[64] = {
		0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90, 0x40, 0x5d, 0x6a, 0xe5, 0x53,
		0x86, 0xbd, 0x28, 0xbd, 0xd2, 0x19, 0xb8, 0xa0, 0x8d, 0xed, 0x1a, 0xa8, 0x36,
		0xef, 0xcc, 0x8b, 0x77, 0x0d, 0xc7, 0xda, 0x41, 0x59, 0x7c, 0x51, 0x57, 0x48,
		0x8d, 0x77, 0x24, 0xe0, 0x3f, 0xb8, 0xd8, 0x4a, 0x37, 0x6a, 0x43, 0xb8, 0xf4,
		0x15, 0x18, 0xa1, 0x1c, 0xc3, 0x87, 0xb6, 0x69, 0xb2, 0xee, 0x65, 0x86,
	};
	uint32_t key[8] = { 0 }, nonce[3] = { 0 };
	uint8_t out[64];
	chacha20_block(key, 0, nonce, out);
	CHECK(memcmp(out, expect, 64) == 0);
}

static void generator_is_seeded(void)
{
	uint8_t seed_a[32] = { 1 }, seed_b[32] = { 2 }, a1[100], a2[100], b[100];
	CHECK_EQ(random_init(seed_a, sizeof(seed_a)), 0);
	random_bytes(a1, sizeof(a1));
	CHECK_EQ(random_init(seed_a, sizeof(seed_a)), 0);
	random_bytes(a2, sizeof(a2));
	CHECK(memcmp(a1, a2, sizeof(a1)) == 0); /* same seed, same stream */
	CHECK_EQ(random_init(seed_b, sizeof(seed_b)), 0);
	random_bytes(b, sizeof(b));
	CHECK(memcmp(a1, b, sizeof(a1)) != 0);
	CHECK_EQ(random_init(seed_a, 0), -EINVAL);
}

/* Requests of any size continue one stream without repeating a block. */
static void generator_stream_is_continuous(void)
{
	uint8_t seed[32] = { 7 }, whole[300], parts[300];
	random_init(seed, sizeof(seed));
	random_bytes(whole, sizeof(whole));
	random_init(seed, sizeof(seed));
	size_t sizes[] = { 1, 63, 64, 65, 7, 100 }, off = 0;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		random_bytes(parts + off, sizes[i]);
		off += sizes[i];
	}
	CHECK_EQ(off, sizeof(parts));
	CHECK(memcmp(whole, parts, sizeof(whole)) == 0);
	CHECK(memcmp(whole, whole + 64, 64) != 0);
	CHECK(random_u64() != random_u64());
}

int main(void)
{
	RUN(block_rfc8439_2_3_2);
	RUN(block_rfc8439_a1_zero);
	RUN(generator_is_seeded);
	RUN(generator_stream_is_continuous);
	CHECK_EXIT();
}
