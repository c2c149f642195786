/*
 * The kernel's random numbers: ChaCha20 (RFC 8439) keyed from the boot
 * seed (/chosen/rng-seed), used for getrandom, AT_RANDOM and, later, the
 * unguessable tablet IDs and MAC keys.
 */
#ifndef KERNEL_RANDOM_H
#define KERNEL_RANDOM_H

#include <stddef.h>
#include <stdint.h>

/* Key the generator from SEED (up to 64 bytes are used); 0, or -EINVAL when LEN is 0. */
int random_init(const uint8_t *seed, size_t len);
void random_bytes(void *buf, size_t len);
uint64_t random_u64(void);

/* One ChaCha20 block (exposed for the RFC 8439 test vectors). */
void chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3],
		    uint8_t out[64]);

#endif
