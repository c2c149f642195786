/* The checks of vmm_fuzz_model.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernel/error.h"
#include "kernel/frame.h"
#include "tests/fuzz/vmm_fuzz_model.h"

struct model model;

void diverged(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "vmm_fuzz: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

#define AD (VMM_ACCESSED | VMM_DIRTY)

/* One window of pages as the model sees it: each page's expected translation or none. */
struct window {
	vaddr_t base;
	uint64_t pages;
	unsigned space;
	int (*want)(unsigned space, uint64_t page, paddr_t *pa, unsigned *rights, unsigned *adm);
};

static int want_raw(unsigned i, uint64_t p, paddr_t *pa, unsigned *rights, unsigned *adm)
{
	const struct raw_page *r = i == NSPACES ? &model.kernel[p] : &model.raw[i][p];
	*pa = r->pa;
	*rights = r->rights;
	*adm = 0; /* A/D of what the caller mapped are the hardware's business */
	return r->mapped;
}

static int want_reg(unsigned i, uint64_t p, paddr_t *pa, unsigned *rights, unsigned *adm)
{
	const struct reg_page *r = &model.reg[i][p];
	*pa = r->pa;
	*rights = r->rights | (r->ad_known ? r->ad : 0);
	*adm = r->ad_known ? AD : 0;
	return r->present;
}

/*
 * Reported rights GOT agree with the model's WANT, A/D compared where ADM
 * says the model knows them.  A dirty bit more than the fault decided is
 * allowed: a cell or large page shares one bit among its pages, and
 * reporting dirty is the safe side; one less would lose data.
 */
static int rights_agree(unsigned got, unsigned want, unsigned adm)
{
	unsigned mask = VMM_RIGHTS_MASK | (adm & VMM_ACCESSED);
	return (got & mask) == (want & mask) && (!(want & VMM_DIRTY) || (got & VMM_DIRTY));
}

static void check_pages(struct vmm_space *s, const struct window *w, uint64_t first, uint64_t n)
{
	for (uint64_t p = first; p < first + n; p++) {
		struct vmm_mapping m;
		paddr_t pa;
		unsigned rights, adm;
		uint64_t off = (p * 0x528) & (PAGE_SIZE - 1);
		int r = vmm_translate(s, w->base + p * PAGE_SIZE + off, &m);
		if (!w->want(w->space, p, &pa, &rights, &adm)) {
			if (r != -ENOENT)
				diverged("space %u: %#lx translates (%d), the model has nothing "
					 "there",
					 w->space, w->base + p * PAGE_SIZE, r);
			continue;
		}
		if (r != 0 || m.pa != pa + off || !rights_agree(m.rights, rights, adm) ||
		    m.len < PAGE_SIZE - off)
			diverged("space %u: %#lx: %d pa %#lx rights %#x len %#lx, model pa %#lx "
				 "rights %#x",
				 w->space, w->base + p * PAGE_SIZE, r, m.pa, m.rights, m.len,
				 pa + off, rights);
	}
}

struct walk {
	const struct window *w;
	uint64_t next; /* the first page not yet accounted for */
};

static int visit(const struct vmm_mapping *m, void *ctx)
{
	struct walk *k = ctx;
	const struct window *w = k->w;
	paddr_t pa;
	unsigned rights, adm;
	if (m->len == 0 || (m->va | m->len | m->pa) & (PAGE_SIZE - 1) ||
	    m->va < w->base + k->next * PAGE_SIZE ||
	    m->va + m->len > w->base + w->pages * PAGE_SIZE)
		diverged("space %u: traverse reported [%#lx, +%#lx) out of place", w->space, m->va,
			 m->len);
	uint64_t first = (m->va - w->base) / PAGE_SIZE;
	for (uint64_t p = k->next; p < first; p++)
		if (w->want(w->space, p, &pa, &rights, &adm))
			diverged("space %u: traverse skipped %#lx", w->space,
				 w->base + p * PAGE_SIZE);
	for (uint64_t i = 0; i < m->len / PAGE_SIZE; i++) {
		if (!w->want(w->space, first + i, &pa, &rights, &adm) ||
		    pa != m->pa + i * PAGE_SIZE || !rights_agree(m->rights, rights, adm))
			diverged("space %u: traverse reported %#lx as pa %#lx rights %#x", w->space,
				 m->va + i * PAGE_SIZE, m->pa + i * PAGE_SIZE, m->rights);
	}
	k->next = first + m->len / PAGE_SIZE;
	return 0;
}

static void check_window(struct vmm_space *s, const struct window *w)
{
	struct walk k = { w, 0 };
	paddr_t pa;
	unsigned rights, adm;
	check_pages(s, w, 0, w->pages);
	int r = vmm_traverse(s, w->base, w->pages * PAGE_SIZE, visit, &k);
	if (r != 0)
		diverged("space %u: traverse %d", w->space, r);
	for (uint64_t p = k.next; p < w->pages; p++)
		if (w->want(w->space, p, &pa, &rights, &adm))
			diverged("space %u: traverse missed %#lx", w->space,
				 w->base + p * PAGE_SIZE);
}

/* What the model writes into the first word of page P of space I's region window. */
static uint64_t tag_of(unsigned i, uint64_t p)
{
	return 0x7a9000000000000ul | (uint64_t)i << 32 | p;
}

int model_page_fresh(paddr_t pa)
{
	const uint64_t *w = phys_to_virt(pa);
	for (unsigned k = 0; k < PAGE_SIZE / 8; k++)
		if (w[k])
			return 0;
	return 1;
}

void model_tag(unsigned i, uint64_t p)
{
	*(uint64_t *)phys_to_virt(model.reg[i][p].pa) = tag_of(i, p);
}

/* The application's data survives protect, hold and release: every present page keeps its tag. */
static void check_tags(unsigned i)
{
	for (uint64_t p = 0; p < REG_PAGES; p++) {
		const struct reg_page *r = &model.reg[i][p];
		if (model_written(r) && *(uint64_t *)phys_to_virt(r->pa) != tag_of(i, p))
			diverged("space %u: the contents of %#lx were lost", i,
				 REG_BASE + p * PAGE_SIZE);
	}
}

void model_check_raw(struct vmm_space *s, unsigned i, uint64_t first, uint64_t n)
{
	struct window w = { i == NSPACES ? K_WIN : RAW_BASE, RAW_PAGES, i, want_raw };
	check_pages(s, &w, first, n);
}

int model_written(const struct reg_page *r)
{
	return r->present && r->ad_known && (r->ad & VMM_DIRTY);
}

/*
 * A demand-zero page never written (dirty clear) may be given back when
 * memory runs short (the Sv48 backend's reclaim, segment/reclaim.h): it
 * reads as zeros again on its next fault, so the application cannot tell.
 * Such pages found gone are forgotten; a written page never goes.
 */
void model_forget_reclaimed(struct vmm_space *s, unsigned i)
{
	for (uint64_t p = 0; p < REG_PAGES; p++) {
		struct reg_page *r = &model.reg[i][p];
		struct vmm_mapping m;
		if (r->present && !model_written(r) &&
		    vmm_translate(s, REG_BASE + p * PAGE_SIZE, &m) == -ENOENT) {
			r->present = 0;
			r->ad_known = 0;
		}
	}
}

void model_check_reg(struct vmm_space *s, unsigned i, uint64_t first, uint64_t n)
{
	model_forget_reclaimed(s, i);
	struct window w = { REG_BASE, REG_PAGES, i, want_reg };
	check_pages(s, &w, first, n);
}

void model_check_space(struct vmm_space *s, unsigned i)
{
	struct window raw = { RAW_BASE, RAW_PAGES, i, want_raw };
	struct window reg = { REG_BASE, REG_PAGES, i, want_reg };
	struct window kernel = { K_WIN, K_PAGES, NSPACES, want_raw };
	model_forget_reclaimed(s, i);
	check_window(s, &raw);
	check_window(s, &reg);
	check_window(s, &kernel); /* the kernel half, seen from this space */
	check_tags(i);
}

void model_adopt_filled(struct vmm_space *s, unsigned i)
{
	for (uint64_t p = 0; p < REG_PAGES; p++) {
		struct reg_page *r = &model.reg[i][p];
		struct vmm_mapping m;
		if (r->present || vmm_translate(s, REG_BASE + p * PAGE_SIZE, &m) != 0)
			continue;
		/* Filled ahead: only inside a region, with its rights, zeroed. */
		if (!r->in_region || (m.rights & VMM_RIGHTS_MASK) != r->region_rights ||
		    !model_page_fresh(m.pa))
			diverged(
				"space %u: %#lx appeared (pa %#lx rights %#x) outside what a fault "
				"may fill",
				i, REG_BASE + p * PAGE_SIZE, m.pa, m.rights);
		*r = (struct reg_page){ 1, r->region_rights, 1, r->region_rights, 0, 0, m.pa };
	}
}
