/*
 * Making, sizing and freeing permission tables: create, destroy, grow and
 * shrink (T doubles or halves and every row moves, since row offsets depend
 * on T; the copy leaves the gaps out), and a division's rows handed out.  See table.h for the contracts.
 */
#include <string.h>

#include "kernel/error.h"
#include "kernel/frame.h"
#include "secure-cells/slack.h"

/* Fill N grant entries from G with the empty entry. */
static void grants_empty(uint32_t *g, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		g[i] = CELL_GRANT_EMPTY;
}

/*
 * T lines and R rows fit the limits: then *order is the smallest block for
 * T * (1024 + 320R) bytes.  The bound on T first keeps the product in range.
 */
static int size_ok(uint64_t T, uint64_t R, unsigned *order)
{
	if (T == 0 || T > CELLS_MAX_T || R > (1u << 22))
		return 0;
	uint64_t bytes = T * (1024 + 320 * R);
	unsigned o = 0;
	while ((PAGE_SIZE << o) < bytes)
		o++;
	*order = o;
	return o <= FRAME_ORDER_1G;
}

/* Lay out an empty table over t->mem for t's T, R, M, N (all R rows). */
static void table_init(struct cell_table *t)
{
	memset(t->mem, 0, 1024ul * t->T + 64ul * t->T * t->R);
	grants_empty(grant_row(t, 0), 64ul * t->T * t->R);
	meta(t)[META_R] = t->R;
	meta(t)[META_T] = t->T;
	meta(t)[META_M] = t->M;
	meta(t)[META_N] = t->N;
}

int cells_create(struct cell_table *t, uint32_t T, uint32_t R, uint32_t M)
{
	unsigned order;
	paddr_t pa;

	if (M == 0 || M > R || !size_ok(T, R, &order))
		return -EINVAL;
	if (frame_alloc(order, &pa) < 0)
		return -ENOMEM;
	*t = (struct cell_table){ .base = pa, .mem = phys_to_virt(pa), .order = order,
				  .T = T, .R = R, .M = M, .N = 1 };
	table_init(t);
	return 0;
}

void cells_destroy(struct cell_table *t)
{
	if (t->mem)
		frame_free(t->base, t->order);
	*t = (struct cell_table){ 0 };
}

uint32_t cells_capacity(const struct cell_table *t)
{
	return 64u * t->T - 1;
}

uint64_t cells_bytes(const struct cell_table *t)
{
	return (uint64_t)t->T * (1024 + 320ull * t->R);
}

int cells_add_division(struct cell_table *t, uint32_t *div)
{
	if (t->M >= t->R)
		return -ENOSPC;
	/* Rows past M are kept clear already; clear again rather than trust it,
	 * before the metacell lets the MMU read the row. */
	memset(perm_row(t, t->M), 0, 64ul * t->T);
	grants_empty(grant_row(t, t->M), 64ul * t->T);
	if (div)
		*div = t->M;
	t->M++;
	meta(t)[META_M] = t->M;
	return 0;
}

/* Copy every cell of OLD, with its rows in use, into the empty table NEW, gaps left out. */
static void copy_cells(struct cell_table *new, const struct cell_table *old)
{
	uint32_t k = 1;
	for (uint32_t i = 1; i < old->N; i++) {
		if (is_gap(old, i))
			continue;
		memcpy(desc(new, k), desc(old, i), 16);
		for (uint32_t s = 0; s < old->M; s++) {
			perm_row(new, s)[k] = perm_row(old, s)[i];
			grant_row(new, s)[k] = grant_row(old, s)[i];
		}
		k++;
	}
	new->N = k;
	meta(new)[META_N] = k;
}

/* Move T's contents into a new block laid out for NEW_T lines and NEW_R rows: 0, -EINVAL, -ENOMEM (unchanged). */
static int resize(struct cell_table *t, uint64_t new_t, uint32_t new_r)
{
	unsigned order;
	paddr_t pa;

	if (!size_ok(new_t, new_r, &order))
		return -EINVAL;
	if (frame_alloc(order, &pa) < 0)
		return -ENOMEM;
	struct cell_table new = { .base = pa, .mem = phys_to_virt(pa), .order = order,
				  .T = (uint32_t)new_t, .R = new_r, .M = t->M, .N = 1,
				  .cells = t->cells, .grants = t->grants };
	table_init(&new);
	copy_cells(&new, t);
	frame_free(t->base, t->order);
	*t = new;
	return 0;
}

int cells_grow(struct cell_table *t, uint32_t min_cells)
{
	uint64_t T = t->T;

	if (min_cells <= cells_capacity(t))
		return 0;
	while (64 * T - 1 < min_cells)
		T *= 2;
	return resize(t, T, t->R);
}

int cells_reserve_rows(struct cell_table *t, uint32_t R)
{
	return R <= t->R ? 0 : resize(t, t->T, R);
}

int cells_shrink(struct cell_table *t, uint32_t min_t)
{
	uint64_t T = t->T;

	/* Halve while the cells would fill at most half of the smaller table. */
	while (T > min_t && 2 * t->cells <= 64 * (T / 2) - 1)
		T /= 2;
	return T == t->T ? 0 : resize(t, T, t->R);
}

