/*
 * Host tests of the device tree parser: the DTB QEMU's virt machine hands the
 * firmware, dtc-compiled fixtures (tests/host/fdt/NAME.dts), blobs corrupted by
 * hand or built token by token, and a deterministic random-mutation loop.
 *
 * Usage: test_fdt DIR, where DIR holds virt.dtb and fdt_NAME.dtb.
 *
 * Every blob handed to fdt_parse sits in a malloc'd buffer of exactly the
 * length passed as max_len, so AddressSanitizer reports any read past it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/error.h"
#include "kernel/fdt.h"
#include "tests/host/check.h"

static const char *dtb_dir;

/* header fields, by byte offset */
#define H_TOTALSIZE 4
#define H_OFF_STRUCT 8
#define H_OFF_STRINGS 12
#define H_OFF_RSVMAP 16
#define H_VERSION 20
#define H_SIZE_STRINGS 32
#define H_SIZE_STRUCT 36

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* A malloc'd copy of N bytes at P, sized exactly. */
static uint8_t *dup_exact(const void *p, size_t n)
{
	uint8_t *q = malloc(n ? n : 1);
	if (!q)
		abort();
	memcpy(q, p, n);
	return q;
}

/* DIR/NAME read whole into a buffer of exactly its size; aborts when missing. */
static uint8_t *load_file(const char *name, size_t *len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dtb_dir, name);
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "test_fdt: cannot open %s\n", path);
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		abort();
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* A loaded blob cut to its header's totalsize (QEMU pads its dump to 1 MiB). */
static uint8_t *load_blob(const char *name, size_t *len)
{
	size_t flen;
	uint8_t *file = load_file(name, &flen);
	size_t total = flen >= 8 ? get32(file + H_TOTALSIZE) : 0;
	if (total == 0 || total > flen) {
		fprintf(stderr, "test_fdt: %s: bad totalsize\n", name);
		exit(2);
	}
	uint8_t *blob = dup_exact(file, total);
	free(file);
	*len = total;
	return blob;
}

/* Parse a copy of the first N bytes of BLOB, sized exactly, with max_len N. */
static int parse_copy(const uint8_t *blob, size_t n, struct boot_info *bi)
{
	uint8_t *copy = dup_exact(blob, n);
	int err = fdt_parse(copy, n, bi);
	free(copy);
	return err;
}

/* Offset of the first token of TYPE in the structure block, from its start, or -1. */
static long find_token(const uint8_t *blob, uint32_t type)
{
	const uint8_t *s = blob + get32(blob + H_OFF_STRUCT);
	uint32_t size = get32(blob + H_SIZE_STRUCT);
	for (uint32_t off = 0; off + 4 <= size;) {
		uint32_t t = get32(s + off);
		if (t == type)
			return off;
		off += 4;
		if (t == 1)
			off += strlen((const char *)s + off) + 1;
		else if (t == 3)
			off += 8 + get32(s + off);
		else if (t == 9)
			break;
		off = (off + 3) & ~3u;
	}
	return -1;
}

/* Offset in BLOB of the first occurrence of the N bytes at NEEDLE. */
static long find_bytes(const uint8_t *blob, size_t len, const void *needle, size_t n)
{
	for (size_t i = 0; i + n <= len; i++)
		if (!memcmp(blob + i, needle, n))
			return (long)i;
	return -1;
}

/* ---------------------------------------------------------------- QEMU --- */

static void check_virt(const struct boot_info *bi, uint32_t total)
{
	CHECK_EQ(bi->blob_size, total);
	CHECK_EQ(bi->nram, 1u);
	CHECK_EQ(bi->ram[0].base, 0x80000000u);
	CHECK_EQ(bi->ram[0].size, 512u << 20);
	CHECK_EQ(bi->nreserved, 0u);
	CHECK(bi->has_uart);
	CHECK_EQ(bi->uart_base, 0x10000000u);
	CHECK_EQ(bi->uart_size, 0x100u);
	CHECK_EQ(bi->uart_reg_shift, 0u);
	CHECK(bi->has_test);
	CHECK_EQ(bi->test_base, 0x100000u);
	CHECK(bi->has_rtc);
	CHECK_EQ(bi->rtc_base, 0x101000u);
	CHECK_EQ(bi->rng_seed_len, 32u);
	CHECK_EQ(bi->timebase_hz, 10000000u);
	CHECK(bi->bootargs == NULL);
}

/* The dump as QEMU wrote it, padded past totalsize. */
static void virt_dtb_file(void)
{
	size_t len;
	uint8_t *file = load_file("virt.dtb", &len);
	struct boot_info bi;
	CHECK_EQ(fdt_parse(file, len, &bi), 0);
	check_virt(&bi, get32(file + H_TOTALSIZE));
	free(file);
}

/* Exactly totalsize bytes, the seed really copied, and nothing outside read (ASan). */
static void virt_dtb_exact(void)
{
	size_t len;
	uint8_t *blob = load_blob("virt.dtb", &len);
	struct boot_info bi;
	CHECK_EQ(fdt_parse(blob, len, &bi), 0);
	check_virt(&bi, (uint32_t)len);
	long seed = find_bytes(blob, len, bi.rng_seed, 32);
	CHECK(seed > 0);
	free(blob);
}

/* A blob at an odd address parses the same: values are read a byte at a time (UBSan). */
static void virt_dtb_unaligned(void)
{
	size_t len;
	uint8_t *blob = load_blob("virt.dtb", &len);
	uint8_t *buf = malloc(len + 1);
	memcpy(buf + 1, blob, len);
	struct boot_info bi;
	CHECK_EQ(fdt_parse(buf + 1, len, &bi), 0);
	check_virt(&bi, (uint32_t)len);
	free(buf);
	free(blob);
}

/* ------------------------------------------------------------ fixtures --- */

/* Parse fixture NAME (fdt_NAME.dtb) and return fdt_parse's result. */
static int parse_fixture(const char *name, struct boot_info *bi)
{
	char file[256];
	snprintf(file, sizeof file, "fdt_%s.dtb", name);
	size_t len;
	uint8_t *blob = load_blob(file, &len);
	int err = fdt_parse(blob, len, bi);
	/* bootargs points into the blob: compare it before the blob goes */
	static char bootargs[256];
	if (!err && bi->bootargs) {
		snprintf(bootargs, sizeof bootargs, "%s", bi->bootargs);
		bi->bootargs = bootargs;
	}
	free(blob);
	return err;
}

/* What the kernel really receives: QEMU's tree after OpenSBI's changes. */
static void fixture_opensbi(void)
{
	struct boot_info bi;
	CHECK_EQ(parse_fixture("opensbi", &bi), 0);
	CHECK_EQ(bi.nreserved, 1u);
	CHECK_EQ(bi.reserved[0].base, 0x80000000u);
	CHECK_EQ(bi.reserved[0].size, 0x80000u);
	CHECK_EQ(bi.nram, 1u);
	CHECK_EQ(bi.ram[0].base, 0x80000000u);
	CHECK_EQ(bi.ram[0].size, 512u << 20);
	CHECK(bi.has_uart);
	CHECK_EQ(bi.uart_base, 0x10000000u);
	CHECK(bi.has_test);
	CHECK_EQ(bi.test_base, 0x100000u);
	CHECK(bi.has_rtc);
	CHECK_EQ(bi.rtc_base, 0x101000u);
	CHECK_EQ(bi.rng_seed_len, 32u);
	CHECK_EQ(bi.rng_seed[0], 0xab);
	CHECK_EQ(bi.timebase_hz, 10000000u);
}

static void fixture_resv(void)
{
	struct boot_info bi;
	CHECK_EQ(parse_fixture("resv", &bi), 0);
	CHECK_EQ(bi.nreserved, 4u);
	CHECK_EQ(bi.reserved[0].base, 0x87000000u);
	CHECK_EQ(bi.reserved[0].size, 0x10000u);
	CHECK_EQ(bi.reserved[1].base, 0x88000000u);
	CHECK_EQ(bi.reserved[1].size, 0x2000u);
	CHECK_EQ(bi.reserved[2].base, 0x80000000u);
	CHECK_EQ(bi.reserved[2].size, 0x40000u);
	CHECK_EQ(bi.reserved[3].base, 0x80040000u);
	CHECK_EQ(bi.reserved[3].size, 0x20000u);
	CHECK_EQ(bi.nram, 1u);
	CHECK_EQ(bi.ram[0].base, 0x80000000u);
	CHECK_EQ(bi.ram[0].size, 0x10000000u);
	CHECK(bi.bootargs && !strcmp(bi.bootargs, "console=ttyS0 root=/dev/vda quiet"));
	CHECK(bi.has_uart);
	CHECK_EQ(bi.uart_base, 0x10000000u);
	CHECK_EQ(bi.uart_size, 0x100u);
	CHECK_EQ(bi.uart_reg_shift, 2u);
	CHECK(bi.has_test);
	CHECK_EQ(bi.test_base, 0x100000u);
	CHECK_EQ(bi.timebase_hz, 0x100000000ull);
	CHECK_EQ(bi.rng_seed_len, 64u);
	for (unsigned i = 0; i < 64; i++)
		CHECK_EQ(bi.rng_seed[i], i);
}

static void fixture_alias_before_chosen(void)
{
	struct boot_info bi;
	CHECK_EQ(parse_fixture("alias_early", &bi), 0);
	CHECK(bi.has_uart);
	CHECK_EQ(bi.uart_base, 0x10010000u);
	CHECK_EQ(bi.uart_size, 0x200u);
	CHECK_EQ(bi.nram, 1u);
	CHECK(bi.bootargs == NULL);
	CHECK_EQ(bi.rng_seed_len, 0u);
}

static void fixture_alias_after_uart(void)
{
	struct boot_info bi;
	CHECK_EQ(parse_fixture("alias_late", &bi), 0);
	CHECK(bi.has_uart);
	CHECK_EQ(bi.uart_base, 0x10010000u);
	CHECK_EQ(bi.uart_size, 0x100u);
	/* the second walk starts afresh */
	CHECK_EQ(bi.nram, 1u);
	CHECK_EQ(bi.nreserved, 1u);
	CHECK_EQ(bi.reserved[0].base, 0x80000000u);
}

static void fixture_one_cell(void)
{
	struct boot_info bi;
	CHECK_EQ(parse_fixture("cells1", &bi), 0);
	CHECK_EQ(bi.nram, 1u); /* not memory-controller@2000000 */
	CHECK_EQ(bi.ram[0].base, 0x80000000u);
	CHECK_EQ(bi.ram[0].size, 0x20000000u);
	CHECK(bi.has_test);
	CHECK_EQ(bi.test_base, 0x100000u);
	CHECK(bi.has_uart); /* "/soc/serial" names serial@10000000 */
	CHECK_EQ(bi.uart_base, 0x10000000u);
	CHECK_EQ(bi.timebase_hz, 0u);
}

static void fixture_two_memory_nodes(void)
{
	struct boot_info bi;
	CHECK_EQ(parse_fixture("twomem", &bi), 0);
	CHECK_EQ(bi.nram, 4u);
	CHECK_EQ(bi.ram[0].base, 0x80000000u);
	CHECK_EQ(bi.ram[0].size, 0x10000000u);
	CHECK_EQ(bi.ram[1].base, 0x90000000u);
	CHECK_EQ(bi.ram[1].size, 0x10000000u);
	CHECK_EQ(bi.ram[2].base, 0x100000000ull);
	CHECK_EQ(bi.ram[2].size, 0x100000000ull);
	CHECK_EQ(bi.ram[3].base, 0x300000000ull);
	CHECK_EQ(bi.ram[3].size, 0x1000000u);
	CHECK(!bi.has_uart); /* stdout is a sifive,uart0 */
	CHECK(!bi.has_test);
}

static void fixture_too_many_ram_ranges(void)
{
	struct boot_info bi;
	CHECK_EQ(parse_fixture("many", &bi), -ENOSPC);
	CHECK_EQ(bi.nram, (unsigned)FDT_MAX_RANGES);
	for (unsigned i = 0; i < 10; i++)
		CHECK_EQ(bi.ram[i].base, 0x80000000u + i * 0x1000000u);
	for (unsigned i = 10; i < FDT_MAX_RANGES; i++)
		CHECK_EQ(bi.ram[i].base, 0x90000000u + (i - 10) * 0x1000000u);
	CHECK_EQ(bi.timebase_hz, 10000000u); /* the rest is still filled in */
}

static void fixture_too_many_reservations(void)
{
	struct boot_info bi;
	CHECK_EQ(parse_fixture("manyresv", &bi), -ENOSPC);
	CHECK_EQ(bi.nreserved, (unsigned)FDT_MAX_RANGES);
	CHECK_EQ(bi.reserved[9].base, 0x80090000u);
	CHECK_EQ(bi.reserved[10].base, 0x90000000u);
	CHECK_EQ(bi.reserved[15].base, 0x90050000u);
	CHECK_EQ(bi.reserved[15].size, 0x1000u);
	CHECK_EQ(bi.nram, 1u);
}

static void fixture_minimal(void)
{
	struct boot_info bi;
	CHECK_EQ(parse_fixture("minimal", &bi), 0);
	CHECK_EQ(bi.nram, 1u); /* default cells 2/1 */
	CHECK_EQ(bi.ram[0].base, 0x80000000u);
	CHECK_EQ(bi.ram[0].size, 0x20000000u);
	CHECK(!bi.has_uart); /* alias serial9 does not exist */
	CHECK(!bi.has_test);
	CHECK(!bi.has_rtc);
	CHECK(bi.bootargs == NULL);
	CHECK_EQ(bi.rng_seed_len, 0u);
	CHECK_EQ(bi.timebase_hz, 0u);
	CHECK_EQ(bi.nreserved, 0u);
}

static void fixture_bad_cells(void)
{
	struct boot_info bi;
	CHECK_EQ(parse_fixture("badcells", &bi), -EINVAL);
	CHECK_EQ(parse_fixture("shortreg", &bi), -EINVAL);
}

static void fixture_depth(void)
{
	struct boot_info bi;
	CHECK_EQ(parse_fixture("deep16", &bi), 0);
	CHECK_EQ(parse_fixture("deep17", &bi), -EINVAL);
}

/* ------------------------------------------------- hand-corrupted blobs --- */

static uint8_t *virt;
static size_t virt_len;

/* Parse a copy of the real DTB after setting header field FIELD to V. */
static int with_header(unsigned field, uint32_t v)
{
	uint8_t *copy = dup_exact(virt, virt_len);
	put32(copy + field, v);
	struct boot_info bi;
	int err = fdt_parse(copy, virt_len, &bi);
	free(copy);
	return err;
}

static void corrupt_header(void)
{
	struct boot_info bi;
	uint32_t total = (uint32_t)virt_len;
	uint32_t off_struct = get32(virt + H_OFF_STRUCT);
	uint32_t off_strings = get32(virt + H_OFF_STRINGS);
	uint32_t size_strings = get32(virt + H_SIZE_STRINGS);
	CHECK_EQ(with_header(0, 0xd00dfeee), -EINVAL); /* magic */
	CHECK_EQ(with_header(0, 0xedfe0dd0), -EINVAL); /* little-endian magic */
	CHECK_EQ(with_header(H_VERSION, 15), -EINVAL);
	CHECK_EQ(with_header(H_VERSION, 16), 0); /* no size_dt_struct: runs to the end */
	CHECK_EQ(with_header(24, 18), -EINVAL);  /* last_comp_version beyond 17 */
	CHECK_EQ(with_header(H_TOTALSIZE, total + 1), -EINVAL); /* larger than max_len */
	CHECK_EQ(with_header(H_TOTALSIZE, 0xffffffff), -EINVAL);
	CHECK_EQ(with_header(H_TOTALSIZE, 39), -EINVAL);
	CHECK_EQ(with_header(H_OFF_STRUCT, total + 4), -EINVAL); /* beyond the end */
	CHECK_EQ(with_header(H_OFF_STRUCT, total - 4), -EINVAL); /* block runs past the end */
	CHECK_EQ(with_header(H_OFF_STRUCT, 0xfffffffc), -EINVAL);
	CHECK_EQ(with_header(H_OFF_STRUCT, off_struct + 2), -EINVAL); /* misaligned */
	CHECK_EQ(with_header(H_SIZE_STRUCT, total - off_struct + 1), -EINVAL);
	CHECK_EQ(with_header(H_SIZE_STRUCT, 0xffffffff), -EINVAL);
	CHECK_EQ(with_header(H_SIZE_STRUCT, 0), -EINVAL);
	CHECK_EQ(with_header(H_OFF_STRINGS, total), -EINVAL);
	CHECK_EQ(with_header(H_OFF_STRINGS, 0xffffffff), -EINVAL);
	CHECK_EQ(with_header(H_SIZE_STRINGS, total - off_strings + 1), -EINVAL);
	/* the last name unterminated */
	CHECK_EQ(with_header(H_SIZE_STRINGS, size_strings - 1), -EINVAL);
	CHECK_EQ(with_header(H_SIZE_STRINGS, 0), -EINVAL); /* every name offset outside */
	CHECK_EQ(with_header(H_OFF_RSVMAP, total - 8), -EINVAL); /* no (0, 0) entry inside */
	CHECK_EQ(with_header(H_OFF_RSVMAP, total), -EINVAL);
	CHECK_EQ(with_header(H_OFF_RSVMAP, 0xfffffff8), -EINVAL);
	CHECK_EQ(with_header(H_OFF_RSVMAP, total - 16), -EINVAL); /* strings: no end in sight */
	CHECK_EQ(parse_copy(virt, virt_len, &bi), 0);
}

/* Every max_len short of totalsize is refused, without a read past it (ASan). */
static void truncated_max_len(void)
{
	struct boot_info bi;
	for (size_t n = 0; n < virt_len; n++) {
		int err = parse_copy(virt, n, &bi);
		if (err != -EINVAL) {
			printf("#   max_len %zu\n", n);
			CHECK_EQ(err, -EINVAL);
			break;
		}
	}
}

/*
 * The real DTB laid out header, reservations, strings, structure, so that
 * cutting totalsize cuts the structure block: a blob of every length short of
 * the whole, with totalsize and size_dt_struct cut to match, is walked and
 * refused (it has no FDT_END).
 */
static void truncated_structure(void)
{
	uint32_t off_struct = get32(virt + H_OFF_STRUCT);
	uint32_t size_struct = get32(virt + H_SIZE_STRUCT);
	uint32_t off_strings = get32(virt + H_OFF_STRINGS);
	uint32_t size_strings = get32(virt + H_SIZE_STRINGS);
	uint32_t rsv = get32(virt + H_OFF_RSVMAP);
	uint32_t new_strings = off_struct; /* the reservation map lies before the structure */
	uint32_t new_struct = (new_strings + size_strings + 3) & ~3u;
	uint32_t total = new_struct + size_struct;
	CHECK(rsv < off_struct);
	uint8_t *whole = calloc(1, total);
	memcpy(whole, virt, off_struct);
	memcpy(whole + new_strings, virt + off_strings, size_strings);
	memcpy(whole + new_struct, virt + off_struct, size_struct);
	put32(whole + H_OFF_STRINGS, new_strings);
	put32(whole + H_OFF_STRUCT, new_struct);
	put32(whole + H_TOTALSIZE, total);

	struct boot_info bi;
	CHECK_EQ(parse_copy(whole, total, &bi), 0);
	check_virt(&bi, total);
	unsigned bad = 0;
	for (uint32_t n = new_struct; n < total; n++) {
		put32(whole + H_TOTALSIZE, n);
		put32(whole + H_SIZE_STRUCT, n - new_struct);
		if (parse_copy(whole, n, &bi) != -EINVAL)
			bad++;
	}
	CHECK_EQ(bad, 0u);
	free(whole);
}

/* Parse a copy of the real DTB with the u32 at structure offset OFF set to V. */
static int with_struct_word(long off, uint32_t v)
{
	uint8_t *copy = dup_exact(virt, virt_len);
	put32(copy + get32(virt + H_OFF_STRUCT) + off, v);
	struct boot_info bi;
	int err = fdt_parse(copy, virt_len, &bi);
	free(copy);
	return err;
}

static void corrupt_tokens(void)
{
	long prop = find_token(virt, 3), end = find_token(virt, 9);
	uint32_t size_struct = get32(virt + H_SIZE_STRUCT);
	uint32_t size_strings = get32(virt + H_SIZE_STRINGS);
	CHECK(prop > 0);
	CHECK(end > 0);
	/* the property's name offset, outside the strings block */
	CHECK_EQ(with_struct_word(prop + 8, size_strings), -EINVAL);
	CHECK_EQ(with_struct_word(prop + 8, 0xffffffff), -EINVAL);
	CHECK_EQ(with_struct_word(prop + 8, size_strings - 1), 0); /* the last name's NUL: "" */
	/* the property's length, past the end */
	CHECK_EQ(with_struct_word(prop + 4, size_struct), -EINVAL);
	CHECK_EQ(with_struct_word(prop + 4, size_struct - (uint32_t)prop - 12 + 1), -EINVAL);
	CHECK_EQ(with_struct_word(prop + 4, 0xfffffffd), -EINVAL);
	CHECK_EQ(with_struct_word(prop + 4, 0xffffffff), -EINVAL);
	/* no FDT_END, or something else in its place */
	CHECK_EQ(with_struct_word(end, 4), -EINVAL);
	CHECK_EQ(with_struct_word(end, 2), -EINVAL);
	CHECK_EQ(with_struct_word(end, 1), -EINVAL);
	CHECK_EQ(with_struct_word(end, 0), -EINVAL);
	CHECK_EQ(with_struct_word(end, 10), -EINVAL);
	/* the root's FDT_END_NODE gone: a node left open at FDT_END */
	CHECK_EQ(with_struct_word(end - 4, 4), -EINVAL);
	/* a property where the root should begin */
	CHECK_EQ(with_struct_word(0, 3), -EINVAL);
	/* FDT_END first: no root */
	CHECK_EQ(with_struct_word(0, 9), -EINVAL);
}

/* Unterminated string values that the parser returns or follows. */
static void corrupt_strings(void)
{
	size_t len;
	uint8_t *blob = load_blob("fdt_resv.dtb", &len);
	struct boot_info bi;
	CHECK_EQ(parse_copy(blob, len, &bi), 0);

	static const char args[] = "console=ttyS0 root=/dev/vda quiet";
	long at = find_bytes(blob, len, args, sizeof args);
	CHECK(at > 0);
	blob[at + sizeof args - 1] = 'x';
	CHECK_EQ(parse_copy(blob, len, &bi), -EINVAL);
	blob[at + sizeof args - 1] = '\0';

	static const char path[] = "/soc/serial@10000000:115200n8";
	at = find_bytes(blob, len, path, sizeof path);
	CHECK(at > 0);
	blob[at + sizeof path - 1] = 'x';
	CHECK_EQ(parse_copy(blob, len, &bi), -EINVAL);
	blob[at + sizeof path - 1] = '\0';

	/* a node name running to the end of the structure block */
	uint8_t *copy = dup_exact(blob, len);
	uint32_t off_struct = get32(copy + H_OFF_STRUCT);
	long node = find_bytes(copy, len, "soc", 4);
	CHECK(node > (long)off_struct);
	put32(copy + H_SIZE_STRUCT, (uint32_t)(node - off_struct + 3));
	CHECK_EQ(fdt_parse(copy, len, &bi), -EINVAL);
	free(copy);

	size_t alen;
	uint8_t *alias = load_blob("fdt_alias_early.dtb", &alen);
	static const char target[] = "/soc/serial@10010000";
	at = find_bytes(alias, alen, target, sizeof target);
	CHECK(at > 0);
	alias[at + sizeof target - 1] = 'x';
	CHECK_EQ(parse_copy(alias, alen, &bi), -EINVAL);
	free(alias);
	free(blob);
}

/* ---------------------------------------------- blobs built by the test --- */

/* A structure block built token by token, with its strings. */
struct builder {
	uint8_t s[2048];
	size_t n;
	char strings[512];
	size_t ns;
};

static void b_word(struct builder *b, uint32_t v)
{
	put32(b->s + b->n, v);
	b->n += 4;
}

static void b_begin(struct builder *b, const char *name)
{
	b_word(b, 1);
	size_t len = strlen(name) + 1;
	memcpy(b->s + b->n, name, len);
	b->n = (b->n + len + 3) & ~(size_t)3;
}

static void b_end(struct builder *b)
{
	b_word(b, 2);
}

static void b_prop(struct builder *b, const char *name, const void *val, uint32_t len)
{
	size_t nl = strlen(name) + 1;
	memcpy(b->strings + b->ns, name, nl);
	b_word(b, 3);
	b_word(b, len);
	b_word(b, (uint32_t)b->ns);
	b->ns += nl;
	memcpy(b->s + b->n, val, len);
	b->n = (b->n + len + 3) & ~(size_t)3;
}

static void b_prop_u32(struct builder *b, const char *name, uint32_t v)
{
	uint8_t val[4];
	put32(val, v);
	b_prop(b, name, val, 4);
}

static void b_prop_str(struct builder *b, const char *name, const char *s)
{
	b_prop(b, name, s, (uint32_t)strlen(s) + 1);
}

/* A memory node at 0x80000000 under 2/2 cells. */
static void b_memory(struct builder *b)
{
	static const uint8_t reg[16] = {0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0};
	b_begin(b, "memory@80000000");
	b_prop_str(b, "device_type", "memory");
	b_prop(b, "reg", reg, sizeof reg);
	b_end(b);
}

/* Parse the blob B describes, its tokens (FDT_END included) as the caller put them. */
static int b_parse(const struct builder *b, struct boot_info *bi)
{
	size_t off_struct = 56; /* header 40, one empty reservation entry */
	size_t off_strings = off_struct + b->n;
	size_t total = off_strings + b->ns;
	uint8_t *blob = calloc(1, total);
	put32(blob, 0xd00dfeed);
	put32(blob + H_TOTALSIZE, (uint32_t)total);
	put32(blob + H_OFF_STRUCT, (uint32_t)off_struct);
	put32(blob + H_OFF_STRINGS, (uint32_t)off_strings);
	put32(blob + H_OFF_RSVMAP, 40);
	put32(blob + H_VERSION, 17);
	put32(blob + 24, 16);
	put32(blob + H_SIZE_STRINGS, (uint32_t)b->ns);
	put32(blob + H_SIZE_STRUCT, (uint32_t)b->n);
	memcpy(blob + off_struct, b->s, b->n);
	memcpy(blob + off_strings, b->strings, b->ns);
	int err = fdt_parse(blob, total, bi);
	free(blob);
	return err;
}

/* Start a tree: the root with 2/2 cells. */
static void b_root(struct builder *b)
{
	memset(b, 0, sizeof *b);
	b_begin(b, "");
	b_prop_u32(b, "#address-cells", 2);
	b_prop_u32(b, "#size-cells", 2);
}

static void built_well_formed(void)
{
	struct builder b;
	struct boot_info bi;
	b_root(&b);
	b_word(&b, 4);
	b_memory(&b);
	b_end(&b);
	b_word(&b, 4);
	b_word(&b, 9);
	CHECK_EQ(b_parse(&b, &bi), 0);
	CHECK_EQ(bi.nram, 1u);
	CHECK_EQ(bi.ram[0].size, 0x20000000u);
}

static void built_malformed_streams(void)
{
	struct builder b;
	struct boot_info bi;

	/* a property after a child node */
	b_root(&b);
	b_memory(&b);
	b_prop_u32(&b, "late", 1);
	b_end(&b);
	b_word(&b, 9);
	CHECK_EQ(b_parse(&b, &bi), -EINVAL);

	/* a second root */
	b_root(&b);
	b_end(&b);
	b_begin(&b, "");
	b_end(&b);
	b_word(&b, 9);
	CHECK_EQ(b_parse(&b, &bi), -EINVAL);

	/* an FDT_END_NODE too many */
	b_root(&b);
	b_end(&b);
	b_end(&b);
	b_word(&b, 9);
	CHECK_EQ(b_parse(&b, &bi), -EINVAL);

	/* a property outside the root */
	b_root(&b);
	b_end(&b);
	b_prop_u32(&b, "stray", 1);
	b_word(&b, 9);
	CHECK_EQ(b_parse(&b, &bi), -EINVAL);

	/* nothing but FDT_END */
	memset(&b, 0, sizeof b);
	b_word(&b, 9);
	CHECK_EQ(b_parse(&b, &bi), -EINVAL);

	/* an empty structure block */
	memset(&b, 0, sizeof b);
	CHECK_EQ(b_parse(&b, &bi), -EINVAL);
}

/* Properties the parser uses, with values of the wrong shape. */
static void built_malformed_values(void)
{
	struct builder b;
	struct boot_info bi;
	static const uint8_t reg16[16] = {0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0};

	/* timebase-frequency of 3 bytes */
	b_root(&b);
	b_begin(&b, "cpus");
	b_prop(&b, "timebase-frequency", "abc", 3);
	b_end(&b);
	b_end(&b);
	b_word(&b, 9);
	CHECK_EQ(b_parse(&b, &bi), -EINVAL);

	/* empty bootargs: no terminating NUL */
	b_root(&b);
	b_begin(&b, "chosen");
	b_prop(&b, "bootargs", "", 0);
	b_end(&b);
	b_end(&b);
	b_word(&b, 9);
	CHECK_EQ(b_parse(&b, &bi), -EINVAL);

	/* reg-shift of 8 bytes on the console */
	b_root(&b);
	b_begin(&b, "chosen");
	b_prop_str(&b, "stdout-path", "/uart@10000000");
	b_end(&b);
	b_begin(&b, "uart@10000000");
	b_prop_str(&b, "compatible", "ns16550a");
	b_prop(&b, "reg", reg16, sizeof reg16);
	b_prop(&b, "reg-shift", reg16, 8);
	b_end(&b);
	b_end(&b);
	b_word(&b, 9);
	CHECK_EQ(b_parse(&b, &bi), -EINVAL);

	/* the same with a good reg-shift */
	b_root(&b);
	b_begin(&b, "chosen");
	b_prop_str(&b, "stdout-path", "/uart@10000000");
	b_end(&b);
	b_begin(&b, "uart@10000000");
	b_prop_str(&b, "compatible", "ns16550a");
	b_prop(&b, "reg", reg16, sizeof reg16);
	b_prop_u32(&b, "reg-shift", 2);
	b_end(&b);
	b_end(&b);
	b_word(&b, 9);
	CHECK_EQ(b_parse(&b, &bi), 0);
	CHECK(bi.has_uart);
	CHECK_EQ(bi.uart_base, 0x10000000u);
	CHECK_EQ(bi.uart_size, 0x100u);
	CHECK_EQ(bi.uart_reg_shift, 2u);

	/* #size-cells of 8 bytes: a reg that needs it cannot be decoded */
	memset(&b, 0, sizeof b);
	b_begin(&b, "");
	b_prop_u32(&b, "#address-cells", 2);
	b_prop(&b, "#size-cells", reg16, 8);
	b_memory(&b);
	b_end(&b);
	b_word(&b, 9);
	CHECK_EQ(b_parse(&b, &bi), -EINVAL);

	/* an unterminated compatible list matches nothing, and is no error */
	b_root(&b);
	b_begin(&b, "test@100000");
	b_prop(&b, "compatible", "sifive,test0", 12);
	b_prop(&b, "reg", reg16, sizeof reg16);
	b_end(&b);
	b_end(&b);
	b_word(&b, 9);
	CHECK_EQ(b_parse(&b, &bi), 0);
	CHECK(!bi.has_test);

	/* a sifive,test0 without reg is passed over for the next one */
	b_root(&b);
	b_begin(&b, "test@0");
	b_prop_str(&b, "compatible", "sifive,test0");
	b_end(&b);
	b_begin(&b, "test@100000");
	b_prop_str(&b, "compatible", "sifive,test0");
	b_prop(&b, "reg", reg16, sizeof reg16);
	b_end(&b);
	b_end(&b);
	b_word(&b, 9);
	CHECK_EQ(b_parse(&b, &bi), 0);
	CHECK(bi.has_test);
	CHECK_EQ(bi.test_base, 0x10000000u);
}

/* The wall clock's node: found in a compatible list, after the test device, and only with reg. */
static void built_rtc(void)
{
	struct builder b;
	struct boot_info bi;
	static const uint8_t reg16[16] = {0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0};
	static const uint8_t reg_other[16] = {0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0};
	static const char list[] = "vendor,clock\0google,goldfish-rtc";

	/* after the test device, a clock without reg (passed over), then two
	 * with reg (the first taken, its name second in a compatible list) */
	b_root(&b);
	b_begin(&b, "test@100000");
	b_prop_str(&b, "compatible", "sifive,test0");
	b_prop(&b, "reg", reg16, sizeof reg16);
	b_end(&b);
	b_begin(&b, "rtc@0");
	b_prop_str(&b, "compatible", "google,goldfish-rtc");
	b_end(&b);
	b_begin(&b, "rtc@10000000");
	b_prop(&b, "compatible", list, sizeof list);
	b_prop(&b, "reg", reg16, sizeof reg16);
	b_end(&b);
	b_begin(&b, "rtc@20000000");
	b_prop_str(&b, "compatible", "google,goldfish-rtc");
	b_prop(&b, "reg", reg_other, sizeof reg_other);
	b_end(&b);
	b_end(&b);
	b_word(&b, 9);
	CHECK_EQ(b_parse(&b, &bi), 0);
	CHECK(bi.has_test);
	CHECK(bi.has_rtc);
	CHECK_EQ(bi.rtc_base, 0x10000000u);

	/* a prefix of the name is no match */
	b_root(&b);
	b_begin(&b, "rtc@10000000");
	b_prop_str(&b, "compatible", "google,goldfish");
	b_prop(&b, "reg", reg16, sizeof reg16);
	b_end(&b);
	b_end(&b);
	b_word(&b, 9);
	CHECK_EQ(b_parse(&b, &bi), 0);
	CHECK(!bi.has_rtc);

	/* a reg shorter than its cells */
	b_root(&b);
	b_begin(&b, "rtc@10000000");
	b_prop_str(&b, "compatible", "google,goldfish-rtc");
	b_prop(&b, "reg", reg16, 12);
	b_end(&b);
	b_end(&b);
	b_word(&b, 9);
	CHECK_EQ(b_parse(&b, &bi), -EINVAL);
}

/* ------------------------------------------------------- random mutation --- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t xorshift(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

/* What a result promises: an error number, or counts in range and pointers into the blob. */
static int plausible(int err, const struct boot_info *bi, const uint8_t *blob, size_t len)
{
	if (err != 0 && err != -ENOSPC)
		return err == -EINVAL;
	if (bi->nram > FDT_MAX_RANGES || bi->nreserved > FDT_MAX_RANGES ||
	    bi->rng_seed_len > sizeof bi->rng_seed || bi->blob_size > len)
		return 0;
	if (bi->bootargs) {
		const uint8_t *p = (const uint8_t *)bi->bootargs;
		if (p < blob || p >= blob + len || !memchr(p, 0, (size_t)(blob + len - p)))
			return 0;
	}
	return 1;
}

/* Change one thing in BUF: a bit, a byte, or a word set to a token or an edge value. */
static void mutate(uint8_t *buf, size_t len)
{
	static const uint32_t words[] = {
		0, 1, 2, 3, 4, 9, 0xffffffff, 0x7fffffff, 0x80000000, 0xfffffffc,
	};
	size_t at = xorshift() % len;
	switch (xorshift() % 5) {
	case 0:
		buf[at] ^= (uint8_t)(1u << (xorshift() % 8));
		break;
	case 1:
		buf[at] = (uint8_t)xorshift();
		break;
	case 2: /* an aligned word of the structure block, where tokens and lengths live */
		at &= ~(size_t)3;
		if (at + 4 <= len)
			put32(buf + at, words[xorshift() % (sizeof words / sizeof words[0])]);
		break;
	case 3: /* a header field */
		put32(buf + 4 * (xorshift() % 10), (uint32_t)xorshift() % (uint32_t)(2 * len));
		break;
	default: /* a small length or offset nudged */
		at &= ~(size_t)3;
		if (at + 4 <= len)
			put32(buf + at, get32(buf + at) + (uint32_t)(xorshift() % 9) - 4);
		break;
	}
}

/* ITER mutated copies of blob NAME: each parse must end with 0 or an error, inside the blob. */
static void fuzz_blob(const char *name, unsigned iter)
{
	size_t len;
	uint8_t *orig = load_blob(name, &len);
	uint8_t *buf = malloc(len); /* exactly the blob: ASan flags any overread */
	unsigned accepted = 0, bad = 0;
	for (unsigned i = 0; i < iter; i++) {
		memcpy(buf, orig, len);
		unsigned k = 1 + (unsigned)(xorshift() % 4);
		while (k--)
			mutate(buf, len);
		size_t max_len = xorshift() % 16 ? len : xorshift() % (len + 1);
		struct boot_info bi;
		int err = fdt_parse(buf, max_len, &bi);
		if (!plausible(err, &bi, buf, max_len)) {
			if (!bad)
				printf("#   %s iteration %u: %d\n", name, i, err);
			bad++;
		}
		if (err == 0)
			accepted++;
	}
	CHECK_EQ(bad, 0u);
	/* many changes hit values nobody checks: the walk must get past them */
	CHECK(accepted > iter / 8);
	free(buf);
	free(orig);
}

static void fuzz_virt(void)
{
	fuzz_blob("virt.dtb", 20000);
}

static void fuzz_fixtures(void)
{
	fuzz_blob("fdt_opensbi.dtb", 5000);
	fuzz_blob("fdt_resv.dtb", 5000);
	fuzz_blob("fdt_alias_late.dtb", 5000);
	fuzz_blob("fdt_alias_early.dtb", 5000);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR (the directory holding virt.dtb and fdt_*.dtb)\n",
			argv[0]);
		return 2;
	}
	dtb_dir = argv[1];
	virt = load_blob("virt.dtb", &virt_len);

	RUN(virt_dtb_file);
	RUN(virt_dtb_exact);
	RUN(virt_dtb_unaligned);
	RUN(fixture_opensbi);
	RUN(fixture_resv);
	RUN(fixture_alias_before_chosen);
	RUN(fixture_alias_after_uart);
	RUN(fixture_one_cell);
	RUN(fixture_two_memory_nodes);
	RUN(fixture_too_many_ram_ranges);
	RUN(fixture_too_many_reservations);
	RUN(fixture_minimal);
	RUN(fixture_bad_cells);
	RUN(fixture_depth);
	RUN(corrupt_header);
	RUN(truncated_max_len);
	RUN(truncated_structure);
	RUN(corrupt_tokens);
	RUN(corrupt_strings);
	RUN(built_well_formed);
	RUN(built_malformed_streams);
	RUN(built_malformed_values);
	RUN(built_rtc);
	RUN(fuzz_virt);
	RUN(fuzz_fixtures);

	free(virt);
	CHECK_EXIT();
}
