/*
 * The facts the kernel takes from the flattened device tree (DTB) that the
 * firmware passes in a1.
 *
 * The blob is untrusted: fdt_parse never reads outside
 * [blob, blob + min(max_len, totalsize)) and rejects what it cannot trust.
 * Pointers in struct boot_info point into the blob, so it must stay mapped
 * (and unmodified) for as long as they are used.
 */
#ifndef KERNEL_FDT_H
#define KERNEL_FDT_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/memory.h" /* paddr_t, struct mem_range */

#define FDT_MAX_RANGES 16

/* Deepest node nesting accepted; the root is depth 0. */
#define FDT_MAX_DEPTH 16

struct boot_info {
	/* every top-level memory node (device_type "memory", or named
	 * "memory"/"memory@..." without a device_type), each reg entry */
	struct mem_range ram[FDT_MAX_RANGES];
	unsigned nram;
	/* header /memreserve/ entries, then reg of each /reserved-memory child */
	struct mem_range reserved[FDT_MAX_RANGES];
	unsigned nreserved;
	/* /chosen/bootargs inside the blob, NUL-terminated; NULL when absent */
	const char *bootargs;
	/* /chosen/rng-seed bytes (the first 64) */
	uint8_t rng_seed[64];
	unsigned rng_seed_len;
	/* the node named by /chosen/stdout-path (a path or an alias, options after
	 * ':' ignored) when it is compatible "ns16550a" or "ns16550" and has reg */
	paddr_t uart_base;
	uint64_t uart_size;
	uint32_t uart_reg_shift; /* its reg-shift, 0 when absent */
	int has_uart;
	/* first node compatible "sifive,test0" that has reg */
	paddr_t test_base;
	int has_test;
	/* first node compatible "google,goldfish-rtc" that has reg (the wall clock) */
	paddr_t rtc_base;
	int has_rtc;
	/* /cpus timebase-frequency (u32 or u64), 0 when absent */
	uint64_t timebase_hz;
	/* totalsize from the header */
	uint32_t blob_size;
};

/*
 * Parse the blob at BLOB, reading at most MAX_LEN bytes.  Returns 0, or
 * -EINVAL (bad magic, version < 16, offsets/sizes outside the blob,
 * unterminated strings or names, malformed token stream, nesting deeper than
 * FDT_MAX_DEPTH, reg shorter than its cells or with cells other than 1 or 2)
 * with *OUT unspecified, or -ENOSPC when more than FDT_MAX_RANGES ranges of
 * one kind exist: then the first FDT_MAX_RANGES are kept and every other
 * field is filled in as for 0.  Array entries past nram, nreserved and
 * rng_seed_len are left as they were.
 */
int fdt_parse(const void *blob, size_t max_len, struct boot_info *out);

#endif
