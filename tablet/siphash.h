/*
 * SipHash-2-4 (Aumasson and Bernstein, 2012): the keyed function that signs
 * rentals.  64-bit output under a 128-bit key.
 */
#ifndef TABLET_SIPHASH_H
#define TABLET_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct siphash_key {
	uint64_t k0, k1;
};

/* SipHash-2-4 of the LEN bytes at DATA. */
uint64_t siphash24(const struct siphash_key *key, const void *data, size_t len);

/* SipHash-2-4 of N little-endian 64-bit words: the same value as hashing their bytes, faster. */
uint64_t siphash24_words(const struct siphash_key *key, const uint64_t *words, size_t n);

#endif
