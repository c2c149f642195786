/*
 * Views on the cells backend (docs/compartments.md, "Cells: divisions"):
 * a space of n views has a user table of n + 2 divisions, view v's rights
 * in division v + 1, the witness last; the kernel table gains rows 1..n
 * with execute on the trap page only.  Faults, protects and merges are
 * checked row by row, and every allocation failing in turn (alloc_fail.h)
 * must leave both tables byte for byte as they were.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kernel/error.h"
#include "kernel/frame.h"
#include "kernel/heap.h"
#include "machine.h"
#include "secure-cells/cells_space.h"
#include "secure-cells/divisions.h"
#include "tests/host/alloc_fail.h"
#include "tests/host/arena.h"
#include "tests/host/check.h"
#include "vmm/backend.h"

#define ARENA (64ul << 20)
#define FAKE_BASE 0x80000000ul
#define UVA 0x0000004000000000ul
#define UR (VMM_USER | VMM_READ)
#define URW (VMM_USER | VMM_READ | VMM_WRITE)
#define URX (VMM_USER | VMM_READ | VMM_EXEC)
#define AD (VMM_ACCESSED | VMM_DIRTY)

static struct backend_space *kernel_space;
static uint64_t trap_va, trap_pa;

static void memory_init(void)
{
	arena_init(FAKE_BASE, ARENA);
}

static uint64_t free_bytes(void)
{
	return arena_free_bytes();
}

/* The kernel space, with the kernel text around the trap page mapped as the kernel maps it. */
static void kernel_ready(void)
{
	if (kernel_space)
		return;
	uint64_t len;
	trap_page_range(&trap_va, &trap_pa, &len);
	CHECK_EQ(backend_space_create(NULL, &kernel_space), 0);
	CHECK_EQ(backend_map(kernel_space, trap_va - 4096, trap_pa - 4096, 3 * 4096,
			     VMM_READ | VMM_EXEC | VMM_GLOBAL), 0);
}

static struct backend_space *space_with_views(unsigned n)
{
	struct backend_space *s = NULL;
	kernel_ready();
	CHECK_EQ(backend_space_create(kernel_space, &s), 0);
	CHECK_EQ(backend_views_init(s, n), 0);
	return s;
}

static uint8_t byte_in(const struct cell_table *t, uint64_t va, uint32_t div)
{
	uint32_t slot;
	if (cells_lookup(t, (va >> 12) & CELL_VPN_MAX, &slot) != 0)
		return 0xEE;
	return cells_get_rights(t, slot, div);
}

/* A fault of VIEW at VA of an anonymous page whose views have RIGHTS (A/D for the faulting one). */
static int fault_in(struct backend_space *s, unsigned view, vaddr_t va, unsigned page,
		    const unsigned *rights, unsigned n)
{
	struct backend_fault f = { .va = va, .access = VMM_READ, .view = view, .kind = REGION_ANON,
				   .region_start = va, .region_end = va + 4096 };
	f.rights.page = page | AD;
	for (unsigned v = 0; v < n; v++)
		f.rights.view[v] = rights[v] | (v == view && rights[v] ? AD : 0);
	return backend_fault(s, &f);
}

/* One view: the table and the trap page as before views (three rows, four reserved). */
static void one_view_as_before(void)
{
	struct backend_space *s = space_with_views(1);
	CHECK_EQ(s->table.M, USER_TABLE_M);
	CHECK_EQ(s->table.R, USER_TABLE_R);
	CHECK_EQ(byte_in(&s->table, trap_va, DIV_KERNEL), CELL_V | CELL_X);
	CHECK_EQ(byte_in(&s->table, trap_va, DIV_APP), CELL_V | CELL_X);
	CHECK_EQ(byte_in(&s->table, trap_va, div_witness(USER_TABLE_M)), CELL_V | CELL_R);
	const struct cell_table *k = cells_kernel_table();
	CHECK(k->M >= 2);
	CHECK_EQ(byte_in(k, trap_va, DIV_APP), CELL_V | CELL_X);
	CHECK_EQ(byte_in(k, trap_va - 4096, DIV_APP), 0); /* the rest of the text: nothing */
	CHECK_EQ(byte_in(k, trap_va - 4096, DIV_KERNEL) & CELL_X, CELL_X);
	backend_space_destroy(s);
}

/* Three views: five rows, the trap page executable in 0..3 of both tables, the witness reading it. */
static void three_views_layout(void)
{
	struct backend_space *s = space_with_views(3);
	CHECK_EQ(s->table.M, 5u);
	CHECK(s->table.R >= 5);
	for (uint32_t d = 0; d < 4; d++) {
		CHECK_EQ(byte_in(&s->table, trap_va, d), CELL_V | CELL_X);
		CHECK_EQ(byte_in(cells_kernel_table(), trap_va, d) & (CELL_V | CELL_X), CELL_V | CELL_X);
	}
	CHECK_EQ(byte_in(&s->table, trap_va, div_witness(5)), CELL_V | CELL_R);
	CHECK_EQ(byte_in(cells_kernel_table(), trap_va + 4096, 3), 0);
	/* Bad counts, and a space that maps something already. */
	CHECK_EQ(backend_views_init(s, 0), -EINVAL);
	CHECK_EQ(backend_views_init(s, VMM_MAX_VIEWS + 1), -EINVAL);
	CHECK_EQ(backend_map(s, UVA, 0x90000000ul, 4096, UR), 0);
	CHECK_EQ(backend_views_init(s, 2), -EBUSY);
	CHECK_EQ(s->table.M, 5u);
	/* The caller's memory: every view the rights, the witness reading it. */
	for (uint32_t d = 1; d < 4; d++)
		CHECK_EQ(byte_in(&s->table, UVA, d), CELL_V | CELL_R);
	CHECK_EQ(byte_in(&s->table, UVA, div_witness(5)), CELL_V | CELL_R);
	backend_space_destroy(s);
}

/* A fault in view 0 sets division 1's byte with A/D; view 1 with rights gets its byte without; view 2 nothing. */
static void fault_sets_rows(void)
{
	struct backend_space *s = space_with_views(3);
	struct vmm_mapping m;
	unsigned only0[3] = { URW, 0, 0 }, shared[3] = { URW, UR, 0 };
	CHECK_EQ(fault_in(s, 0, UVA, URW, only0, 3), 0);
	CHECK_EQ(byte_in(&s->table, UVA, 1), CELL_V | CELL_R | CELL_W | CELL_A | CELL_D);
	CHECK_EQ(byte_in(&s->table, UVA, 2), 0);
	CHECK_EQ(byte_in(&s->table, UVA, 3), 0);
	CHECK_EQ(byte_in(&s->table, UVA, 4), 0); /* the space's own frame: no witness */
	CHECK_EQ(fault_in(s, 0, UVA + 8 * 4096, URW, shared, 3), 0);
	CHECK_EQ(byte_in(&s->table, UVA + 8 * 4096, 2), CELL_V | CELL_R);
	CHECK_EQ(byte_in(&s->table, UVA + 8 * 4096, 3), 0);
	/* Each view's translation is its own row's. */
	CHECK_EQ(backend_translate_view(s, 0, UVA, &m), 0);
	CHECK_EQ(m.rights & VMM_RIGHTS_MASK, URW);
	CHECK_EQ(backend_translate_view(s, 1, UVA, &m), -ENOENT);
	CHECK_EQ(backend_translate_view(s, 1, UVA + 8 * 4096 + 5, &m), 0);
	CHECK_EQ(m.rights & VMM_RIGHTS_MASK, UR);
	CHECK_EQ(backend_translate_view(s, 2, UVA + 8 * 4096, &m), -ENOENT);
	CHECK_EQ(backend_translate_view(s, 3, UVA, &m), -ENOENT); /* no such view */
	/* The space's page: what the views allow together. */
	CHECK_EQ(backend_translate(s, UVA + 8 * 4096, &m), 0);
	CHECK_EQ(m.rights & VMM_RIGHTS_MASK, URW);
	/* A view that faults where the cell is already: -EEXIST when its own row has the access. */
	CHECK_EQ(fault_in(s, 1, UVA + 8 * 4096, URW, shared, 3), -EEXIST);
	/* A view whose byte went (its own `prot`) gets its rights back, A/D kept. */
	uint32_t slot;
	CHECK_EQ(cells_lookup(&s->table, vpn_of(UVA), &slot), 0);
	cells_set_rights(&s->table, slot, 1, CELL_A);
	CHECK_EQ(fault_in(s, 0, UVA, URW, only0, 3), 0);
	CHECK_EQ(byte_in(&s->table, UVA, 1), CELL_V | CELL_R | CELL_W | CELL_A | CELL_D);
	/* A view with no rights gets nothing (vmm/fault.c refuses it first; the backend too). */
	CHECK_EQ(fault_in(s, 2, UVA, URW, only0, 3), -EEXIST);
	CHECK_EQ(byte_in(&s->table, UVA, 3), 0);
	unsigned bad[3] = { URW, 0, 0 };
	CHECK_EQ(fault_in(s, 3, UVA + 20 * 4096, URW, bad, 3), -EINVAL);
	backend_space_destroy(s);
}

/* Protect gives every view its byte and keeps A/D; holding keeps A/D without V in every row. */
static void protect_every_row(void)
{
	struct backend_space *s = space_with_views(3);
	unsigned shared[3] = { URW, UR, 0 };
	CHECK_EQ(fault_in(s, 0, UVA, URW, shared, 3), 0);
	struct view_rights r = { .page = URX, .view = { UR, URX, URX } };
	CHECK_EQ(backend_protect(s, UVA, 4096, &r), 0);
	CHECK_EQ(byte_in(&s->table, UVA, 1), CELL_V | CELL_R | CELL_A | CELL_D);
	CHECK_EQ(byte_in(&s->table, UVA, 2), CELL_V | CELL_R | CELL_X);
	CHECK_EQ(byte_in(&s->table, UVA, 3), CELL_V | CELL_R | CELL_X);
	struct view_rights held = { .page = VMM_USER };
	CHECK_EQ(backend_protect(s, UVA, 4096, &held), 0);
	CHECK_EQ(byte_in(&s->table, UVA, 1), CELL_A | CELL_D);
	CHECK_EQ(byte_in(&s->table, UVA, 2), 0);
	struct vmm_mapping m;
	CHECK_EQ(backend_translate(s, UVA, &m), 0);
	CHECK_EQ(m.rights, VMM_USER | AD);
	CHECK_EQ(backend_translate_view(s, 0, UVA, &m), -ENOENT);
	CHECK_EQ(backend_protect(s, UVA, 4096, &r), 0);
	CHECK_EQ(byte_in(&s->table, UVA, 1), CELL_V | CELL_R | CELL_A | CELL_D);
	backend_space_destroy(s);
}

/* Neighbours merge only when every row agrees. */
static void merge_needs_every_row(void)
{
	struct backend_space *s = space_with_views(3);
	CHECK_EQ(backend_map(s, UVA, 0x90000000ul, 4 * 4096, URW), 0);
	uint32_t cells = cells_count(&s->table);
	struct view_rights r = { .page = URW, .view = { URW, URW, UR } };
	CHECK_EQ(backend_protect(s, UVA + 4096, 4096, &r), 0);
	CHECK_EQ(cells_count(&s->table), cells + 2); /* one view's row differs: three cells */
	CHECK_EQ(backend_map(s, UVA + 4 * 4096, 0x90004000ul, 4096, URW), 0);
	CHECK_EQ(cells_count(&s->table), cells + 2); /* grows the top cell, joins nothing */
	r.view[2] = URW;
	CHECK_EQ(backend_protect(s, UVA + 4096, 4096, &r), 0);
	CHECK_EQ(cells_count(&s->table), cells); /* every row equal again: one cell */
	backend_space_destroy(s);
}

/* A copy of a table's memory and shape, to compare after a failed operation. */
struct snap {
	struct cell_table t;
	uint8_t *bytes;
};

static void snap_take(struct snap *p, const struct cell_table *t)
{
	p->t = *t;
	p->bytes = malloc(cells_bytes(t));
	memcpy(p->bytes, t->mem, cells_bytes(t));
}

static int snap_same_free(struct snap *p, const struct cell_table *t)
{
	int same = p->t.base == t->base && p->t.T == t->T && p->t.M == t->M && p->t.N == t->N &&
		   memcmp(p->bytes, t->mem, cells_bytes(t)) == 0;
	free(p->bytes);
	return same;
}

enum op { OP_VIEWS, OP_FAULT, OP_MAP, OP_PROTECT, OP_UNMAP, OP_COUNT };

static int run_op(struct backend_space *s, enum op op)
{
	unsigned rights[3] = { URW, UR, 0 };
	struct view_rights r = { .page = URW, .view = { UR, URW, 0 } };
	switch (op) {
	case OP_VIEWS: /* more views than any space before: the kernel table is relaid out too */
		return backend_views_init(s, 4);
	case OP_FAULT:
		return fault_in(s, 1, UVA + 900 * 4096ul, URW, rights, 3);
	case OP_MAP:
		return backend_map(s, UVA + 901 * 4096ul, 0x95000000ul, 4096, UR);
	case OP_PROTECT:
		return backend_protect(s, UVA + 1001 * 4096ul, 2 * 4096ul, &r);
	default:
		return backend_unmap(s, UVA + 1001 * 4096ul, 2 * 4096ul);
	}
}

/*
 * Every operation on a space of three views (views_init: on a fresh one),
 * its table filled to where the next insert grows it, with the Nth
 * allocation failing for N = 1, 2, ... until it succeeds: each failure is
 * -ENOMEM with both tables as they were and every frame back.
 */
static void views_all_or_nothing(void)
{
	kernel_ready();
	uint64_t f0 = free_bytes();
	for (int op = 0; op < OP_COUNT; op++) {
		struct backend_space *s;
		CHECK_EQ(backend_space_create(kernel_space, &s), 0);
		if (op != OP_VIEWS) {
			CHECK_EQ(backend_views_init(s, 3), 0);
			CHECK_EQ(backend_map(s, UVA + 1000 * 4096ul, 0x94000000ul, 4 * 4096ul, URW), 0);
			for (uint64_t i = 0; 4 * (cells_count(&s->table) + 1) <= 3 * cells_capacity(&s->table); i++)
				CHECK_EQ(backend_map(s, UVA + (2000 + 2 * i) * 4096ul, 0x97000000ul + 8192 * i,
						     4096, UR), 0);
		}
		int err = -ENOMEM;
		unsigned long n;
		for (n = 1; err == -ENOMEM && n < 64; n++) {
			struct snap user, kern;
			snap_take(&user, &s->table);
			snap_take(&kern, cells_kernel_table());
			uint64_t before = free_bytes();
			alloc_fail_arm(n);
			err = run_op(s, (enum op)op);
			alloc_fail_disarm();
			if (err) {
				CHECK_EQ(err, -ENOMEM);
				CHECK(alloc_fail_fired());
				CHECK(snap_same_free(&user, &s->table));
				CHECK(snap_same_free(&kern, cells_kernel_table()));
				CHECK_EQ(free_bytes(), before);
			} else {
				free(user.bytes);
				free(kern.bytes);
			}
		}
		printf("#   op %d: succeeded at allocation %lu\n", op, n - 1);
		if (op == OP_VIEWS)
			CHECK_EQ(cells_kernel_table()->R, 5u);
		CHECK_EQ(err, 0);
		CHECK(n > 2); /* some allocation was failed */
		backend_space_destroy(s);
	}
	CHECK_EQ(frame_check(), 0);
	CHECK_EQ(free_bytes(), f0);
}

int main(void)
{
	memory_init();
	RUN(one_view_as_before);
	RUN(three_views_layout);
	RUN(fault_sets_rows);
	RUN(protect_every_row);
	RUN(merge_needs_every_row);
	RUN(views_all_or_nothing);
	CHECK_EXIT();
}
