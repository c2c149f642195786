/*
 * Flattened device tree parsing: the few facts the kernel needs, in one pass
 * over the structure block.
 *
 * Layout (Devicetree Specification v0.4, chapter 5): a 40-byte header of
 * big-endian u32s; a memory reservation map of big-endian (u64 address,
 * u64 size) pairs ended by (0, 0); a structure block of 4-byte-aligned tokens;
 * a strings block holding the property names.
 *
 * The blob comes from firmware and is fuzzed, so nothing in it is trusted:
 * every offset is checked against its block before it is read, values are read
 * a byte at a time (so alignment does not matter and no load straddles the
 * end), nesting is bounded by FDT_MAX_DEPTH, and every token moves the cursor
 * forward by at least 4 bytes, so a walk ends within size/4 tokens.
 *
 * A node's properties all precede its children, so a node is acted on
 * ("committed") when its first child begins or when it ends: by then its reg,
 * compatible and device_type are known, and so are its parent's
 * #address-cells and #size-cells.
 */
#include <string.h>

#include "kernel/error.h"
#include "kernel/fdt.h"

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

/* top-level nodes whose properties are read as they go by */
enum kind { K_OTHER, K_CHOSEN, K_ALIASES, K_CPUS, K_RESMEM };

/* compatible strings of interest */
#define C_UART 1
#define C_TEST 2

enum devtype { DT_NONE, DT_MEMORY, DT_OTHER };

/* One open node on the path from the root. */
struct frame {
	const char *name;
	uint32_t addr_cells, size_cells; /* for its children; 0 when malformed */
	enum kind kind;
};

/* The innermost node's properties that matter once they are all known. */
struct props {
	const uint8_t *reg, *shift, *compat; /* NULL when absent */
	uint32_t reglen, shiftlen, compatlen;
	enum devtype devtype;
	int committed; /* a child began, so no more properties may follow */
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

/* The state of one parse. */
struct walker {
	const uint8_t *blob;
	uint32_t size; /* totalsize */
	uint32_t rsvmap;
	const uint8_t *structs;
	uint64_t struct_size;
	const char *strings;
	uint32_t strings_size;
	struct boot_info *out;
	struct frame stack[FDT_MAX_DEPTH + 1];
	int depth; /* of the innermost open node; -1 before and after the root */
	int root_seen;
	struct props cur;
	const char *target; /* stdout node's path, without options; NULL until known */
	size_t target_len;
	const char *alias; /* stdout alias awaiting /aliases; NULL when none */
	size_t alias_len;
	uint64_t aliases; /* offset of /aliases' first token; 0 until seen */
	uint32_t reg_off, compat_off; /* name offsets of "reg" and "compatible"; ~0 until seen */
	int early_uart; /* a UART was committed before the stdout path was known */
	int overflow; /* a range list was full */
};

/* The big-endian u32 at P. */
static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The big-endian u64 at P. */
static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* The value of N (1 or 2) cells at P. */
static uint64_t cells(const uint8_t *p, uint32_t n)
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
static long bounded_strlen(const char *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (p[i] == '\0')
			return (long)i;
	return -1;
}

/* Length of a string-valued property up to its first NUL, or -1 when unterminated. */
static long string_len(const struct token *t)
{
	return bounded_strlen((const char *)t->val, t->len);
}

/* Length of the path in S[0..N) without the options after ':'. */
static size_t path_len(const char *s, size_t n)
{
	size_t len = 0;
	while (len < n && s[len] != ':')
		len++;
	return len;
}

/* Check the header and locate the blocks; -EINVAL when any lies outside the blob. */
static int read_header(struct walker *w, const uint8_t *b, size_t max_len)
{
	/* Magic and totalsize first: nothing past totalsize may be read. */
	if (max_len < FDT_HEADER_SIZE || be32(b) != FDT_MAGIC)
		return -EINVAL;
	uint32_t total = be32(b + H_TOTALSIZE);
	if (total < FDT_HEADER_SIZE || total > max_len)
		return -EINVAL;
	uint32_t version = be32(b + H_VERSION);
	if (version < 16 || be32(b + H_LAST_COMP) > 17)
		return -EINVAL;

	uint32_t off_struct = be32(b + H_OFF_STRUCT);
	uint32_t off_strings = be32(b + H_OFF_STRINGS);
	uint32_t size_strings = be32(b + H_SIZE_STRINGS);
	if (off_struct % 4 || off_struct > total || off_strings > total ||
	    size_strings > total - off_strings)
		return -EINVAL;
	/* Version 16 has no size_dt_struct: the block may run to the end. */
	uint32_t size_struct = version >= 17 ? be32(b + H_SIZE_STRUCT) : total - off_struct;
	if (size_struct > total - off_struct)
		return -EINVAL;
	/* With a NUL last, every name offset inside the block names a terminated string. */
	if (size_strings && b[off_strings + size_strings - 1] != '\0')
		return -EINVAL;

	w->blob = b;
	w->size = total;
	w->rsvmap = be32(b + H_OFF_RSVMAP);
	w->structs = b + off_struct;
	w->struct_size = size_struct;
	w->strings = (const char *)b + off_strings;
	w->strings_size = size_strings;
	return 0;
}

/* Append [BASE, BASE + SIZE) to list R of *N entries, or note that it is full. */
static void add_range(struct walker *w, struct mem_range *r, unsigned *n, uint64_t base,
		      uint64_t size)
{
	if (*n == FDT_MAX_RANGES) {
		w->overflow = 1;
		return;
	}
	r[*n].base = base;
	r[*n].size = size;
	(*n)++;
}

/* Append the header's /memreserve/ entries; the map must end with (0, 0) inside the blob. */
static int read_rsvmap(struct walker *w)
{
	for (uint64_t off = w->rsvmap;; off += 16) {
		if (off + 16 > w->size)
			return -EINVAL;
		uint64_t base = be64(w->blob + off), size = be64(w->blob + off + 8);
		if (base == 0 && size == 0)
			return 0;
		add_range(w, w->out->reserved, &w->out->nreserved, base, size);
	}
}

/*
 * Decode the token at OFF into T; -EINVAL if it or its payload leaves the
 * structure block.  Forced inline: in the walk loop T then stays in
 * registers, which saves a sixth of the parse.
 */
static inline __attribute__((always_inline)) int next_token(const struct walker *w, uint64_t off,
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

/* The kind of a top-level node, by name. */
static enum kind kind_of(const char *name)
{
	switch (name[0]) {
	case 'a':
		return streq(name, "aliases") ? K_ALIASES : K_OTHER;
	case 'c':
		return streq(name, "chosen") ? K_CHOSEN : streq(name, "cpus") ? K_CPUS : K_OTHER;
	case 'r':
		return streq(name, "reserved-memory") ? K_RESMEM : K_OTHER;
	default:
		return K_OTHER;
	}
}

/* Whether a top-level node describes RAM. */
static int is_memory(const char *name, enum devtype devtype)
{
	if (devtype != DT_NONE)
		return devtype == DT_MEMORY;
	/* Old trees leave device_type out; "memory-controller" is no RAM. */
	return streq(name, "memory") || !strncmp(name, "memory@", 7);
}

/* The C_* bit of the compatible entry S[0..N). */
static int compat_bit(const char *s, uint32_t n)
{
	if ((n == 8 && !memcmp(s, "ns16550a", 8)) || (n == 7 && !memcmp(s, "ns16550", 7)))
		return C_UART;
	if (n == 12 && !memcmp(s, "sifive,test0", 12))
		return C_TEST;
	return 0;
}

/* The C_* bits of a compatible string list; an unterminated tail is no entry. */
static int compat_bits(const uint8_t *v, uint32_t len)
{
	int bits = 0;
	uint32_t i = 0;
	for (;;) {
		uint32_t start = i;
		while (i < len && v[i] != '\0')
			i++;
		if (i >= len)
			return bits;
		bits |= compat_bit((const char *)v + start, i - start);
		i++;
	}
}

/*
 * Decode the innermost node's reg with its parent's cells: the first MAX
 * entries into R.  Returns the number of entries, or -EINVAL.
 */
static long decode_reg(const struct walker *w, struct mem_range *r, unsigned max)
{
	const struct frame *parent = &w->stack[w->depth - 1];
	uint32_t ac = parent->addr_cells, sc = parent->size_cells;
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return -EINVAL;
	uint32_t step = 4 * (ac + sc);
	if (w->cur.reglen == 0 || w->cur.reglen % step)
		return -EINVAL;
	uint32_t count = w->cur.reglen / step;
	for (uint32_t i = 0; i < count && i < max; i++) {
		const uint8_t *p = w->cur.reg + i * step;
		r[i].base = cells(p, ac);
		r[i].size = cells(p + 4 * ac, sc);
	}
	return count;
}

/* Append every reg entry of the innermost node to list R of *N entries. */
static int append_reg(struct walker *w, struct mem_range *r, unsigned *n)
{
	unsigned room = FDT_MAX_RANGES - *n;
	long count = decode_reg(w, r + *n, room);
	if (count < 0)
		return (int)count;
	if ((unsigned long)count > room) {
		w->overflow = 1;
		count = room;
	}
	*n += (unsigned)count;
	return 0;
}

/* Whether component C[0..N) of a path names node NAME; "serial" names "serial@10000000". */
static int name_matches(const char *name, const char *c, size_t n)
{
	/* C holds no NUL, so a match means NAME is at least N bytes long. */
	if (strncmp(name, c, n))
		return 0;
	return name[n] == '\0' || (name[n] == '@' && !memchr(c, '@', n));
}

/* Whether the innermost node's full path is PATH[0..LEN). */
static int path_is(const struct walker *w, const char *path, size_t len)
{
	size_t i = 0;
	for (int d = 1; d <= w->depth; d++) {
		if (i >= len || path[i] != '/')
			return 0;
		i++;
		size_t n = 0;
		while (i + n < len && path[i + n] != '/')
			n++;
		if (!name_matches(w->stack[d].name, path + i, n))
			return 0;
		i += n;
	}
	return i == len;
}

/* Take the innermost node, an ns16550 that may be the stdout node, as the console. */
static int commit_uart(struct walker *w)
{
	struct boot_info *out = w->out;
	if (!w->target) {
		w->early_uart = 1;
		return 0;
	}
	struct mem_range r;
	if (decode_reg(w, &r, 1) < 0)
		return -EINVAL;
	if (w->cur.shift && w->cur.shiftlen != 4)
		return -EINVAL;
	out->uart_base = r.base;
	out->uart_size = r.size;
	out->uart_reg_shift = w->cur.shift ? be32(w->cur.shift) : 0;
	out->has_uart = 1;
	return 0;
}

/* Act on the innermost node, which has reg and a parent, now its properties are known. */
static int act_on_node(struct walker *w)
{
	struct boot_info *out = w->out;
	const struct props *p = &w->cur;
	int err = 0;

	if (w->depth == 1 && is_memory(w->stack[1].name, p->devtype))
		err = append_reg(w, out->ram, &out->nram);
	else if (w->depth == 2 && w->stack[1].kind == K_RESMEM)
		err = append_reg(w, out->reserved, &out->nreserved);
	if (err || !p->compat)
		return err;
	/* Scanning compatible costs more than the rest of a node: only when it can matter. */
	int uart_wanted = !out->has_uart && (!w->target || path_is(w, w->target, w->target_len));
	if (!uart_wanted && out->has_test)
		return 0;
	int bits = compat_bits(p->compat, p->compatlen);
	if ((bits & C_TEST) && !out->has_test) {
		struct mem_range r;
		if (decode_reg(w, &r, 1) < 0)
			return -EINVAL;
		out->test_base = r.base;
		out->has_test = 1;
	}
	if ((bits & C_UART) && uart_wanted)
		err = commit_uart(w);
	return err;
}

/* Close the innermost node's properties; only one with reg and a parent needs acting on. */
static inline int commit(struct walker *w)
{
	w->cur.committed = 1;
	return w->depth > 0 && w->cur.reg ? act_on_node(w) : 0;
}

/* The stdout alias is named by /aliases property T: its value is the path. */
static int resolve_alias(struct walker *w, const struct token *t)
{
	long n = string_len(t);
	if (n < 0)
		return -EINVAL;
	const char *s = (const char *)t->val;
	w->alias = NULL;
	if (n > 0 && s[0] == '/') {
		w->target = s;
		w->target_len = path_len(s, (size_t)n);
	}
	return 0;
}

/* Resolve the pending stdout alias if property T of /aliases names it. */
static int alias_property(struct walker *w, const struct token *t)
{
	if (!w->alias || strncmp(t->name, w->alias, w->alias_len) || t->name[w->alias_len])
		return 0;
	return resolve_alias(w, t);
}

/* Look the pending stdout alias up in the properties of /aliases, walked earlier. */
static int find_alias(struct walker *w)
{
	struct token t;
	for (uint64_t off = w->aliases; w->alias; off = t.next) {
		int err = next_token(w, off, &t);
		if (err)
			return err;
		if (t.type == FDT_PROP)
			err = alias_property(w, &t);
		else if (t.type != FDT_NOP)
			return 0;
		if (err)
			return err;
	}
	return 0;
}

/* Note the stdout node from /chosen/stdout-path: a path now, or an alias to resolve. */
static int set_stdout(struct walker *w, const struct token *t)
{
	long n = string_len(t);
	if (n < 0)
		return -EINVAL;
	if (w->target)
		return 0; /* the second pass, or a repeated property */
	const char *s = (const char *)t->val;
	size_t len = path_len(s, (size_t)n);
	if (len == 0)
		return 0;
	if (s[0] == '/') {
		w->target = s;
		w->target_len = len;
		return 0;
	}
	w->alias = s;
	w->alias_len = len;
	return w->aliases ? find_alias(w) : 0;
}

/* Take bootargs, stdout-path and rng-seed from /chosen. */
static int chosen_property(struct walker *w, const struct token *t)
{
	struct boot_info *out = w->out;
	if (streq(t->name, "bootargs")) {
		if (string_len(t) < 0)
			return -EINVAL;
		out->bootargs = (const char *)t->val;
	} else if (streq(t->name, "stdout-path")) {
		return set_stdout(w, t);
	} else if (streq(t->name, "rng-seed")) {
		unsigned n = t->len < sizeof out->rng_seed ? t->len : sizeof out->rng_seed;
		memcpy(out->rng_seed, t->val, n);
		out->rng_seed_len = n;
	}
	return 0;
}

/* Take timebase-frequency (u32 or u64) from /cpus. */
static int cpus_property(struct walker *w, const struct token *t)
{
	if (!streq(t->name, "timebase-frequency"))
		return 0;
	if (t->len == 4)
		w->out->timebase_hz = be32(t->val);
	else if (t->len == 8)
		w->out->timebase_hz = be64(t->val);
	else
		return -EINVAL;
	return 0;
}

/* A #address-cells or #size-cells value; 0 (never valid) when malformed, so that only
 * a reg that needs it fails. */
static uint32_t cell_count(const struct token *t)
{
	return t->len == 4 ? be32(t->val) : 0;
}

/* Note property T of the innermost node, other than reg and compatible. */
static void other_property(struct walker *w, const struct token *t)
{
	struct frame *f = &w->stack[w->depth];
	const char *name = t->name;
	/* The first byte settles most names; the common two are remembered by offset. */
	switch (name[0]) {
	case '#':
		if (streq(name, "#address-cells"))
			f->addr_cells = cell_count(t);
		else if (streq(name, "#size-cells"))
			f->size_cells = cell_count(t);
		break;
	case 'c':
		if (streq(name, "compatible")) {
			w->compat_off = t->nameoff;
			w->cur.compat = t->val;
			w->cur.compatlen = t->len;
		}
		break;
	case 'd':
		if (streq(name, "device_type"))
			w->cur.devtype = t->len == 7 && !memcmp(t->val, "memory", 7) ? DT_MEMORY
										: DT_OTHER;
		break;
	case 'r':
		if (streq(name, "reg")) {
			w->reg_off = t->nameoff;
			w->cur.reg = t->val;
			w->cur.reglen = t->len;
		} else if (streq(name, "reg-shift")) {
			w->cur.shift = t->val;
			w->cur.shiftlen = t->len;
		}
		break;
	}
}

/* Note property T of the innermost node. */
static int property(struct walker *w, const struct token *t)
{
	if (w->depth < 0 || w->cur.committed)
		return -EINVAL;
	/* Trees share one copy of each name, so an offset seen before settles it. */
	if (t->nameoff == w->reg_off) {
		w->cur.reg = t->val;
		w->cur.reglen = t->len;
	} else if (t->nameoff == w->compat_off) {
		w->cur.compat = t->val;
		w->cur.compatlen = t->len;
	} else {
		other_property(w, t);
	}
	/* Nearly every node is K_OTHER: a test is cheaper than the jump table. */
	if (w->stack[w->depth].kind == K_OTHER)
		return 0;
	switch (w->stack[w->depth].kind) {
	case K_CHOSEN:
		return chosen_property(w, t);
	case K_ALIASES:
		return alias_property(w, t);
	case K_CPUS:
		return cpus_property(w, t);
	default:
		return 0;
	}
}

/* Open node T, a child of the innermost node (or the root). */
static int begin_node(struct walker *w, const struct token *t)
{
	if (w->depth < 0 ? w->root_seen : w->depth >= FDT_MAX_DEPTH)
		return -EINVAL;
	if (w->depth >= 0 && !w->cur.committed) {
		int err = commit(w);
		if (err)
			return err;
	}
	struct frame *f = &w->stack[++w->depth];
	f->name = t->name;
	f->addr_cells = 2; /* the specification's defaults */
	f->size_cells = 1;
	f->kind = w->depth == 1 ? kind_of(t->name) : K_OTHER;
	if (f->kind == K_ALIASES && !w->aliases)
		w->aliases = t->next;
	w->root_seen = 1;
	w->cur = (struct props){0};
	return 0;
}

/* Close the innermost node. */
static int end_node(struct walker *w)
{
	if (w->depth < 0)
		return -EINVAL;
	if (!w->cur.committed) {
		int err = commit(w);
		if (err)
			return err;
	}
	w->depth--;
	/* The parent's properties ended when this child began. */
	w->cur.committed = 1;
	return 0;
}

/* Walk the structure block once: one root node, then FDT_END. */
static int walk(struct walker *w)
{
	struct token t;
	for (uint64_t off = 0;; off = t.next) {
		int err = next_token(w, off, &t);
		if (err)
			return err;
		switch (t.type) {
		case FDT_BEGIN_NODE:
			err = begin_node(w, &t);
			break;
		case FDT_END_NODE:
			err = end_node(w);
			break;
		case FDT_PROP:
			err = property(w, &t);
			break;
		case FDT_END:
			return w->root_seen && w->depth < 0 ? 0 : -EINVAL;
		}
		if (err)
			return err;
	}
}

/* Reset every count and scalar of *OUT; not the arrays, as picolibc's byte-wise memset
 * of them would cost a third of the parse. */
static void clear_info(struct boot_info *out, uint32_t size)
{
	out->nram = 0;
	out->nreserved = 0;
	out->bootargs = NULL;
	out->rng_seed_len = 0;
	out->uart_base = 0;
	out->uart_size = 0;
	out->uart_reg_shift = 0;
	out->has_uart = 0;
	out->test_base = 0;
	out->has_test = 0;
	out->timebase_hz = 0;
	out->blob_size = size;
}

/* Fill w->out afresh in one pass over the reservation map and the structure block. */
static int parse_pass(struct walker *w)
{
	clear_info(w->out, w->size);
	w->depth = -1;
	w->root_seen = 0;
	w->alias = NULL;
	w->aliases = 0;
	w->early_uart = 0;
	w->overflow = 0;
	w->reg_off = w->compat_off = ~0u;
	int err = read_rsvmap(w);
	return err ? err : walk(w);
}

int fdt_parse(const void *blob, size_t max_len, struct boot_info *out)
{
	struct walker w;
	w.out = out;
	w.target = NULL;
	int err = read_header(&w, blob, max_len);
	if (!err)
		err = parse_pass(&w);
	/*
	 * A UART went by before the stdout path was known (a tree with /chosen
	 * or /aliases after the devices): it may be the console, so walk again
	 * knowing the path.  QEMU's and OpenSBI's trees never need this.
	 */
	if (!err && w.target && !out->has_uart && w.early_uart)
		err = parse_pass(&w);
	if (err)
		return err;
	return w.overflow ? -ENOSPC : 0;
}
