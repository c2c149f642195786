/*
 * The flattened device tree's binary format (Devicetree Specification
 * v0.4, chapter 5), read safely: a 40-byte header of big-endian u32s; a
 * memory reservation map of big-endian (u64 address, u64 size) pairs ended
 * by (0, 0); a structure block of 4-byte-aligned tokens; a strings block
 * holding the property names.
 *
 * The blob comes from firmware and is fuzzed, so nothing in it is trusted:
 * every offset is checked against its block before it is read, values are
 * read a byte at a time (so alignment does not matter and no load straddles
 * the end), and every token moves the cursor forward by at least 4 bytes.
 * Internal to kernel/fdt*.c; what the kernel asks of a tree is fdt.h.
 */
#ifndef KERNEL_FDT_FORMAT_H
#define KERNEL_FDT_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC 0xd00dfeedu
#define FDT_HEADER_SIZE 40

/* header fields, by byte offset */
#define H_TOTALSIZE 4
#define H_OFF_STRUCT 8
#define H_OFF_STRINGS 12
#define H_OFF_RSVMAP 16
#define H_VERSION 20
#define H_LAST_COMP 24
#define H_SIZE_STRINGS 32
#define H_SIZE_STRUCT 36

/* structure block tokens */
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9

/* A blob whose header was checked: where its blocks are. */
struct fdt_blob {
	const uint8_t *blob;
	uint32_t size; /* totalsize */
	uint32_t rsvmap;
	const uint8_t *structs;
	uint64_t struct_size;
	const char *strings;
	uint32_t strings_size;
};

/* One decoded token. */
struct token {
	uint32_t type;
	uint32_t nameoff; /* of a property's name in the strings block */
	const char *name; /* node name, or property name */
	const uint8_t *val;
	uint32_t len;
	uint64_t next; /* offset of the following token */
};

/* The big-endian u32 at P. */
static inline uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The big-endian u64 at P. */
static inline uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* The value of N (1 or 2) cells at P. */
static inline uint64_t cells(const uint8_t *p, uint32_t n)
{
	return n == 1 ? be32(p) : be64(p);
}

/* Whether strings A and B are equal; inline, as most calls fail on the first bytes. */
static inline int streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* Length of the string at P if a NUL ends it within N bytes, else -1. */
static inline long bounded_strlen(const char *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (p[i] == '\0')
			return (long)i;
	return -1;
}

/* Length of a string-valued property up to its first NUL, or -1 when unterminated. */
static inline long string_len(const struct token *t)
{
	return bounded_strlen((const char *)t->val, t->len);
}

/* Check the header of the blob at B (at most MAX_LEN bytes) and locate its
 * blocks in *F; -EINVAL when any lies outside the blob. */
int fdt_read_header(struct fdt_blob *f, const uint8_t *b, size_t max_len);

/*
 * Decode the token at OFF into T; -EINVAL if it or its payload leaves the
 * structure block.  Forced inline: in the walk loop T then stays in
 * registers, which saves a sixth of the parse.
 */
static inline __attribute__((always_inline)) int next_token(const struct fdt_blob *w, uint64_t off,
							    struct token *t)
{
	uint64_t size = w->struct_size;
	if (off > size || size - off < 4)
		return -EINVAL;
	const uint8_t *p = w->structs + off;
	/* Every token is below 256, so one byte decides (cheaper than be32 on each). */
	t->type = p[0] | p[1] | p[2] ? ~0u : p[3];
	off += 4;
	switch (t->type) {
	case FDT_BEGIN_NODE: {
		t->name = (const char *)w->structs + off;
		long n = bounded_strlen(t->name, size - off);
		if (n < 0)
			return -EINVAL;
		off += (uint64_t)n + 1;
		break;
	}
	case FDT_PROP: {
		if (size - off < 8)
			return -EINVAL;
		uint32_t len = be32(w->structs + off);
		uint32_t nameoff = be32(w->structs + off + 4);
		off += 8;
		if (len > size - off || nameoff >= w->strings_size)
			return -EINVAL;
		t->nameoff = nameoff;
		t->name = w->strings + nameoff;
		t->val = w->structs + off;
		t->len = len;
		off += len;
		break;
	}
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		break;
	default:
		return -EINVAL;
	}
	t->next = (off + 3) & ~(uint64_t)3;
	return 0;
}

#endif
