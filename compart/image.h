/*
 * The compartments of a program, as its ELF image declares them
 * (libcompart/compart_abi.h): read and checked before anything is loaded,
 * so that a program with a malformed table is refused whole.
 */
#ifndef COMPART_IMAGE_H
#define COMPART_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "libcompart/compart_abi.h"

#define COMPART_NAME_MAX 32
#define COMPART_ENTRIES_MAX 64
#define COMPART_RANGES_MAX 32

struct compart_range {
	uint64_t start, end; /* page aligned */
};

struct compart_decl {
	char name[COMPART_NAME_MAX];
	unsigned flags;		   /* COMPART_SECRET */
	struct compart_range text; /* its code, whole pages */
	struct compart_range data; /* its data, whole pages */
	uint64_t state;		   /* its struct compart_state */
	uint64_t return_pad;
};

struct compart_image {
	unsigned count; /* 0: the program declares no compartments */
	struct compart_decl c[COMPART_MAX]; /* by id; 0 is main */
	unsigned nentries;
	struct compart_entry_record entries[COMPART_ENTRIES_MAX];
	/* The program's loadable segments, whole pages. */
	unsigned nsegments;
	struct {
		struct compart_range pages;
		int writable;
	} segments[COMPART_RANGES_MAX];
	/* The program's other allocated memory, by kind, whole pages (a page of both kinds is in both). */
	unsigned nshared_text, nshared_rodata;
	struct compart_range shared_text[COMPART_RANGES_MAX];
	struct compart_range shared_rodata[COMPART_RANGES_MAX];
};

/*
 * Read the compartment table of the ELF at IMAGE (SIZE bytes) into *OUT:
 * 0 (out->count 0 when there is none), or -ENOEXEC with the reason
 * printed: a table that is malformed, a compartment sharing a page with
 * anything else, an entry stub or return pad without the landing pad, a
 * landing-pad word anywhere in executable memory that is neither (a
 * second way in), or compartments in a static-PIE.
 */
int compart_image_read(const void *image, size_t size, struct compart_image *out);

/* The compartment whose code or data holds VA, or -1. */
int compart_image_owner(const struct compart_image *img, uint64_t va);
/* The compartment a declared entry stub at VA enters, or -1 (inline: every Sv48 switch asks). */
static inline int compart_image_entry_owner(const struct compart_image *img, uint64_t va)
{
	for (unsigned i = 0; i < img->nentries; i++)
		if (img->entries[i].stub == va)
			return (int)img->entries[i].id;
	return -1;
}

/* The compartment whose declared landing pad (an entry stub or its return pad) is at VA, or -1. */
static inline int compart_image_pad_owner(const struct compart_image *img, uint64_t va)
{
	int owner = compart_image_entry_owner(img, va);
	for (unsigned c = 0; c < img->count && owner < 0; c++)
		if (img->c[c].return_pad == va)
			owner = (int)c;
	return owner;
}

#endif
