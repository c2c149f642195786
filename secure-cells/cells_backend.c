/*
 * The permission-table backend of vmm.h (SATP mode 15, SecureCells).
 *
 * Each space has its own table (secure-cells/table.h): a SecureCells table
 * is one address space, and two spaces may map the same user address to
 * different memory.  Kernel-half mappings go into every table, so they are
 * the same in all spaces, as kernel segments are on Sv48.
 *
 * Within a table, division 0 is the kernel and division 1 the application.
 * A kernel mapping gives rights to division 0 only.  A user mapping gives
 * division 1 its rights and division 0 the same read/write rights without
 * execute: S-mode translates with division 0's row (there is no U bit and
 * SUM is ignored), so that is how the kernel reaches application memory,
 * and a kernel write to read-only application memory still faults.
 *
 * A mapping is one cell; neighbours contiguous in both address spaces with
 * equal rights are merged, so a direct map or a program's text becomes a
 * handful of cells.  A full table grows (satp rewritten, fence).
 */
#include <stdio.h>
#include <string.h>

#include "arch.h"
#include "kernel/console.h"
#include "kernel/error.h"
#include "kernel/frame.h"
#include "kernel/heap.h"
#include "kernel/u64map.h"
#include "machine.h"
#include "secure-cells/table.h"
#include "vmm/backend.h"

#define DIV_KERNEL 0
#define DIV_APP 1
#define TABLE_T 1       /* 63 cells to start with; the table grows */
#define TABLE_R 4       /* rows reserved: kernel, application, room for compartments */
#define TABLE_M 2
#define VPN_MASK ((1ul << 36) - 1)

/* Permission byte bits (SECURECELLS.md); bit 4 is unused by the MMU and carries VMM_DEVICE. */
#define PB_V 0x01
#define PB_R 0x02
#define PB_W 0x04
#define PB_X 0x08
#define PB_DEVICE 0x10
#define PB_G 0x20
#define PB_A 0x40
#define PB_D 0x80
#define PB_RIGHTS (PB_R | PB_W | PB_X | PB_DEVICE | PB_G)

const char backend_name[] = "cells";

struct backend_space {
	struct cell_table table;
	int is_kernel;
	struct backend_space *next;
};

static struct backend_space *spaces, *kernel_space, *active;
static struct u64map owned; /* physical pages allocated by faults */
static uint64_t grows;

static uint64_t vpn_of(vaddr_t va)
{
	return (va >> PAGE_SHIFT) & VPN_MASK;
}

/* The address a VPN stands for (sign-extended from bit 47). */
static vaddr_t va_of(uint64_t vpn)
{
	vaddr_t va = vpn << PAGE_SHIFT;
	return (va & (1ul << 47)) ? va | ~((1ul << 48) - 1) : va;
}

/* The two permission bytes of a mapping with vmm RIGHTS. */
static void rights_to_bytes(unsigned rights, uint8_t *kernel, uint8_t *app)
{
	uint8_t b = PB_V;
	b |= (rights & VMM_READ) ? PB_R : 0;
	b |= (rights & VMM_WRITE) ? PB_W : 0;
	b |= (rights & VMM_EXEC) ? PB_X : 0;
	b |= (rights & VMM_DEVICE) ? PB_DEVICE : 0;
	b |= (rights & VMM_GLOBAL) ? PB_G : 0;
	b |= (rights & VMM_ACCESSED) ? PB_A : 0;
	b |= (rights & VMM_DIRTY) ? PB_D : 0;
	if (rights & VMM_USER) {
		*app = b;
		*kernel = PB_V | (b & (PB_R | PB_W | PB_DEVICE | PB_A | PB_D));
	} else {
		*kernel = b;
		*app = 0;
	}
}

/* The vmm rights of slot I as its space sees it, or 0 when the slot maps nothing there. */
static unsigned slot_rights(const struct cell_table *t, uint32_t i)
{
	struct cell c;
	cells_get(t, i, &c);
	/* In the kernel half only the kernel's row counts (the trap page also has the application's). */
	int user = va_is_user(va_of(c.vpn_first));
	uint8_t k = cells_get_rights(t, i, DIV_KERNEL);
	uint8_t a = user ? cells_get_rights(t, i, DIV_APP) : 0;
	uint8_t b = user ? a : k;
	if (!(b & PB_V))
		return 0;
	unsigned r = user ? VMM_USER : 0;
	r |= (b & PB_R) ? VMM_READ : 0;
	r |= (b & PB_W) ? VMM_WRITE : 0;
	r |= (b & PB_X) ? VMM_EXEC : 0;
	r |= (k & PB_DEVICE) ? VMM_DEVICE : 0;
	r |= (b & PB_G) ? VMM_GLOBAL : 0;
	r |= ((a | k) & PB_A) ? VMM_ACCESSED : 0;
	r |= ((a | k) & PB_D) ? VMM_DIRTY : 0;
	return r;
}

/* ------------------------------------------------------------ the MMU --- */

/* Point satp at S's table; stop with a clear message when the emulator lacks mode 15. */
static void load_satp(struct backend_space *s)
{
	uint64_t want = (15ul << SATP_MODE_SHIFT) | (s->table.base >> PAGE_SHIFT);
	csr_write(satp, want);
	sfence_vma_all();
#ifndef HOST_TEST /* host tests have no satp to probe */
	if (csr_read(satp) != want) {
		kprintf("cells: this emulator has no SATP mode 15 (SecureCells permission tables):\n"
			"  run PLATFORM=riscv64-cells on the patched QEMU (make qemu-cells) or on\n"
			"  the SecureCells reference emulator (QEMU=/path/to/qemu-system-riscv64)\n");
		machine_exit(3);
	}
#endif
	active = s;
}

void backend_activate(struct backend_space *s)
{
	load_satp(s);
}

extern char boot_root_table[];
static int editing;

/*
 * An edit moves descriptors and permission bytes with several stores, and
 * the MMU may walk the table half way (a TLB miss on the very memory being
 * moved).  While S's table is the live one, the kernel runs on the boot
 * table (entry.S: everything mapped, no cells) and comes back with a fence,
 * so no translation is ever read from a half-edited table.  Interrupts are
 * off in the kernel, so nothing else runs meanwhile.
 */
static void edit_begin(struct backend_space *s)
{
	if (s != active || editing++)
		return;
	csr_write(satp, (SATP_MODE_SV48 << SATP_MODE_SHIFT) |
				(virt_to_phys(boot_root_table) >> PAGE_SHIFT));
	sfence_vma_all();
}

static void edit_end(struct backend_space *s)
{
	if (s != active || --editing)
		return;
	load_satp(s);
}

/* Room for N more cells in T: grow it (and re-point satp if it is live). */
static int reserve(struct backend_space *s, uint32_t n)
{
	struct cell_table *t = &s->table;
	if (t->N - 1 + n <= cells_capacity(t))
		return 0;
	int err = cells_grow(t, t->N - 1 + n);
	if (!err)
		grows++;
	return err;
}

/* ------------------------------------------------------------ spaces --- */

/* Copy every kernel-half cell of the kernel space's table into T. */
static int copy_kernel_cells(struct cell_table *t)
{
	struct cell_table *k = &kernel_space->table;
	for (uint32_t i = 1; i < k->N; i++) {
		struct cell c;
		cells_get(k, i, &c);
		if (va_is_user(va_of(c.vpn_first)))
			continue;
		uint32_t slot;
		int err = cells_insert(t, &c, &slot);
		if (err == -ENOSPC && (err = cells_grow(t, t->N + 8)) == 0)
			err = cells_insert(t, &c, &slot);
		if (err)
			return err;
		cells_set_rights(t, slot, DIV_KERNEL, cells_get_rights(k, i, DIV_KERNEL));
		cells_set_rights(t, slot, DIV_APP, cells_get_rights(k, i, DIV_APP)); /* the trap page */
	}
	return 0;
}

int backend_space_create(struct backend_space *kernel, struct backend_space **out)
{
	struct backend_space *s = kzalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	int err = cells_create(&s->table, TABLE_T, TABLE_R, TABLE_M);
	if (!err && kernel)
		err = copy_kernel_cells(&s->table);
	if (err) {
		if (s->table.mem)
			cells_destroy(&s->table);
		kfree(s);
		return err;
	}
	s->is_kernel = kernel == NULL;
	if (!kernel)
		kernel_space = s;
	s->next = spaces;
	spaces = s;
	*out = s;
	return 0;
}

static int unmap_in(struct backend_space *s, uint64_t vf, uint64_t vl);

void backend_space_destroy(struct backend_space *s)
{
	unmap_in(s, 0, vpn_of(USER_TOP - 1));
	cells_destroy(&s->table);
	for (struct backend_space **p = &spaces; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			break;
		}
	kfree(s);
}

uint64_t backend_table_bytes(void)
{
	uint64_t bytes = 0;
	for (struct backend_space *s = spaces; s; s = s->next)
		bytes += cells_bytes(&s->table);
	return bytes;
}

/* ------------------------------------------------------------- edits --- */

/* Merge slot I with its neighbours where the table allows (contiguous, equal rights). */
static void merge_around(struct cell_table *t, uint32_t i)
{
	if (i + 1 < t->N)
		cells_merge_next(t, i);
	if (i > 1)
		cells_merge_next(t, i - 1);
}

/* Add BITS to division DIV's rights for SLOT: one byte store, made only when it changes something. */
static inline void add_rights(struct cell_table *t, uint32_t slot, uint32_t div, uint8_t bits)
{
	uint8_t now = cells_get_rights(t, slot, div);
	if (bits & ~now)
		cells_set_rights(t, slot, div, now | bits);
}

/*
 * Extend the cell in slot BELOW, which ends at VF - 1, when [vf, vl] -> PPN
 * continues it in both address spaces with the same rights: a descriptor
 * write instead of an insert (sequential growth: heaps, stacks, the direct
 * map).  When the write is one store and no merge follows, the live table
 * takes it in place; otherwise the edit runs on the boot table.  1 when
 * done, 0 when the new range must be a cell of its own.
 */
static int extend_below(struct backend_space *s, uint32_t below, uint64_t vf, uint64_t vl,
			uint64_t ppn, uint8_t k, uint8_t a)
{
	struct cell_table *t = &s->table;
	/* Equal rights but for the A/D bits, which the cell then keeps as they are. */
	const uint8_t ad = PB_A | PB_D, want[] = { [DIV_KERNEL] = k, [DIV_APP] = a };
	unsigned how = cells_extension(t, below, vf, vl, ppn, want, TABLE_M, ad);
	if (!how)
		return 0;
	int in_place = (how & CELL_EXTEND_ONE_STORE) && !(how & CELL_EXTEND_MEETS_NEXT);
	if (!in_place)
		edit_begin(s);
	int err = cells_extend(t, below, vl);
	if (!err) {
		/* More A/D bits only spare the MMU a fault. */
		add_rights(t, below, DIV_KERNEL, k & ad);
		add_rights(t, below, DIV_APP, a & ad);
		if (how & CELL_EXTEND_MEETS_NEXT)
			cells_merge_next(t, below);
	}
	if (!in_place)
		edit_end(s);
	return err == 0;
}

/* Insert one cell [vf, vl] -> ppn with RIGHTS into S: 0, -EEXIST, -ENOMEM. */
static int insert_in(struct backend_space *s, uint64_t vf, uint64_t vl, uint64_t ppn, unsigned rights)
{
	struct cell c = { vf, vl, ppn, 1 };
	uint32_t slot, below;
	uint8_t k, a;
	rights_to_bytes(rights, &k, &a);
	/* Overlap is checked first: extending must never hide a collision. */
	if (cells_gap(&s->table, vf, vl, &below) != 0)
		return -EEXIST;
	if (extend_below(s, below, vf, vl, ppn, k, a))
		return 0;
	edit_begin(s);
	int err = reserve(s, 1);
	if (!err)
		err = cells_insert(&s->table, &c, &slot);
	if (!err) {
		cells_set_rights(&s->table, slot, DIV_KERNEL, k);
		cells_set_rights(&s->table, slot, DIV_APP, a);
		merge_around(&s->table, slot);
	}
	edit_end(s);
	return err;
}

/* The spaces a change at VA reaches: every space for the kernel half, else S alone. */
#define FOR_EACH_TARGET(sp, s, va) \
	for (struct backend_space *sp = va_is_user(va) ? (s) : spaces; sp; \
	     sp = va_is_user(va) ? NULL : sp->next)

/* Split cells of T so that VPN starts a cell (when a cell covers it without starting there). */
static int split_at(struct cell_table *t, uint64_t vpn)
{
	uint32_t slot;
	struct cell c;
	if (cells_lookup(t, vpn, &slot) != 0)
		return 0;
	cells_get(t, slot, &c);
	return c.vpn_first == vpn ? 0 : cells_split(t, slot, vpn);
}

/* Free the fault-allocated pages among [ppn, ppn + n). */
static void release_owned(uint64_t ppn, uint64_t n)
{
	if (owned.count == 0)
		return;
	for (uint64_t i = 0; i < n; i++) {
		paddr_t pa = (ppn + i) << PAGE_SHIFT;
		if (u64map_remove(&owned, pa))
			frame_free(pa, 0);
	}
}

/* Remove every cell of S inside [vf, vl] (splitting the ends first). */
static int note_slot(const struct cell_table *t, uint32_t slot, const struct cell *c, void *ctx)
{
	*(uint32_t *)ctx = slot;
	return 1;
}

/* The first slot of T whose cell overlaps [vf, vl] (binary search): 1 and *SLOT, or 0. */
static int first_in_range(const struct cell_table *t, uint64_t vf, uint64_t vl, uint32_t *slot)
{
	return cells_traverse(t, vf, vl, note_slot, slot);
}

static int unmap_cells(struct backend_space *s, uint64_t vf, uint64_t vl);

static int unmap_in(struct backend_space *s, uint64_t vf, uint64_t vl)
{
	edit_begin(s);
	int err = unmap_cells(s, vf, vl);
	/* An emptier table goes back to a smaller size (a failure keeps the larger one). */
	if (!err)
		cells_shrink(&s->table, TABLE_T);
	edit_end(s);
	return err;
}

static int unmap_cells(struct backend_space *s, uint64_t vf, uint64_t vl)
{
	struct cell_table *t = &s->table;
	int err = reserve(s, 2);
	if (!err)
		err = split_at(t, vf);
	if (!err && vl + 1 <= VPN_MASK)
		err = split_at(t, vl + 1);
	if (err)
		return err;
	/* After the splits the cells in the range are whole and consecutive. */
	uint32_t slot;
	struct cell c;
	if (!first_in_range(t, vf, vl, &slot))
		return 0;
	while (slot < t->N && cells_get(t, slot, &c) == 0 && c.vpn_first <= vl) {
		release_owned(c.ppn, c.vpn_last - c.vpn_first + 1);
		cells_remove(t, slot);
	}
	return 0;
}

extern char __trap_page[], __trap_page_end[];

/*
 * Let the application's division execute the trap vector's page (and only
 * it): Debian's OpenSBI hands some traps (illegal instruction) to S-mode
 * without the division shift, and the vector must run to perform it.
 */
static int open_trap_page(struct backend_space *s)
{
	struct cell_table *t = &s->table;
	uint64_t first = vpn_of((vaddr_t)__trap_page), end = vpn_of((vaddr_t)__trap_page_end);
	uint32_t slot;
	edit_begin(s);
	int err = reserve(s, 2);
	if (!err)
		err = split_at(t, first);
	if (!err)
		err = split_at(t, end);
	if (!err && (err = cells_lookup(t, first, &slot)) == 0)
		cells_set_rights(t, slot, DIV_APP, PB_V | PB_X);
	edit_end(s);
	return err;
}

/* Whether [va, va+len) holds the trap vector's page. */
static int covers_trap_page(vaddr_t va, uint64_t len)
{
	return (vaddr_t)__trap_page >= va && (vaddr_t)__trap_page < va + len;
}

int backend_map(struct backend_space *s, vaddr_t va, paddr_t pa, uint64_t len, unsigned rights)
{
	uint64_t vf = vpn_of(va), vl = vpn_of(va + len - 1);
	struct backend_space *done = NULL;
	int err = 0;
	FOR_EACH_TARGET(sp, s, va) {
		err = insert_in(sp, vf, vl, pa >> PAGE_SHIFT, rights);
		if (err) {
			done = sp;
			break;
		}
	}
	if (err) {
		/* Take the cell back out of the tables it went into. */
		FOR_EACH_TARGET(sp, s, va) {
			if (sp == done)
				break;
			unmap_in(sp, vf, vl);
		}
		return err;
	}
	if (!va_is_user(va) && covers_trap_page(va, len))
		FOR_EACH_TARGET(sp, s, va)
			if ((err = open_trap_page(sp)) != 0)
				return err;
	sfence_vma_all();
	return 0;
}

int backend_unmap(struct backend_space *s, vaddr_t va, uint64_t len)
{
	uint64_t vf = vpn_of(va), vl = vpn_of(va + len - 1);
	FOR_EACH_TARGET(sp, s, va) {
		int err = unmap_in(sp, vf, vl);
		if (err)
			return err;
	}
	sfence_vma_all();
	return 0;
}

/* Whether cells of T cover every page of [vf, vl]. */
static int covered(struct cell_table *t, uint64_t vf, uint64_t vl)
{
	uint64_t next = vf;
	while (next <= vl) {
		uint32_t slot;
		struct cell c;
		if (cells_lookup(t, next, &slot) != 0)
			return 0;
		cells_get(t, slot, &c);
		if (!c.valid || !slot_rights(t, slot))
			return 0;
		next = c.vpn_last + 1;
		if (next == 0)
			break;
	}
	return 1;
}

int backend_protect(struct backend_space *s, vaddr_t va, uint64_t len, unsigned rights)
{
	uint64_t vf = vpn_of(va), vl = vpn_of(va + len - 1);
	FOR_EACH_TARGET(sp, s, va)
		if (!covered(&sp->table, vf, vl))
			return -ENOENT;
	FOR_EACH_TARGET(sp, s, va) {
		struct cell_table *t = &sp->table;
		edit_begin(sp);
		int err = reserve(sp, 2);
		if (!err)
			err = split_at(t, vf);
		if (!err && vl + 1 <= VPN_MASK)
			err = split_at(t, vl + 1);
		if (err) {
			edit_end(sp);
			return err;
		}
		uint8_t k, a;
		uint32_t first, last;
		struct cell c;
		/* After the splits the cells in the range are whole and consecutive. */
		first_in_range(t, vf, vl, &first); /* the range is covered: there is one */
		for (last = first; last < t->N && cells_get(t, last, &c) == 0 && c.vpn_first <= vl;
		     last++) {
			/* Keep what the MMU recorded (A/D) in each row. */
			unsigned keep = slot_rights(t, last) & (VMM_ACCESSED | VMM_DIRTY);
			rights_to_bytes(rights | keep, &k, &a);
			cells_set_rights(t, last, DIV_KERNEL, k);
			cells_set_rights(t, last, DIV_APP, a);
		}
		for (uint32_t i = last - 1; i >= first; i--)
			merge_around(t, i);
		edit_end(sp);
	}
	sfence_vma_all();
	return 0;
}

int backend_fault(struct backend_space *s, const struct backend_fault *f)
{
	vaddr_t page = ALIGN_DOWN(f->va, PAGE_SIZE);
	/* Placed dirty for a write, as on Sv48: A/D then mean the same on both backends. */
	unsigned rights = f->rights | VMM_ACCESSED | ((f->access & VMM_WRITE) ? VMM_DIRTY : 0);
	if (f->backing && !f->copy)
		return backend_map(s, page, f->backing, PAGE_SIZE, rights);
	paddr_t pa;
	/* Room to record the page first, so that once it is mapped nothing can fail. */
	if (u64map_reserve(&owned, 1) != 0)
		return -ENOMEM;
	if (frame_alloc(0, &pa) != 0) {
		u64map_trim(&owned);
		return -ENOMEM;
	}
	/* A private copy of a backed page (vmm/fault.c), or zeros. */
	if (f->copy)
		memcpy(phys_to_virt(pa), phys_to_virt(f->backing), f->copy);
	memset((char *)phys_to_virt(pa) + f->copy, 0, PAGE_SIZE - f->copy);
	int err = backend_map(s, page, pa, PAGE_SIZE, rights);
	if (err)
		frame_free(pa, 0);
	else
		u64map_put(&owned, pa, (void *)1);
	u64map_trim(&owned);
	return err;
}

/* ------------------------------------------------ translate, traverse --- */

int backend_translate(struct backend_space *s, vaddr_t va, struct vmm_mapping *out)
{
	uint32_t slot;
	struct cell c;
	if (cells_lookup(&s->table, vpn_of(va), &slot) != 0)
		return -ENOENT;
	cells_get(&s->table, slot, &c);
	unsigned rights = slot_rights(&s->table, slot);
	if (!c.valid || !rights)
		return -ENOENT;
	vaddr_t start = va_of(c.vpn_first);
	uint64_t len = (c.vpn_last - c.vpn_first + 1) << PAGE_SHIFT;
	*out = (struct vmm_mapping){ va, (c.ppn << PAGE_SHIFT) + (va - start), start + len - va, rights };
	return 0;
}

struct visit_ctx {
	vaddr_t va, end;
	vmm_visitor visit;
	void *ctx;
};

static int visit_cell(const struct cell_table *t, uint32_t slot, const struct cell *c, void *arg)
{
	struct visit_ctx *v = arg;
	unsigned rights = slot_rights(t, slot);
	if (!c->valid || !rights)
		return 0;
	vaddr_t start = va_of(c->vpn_first), end = start + ((c->vpn_last - c->vpn_first + 1) << PAGE_SHIFT);
	vaddr_t lo = start > v->va ? start : v->va, hi = end < v->end ? end : v->end;
	struct vmm_mapping m = { lo, (c->ppn << PAGE_SHIFT) + (lo - start), hi - lo, rights };
	return v->visit(&m, v->ctx);
}

int backend_traverse(struct backend_space *s, vaddr_t va, uint64_t len, vmm_visitor visit,
		     void *ctx)
{
	struct visit_ctx v = { va, va + len, visit, ctx };
	return cells_traverse(&s->table, vpn_of(va), vpn_of(va + len - 1), visit_cell, &v);
}

/* ---------------------------------------------------------- reporting --- */

void backend_stats(char *buf, size_t size)
{
	uint32_t cells = active ? active->table.N - 1 : 0;
	snprintf(buf, size, " cells=%u table_capacity=%u table_grows=%lu", cells,
		 active ? cells_capacity(&active->table) : 0, grows);
}

void backend_tick(void)
{
}

int backend_selftest(struct backend_space *s, const char *name)
{
	return -ENOENT;
}
