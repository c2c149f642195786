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
	/* LOOSE: rights of RIGHTS the backend may report or not (the space's rights, below). */
	int (*want)(unsigned space, uint64_t page, paddr_t *pa, unsigned *rights, unsigned *adm,
		    unsigned *loose);
};

static int want_raw(unsigned i, uint64_t p, paddr_t *pa, unsigned *rights, unsigned *adm,
		    unsigned *loose)
{
	*loose = 0;
	const struct raw_page *r = i == NSPACES ? &model.kernel[p] : &model.raw[i][p];
	*pa = r->pa;
	*rights = r->rights;
	*adm = 0; /* A/D of what the caller mapped are the hardware's business */
	return r->mapped;
}

/*
 * The rights the space reports for page P of its region window, at most
 * (the return value) and at least (*LEAST): in a space of one view, what
 * that view may (held when nothing), for its translation is the view's;
 * with more, the page's (Sv48's space root) or the union of what the views
 * may (cells keeps no row for the page: docs/cells.md), so at least that.
 */
static unsigned space_rights(unsigned i, uint64_t p, unsigned *least)
{
	const struct reg_page *r = &model.reg[i][p];
	unsigned any = 0;
	for (unsigned v = 0; v < model.nviews[i]; v++)
		any |= model_view_rights(i, p, v);
	*least = any & MASK_RWX;
	if (model.nviews[i] > 1 || !(r->region_rights & MASK_RWX))
		return r->region_rights;
	return any ? any : VMM_USER;
}

static int want_reg(unsigned i, uint64_t p, paddr_t *pa, unsigned *rights, unsigned *adm,
		    unsigned *loose)
{
	const struct reg_page *r = &model.reg[i][p];
	unsigned least, most = space_rights(i, p, &least);
	*loose = most & MASK_RWX & ~least;
	*pa = r->pa;
	*rights = most | (r->ad_known ? r->ad : 0);
	*adm = r->ad_known ? AD : 0;
	return r->present;
}

/*
 * Reported rights GOT agree with the model's WANT, A/D compared where ADM
 * says the model knows them.  A dirty bit more than the fault decided is
 * allowed: a cell or large page shares one bit among its pages, and
 * reporting dirty is the safe side; one less would lose data.
 */
static int rights_agree(unsigned got, unsigned want, unsigned adm, unsigned loose)
{
	unsigned mask = (VMM_RIGHTS_MASK & ~loose) | (adm & VMM_ACCESSED);
	return (got & mask) == (want & mask) && (!(want & VMM_DIRTY) || (got & VMM_DIRTY));
}

static void check_pages(struct vmm_space *s, const struct window *w, uint64_t first, uint64_t n)
{
	for (uint64_t p = first; p < first + n; p++) {
		struct vmm_mapping m;
		paddr_t pa;
		unsigned rights, adm, loose;
		uint64_t off = (p * 0x528) & (PAGE_SIZE - 1);
		int r = vmm_translate(s, w->base + p * PAGE_SIZE + off, &m);
		if (!w->want(w->space, p, &pa, &rights, &adm, &loose)) {
			if (r != -ENOENT)
				diverged("space %u: %#lx translates (%d), the model has nothing "
					 "there",
					 w->space, w->base + p * PAGE_SIZE, r);
			continue;
		}
		if (r != 0 || m.pa != pa + off || !rights_agree(m.rights, rights, adm, loose) ||
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
	unsigned rights, adm, loose;
	if (m->len == 0 || (m->va | m->len | m->pa) & (PAGE_SIZE - 1) ||
	    m->va < w->base + k->next * PAGE_SIZE ||
	    m->va + m->len > w->base + w->pages * PAGE_SIZE)
		diverged("space %u: traverse reported [%#lx, +%#lx) out of place", w->space, m->va,
			 m->len);
	uint64_t first = (m->va - w->base) / PAGE_SIZE;
	for (uint64_t p = k->next; p < first; p++)
		if (w->want(w->space, p, &pa, &rights, &adm, &loose))
			diverged("space %u: traverse skipped %#lx", w->space,
				 w->base + p * PAGE_SIZE);
	for (uint64_t i = 0; i < m->len / PAGE_SIZE; i++) {
		if (!w->want(w->space, first + i, &pa, &rights, &adm, &loose) ||
		    pa != m->pa + i * PAGE_SIZE || !rights_agree(m->rights, rights, adm, loose))
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
	unsigned rights, adm, loose;
	check_pages(s, w, 0, w->pages);
	int r = vmm_traverse(s, w->base, w->pages * PAGE_SIZE, visit, &k);
	if (r != 0)
		diverged("space %u: traverse %d", w->space, r);
	for (uint64_t p = k.next; p < w->pages; p++)
		if (w->want(w->space, p, &pa, &rights, &adm, &loose))
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
	if (i < NSPACES)
		model_check_views(s, i, 0, first, n);
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
	model_check_views(s, i, 1, first, n);
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
	model_check_views(s, i, 0, 0, RAW_PAGES);
	model_check_views(s, i, 1, 0, REG_PAGES);
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
		unsigned least, most = space_rights(i, p, &least);
		if (!r->in_region || (m.rights & MASK_RWX & ~most) || (least & ~m.rights) ||
		    (m.rights & VMM_RIGHTS_MASK & ~MASK_RWX) != (most & ~MASK_RWX) ||
		    !model_page_fresh(m.pa))
			diverged(
				"space %u: %#lx appeared (pa %#lx rights %#x) outside what a fault "
				"may fill",
				i, REG_BASE + p * PAGE_SIZE, m.pa, m.rights);
		r->present = 1;
		r->rights = r->region_rights;
		r->ad = r->ad_known = 0;
		r->pa = m.pa;
	}
}

/* ------------------------------------------------------------ views --- */

unsigned model_view_rights(unsigned i, uint64_t p, unsigned v)
{
	const struct reg_page *r = &model.reg[i][p];
	if (!r->in_region || v >= model.nviews[i])
		return 0;
	unsigned left = r->region_rights & r->mask[v] & MASK_RWX;
	if (!(left & VMM_READ))
		left &= ~VMM_WRITE;
	return left ? left | VMM_USER : 0;
}

/*
 * Page P of a window of space I as the model has it: whether there is a
 * translation, its frame, and what view V may do with it at most.
 */
static int model_view_page(unsigned i, int reg, uint64_t p, unsigned v, paddr_t *pa,
			   unsigned *allowed)
{
	if (reg) {
		*pa = model.reg[i][p].pa;
		*allowed = model_view_rights(i, p, v);
		return model.reg[i][p].present;
	}
	/* The caller's own mappings are in every view with their rights (backend.h). */
	*pa = model.raw[i][p].pa;
	*allowed = model.raw[i][p].rights;
	return model.raw[i][p].mapped;
}

void model_check_views(struct vmm_space *s, unsigned i, int reg, uint64_t first, uint64_t n)
{
	vaddr_t base = reg ? REG_BASE : RAW_BASE;
	unsigned nviews = model.nviews[i];
	struct vmm_mapping m;
	if (vmm_views(s) != nviews)
		diverged("space %u: %u views, the model has %u", i, vmm_views(s), nviews);
	if (vmm_translate_view(s, nviews, base, &m) != -EINVAL ||
	    vmm_view_rights(s, nviews, base) != 0)
		diverged("space %u: view %u (past the last) answers", i, nviews);
	for (unsigned v = 0; v < nviews; v++)
		for (uint64_t p = first; p < first + n; p++) {
			vaddr_t va = base + p * PAGE_SIZE + ((p * 0x318) & (PAGE_SIZE - 1));
			paddr_t pa;
			unsigned allowed, got = vmm_view_rights(s, v, va);
			int present = model_view_page(i, reg, p, v, &pa, &allowed);
			if (got != (reg ? allowed : 0))
				diverged("space %u view %u: %#lx: view rights %#x, the model's %#x",
					 i, v, va, got, reg ? allowed : 0);
			int r = vmm_translate_view(s, v, va, &m);
			if (r == -ENOENT)
				continue;
			unsigned extra = m.rights & MASK_RWX & ~allowed;
			if (r != 0 || !present || extra || m.pa != pa + (va & (PAGE_SIZE - 1)))
				diverged("space %u view %u: %#lx translates (%d) to pa %#lx rights "
					 "%#x; the model has %s pa %#lx, the view may %#x",
					 i, v, va, r, m.pa, m.rights,
					 present ? "a page at" : "no page", pa, allowed);
		}
}

/* A view's translation of a page, as recorded before an operation set to fail. */
struct view_seen {
	int err;
	paddr_t pa;
	unsigned rights;
};

static struct {
	unsigned space, nviews;
	int reg;
	uint64_t first, n;
	struct view_seen seen[FUZZ_VIEWS][RAW_PAGES];
} taken;

static struct view_seen view_now(struct vmm_space *s, unsigned v, vaddr_t va)
{
	struct vmm_mapping m = { 0 };
	int err = vmm_translate_view(s, v, va, &m);
	return (struct view_seen){ err, err ? 0 : m.pa, err ? 0 : m.rights & VMM_RIGHTS_MASK };
}

void model_views_take(struct vmm_space *s, unsigned i, int reg, uint64_t first, uint64_t n)
{
	vaddr_t base = reg ? REG_BASE : RAW_BASE;
	taken.space = i;
	taken.nviews = model.nviews[i];
	taken.reg = reg;
	taken.first = first;
	taken.n = n;
	for (unsigned v = 0; v < taken.nviews; v++)
		for (uint64_t p = first; p < first + n; p++)
			taken.seen[v][p] = view_now(s, v, base + p * PAGE_SIZE);
}

void model_views_unchanged(struct vmm_space *s, const char *what)
{
	vaddr_t base = taken.reg ? REG_BASE : RAW_BASE;
	for (unsigned v = 0; v < taken.nviews; v++)
		for (uint64_t p = taken.first; p < taken.first + taken.n; p++) {
			struct view_seen was = taken.seen[v][p], now = view_now(s, v, base + p * PAGE_SIZE);
			struct vmm_mapping m;
			/* Reclaim (model_forget_reclaimed) may take a clean page from the space. */
			if (taken.reg && now.err == -ENOENT && !model_written(&model.reg[taken.space][p]) &&
			    vmm_translate(s, base + p * PAGE_SIZE, &m) == -ENOENT)
				continue;
			if (was.err != now.err || was.pa != now.pa || was.rights != now.rights)
				diverged("%s refused, but space %u view %u: %#lx translates (%d) pa "
					 "%#lx rights %#x, was (%d) pa %#lx rights %#x",
					 what, taken.space, v, base + p * PAGE_SIZE, now.err, now.pa,
					 now.rights, was.err, was.pa, was.rights);
		}
}
