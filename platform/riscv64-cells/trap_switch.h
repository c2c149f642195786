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
 * in urid and 0 in usid; one the firmware forwarded unshifted left it in
 * usid, which is then not 0 (division 0 of a user table executes nothing
 * but the trap page, so U-mode never runs in it).  The vector has one free
 * register, tp, holding the kernel table's satp, and usid must be 0 before
 * S-mode touches memory; so it switches satp first, with usid still the
 * trapped division (the kernel table gives rows 1..n execute on the trap
 * page and nothing else: secure-cells/divisions.h), then takes usid into
 * tp, zeroing it, and parks the division in uxid (which the way out sets
 * anyway) until the registers are saved and a second register is free.
 * The C side checks it is a view of the space before believing it (a
 * division register written from U-mode may name any number).
 */
#ifndef PLATFORM_TRAP_SWITCH_H
#define PLATFORM_TRAP_SWITCH_H

#include "cells_csr.h"

/* In: tp = the kernel table's satp (from sscratch).  Out: tp = the hart, uxid = the division that ran. */
.macro enter_kernel_translation
	csrw	satp, tp		/* fetches go on in usid's row of the kernel table: the trap page */
	csrrw	tp, CSR_USID, zero	/* not 0: the trap came unshifted, and this division ran */
	bnez	tp, 1f
	csrr	tp, CSR_URID		/* shifted: the hardware moved usid there */
1:	csrw	CSR_UXID, tp		/* until save_user_division */
	csrwi	CSR_URID, APP_DIVISION
	sfence.vma
	lla	tp, boot_hart
.endm

/* tp = the hart, the registers saved; may use t0. */
.macro save_user_division
	csrrwi	t0, CSR_UXID, 0
	sd	t0, HART_USER_DIVISION(tp)
.endm

/* tp = the hart; may use t1. */
.macro prepare_user_translation
	ld	t1, HART_KERNEL_SATP(tp)
	csrw	sscratch, t1
	ld	t1, HART_USER_SATP(tp)
	csrw	stval, t1
	csrwi	CSR_UXID, 0
	ld	t1, HART_USER_DIVISION(tp)
	csrw	CSR_URID, t1		/* sret moves it into usid */
.endm

/* Every register holds the application's value now: the last step before sret. */
.macro switch_to_user_translation
	csrrw	tp, stval, tp
	csrw	satp, tp
	sfence.vma
	csrrw	tp, stval, tp
.endm

#endif
