/* SipHash-2-4 against the published test vectors (key 00..0f, message 00..len-1). */
#include <string.h>

#include "check.h"
#include "tablet/siphash.h"

static const struct siphash_key vector_key = { 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull };

static uint64_t vector_hash(size_t len)
{
	uint8_t msg[64];
	for (size_t i = 0; i < len; i++)
		msg[i] = (uint8_t)i;
	return siphash24(&vector_key, msg, len);
}

static void vector_empty(void)
{
	CHECK_EQ(vector_hash(0), 0x726fdb47dd0e0e31ull);
}

static void vector_one_byte(void)
{
	CHECK_EQ(vector_hash(1), 0x74f839c593dc67fdull);
}

/* The example worked through in the SipHash paper, appendix A. */
static void vector_paper_15_bytes(void)
{
	CHECK_EQ(vector_hash(15), 0xa129ca6149be45e5ull);
}

static void words_match_bytes(void)
{
	uint64_t words[5] = { 1, 0xffffffffffffffffull, 0x8000000000000000ull, 42, 7 };
	for (size_t n = 0; n <= 5; n++)
		CHECK_EQ(siphash24_words(&vector_key, words, n),
			 siphash24(&vector_key, words, n * 8));
}

static void key_and_message_matter(void)
{
	struct siphash_key other = vector_key;
	other.k1 ^= 1;
	uint8_t msg[16] = { 0 };
	uint64_t h = siphash24(&vector_key, msg, 16);
	CHECK(h != siphash24(&other, msg, 16));
	msg[15] = 1;
	CHECK(h != siphash24(&vector_key, msg, 16));
	CHECK(siphash24(&vector_key, msg, 15) != siphash24(&vector_key, msg, 16));
}

int main(void)
{
	RUN(vector_empty);
	RUN(vector_one_byte);
	RUN(vector_paper_15_bytes);
	RUN(words_match_bytes);
	RUN(key_and_message_matter);
	CHECK_EXIT();
}
