/*
 * The SecureCells division registers (SECURECELLS.md) as the cells
 * platform's trap path sets them, and the division the application runs
 * in.  Assembly and C alike: plain numbers.
 */
#ifndef PLATFORM_CELLS_CSR_H
#define PLATFORM_CELLS_CSR_H

#define CSR_USID 0x082 /* the division running now */
#define CSR_URID 0x083 /* the division an sret moves into usid */
#define CSR_UXID 0x084 /* the division a jalrs/jals came from */

/* View 0's division (secure-cells/divisions.h's DIV_APP): urid in the kernel, where it is not used. */
#define APP_DIVISION 1

#endif
