/*
 * The fixture ELFs of tests/host/test_compart_image.c, read by the test
 * itself (never by compart/image.c): sections and symbols by name, the
 * descriptors and entry records in place, so that the test knows what the
 * reader must find and where to mutate.  Fixtures are trusted: a missing
 * section or symbol ends the test.
 */
#ifndef TESTS_HOST_COMPART_ELF_FIXTURE_H
#define TESTS_HOST_COMPART_ELF_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compart/image.h"
#include "kernel/elf_format.h"
#include "kernel/memory.h"
#include "tests/host/compart/image_invariants.h"

/* An image in a malloc'd buffer of exactly SIZE bytes. */
struct image {
	uint8_t *bytes;
	size_t size;
};

/* The file at PATH, or an image of size 0 when it cannot be read. */
static inline struct image image_from_file(const char *path)
{
	struct image im = { 0 };
	FILE *f = fopen(path, "rb");
	if (!f)
		return im;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	im.bytes = malloc(n > 0 ? (size_t)n : 1);
	if (n > 0 && fread(im.bytes, 1, (size_t)n, f) == (size_t)n)
		im.size = (size_t)n;
	fclose(f);
	return im;
}

/* A copy of the first SIZE bytes of IM, in a buffer of exactly SIZE bytes. */
static inline struct image image_copy(struct image im, size_t size)
{
	struct image c = { malloc(size ? size : 1), size };
	memcpy(c.bytes, im.bytes, size);
	return c;
}

static inline const struct elf64_ehdr *ehdr(struct image im)
{
	return (const void *)im.bytes;
}

static inline struct elf64_shdr *shdr(struct image im, unsigned i)
{
	return (void *)(im.bytes + ehdr(im)->shoff + (uint64_t)i * sizeof(struct elf64_shdr));
}

static inline struct elf64_phdr *phdr(struct image im, unsigned i)
{
	return (void *)(im.bytes + ehdr(im)->phoff + (uint64_t)i * sizeof(struct elf64_phdr));
}

static inline struct elf64_shdr *section(struct image im, const char *name)
{
	const char *names = (const char *)im.bytes + shdr(im, ehdr(im)->shstrndx)->offset;
	for (unsigned i = 0; i < ehdr(im)->shnum; i++)
		if (strcmp(names + shdr(im, i)->name, name) == 0)
			return shdr(im, i);
	printf("# no section %s\n", name);
	abort();
}

static inline uint64_t symbol(struct image im, const char *name)
{
	const struct elf64_shdr *symtab = section(im, ".symtab");
	const char *strings = (const char *)im.bytes + section(im, ".strtab")->offset;
	struct sym {
		uint32_t name;
		uint8_t info, other;
		uint16_t shndx;
		uint64_t value, size;
	} const *s = (const void *)(im.bytes + symtab->offset);
	for (size_t i = 0; i < symtab->size / sizeof(*s); i++)
		if (strcmp(strings + s[i].name, name) == 0)
			return s[i].value;
	printf("# no symbol %s\n", name);
	abort();
}

static inline struct compart_range pages(uint64_t start, uint64_t end)
{
	return (struct compart_range){ ALIGN_DOWN(start, PAGE_SIZE), ALIGN_UP(end, PAGE_SIZE) };
}

static inline int same(struct compart_range a, struct compart_range b)
{
	return a.start == b.start && a.end == b.end;
}

static inline struct compart_range section_pages(struct image im, const char *name)
{
	const struct elf64_shdr *s = section(im, name);
	return pages(s->addr, s->addr + s->size);
}

/* Whether LIST (N ranges) covers R. */
static inline int covered(const struct compart_range *list, unsigned n, struct compart_range r)
{
	for (unsigned i = 0; i < n; i++)
		if (invariant_within(r, list[i]))
			return 1;
	return 0;
}

/* Descriptor ID of IM (as linked: the fixtures' table is in id order). */
static inline struct compart_descriptor *descriptor(struct image im, unsigned id)
{
	return (void *)(im.bytes + section(im, "compart_table")->offset +
			id * sizeof(struct compart_descriptor));
}

static inline struct compart_entry_record *entry(struct image im, unsigned i)
{
	return (void *)(im.bytes + section(im, "compart_entries")->offset +
			i * sizeof(struct compart_entry_record));
}

/* The bytes at VA in IM's loadable segments (the fixture's own, trusted). */
static inline void *at_va(struct image im, uint64_t va)
{
	for (unsigned i = 0; i < ehdr(im)->phnum; i++) {
		const struct elf64_phdr *ph = phdr(im, i);
		if (ph->type == PT_LOAD && va >= ph->vaddr && va < ph->vaddr + ph->filesz)
			return im.bytes + ph->offset + (va - ph->vaddr);
	}
	printf("# no bytes at %#lx\n", (unsigned long)va);
	abort();
}

#endif
