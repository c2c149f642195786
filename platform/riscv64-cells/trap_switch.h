/*
 * What the trap vector does about translation on the cells platform
 * (docs/cells.md): S-mode runs on the kernel table, U-mode on the space's
 * user table, which holds nothing of the kernel's but the trap page.  The
 * vector switches tables before its first memory access, and switches back
 * as its last step before sret; both steps run on the trap page, which both
 * tables map at the same address.
 *
 * While U-mode runs, sscratch holds the kernel table's satp (the hart
 * pointer cannot be read before that table is on).  On the way out stval,
 * free then, carries the user table's satp past the registers' reload.
 * The division registers are set outright rather than trusted: Debian's
 * OpenSBI forwards some traps without the division shift, and an emulator
 * may let U-mode write them.
 */
#ifndef PLATFORM_TRAP_SWITCH_H
#define PLATFORM_TRAP_SWITCH_H

#include "cells_csr.h"

/* In: tp = the kernel table's satp (from sscratch).  Out: tp = the hart. */
.macro enter_kernel_translation
	csrwi	CSR_UXID, 0
	csrwi	CSR_URID, APP_DIVISION
	csrwi	CSR_USID, 0		/* the kernel's row of the user table: the trap page only */
	csrw	satp, tp
	sfence.vma
	lla	tp, boot_hart
.endm

/* tp = the hart; may use t1. */
.macro prepare_user_translation
	ld	t1, HART_KERNEL_SATP(tp)
	csrw	sscratch, t1
	ld	t1, HART_USER_SATP(tp)
	csrw	stval, t1
	csrwi	CSR_UXID, 0
	csrwi	CSR_URID, APP_DIVISION	/* sret moves it into usid */
.endm

/* Every register holds the application's value now: the last step before sret. */
.macro switch_to_user_translation
	csrrw	tp, stval, tp
	csrw	satp, tp
	sfence.vma
	csrrw	tp, stval, tp
.endm

#endif
