/*
 * What must hold of every struct compart_image that compart_image_read
 * accepted, whatever image it came from: checked by the host test on every
 * mutated image it feeds the reader and by the fuzzer on every input
 * (tests/host/test_compart_image.c, tests/fuzz/compart_fuzz.c).
 */
#ifndef TESTS_HOST_COMPART_IMAGE_INVARIANTS_H
#define TESTS_HOST_COMPART_IMAGE_INVARIANTS_H

#include <string.h>

#include "arch.h"
#include "compart/image.h"
#include "kernel/error.h"
#include "kernel/memory.h"

/* Whole pages, not empty, above the NULL page and inside the user half. */
static inline int invariant_pages(struct compart_range r)
{
	return IS_ALIGNED(r.start | r.end, PAGE_SIZE) && r.start < r.end && r.start >= PAGE_SIZE &&
	       r.end <= USER_TOP;
}

/* Whole pages, not empty (segments are the ELF loader's to place: kernel/elf.c). */
static inline int invariant_whole(struct compart_range r)
{
	return IS_ALIGNED(r.start | r.end, PAGE_SIZE) && r.start < r.end;
}

static inline int invariant_within(struct compart_range inner, struct compart_range outer)
{
	return inner.start >= outer.start && inner.end <= outer.end;
}

static inline int invariant_overlap(struct compart_range a, struct compart_range b)
{
	return a.start < b.end && b.start < a.end;
}

static inline int invariant_identifier(const char *name)
{
	size_t n = strnlen(name, COMPART_NAME_MAX);
	if (n == 0 || n == COMPART_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
			return 0;
	return 1;
}

/* Whether R lies inside one of the program's loadable segments. */
static inline int invariant_loaded(const struct compart_image *img, struct compart_range r)
{
	for (unsigned i = 0; i < img->nsegments; i++)
		if (invariant_within(r, img->segments[i].pages))
			return 1;
	return 0;
}

/* The first invariant IMG breaks, or NULL. */
static inline const char *compart_image_broken(const struct compart_image *img)
{
	if (img->count > COMPART_MAX)
		return "more compartments than COMPART_MAX";
	if (img->count == 0)
		return img->nentries || img->nsegments || img->nshared_text || img->nshared_rodata ?
			       "no compartments, yet entries, segments or shared ranges" :
			       NULL;
	if (strcmp(img->c[0].name, "main") != 0)
		return "compartment 0 is not main";
	if (img->nentries > COMPART_ENTRIES_MAX || img->nsegments > COMPART_RANGES_MAX ||
	    img->nshared_text > COMPART_RANGES_MAX || img->nshared_rodata > COMPART_RANGES_MAX)
		return "a list longer than its array";
	for (unsigned i = 0; i < img->nsegments; i++)
		if (!invariant_whole(img->segments[i].pages))
			return "a segment is not whole pages";
	for (unsigned c = 0; c < img->count; c++) {
		const struct compart_decl *d = &img->c[c];
		if (!invariant_identifier(d->name))
			return "a name is no identifier";
		if (d->flags & ~(unsigned)COMPART_SECRET)
			return "flags beyond COMPART_SECRET";
		if (!invariant_pages(d->text) || !invariant_pages(d->data))
			return "a compartment's code or data is not whole pages in the user half";
		if (!invariant_loaded(img, d->text) || !invariant_loaded(img, d->data))
			return "a compartment's code or data is outside the program's segments";
		if (d->return_pad % 4 || d->return_pad < d->text.start || d->return_pad >= d->text.end)
			return "a return pad outside its compartment's code";
		if (d->state % 8 || d->state < d->data.start ||
		    d->data.end - d->state < sizeof(struct compart_state))
			return "a state outside its compartment's data";
		for (unsigned o = 0; o < img->count; o++) {
			const struct compart_decl *e = &img->c[o];
			if (invariant_overlap(d->text, e->data) ||
			    (o != c && (invariant_overlap(d->text, e->text) ||
					invariant_overlap(d->data, e->data))))
				return "two compartments' ranges overlap (or one's code and data)";
		}
		for (unsigned i = 0; i < img->nshared_text; i++)
			if (invariant_overlap(img->shared_text[i], d->text) ||
			    invariant_overlap(img->shared_text[i], d->data))
				return "shared code on a compartment's page";
		for (unsigned i = 0; i < img->nshared_rodata; i++)
			if (invariant_overlap(img->shared_rodata[i], d->text) ||
			    invariant_overlap(img->shared_rodata[i], d->data))
				return "shared constants on a compartment's page";
	}
	for (unsigned i = 0; i < img->nshared_text; i++)
		if (!invariant_whole(img->shared_text[i]) || img->shared_text[i].end > USER_TOP)
			return "shared code is not whole pages in the user half";
	for (unsigned i = 0; i < img->nshared_rodata; i++)
		if (!invariant_whole(img->shared_rodata[i]) || img->shared_rodata[i].end > USER_TOP)
			return "shared constants are not whole pages in the user half";
	for (unsigned i = 0; i < img->nentries; i++) {
		const struct compart_entry_record *e = &img->entries[i];
		if (e->id >= img->count || e->stub % 4 || e->stub < img->c[e->id].text.start ||
		    e->stub >= img->c[e->id].text.end)
			return "an entry stub outside its compartment's code";
	}
	return NULL;
}

/*
 * The verdict on one read that returned ERR into OUT, having printed SAID:
 * NULL, or what is wrong.  A refusal is -ENOEXEC, whole (nothing half read
 * left in OUT) and gives its reason; an acceptance says nothing and keeps
 * every invariant above.
 */
static inline const char *compart_read_broken(int err, const struct compart_image *out,
					      const char *said)
{
	if (err == 0)
		return said[0] ? "accepted, yet it gave a reason" : compart_image_broken(out);
	if (err != -ENOEXEC)
		return "refused with an error other than -ENOEXEC";
	if (out->count || out->nentries || out->nsegments || out->nshared_text || out->nshared_rodata)
		return "refused, yet something half read was left";
	if (!strstr(said, "compart: not loadable: "))
		return "refused without a reason";
	return NULL;
}

#endif
