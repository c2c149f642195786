/*
 * SATP mode 15, SecureCells permission tables: the cells platform's one
 * difference in how translation is turned on (/work/shared/docs/SECURECELLS.md;
 * the table format itself is secure-cells/table.h's).
 */
#ifndef PLATFORM_RISCV64_CELLS_SATP_CELLS_H
#define PLATFORM_RISCV64_CELLS_SATP_CELLS_H

#include <stdint.h>

#define SATP_MODE_CELLS 15ull

/* The satp value that turns on the table at physical BASE (ASID 0). */
static inline uint64_t satp_cells(uint64_t base)
{
	return (SATP_MODE_CELLS << 60) | (base >> 12);
}

/*
 * Load SATP (a satp_cells value) and fence; an emulator without mode 15
 * keeps its old satp (WARL), and then the machine stops with a message
 * saying what to run instead (status 3).
 */
void satp_cells_load_or_stop(uint64_t satp);

#endif
