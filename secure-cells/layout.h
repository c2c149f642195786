/*
 * The byte layout of a SecureCells table (table.h gives it in words),
 * stated once for the files of secure-cells/ that read and write it
 * (table.c, table_size.c) and for the translation model's walker
 * (tools/tlbmodel/walk_cells.c), which reads a table as the MMU does.
 */
#ifndef SECURE_CELLS_LAYOUT_H
#define SECURE_CELLS_LAYOUT_H

#include "secure-cells/table.h"

#define META_R 0
#define META_T 1
#define META_M 2
#define META_N 3

/* The two 64-bit halves of slot I's descriptor, low first. */
static inline uint64_t *desc(const struct cell_table *t, uint32_t i)
{
	return (uint64_t *)(t->mem + 16ul * i);
}

/* The offsets from the table's base of division S's rows, for T lines per division and R rows. */
static inline uint64_t perm_row_offset(uint32_t T, uint32_t s)
{
	return 1024ul * T + 64ul * T * s;
}

static inline uint64_t grant_row_offset(uint32_t T, uint32_t R, uint32_t s)
{
	return perm_row_offset(T, R) + 256ul * T * s;
}

/* Division S's permission row: byte I is cell I's. */
static inline uint8_t *perm_row(const struct cell_table *t, uint32_t s)
{
	return t->mem + perm_row_offset(t->T, s);
}

/* Division S's grant row: entry I is cell I's. */
static inline uint32_t *grant_row(const struct cell_table *t, uint32_t s)
{
	return (uint32_t *)(t->mem + grant_row_offset(t->T, t->R, s));
}

/* Descriptor fields, decoded as the MMU does (the 36-bit fields straddle the halves). */
static inline uint64_t desc_first(const uint64_t *d)
{
	return d[0] & CELL_VPN_MAX;
}

static inline uint64_t desc_last(const uint64_t *d)
{
	return ((d[0] >> CELL_VPN_BITS) | (d[1] << (64 - CELL_VPN_BITS))) & CELL_VPN_MAX;
}

/* The whole descriptor D as a struct cell. */
static inline void desc_decode(const uint64_t *d, struct cell *c)
{
	c->vpn_first = desc_first(d);
	c->vpn_last = desc_last(d);
	c->ppn = (d[1] >> (2 * CELL_VPN_BITS - 64)) & CELL_PPN_MAX;
	c->valid = (int)(d[1] >> 63);
}

/* Store *c into D, low half first: while the halves disagree the last VPN
 * is the new one's low bits under the old one's high bits. */
static inline void desc_encode(uint64_t *d, const struct cell *c)
{
	d[0] = c->vpn_first | (c->vpn_last << CELL_VPN_BITS);
	d[1] = (c->vpn_last >> (64 - CELL_VPN_BITS)) | (c->ppn << (2 * CELL_VPN_BITS - 64)) |
	       ((uint64_t)(c->valid != 0) << 63);
}

/* The metacell: u32 R, T, M, N (META_*). */
static inline uint32_t *meta(const struct cell_table *t)
{
	return (uint32_t *)t->mem;
}

/* N changes in the struct and the metacell together. */
static inline void set_N(struct cell_table *t, uint32_t n)
{
	t->N = n;
	meta(t)[META_N] = n;
}

/* SLOT holds a cell. */
static inline int slot_ok(const struct cell_table *t, uint32_t slot)
{
	return slot >= 1 && slot < t->N;
}

#endif
