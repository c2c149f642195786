/*
 * Reading a program's compartments from its ELF image (compart/image.h).
 * The image is untrusted input: every offset, size and address is checked
 * against the file before it is followed, and the first thing wrong
 * refuses the whole program, with the reason.
 */
#include "compart/image.h"

#include <string.h>

#include "arch.h"
#include "kernel/console.h"
#include "kernel/elf_format.h"
#include "kernel/error.h"
#include "kernel/memory.h"

struct reader {
	const uint8_t *img;
	size_t size;
	const struct elf64_ehdr *eh;
	const struct elf64_shdr *sh; /* shnum entries, inside the file */
	const char *names;	     /* the section-name string table */
	size_t names_size;
};

static int refuse(const char *why, uint64_t at)
{
	kprintf("compart: not loadable: %s (%#lx)\n", why, at);
	return -ENOEXEC;
}

/* [off, off+len) lies in the file. */
static int in_file(const struct reader *r, uint64_t off, uint64_t len)
{
	return off <= r->size && len <= r->size - off;
}

/* Segment I's file bytes lie in the file. */
static int segment_in_file(const struct reader *r, const struct elf64_phdr *ph)
{
	return in_file(r, ph->offset, ph->filesz);
}

/* Copy LEN bytes the program has at VA from its file into OUT: 0, or -1 when no segment holds them. */
static int read_va(const struct reader *r, uint64_t va, void *out, uint64_t len)
{
	const struct elf64_phdr *ph = (const void *)(r->img + r->eh->phoff);
	for (unsigned i = 0; i < r->eh->phnum; i++) {
		if (ph[i].type != PT_LOAD || va < ph[i].vaddr || va - ph[i].vaddr > ph[i].filesz ||
		    len > ph[i].filesz - (va - ph[i].vaddr))
			continue;
		if (!segment_in_file(r, &ph[i]))
			return -1;
		memcpy(out, r->img + ph[i].offset + (va - ph[i].vaddr), len);
		return 0;
	}
	return -1;
}

static const char *section_name(const struct reader *r, const struct elf64_shdr *s)
{
	if (s->name >= r->names_size || !memchr(r->names + s->name, 0, r->names_size - s->name))
		return "";
	return r->names + s->name;
}

/*
 * The section called NAME, or NULL.  Every program is asked this at load,
 * compartments or not, so a name is compared in place, its terminating
 * NUL included, and most comparisons end at the first byte.
 */
static const struct elf64_shdr *find_section(const struct reader *r, const char *name)
{
	size_t n = strlen(name) + 1;
	for (unsigned i = 0; i < r->eh->shnum; i++) {
		uint32_t at = r->sh[i].name;
		if (at < r->names_size && r->names_size - at >= n && r->names[at] == name[0] &&
		    memcmp(r->names + at, name, n) == 0)
			return &r->sh[i];
	}
	return NULL;
}

/* The section table and its names are inside the file. */
static int open_sections(struct reader *r)
{
	const struct elf64_ehdr *eh = r->eh;
	if (eh->shentsize != sizeof(struct elf64_shdr) || eh->shnum == 0 ||
	    eh->shstrndx >= eh->shnum ||
	    !in_file(r, eh->shoff, (uint64_t)eh->shnum * sizeof(struct elf64_shdr)) ||
	    eh->shoff % 8)
		return refuse("no usable section table", eh->shoff);
	r->sh = (const void *)(r->img + eh->shoff);
	const struct elf64_shdr *names = &r->sh[eh->shstrndx];
	if (names->type == SHT_NOBITS || !in_file(r, names->offset, names->size))
		return refuse("section names outside the file", names->offset);
	r->names = (const char *)r->img + names->offset;
	r->names_size = names->size;
	return 0;
}

/* The bytes of section S in the file, SIZE a multiple of UNIT: a pointer, or NULL. */
static const void *section_bytes(const struct reader *r, const struct elf64_shdr *s, size_t unit)
{
	if (s->type == SHT_NOBITS || s->size % unit || !in_file(r, s->offset, s->size) ||
	    s->offset % 8)
		return NULL;
	return r->img + s->offset;
}

static struct compart_range pages_of(uint64_t start, uint64_t end)
{
	return (struct compart_range){ ALIGN_DOWN(start, PAGE_SIZE), ALIGN_UP(end, PAGE_SIZE) };
}

static int overlap(struct compart_range a, struct compart_range b)
{
	return a.start < b.end && b.start < a.end;
}

/* Check one descriptor against the file and copy it into C. */
static int read_descriptor(const struct reader *r, const struct compart_descriptor *d,
			   struct compart_decl *c)
{
	char name[COMPART_NAME_MAX];
	if (read_va(r, d->name, name, 1) != 0)
		return refuse("a compartment's name is outside the image", d->name);
	size_t n = 0;
	while (n < sizeof(name) - 1 && read_va(r, d->name + n, &name[n], 1) == 0 && name[n])
		n++;
	name[n] = 0;
	if (n == 0 || n == sizeof(name) - 1)
		return refuse("a compartment's name is empty or too long", d->name);
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
			return refuse("a compartment's name is not an identifier", d->name);
	if (!IS_ALIGNED(d->text_start | d->data_start, PAGE_SIZE) ||
	    d->text_end <= d->text_start || d->data_end <= d->data_start ||
	    d->text_end > USER_TOP || d->data_end > USER_TOP || d->text_start < PAGE_SIZE ||
	    d->data_start < PAGE_SIZE)
		return refuse("a compartment's code or data is not page aligned in the user half",
			      d->text_start);
	if (d->state % 8 || d->state < d->data_start || d->state > d->data_end ||
	    d->data_end - d->state < sizeof(struct compart_state))
		return refuse("a compartment's state is outside its data", d->state);
	uint32_t word;
	if (d->return_pad % 4 || d->return_pad < d->text_start || d->return_pad >= d->text_end ||
	    read_va(r, d->return_pad, &word, 4) != 0 || word != COMPART_ENTRY_WORD)
		return refuse("a compartment's return pad is no landing pad in its code",
			      d->return_pad);
	memcpy(c->name, name, n + 1);
	c->flags = d->flags & COMPART_SECRET;
	c->text = pages_of(d->text_start, d->text_end);
	c->data = pages_of(d->data_start, d->data_end);
	c->state = d->state;
	c->return_pad = d->return_pad;
	return 0;
}

static int read_table(const struct reader *r, const struct elf64_shdr *s, struct compart_image *out)
{
	const struct compart_descriptor *d = section_bytes(r, s, sizeof(*d));
	size_t n = d ? s->size / sizeof(*d) : 0;
	if (!d || n == 0 || n > COMPART_MAX)
		return refuse("compartment table malformed or too long", s->offset);
	unsigned seen = 0;
	for (size_t i = 0; i < n; i++) {
		if (d[i].magic != COMPART_DESCRIPTOR_MAGIC || d[i].id >= n || (seen >> d[i].id) & 1)
			return refuse("a compartment descriptor is corrupt, or its id is repeated or "
				      "not below the number of compartments",
				      d[i].id);
		seen |= 1u << d[i].id;
		int err = read_descriptor(r, &d[i], &out->c[d[i].id]);
		if (err)
			return err;
	}
	if (strcmp(out->c[0].name, "main") != 0)
		return refuse("compartment 0 is not main", 0);
	out->count = (unsigned)n;
	return 0;
}

/* Whether S is compartment C's own code or data section. */
static int own_section(const char *s, const char *c)
{
	return (strncmp(s, "compart_text_", 13) == 0 || strncmp(s, "compart_data_", 13) == 0) &&
	       strcmp(s + 13, c) == 0;
}

/* Add [start, end) to LIST (N entries), merged with the last one when they touch. */
static int add_range(struct compart_range *list, unsigned *n, struct compart_range x)
{
	if (*n && list[*n - 1].end >= x.start && x.end >= list[*n - 1].start) {
		if (x.start < list[*n - 1].start)
			list[*n - 1].start = x.start;
		if (x.end > list[*n - 1].end)
			list[*n - 1].end = x.end;
		return 0;
	}
	if (*n == COMPART_RANGES_MAX)
		return refuse("too many separate sections outside the compartments", x.start);
	list[(*n)++] = x;
	return 0;
}

/*
 * No page of a compartment holds anything that is not its own, and every
 * other allocated section is shared code or shared read-only data (or
 * main's, when writable).
 */
static int check_pages(const struct reader *r, struct compart_image *out)
{
	for (unsigned i = 0; i < r->eh->shnum; i++) {
		const struct elf64_shdr *s = &r->sh[i];
		if (!(s->flags & SHF_ALLOC) || s->size == 0)
			continue;
		if (s->addr + s->size < s->addr || s->addr + s->size > USER_TOP)
			return refuse("a section lies outside the user half", s->addr);
		struct compart_range p = pages_of(s->addr, s->addr + s->size);
		const char *name = section_name(r, s);
		int owned = 0;
		for (unsigned c = 0; c < out->count; c++) {
			if (own_section(name, out->c[c].name)) {
				owned = 1;
				continue;
			}
			if (overlap(p, out->c[c].text) || overlap(p, out->c[c].data)) {
				kprintf("compart: section %s shares a page with compartment %s\n",
					name, out->c[c].name);
				return refuse("a compartment shares a page", s->addr);
			}
		}
		int err = 0;
		if (owned || (s->flags & SHF_WRITE))
			continue;
		if (s->flags & SHF_EXECINSTR)
			err = add_range(out->shared_text, &out->nshared_text, p);
		else
			err = add_range(out->shared_rodata, &out->nshared_rodata, p);
		if (err)
			return err;
	}
	return 0;
}

static int read_entries(const struct reader *r, struct compart_image *out)
{
	const struct elf64_shdr *s = find_section(r, "compart_entries");
	if (!s)
		return 0;
	const struct compart_entry_record *e = section_bytes(r, s, sizeof(*e));
	size_t n = e ? s->size / sizeof(*e) : 0;
	if (!e || n > COMPART_ENTRIES_MAX)
		return refuse("entry table malformed or too long", s->offset);
	for (size_t i = 0; i < n; i++) {
		uint32_t word;
		const struct compart_decl *c = e[i].id < out->count ? &out->c[e[i].id] : NULL;
		if (!c || e[i].stub % 4 || e[i].stub < c->text.start || e[i].stub >= c->text.end ||
		    read_va(r, e[i].stub, &word, 4) != 0 || word != COMPART_ENTRY_WORD)
			return refuse("an entry point is not a landing pad in its compartment's code",
				      e[i].stub);
		out->entries[i] = e[i];
	}
	out->nentries = (unsigned)n;
	return 0;
}

static int read_segments(const struct reader *r, struct compart_image *out)
{
	const struct elf64_phdr *ph = (const void *)(r->img + r->eh->phoff);
	for (unsigned i = 0; i < r->eh->phnum; i++) {
		if (ph[i].type != PT_LOAD || ph[i].memsz == 0)
			continue;
		if (out->nsegments == COMPART_RANGES_MAX || ph[i].vaddr + ph[i].memsz < ph[i].vaddr ||
		    ph[i].vaddr + ph[i].memsz > USER_TOP)
			return refuse("too many segments, or one outside the user half", ph[i].vaddr);
		out->segments[out->nsegments].pages = pages_of(ph[i].vaddr, ph[i].vaddr + ph[i].memsz);
		out->segments[out->nsegments++].writable = (ph[i].flags & PF_W) != 0;
	}
	return 0;
}

static int in_a_segment(const struct compart_image *out, struct compart_range x)
{
	for (unsigned i = 0; i < out->nsegments; i++)
		if (x.start >= out->segments[i].pages.start && x.end <= out->segments[i].pages.end)
			return 1;
	return 0;
}

/*
 * A compartment claims only memory the program has (not the stack, the
 * heap or the information page, which the kernel places), and no page any
 * other claim holds: its code and its data are apart too.
 */
static int check_claims(const struct compart_image *out)
{
	struct compart_range claim[2 * COMPART_MAX];
	for (unsigned c = 0; c < out->count; c++) {
		claim[2 * c] = out->c[c].text;
		claim[2 * c + 1] = out->c[c].data;
	}
	for (unsigned i = 0; i < 2 * out->count; i++) {
		if (!in_a_segment(out, claim[i]))
			return refuse("a compartment claims memory outside the program's segments",
				      claim[i].start);
		for (unsigned j = 0; j < i; j++)
			if (overlap(claim[i], claim[j]))
				return refuse("two compartments' claims overlap (or one's code and data)",
					      claim[i].start);
	}
	return 0;
}

/*
 * Any landing-pad word in executable memory is a way into whichever
 * division may execute it: only the declared ones may exist.  Executable
 * memory is what the executable segments load, whatever the section
 * headers say of it (the linker puts read-only data there too).
 * Instructions are 2-byte aligned (C extension), so every even address is
 * looked at; the zeros past a segment's file bytes hold no pad.
 */
static int scan_pads(const struct reader *r, const struct compart_image *out)
{
	const struct elf64_phdr *ph = (const void *)(r->img + r->eh->phoff);
	for (unsigned i = 0; i < r->eh->phnum; i++) {
		if (ph[i].type != PT_LOAD || !(ph[i].flags & PF_X))
			continue;
		if (!segment_in_file(r, &ph[i]))
			return refuse("executable segment outside the file", ph[i].offset);
		const uint8_t *b = r->img + ph[i].offset, *end = b + ph[i].filesz, *p = b;
		/* memchr finds the pad's first byte quickly; most code has few. */
		while (end - p >= 4 && (p = memchr(p, COMPART_ENTRY_WORD & 0xff, (size_t)(end - p - 3)))) {
			uint64_t va = ph[i].vaddr + (uint64_t)(p - b);
			uint32_t word = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
					(uint32_t)p[3] << 24;
			if (va % 2 == 0 && word == COMPART_ENTRY_WORD &&
			    compart_image_pad_owner(out, va) < 0)
				return refuse("a landing pad that is no declared entry point", va);
			p++;
		}
	}
	return 0;
}

/* An empty result: the counts are what every reader of *OUT looks at first. */
static void clear_counts(struct compart_image *out)
{
	out->count = out->nentries = out->nsegments = 0;
	out->nshared_text = out->nshared_rodata = 0;
}

int compart_image_read(const void *image, size_t size, struct compart_image *out)
{
	/* Most programs have no table: the whole output is cleared only once one is found. */
	clear_counts(out);
	struct reader r = { .img = image, .size = size, .eh = image };
	if (size < sizeof(struct elf64_ehdr) || r.eh->phentsize != sizeof(struct elf64_phdr) ||
	    !in_file(&r, r.eh->phoff, (uint64_t)r.eh->phnum * sizeof(struct elf64_phdr)) ||
	    r.eh->phoff % 8)
		return refuse("no usable program headers", 0);
	if (r.eh->shnum == 0)
		return 0; /* stripped of sections: no compartments to find */
	int err = open_sections(&r);
	if (err)
		return err;
	const struct elf64_shdr *table = find_section(&r, "compart_table");
	if (!table)
		return find_section(&r, "compart_entries") ?
			       refuse("entry points without a compartment table", 0) : 0;
	if (r.eh->type != ET_EXEC)
		return refuse("compartments need a static executable linked at its address (no "
			      "-static-pie)",
			      r.eh->type);
	memset(out, 0, sizeof(*out));
	if ((err = read_segments(&r, out)) || (err = read_table(&r, table, out)) ||
	    (err = check_claims(out)) || (err = check_pages(&r, out)) ||
	    (err = read_entries(&r, out)) || (err = scan_pads(&r, out))) {
		memset(out, 0, sizeof(*out)); /* refused whole: nothing half read */
		return err;
	}
	return 0;
}

int compart_image_owner(const struct compart_image *img, uint64_t va)
{
	for (unsigned c = 0; c < img->count; c++) {
		const struct compart_decl *d = &img->c[c];
		if ((va >= d->text.start && va < d->text.end) || (va >= d->data.start && va < d->data.end))
			return (int)c;
	}
	return -1;
}
