/*
 * What the trap vector does about translation when it enters from U-mode
 * and when it returns there (trap_entry.S), for Sv48: nothing.  One root
 * table maps the kernel and the application (the U bit keeps them apart),
 * so sscratch holds the hart pointer while U-mode runs.  The cells
 * platform has its own version of this header.
 */
#ifndef PLATFORM_TRAP_SWITCH_H
#define PLATFORM_TRAP_SWITCH_H

/*
 * Switches between compartments pass through the kernel here (ecall
 * SYS_compart_call 500 and SYS_compart_return 501, libcompart/compart_abi.h,
 * which the assembler cannot read; trap.c checks the numbers), so the
 * vector has a fast path for them (trap_entry.S, trap_view.c).
 */
#define TRAP_FAST_SWITCH 1
#define SWITCH_SYSCALL_FIRST 500

/* In: tp = what sscratch held while U-mode ran.  Out: tp = the hart. */
.macro enter_kernel_translation
.endm

/* tp = the hart, the registers saved; may use t0.  Record what the platform knows of the trap's origin. */
.macro save_user_division
.endm

/* tp = the hart; may use t1.  Set what sscratch holds while U-mode runs. */
.macro prepare_user_translation
	csrw	sscratch, tp
.endm

/* Every register holds the application's value now: the last step before sret. */
.macro switch_to_user_translation
.endm

#endif
