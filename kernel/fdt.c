/*
 * Flattened device tree parsing: the few facts the kernel needs, in one pass
 * over the structure block (its format, read safely: fdt_format.h; the
 * console's node: fdt_stdout.c).  Nesting is bounded by FDT_MAX_DEPTH, and
 * every token moves the cursor forward, so a walk ends within size/4 tokens.
 *
 * A node's properties all precede its children, so a node is acted on
 * ("committed") when its first child begins or when it ends: by then its reg,
 * compatible and device_type are known, and so are its parent's
 * #address-cells and #size-cells.
 */
#include <string.h>

#include "kernel/error.h"
#include "kernel/fdt_walker.h"

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
	for (uint64_t off = w->f.rsvmap;; off += 16) {
		if (off + 16 > w->f.size)
			return -EINVAL;
		uint64_t base = be64(w->f.blob + off), size = be64(w->f.blob + off + 8);
		if (base == 0 && size == 0)
			return 0;
		add_range(w, w->out->reserved, &w->out->nreserved, base, size);
	}
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
	if (n == 19 && !memcmp(s, "google,goldfish-rtc", 19))
		return C_RTC;
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

/* Take the base of the innermost node's first reg entry as a device's: *BASE, *FOUND = 1. */
static int first_reg_base(const struct walker *w, paddr_t *base, int *found)
{
	struct mem_range r;
	if (decode_reg(w, &r, 1) < 0)
		return -EINVAL;
	*base = r.base;
	*found = 1;
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
	int uart_wanted = !out->has_uart && (!w->target || fdt_path_is(w, w->target, w->target_len));
	if (!uart_wanted && out->has_test && out->has_rtc)
		return 0;
	int bits = compat_bits(p->compat, p->compatlen);
	if ((bits & C_TEST) && !out->has_test)
		err = first_reg_base(w, &out->test_base, &out->has_test);
	if ((bits & C_RTC) && !out->has_rtc && !err)
		err = first_reg_base(w, &out->rtc_base, &out->has_rtc);
	if (err)
		return err;
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

/* Take bootargs, stdout-path and rng-seed from /chosen. */
static int chosen_property(struct walker *w, const struct token *t)
{
	struct boot_info *out = w->out;
	if (streq(t->name, "bootargs")) {
		if (string_len(t) < 0)
			return -EINVAL;
		out->bootargs = (const char *)t->val;
	} else if (streq(t->name, "stdout-path")) {
		return fdt_set_stdout(w, t);
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
		return fdt_alias_property(w, t);
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
		int err = next_token(&w->f, off, &t);
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
	out->rtc_base = 0;
	out->has_rtc = 0;
	out->timebase_hz = 0;
	out->blob_size = size;
}

/* Fill w->out afresh in one pass over the reservation map and the structure block. */
static int parse_pass(struct walker *w)
{
	clear_info(w->out, w->f.size);
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
	int err = fdt_read_header(&w.f, blob, max_len);
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
