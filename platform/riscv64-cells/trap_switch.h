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
 *
 * Which division ran (docs/cells.md): a trap the hardware shifted left it
 * in urid, U-mode's own urid in uxid and 0 in usid; one the firmware
 * forwarded unshifted left it in usid, which is then not 0 (division 0 of
 * a user table executes nothing but the trap page, so U-mode never runs
 * in it), and U-mode's urid still in urid.  The vector has one free
 * register, tp, holding the kernel table's satp, and usid must be 0 before
 * S-mode touches memory; so it switches satp first, with usid still the
 * trapped division (the kernel table gives rows 1..n execute on the trap
 * page and nothing else: secure-cells/divisions.h), then takes usid into
 * tp, zeroing it, and for an unshifted trap makes the shift itself (urid
 * into uxid, the division into urid).  Both wait there until the
 * registers are saved and t0 is free (save_user_division); the way out
 * puts them back, so that sret enters the division and gives U-mode its
 * urid again (a callee's way back to its caller survives a trap).  The C
 * side checks the division is a view of the space before believing it (a
 * division register written from U-mode may name any number).
 */
#ifndef PLATFORM_TRAP_SWITCH_H
#define PLATFORM_TRAP_SWITCH_H

#include "cells_csr.h"

/* In: tp = the kernel table's satp (from sscratch).  Out: tp = the hart, urid = the division that ran, uxid = U-mode's urid. */
.macro enter_kernel_translation
	csrw	satp, tp		/* fetches go on in usid's row of the kernel table: the trap page */
	csrrw	tp, CSR_USID, zero	/* not 0: the trap came unshifted, and this division ran */
	beqz	tp, 1f
	csrrw	tp, CSR_URID, tp	/* the shift the firmware skipped */
	csrw	CSR_UXID, tp
1:	sfence.vma
	lla	tp, boot_hart
.endm

/* tp = the hart, the registers saved; may use t0.  Before any trap in the kernel shifts them. */
.macro save_user_division
	csrrwi	t0, CSR_URID, APP_DIVISION
	sd	t0, HART_USER_DIVISION(tp)
	csrrwi	t0, CSR_UXID, 0
	sd	t0, HART_USER_URID(tp)
.endm

/* tp = the hart; may use t1. */
.macro prepare_user_translation
	ld	t1, HART_KERNEL_SATP(tp)
	csrw	sscratch, t1
	ld	t1, HART_USER_SATP(tp)
	csrw	stval, t1
	ld	t1, HART_USER_URID(tp)
	csrw	CSR_UXID, t1		/* sret moves it into urid */
	ld	t1, HART_USER_DIVISION(tp)
	csrw	CSR_URID, t1		/* and this into usid */
.endm

/* Every register holds the application's value now: the last step before sret. */
.macro switch_to_user_translation
	csrrw	tp, stval, tp
	csrw	satp, tp
	sfence.vma
	csrrw	tp, stval, tp
.endm

#endif
