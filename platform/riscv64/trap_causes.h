/*
 * The exception causes a platform adds to the privileged architecture's
 * (arch.h), for trap.c: Sv48 adds none.  The cells platform has its own
 * version of this header (found first on its include path).
 */
#ifndef PLATFORM_TRAP_CAUSES_H
#define PLATFORM_TRAP_CAUSES_H

/* Entries for trap.c's table of exception names. */
#define PLATFORM_EXCEPTION_NAMES

/* What a cause of the platform's own is to compart/ (enum compart_trap), or -1: Sv48 has none. */
#define exc_platform_compart_trap(cause) ((void)(cause), -1)

/* A cause of the platform's own, whose stval holds no faulting address. */
#define exc_platform_stval_not_address(cause) ((void)(cause), 0)

#endif
