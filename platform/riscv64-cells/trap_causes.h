/*
 * The exception causes the cells platform adds to the privileged
 * architecture's (arch.h): the permission-table MMU's instructions raise
 * them (SECURECELLS.md).  trap.c names them, and knows that their stval
 * is not an address.  The Sv48 platform's version of this header adds
 * none.
 */
#ifndef PLATFORM_TRAP_CAUSES_H
#define PLATFORM_TRAP_CAUSES_H

#define EXC_CELLS_ADDRESS 0x18
#define EXC_CELLS_PERMISSION 0x19
#define EXC_CELLS_DIVISION 0x1a
#define EXC_CELLS_CELL_STATE 0x1b
#define EXC_CELLS_TARGET 0x1c

/* Entries for trap.c's table of exception names. */
#define PLATFORM_EXCEPTION_NAMES                                               \
	[EXC_CELLS_ADDRESS] = "SecureCells illegal address",                   \
	[EXC_CELLS_PERMISSION] = "SecureCells illegal permission",             \
	[EXC_CELLS_DIVISION] = "SecureCells invalid division",                 \
	[EXC_CELLS_CELL_STATE] = "SecureCells invalid cell state",             \
	[EXC_CELLS_TARGET] = "SecureCells illegal target",

/*
 * What a cause of the platform's own is to compart/ (enum compart_trap in
 * compart/compart.h): a switch to a non-entry is COMPART_TRAP_BAD_TARGET
 * (5), the other refusals COMPART_TRAP_INSTRUCTION (4).
 */
#define exc_platform_compart_trap(cause)                                       \
	((cause) == EXC_CELLS_TARGET ? 5 :                                     \
	 (cause) >= EXC_CELLS_ADDRESS && (cause) < EXC_CELLS_TARGET ? 4 : -1)


/* A cause of the platform's own, whose stval holds no faulting address. */
#define exc_platform_stval_not_address(cause)                                  \
	((cause) >= EXC_CELLS_ADDRESS && (cause) <= EXC_CELLS_TARGET)

#endif
