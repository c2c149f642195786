/*
 * Host tests of the compartment-table reader (compart/image.c) on fixture
 * ELFs built by the Linux cross compiler (tests/host/compart/NAME.c, see
 * tests/host/host.mk): the good program read field by field, programs each
 * wrong in one way refused with a reason, and the good image mutated in
 * memory (each descriptor field, the headers, truncations, random bytes):
 * refused with a reason, or accepted with every invariant of
 * tests/host/compart/image_invariants.h holding, and never a sanitizer
 * report.  Every image sits in a malloc'd buffer of exactly its size, so
 * AddressSanitizer reports any read past it.
 *
 * Usage: test_compart_image DIR, where DIR/compart/ holds the fixtures.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compart/image.h"
#include "kernel/elf_format.h"
#include "kernel/error.h"
#include "tests/host/check.h"
#include "tests/host/compart/elf_fixture.h"
#include "tests/host/compart/image_invariants.h"
#include "tests/host/compart/said.h"

static const char *fixture_dir;

/* ------------------------------------------------------------ fixtures --- */

/* How many more failed reads of this case print their details (the first few say enough). */
static unsigned details = 3;

static int detail(void)
{
	return details ? details-- : 0;
}

static struct image load(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/compart/%s.elf", fixture_dir, name);
	details = 3; /* every case begins with its fixture: the first few failures print afresh */
	struct image im = image_from_file(path);
	if (!im.size)
		printf("# cannot read %s\n", path);
	return im;
}

static struct compart_image out;


/* Read IM: the reader's result, with what it said in SAID. */
static int read_image(struct image im)
{
	said_clear();
	return compart_image_read(im.bytes, im.size, &out);
}

/* Read IM, which must be refused whole, with a reason containing WHY (or any reason: NULL). */
static int refused(struct image im, const char *why)
{
	int err = read_image(im);
	const char *broken = err ? compart_read_broken(err, &out, said) : "accepted";
	if (!broken && why && !strstr(said, why))
		broken = "refused for another reason";
	if (broken && detail())
		printf("#   %s; read gave %d, said: %s\n", broken, err, said);
	return !broken;
}

/* Read IM: refused whole with a reason, or accepted with every invariant holding. */
static int refused_or_sound(struct image im)
{
	int err = read_image(im);
	const char *broken = compart_read_broken(err, &out, said);
	if (broken && detail())
		printf("#   %s; read gave %d, said: %s\n", broken, err, said);
	return !broken;
}

static void drop(struct image im)
{
	free(im.bytes);
}

/* --------------------------------------------------------- programs --- */

static void good_program(void)
{
	struct image im = load("good");
	CHECK(im.size > 0);
	if (!im.size)
		return;
	CHECK_EQ(read_image(im), 0);
	CHECK(compart_image_broken(&out) == NULL);
	CHECK_EQ(out.count, 3u);
	static const char *const names[] = { "main", "alpha", "beta" };
	for (unsigned c = 0; c < 3 && out.count == 3; c++) {
		char sym[64];
		CHECK(strcmp(out.c[c].name, names[c]) == 0);
		CHECK_EQ(out.c[c].flags, c == 2 ? (unsigned)COMPART_SECRET : 0u);
		snprintf(sym, sizeof(sym), "compart_text_%s", names[c]);
		CHECK(same(out.c[c].text, section_pages(im, sym)));
		snprintf(sym, sizeof(sym), "compart_data_%s", names[c]);
		CHECK(same(out.c[c].data, section_pages(im, sym)));
		snprintf(sym, sizeof(sym), "__compart_state_%s", names[c]);
		CHECK_EQ(out.c[c].state, symbol(im, sym));
		snprintf(sym, sizeof(sym), "__compart_pad_%s", names[c]);
		CHECK_EQ(out.c[c].return_pad, symbol(im, sym));
	}
	CHECK_EQ(out.nentries, 3u);
	static const struct {
		const char *stub;
		uint64_t id;
	} entries[] = { { "__compart_entry_alpha_alpha_add", 1 },
			{ "__compart_entry_alpha_alpha_get", 1 },
			{ "__compart_entry_beta_beta_peek", 2 } };
	for (unsigned i = 0; i < 3 && out.nentries == 3; i++) {
		CHECK_EQ(out.entries[i].stub, symbol(im, entries[i].stub));
		CHECK_EQ(out.entries[i].id, entries[i].id);
	}
	/* Shared: the C code outside every compartment, and the constants and tables. */
	CHECK(covered(out.shared_text, out.nshared_text, section_pages(im, ".text")));
	CHECK(covered(out.shared_rodata, out.nshared_rodata, section_pages(im, ".rodata")));
	CHECK(covered(out.shared_rodata, out.nshared_rodata, section_pages(im, "compart_table")));
	CHECK(covered(out.shared_text, out.nshared_text, section_pages(im, "compart_text_zz_end")));
	CHECK(!covered(out.shared_text, out.nshared_text, out.c[1].text));
	/* Segments: code and constants, then data. */
	CHECK_EQ(out.nsegments, 2u);
	for (unsigned i = 0, seg = 0; i < ehdr(im)->phnum && out.nsegments == 2; i++) {
		const struct elf64_phdr *ph = phdr(im, i);
		if (ph->type != PT_LOAD)
			continue;
		CHECK(same(out.segments[seg].pages, pages(ph->vaddr, ph->vaddr + ph->memsz)));
		CHECK_EQ(out.segments[seg].writable, seg == 1);
		seg++;
	}
	CHECK_EQ(said_len, 0u);
	drop(im);
}

/* The isolation app (apps/isolation), built with the C library as apps are. */
static void isolation_app(void)
{
	struct image im = load("isolation");
	CHECK(im.size > 0);
	if (!im.size)
		return;
	CHECK_EQ(read_image(im), 0);
	CHECK(compart_image_broken(&out) == NULL);
	CHECK_EQ(out.count, 4u);
	CHECK(strcmp(out.c[3].name, "gamma") == 0);
	CHECK_EQ(out.nentries, (unsigned)(section(im, "compart_entries")->size /
					  sizeof(struct compart_entry_record)));
	drop(im);
}

static void no_compartments(void)
{
	struct image im = load("none");
	CHECK(im.size > 0);
	CHECK_EQ(read_image(im), 0);
	CHECK_EQ(out.count, 0u);
	CHECK_EQ(out.nentries, 0u);
	CHECK(compart_image_broken(&out) == NULL);
	/* Stripped of its section table, the same program still has none. */
	struct image stripped = image_copy(im, im.size);
	((struct elf64_ehdr *)stripped.bytes)->shnum = 0;
	CHECK_EQ(read_image(stripped), 0);
	CHECK_EQ(out.count, 0u);
	drop(stripped);
	drop(im);
}

/* One fixture, wrong in one way: refused, for the reason WHY. */
static void refuses(const char *name, const char *why)
{
	struct image im = load(name);
	CHECK(im.size > 0);
	if (im.size)
		CHECK(refused(im, why));
	drop(im);
}

static void stray_landing_pad(void)
{
	refuses("stray_pad", "a landing pad that is no declared entry point");
}

static void landing_pad_in_rodata(void)
{
	refuses("rodata_pad", "a landing pad that is no declared entry point");
}

static void entry_without_pad(void)
{
	refuses("no_pad_entry", "an entry point is not a landing pad");
}

static void repeated_id(void)
{
	refuses("repeated_id", "its id is repeated");
}

static void id_not_below_count(void)
{
	refuses("id_too_big", "not below the number of compartments");
}

static void first_not_main(void)
{
	refuses("not_main", "compartment 0 is not main");
}

static void shares_a_page(void)
{
	refuses("good_nolib", "a compartment shares a page");
}

static void static_pie(void)
{
	refuses("pie", "no -static-pie");
}

static void owner(void)
{
	struct image im = load("good");
	CHECK_EQ(read_image(im), 0);
	CHECK_EQ(out.count, 3u);
	if (out.count != 3)
		return;
	CHECK_EQ(compart_image_owner(&out, out.c[1].text.start), 1);
	CHECK_EQ(compart_image_owner(&out, out.c[1].text.end - 1), 1);
	CHECK_EQ(compart_image_owner(&out, out.c[2].data.start + 100), 2);
	CHECK_EQ(compart_image_owner(&out, out.c[0].text.start), 0);
	CHECK_EQ(compart_image_owner(&out, out.c[0].data.end - 8), 0);
	CHECK_EQ(compart_image_owner(&out, symbol(im, "fixture_shared")), -1);
	CHECK_EQ(compart_image_owner(&out, section(im, ".rodata")->addr), -1);
	CHECK_EQ(compart_image_owner(&out, 0), -1);
	CHECK_EQ(compart_image_owner(&out, USER_TOP - 1), -1);
	CHECK_EQ(compart_image_owner(&out, ~0ull), -1);
	drop(im);
}

/* ---------------------------------------------- the good image mutated --- */

/* Values a 64-bit field is set to: near its own, near the other descriptors', and extremes. */
static uint64_t nearby(uint64_t orig, unsigned k)
{
	static const uint64_t fixed[] = { 0, 1, ~0ull, USER_TOP, USER_TOP - PAGE_SIZE, 1ull << 63,
					  0x1000, 0x7fffffff };
	static const int64_t deltas[] = { 1, 2, 4, 8, -1, -2, -4, -8, PAGE_SIZE, -PAGE_SIZE };
	const unsigned nf = sizeof(fixed) / sizeof(fixed[0]), nd = sizeof(deltas) / sizeof(deltas[0]);
	if (k < nf)
		return fixed[k];
	if (k < nf + nd)
		return orig + (uint64_t)deltas[k - nf];
	return orig ^ (1ull << (k - nf - nd)); /* then each bit flipped */
}
#define NEARBY (8 + 10 + 64)

/* Every field of every descriptor and entry record set to every NEARBY value. */
static void descriptor_fields(void)
{
	struct image good = load("good");
	unsigned fields = sizeof(struct compart_descriptor) / 8, accepted = 0, tried = 0, bad = 0;
	for (unsigned id = 0; id < 3; id++)
		for (unsigned f = 0; f < fields; f++)
			for (unsigned k = 0; k < NEARBY; k++) {
				struct image im = image_copy(good, good.size);
				uint64_t *field = (uint64_t *)descriptor(im, id) + f;
				*field = nearby(*field, k);
				bad += !refused_or_sound(im);
				accepted += out.count != 0;
				tried++;
				drop(im);
			}
	for (unsigned i = 0; i < 3; i++)
		for (unsigned f = 0; f < 2; f++)
			for (unsigned k = 0; k < NEARBY; k++) {
				struct image im = image_copy(good, good.size);
				uint64_t *field = (uint64_t *)entry(im, i) + f;
				*field = nearby(*field, k);
				bad += !refused_or_sound(im);
				accepted += out.count != 0;
				tried++;
				drop(im);
			}
	CHECK_EQ(bad, 0u);
	printf("# descriptor_fields: %u of %u mutations accepted (sound)\n", accepted, tried);
	drop(good);
}

/* Change one thing in a copy of the good image with EDIT, then expect it refused for WHY. */
#define REFUSED_AFTER(why, edit)                              \
	do {                                                  \
		struct image im = image_copy(good, good.size);      \
		edit;                                         \
		CHECK(refused(im, why));                      \
		drop(im);                                     \
	} while (0)

/* Descriptors that claim what is not theirs, or are wrong in one precise way. */
static void descriptor_ranges(void)
{
	struct image good = load("good");
	struct compart_descriptor *d = NULL;
	REFUSED_AFTER("corrupt", descriptor(im, 1)->magic ^= 1);
	REFUSED_AFTER("not below the number", descriptor(im, 2)->id = 7);
	REFUSED_AFTER("repeated", descriptor(im, 2)->id = 1);
	REFUSED_AFTER("name is outside the image", descriptor(im, 1)->name = 0);
	REFUSED_AFTER("not an identifier", descriptor(im, 1)->name = symbol(im, "fixture_greeting"));
	REFUSED_AFTER("shares a page", descriptor(im, 2)->name = descriptor(im, 1)->name);
	REFUSED_AFTER("not page aligned", descriptor(im, 1)->text_start += 2);
	REFUSED_AFTER("not page aligned", d = descriptor(im, 1); d->text_end = d->text_start);
	REFUSED_AFTER("not page aligned", descriptor(im, 1)->data_end = USER_TOP + PAGE_SIZE);
	REFUSED_AFTER("state is outside", descriptor(im, 1)->state += 4);
	REFUSED_AFTER("state is outside", d = descriptor(im, 1); d->state = d->data_start - 16);
	REFUSED_AFTER("return pad", descriptor(im, 1)->return_pad += 4);
	REFUSED_AFTER("return pad", descriptor(im, 1)->return_pad = descriptor(im, 2)->return_pad);
	REFUSED_AFTER("entry point", entry(im, 0)->id = 2);
	REFUSED_AFTER("entry point", entry(im, 0)->stub += 4);
	REFUSED_AFTER("entry point", entry(im, 0)->id = 3);
	/* alpha's data grown over beta's. */
	REFUSED_AFTER("claims overlap", d = descriptor(im, 1); d->data_end = descriptor(im, 2)->data_end);
	/* alpha's data moved to memory the program does not have (where the stack or heap will be). */
	REFUSED_AFTER("outside the program's segments", d = descriptor(im, 1); d->data_start = 0x40000000; d->data_end = 0x40002000;
		      d->state = 0x40001000);
	/* alpha's code declared on its data pages, with a landing pad there and none in its code. */
	REFUSED_AFTER("claims overlap", d = descriptor(im, 1); uint64_t pad = d->state + sizeof(struct compart_state);
		      *(uint32_t *)at_va(im, d->return_pad) = 0x00000013; /* nop */
		      *(uint32_t *)at_va(im, pad) = COMPART_ENTRY_WORD; d->return_pad = pad;
		      d->text_start = d->data_start; d->text_end = d->data_end);
	/* Harmless: flags beyond COMPART_SECRET are dropped; a shorter end on the same page. */
	struct image im = image_copy(good, good.size);
	descriptor(im, 1)->flags = ~0ull;
	descriptor(im, 2)->text_end -= 2;
	CHECK_EQ(read_image(im), 0);
	CHECK_EQ(out.c[1].flags, (unsigned)COMPART_SECRET);
	CHECK(same(out.c[2].text, section_pages(im, "compart_text_beta")));
	drop(im);
	drop(good);
}

/* The ELF header and every program header, each field set to every NEARBY value. */
static void header_fields(void)
{
	struct image good = load("good");
	static const struct {
		unsigned off, width;
	} eh[] = { { 16, 2 }, { 32, 8 }, { 40, 8 }, { 54, 2 }, { 56, 2 }, { 58, 2 }, { 60, 2 }, { 62, 2 } };
	unsigned bad = 0;
	for (unsigned i = 0; i < sizeof(eh) / sizeof(eh[0]); i++)
		for (unsigned k = 0; k < NEARBY; k++) {
			struct image im = image_copy(good, good.size);
			uint64_t v = 0;
			memcpy(&v, im.bytes + eh[i].off, eh[i].width);
			v = nearby(v, k);
			memcpy(im.bytes + eh[i].off, &v, eh[i].width);
			bad += !refused_or_sound(im);
			drop(im);
		}
	for (unsigned p = 0; p < ehdr(good)->phnum; p++)
		for (unsigned f = 0; f < sizeof(struct elf64_phdr) / 8; f++)
			for (unsigned k = 0; k < NEARBY; k++) {
				struct image im = image_copy(good, good.size);
				uint64_t *field = (uint64_t *)phdr(im, p) + f;
				*field = nearby(*field, k);
				bad += !refused_or_sound(im);
				drop(im);
			}
	CHECK_EQ(bad, 0u);
	struct elf64_ehdr *e;
	REFUSED_AFTER("no usable program headers", ((struct elf64_ehdr *)im.bytes)->phoff = good.size);
	REFUSED_AFTER("no usable program headers", ((struct elf64_ehdr *)im.bytes)->phentsize = 57);
	REFUSED_AFTER("no usable program headers", ((struct elf64_ehdr *)im.bytes)->phnum = 0xffff);
	REFUSED_AFTER("no usable section table", ((struct elf64_ehdr *)im.bytes)->shoff = good.size);
	REFUSED_AFTER("no usable section table", ((struct elf64_ehdr *)im.bytes)->shoff += 4);
	REFUSED_AFTER("no usable section table", ((struct elf64_ehdr *)im.bytes)->shentsize = 65);
	REFUSED_AFTER("no usable section table", ((struct elf64_ehdr *)im.bytes)->shnum = 0xffff);
	REFUSED_AFTER("no usable section table", e = (void *)im.bytes; e->shstrndx = e->shnum);
	drop(good);
}

/* Every section header, each field set to every NEARBY value. */
static void section_fields(void)
{
	struct image good = load("good");
	unsigned bad = 0;
	for (unsigned i = 0; i < ehdr(good)->shnum; i++)
		for (unsigned f = 0; f < 6; f++)
			for (unsigned k = 0; k < NEARBY; k++) {
				static const unsigned off[] = { 0, 4, 8, 16, 24, 32 };
				struct image im = image_copy(good, good.size);
				uint8_t *field = (uint8_t *)shdr(im, i) + off[f];
				uint64_t v = 0;
				unsigned width = f < 2 ? 4 : 8;
				memcpy(&v, field, width);
				v = nearby(v, k);
				memcpy(field, &v, width);
				bad += !refused_or_sound(im);
				drop(im);
			}
	CHECK_EQ(bad, 0u);
	REFUSED_AFTER("compartment table malformed", section(im, "compart_table")->size += 8);
	REFUSED_AFTER("compartment table malformed", section(im, "compart_table")->size = 0);
	REFUSED_AFTER("compartment table malformed", section(im, "compart_table")->offset = good.size);
	REFUSED_AFTER("compartment table malformed", section(im, "compart_table")->type = SHT_NOBITS);
	REFUSED_AFTER("entry table malformed", section(im, "compart_entries")->size += 4);
	REFUSED_AFTER("entry table malformed", section(im, "compart_entries")->offset = ~0ull - 8);
	REFUSED_AFTER("section names outside", shdr(im, ehdr(im)->shstrndx)->offset = good.size);
	REFUSED_AFTER("outside the user half", section(im, ".rodata")->addr = USER_TOP);
	REFUSED_AFTER("entry points without a compartment table", section(im, "compart_table")->name = 0);
	drop(good);
}

/* The good image cut short at every length up to 512 bytes, then every 61 bytes. */
static void truncated(void)
{
	struct image good = load("good");
	unsigned accepted = 0, bad = 0;
	for (size_t n = 0; n < good.size; n += n < 512 ? 1 : 61) {
		struct image im = image_copy(good, n);
		bad += !refused_or_sound(im);
		accepted += out.count != 0;
		drop(im);
	}
	CHECK_EQ(bad, 0u);
	printf("# truncated: %u cuts accepted\n", accepted);
	drop(good);
}

/* A deterministic stream of random byte writes, mostly where the reader looks. */
static void random_bytes(void)
{
	struct image good = load("good");
	uint64_t x = 0x9e3779b97f4a7c15ull;
	const struct elf64_shdr *table = section(good, "compart_table");
	const struct elf64_shdr *entries = section(good, "compart_entries");
	const uint64_t where[][2] = {
		{ 0, sizeof(struct elf64_ehdr) },
		{ ehdr(good)->phoff, ehdr(good)->phnum * sizeof(struct elf64_phdr) },
		{ ehdr(good)->shoff, ehdr(good)->shnum * sizeof(struct elf64_shdr) },
		{ table->offset, table->size },
		{ entries->offset, entries->size },
		{ 0, good.size },
	};
	unsigned accepted = 0, rounds = 20000, bad = 0;
	for (unsigned r = 0; r < rounds; r++) {
		struct image im = image_copy(good, good.size);
		for (unsigned w = 0; w < 1 + r % 4; w++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			const uint64_t *span = where[(x >> 8) % 6];
			im.bytes[span[0] + (x >> 16) % span[1]] = (uint8_t)x;
		}
		bad += !refused_or_sound(im);
		accepted += out.count != 0;
		drop(im);
	}
	CHECK_EQ(bad, 0u);
	printf("# random_bytes: %u of %u accepted (sound)\n", accepted, rounds);
	drop(good);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR (DIR/compart/ holds the fixture ELFs)\n", argv[0]);
		return 2;
	}
	fixture_dir = argv[1];
	RUN(good_program);
	RUN(isolation_app);
	RUN(no_compartments);
	RUN(stray_landing_pad);
	RUN(landing_pad_in_rodata);
	RUN(entry_without_pad);
	RUN(repeated_id);
	RUN(id_not_below_count);
	RUN(first_not_main);
	RUN(shares_a_page);
	RUN(static_pie);
	RUN(owner);
	RUN(descriptor_fields);
	RUN(descriptor_ranges);
	RUN(header_fields);
	RUN(section_fields);
	RUN(truncated);
	RUN(random_bytes);
	CHECK_EXIT();
}
