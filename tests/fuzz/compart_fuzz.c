/*
 * libFuzzer: the compartment-table reader (compart/image.c) on hostile ELF
 * images.  An input is one of two things:
 *
 *   - an ELF image (it starts with 0x7f, as every ELF does): read as it is.
 *     The corpus is seeded with the fixtures of tests/host/compart/ and the
 *     isolation app (tests/fuzz/run.sh passes build/host/compart/);
 *   - otherwise, edits of the good fixture (build/host/compart/good.elf): a
 *     byte of no meaning, then 12-byte records, each choosing a place (the
 *     ELF header, a program header, a section header, the compartment
 *     table, the entry table, anywhere), an offset in it, a width (1, 2, 4
 *     or 8 bytes) and an operation (set, add, xor a value, or cut the image
 *     there).  Raw bytes rarely get past the first checks; edits of a good
 *     image reach every check the reader makes.
 *
 * The property, for every input:
 *
 *   compart_image_read returns 0 or -ENOEXEC; a refusal prints its reason
 *   and leaves nothing half read (no compartment, entry or segment); an
 *   acceptance says nothing and its result keeps every invariant of
 *   tests/host/compart/image_invariants.h (at most COMPART_MAX
 *   compartments, whole pages in the user half inside the program's
 *   segments, each entry stub and return pad inside its compartment's code,
 *   compartments pairwise disjoint, ...); and no sanitizer report.
 *
 * A violation aborts, which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compart/image.h"
#include "kernel/error.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/host/compart/elf_fixture.h"
#include "tests/host/compart/image_invariants.h"
#include "tests/host/compart/said.h"

static void violated(const char *what)
{
	fprintf(stderr, "compart_fuzz: %s\n  the reader said: %s\n", what, said);
	abort();
}

/* The good image, and the places edits aim at: offset and length in it. */
static struct image good;
enum { PLACE_EHDR, PLACE_PHDRS, PLACE_SHDRS, PLACE_TABLE, PLACE_ENTRIES, PLACE_ANY, PLACES };
static uint64_t place[PLACES][2];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *path = "build/host/compart/good.elf";
	good = image_from_file(path);
	if (!good.size) {
		fprintf(stderr, "compart_fuzz: cannot read %s (run from the repository)\n", path);
		exit(1);
	}
	const struct elf64_shdr *table = section(good, "compart_table");
	const struct elf64_shdr *entries = section(good, "compart_entries");
	uint64_t at[PLACES][2] = {
		[PLACE_EHDR] = { 0, sizeof(struct elf64_ehdr) },
		[PLACE_PHDRS] = { ehdr(good)->phoff, ehdr(good)->phnum * sizeof(struct elf64_phdr) },
		[PLACE_SHDRS] = { ehdr(good)->shoff, ehdr(good)->shnum * sizeof(struct elf64_shdr) },
		[PLACE_TABLE] = { table->offset, table->size },
		[PLACE_ENTRIES] = { entries->offset, entries->size },
		[PLACE_ANY] = { 0, good.size },
	};
	memcpy(place, at, sizeof(place));
	return 0;
}

/* Apply the edits IN describes to IM (a copy of the good image); the image may be cut shorter. */
static void edit(struct image *im, struct input *in)
{
	while (in->n) {
		uint8_t where = next8(in) % PLACES, op = next8(in);
		uint16_t sel = (uint16_t)(next8(in) | next8(in) << 8);
		uint64_t value = next64(in);
		unsigned width = 1u << (op & 3);
		uint64_t off = place[where][0] + (where == PLACE_ANY ? (uint64_t)sel * 7 + (op >> 4) * 65536 :
								      sel) % place[where][1];
		if (off >= im->size)
			continue;
		if (((op >> 2) & 3) == 3) { /* cut the image here */
			im->size = off;
			continue;
		}
		if (off + width > im->size)
			width = (unsigned)(im->size - off);
		uint64_t v = 0;
		memcpy(&v, im->bytes + off, width);
		switch ((op >> 2) & 3) {
		case 0:
			v = value;
			break;
		case 1:
			v += value;
			break;
		default:
			v ^= value;
			break;
		}
		memcpy(im->bytes + off, &v, width);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image im;
	if (size && data[0] == 0x7f) {
		im = image_copy((struct image){ (uint8_t *)data, size }, size);
	} else {
		struct input in = { data, size };
		next8(&in); /* the byte that said "edits" */
		im = image_copy(good, good.size);
		edit(&im, &in);
		/* A cut image sits in a buffer of its own length, so a read past it is reported. */
		im.bytes = realloc(im.bytes, im.size ? im.size : 1);
	}
	static struct compart_image out;
	said_clear();
	const char *broken = compart_read_broken(compart_image_read(im.bytes, im.size, &out), &out, said);
	if (broken)
		violated(broken);
	free(im.bytes);
	return 0;
}
