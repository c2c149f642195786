/*
 * The trap vector: saves every register in a struct trap_frame, calls
 * trap_handle(frame), and returns through trap_return.
 *
 * sscratch is non-zero while U-mode runs (what it holds is the platform's:
 * trap_switch.h) and 0 while the kernel runs, so the vector can tell the
 * two apart and switch to the kernel stack only when coming from U-mode.
 * In the kernel tp always points to struct hart: { kernel_sp at 0,
 * scratch at 8 }.  The whole file sits on the trap page (.text.trap): on
 * the cells platform the first and last instructions of a trap from U-mode
 * run on the application's table, which maps that page and nothing else of
 * the kernel's.
 */
#include "arch.h"
#include <trap_causes.h> /* the platform's own, likewise */
#include <trap_switch.h> /* the platform's own: -I order, not this folder */

/*
 * TRAP_FAST_SWITCH (the platform's trap_switch.h): the switch between
 * compartments has a fast path where the kernel switches them
 * (trap_entry_switching below); on cells the stubs switch with jalrs and
 * never ecall for it, so there is none.
 */

.macro save_gprs_except_sp_tp
	sd	x1, 1*8(sp)
	sd	x3, 3*8(sp)
	sd	x5, 5*8(sp)
	sd	x6, 6*8(sp)
	sd	x7, 7*8(sp)
	sd	x8, 8*8(sp)
	sd	x9, 9*8(sp)
	sd	x10, 10*8(sp)
	sd	x11, 11*8(sp)
	sd	x12, 12*8(sp)
	sd	x13, 13*8(sp)
	sd	x14, 14*8(sp)
	sd	x15, 15*8(sp)
	sd	x16, 16*8(sp)
	sd	x17, 17*8(sp)
	sd	x18, 18*8(sp)
	sd	x19, 19*8(sp)
	sd	x20, 20*8(sp)
	sd	x21, 21*8(sp)
	sd	x22, 22*8(sp)
	sd	x23, 23*8(sp)
	sd	x24, 24*8(sp)
	sd	x25, 25*8(sp)
	sd	x26, 26*8(sp)
	sd	x27, 27*8(sp)
	sd	x28, 28*8(sp)
	sd	x29, 29*8(sp)
	sd	x30, 30*8(sp)
	sd	x31, 31*8(sp)
.endm

	.section .text.trap, "ax"
	.balign 4
	.globl trap_entry
trap_entry:
	csrrw	tp, sscratch, tp
	bnez	tp, trap_from_user
trap_from_kernel:
	/* From the kernel: put tp back and stay on the current stack. */
	csrrw	tp, sscratch, tp
	addi	sp, sp, -TF_SIZE
	save_gprs_except_sp_tp
	sd	tp, 4*8(sp)
	addi	t0, sp, TF_SIZE
	sd	t0, 2*8(sp)
	j	trap_save_csrs

trap_from_user:
	enter_kernel_translation
	sd	sp, HART_SCRATCH(tp)
	ld	sp, HART_KERNEL_SP(tp)
	addi	sp, sp, -TF_SIZE
trap_save_user:
	save_gprs_except_sp_tp
	ld	t0, HART_SCRATCH(tp)
	sd	t0, 2*8(sp)
	csrr	t0, sscratch
	sd	t0, 4*8(sp)
	csrw	sscratch, zero
	save_user_division

trap_save_csrs:
	csrr	t0, sepc
	sd	t0, TF_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, TF_SSTATUS(sp)
	csrr	t0, scause
	sd	t0, TF_SCAUSE(sp)
	csrr	t0, stval
	sd	t0, TF_STVAL(sp)
	mv	a0, sp
	call	trap_handle
	mv	a0, sp

/* Reload x1..x31 from the frame at sp, sp itself last. */
.macro restore_gprs
	ld	x1, 1*8(sp)
	ld	x3, 3*8(sp)
	ld	x4, 4*8(sp)
	ld	x5, 5*8(sp)
	ld	x6, 6*8(sp)
	ld	x7, 7*8(sp)
	ld	x8, 8*8(sp)
	ld	x9, 9*8(sp)
	ld	x10, 10*8(sp)
	ld	x11, 11*8(sp)
	ld	x12, 12*8(sp)
	ld	x13, 13*8(sp)
	ld	x14, 14*8(sp)
	ld	x15, 15*8(sp)
	ld	x16, 16*8(sp)
	ld	x17, 17*8(sp)
	ld	x18, 18*8(sp)
	ld	x19, 19*8(sp)
	ld	x20, 20*8(sp)
	ld	x21, 21*8(sp)
	ld	x22, 22*8(sp)
	ld	x23, 23*8(sp)
	ld	x24, 24*8(sp)
	ld	x25, 25*8(sp)
	ld	x26, 26*8(sp)
	ld	x27, 27*8(sp)
	ld	x28, 28*8(sp)
	ld	x29, 29*8(sp)
	ld	x30, 30*8(sp)
	ld	x31, 31*8(sp)
	ld	x2, 2*8(sp)
.endm

/* void trap_return(struct trap_frame *frame): resume the context in FRAME. */
	.globl trap_return
trap_return:
	mv	sp, a0
	ld	t0, TF_SSTATUS(sp)
	csrw	sstatus, t0
	ld	t1, TF_SEPC(sp)
	csrw	sepc, t1
	andi	t0, t0, SSTATUS_SPP
	bnez	t0, return_to_kernel
	/* Back to U-mode: the next trap from there starts above this frame. */
	addi	t1, sp, TF_SIZE
	sd	t1, HART_KERNEL_SP(tp)
	prepare_user_translation
	restore_gprs
	switch_to_user_translation
	sret

return_to_kernel:
	restore_gprs
	sret

#ifdef TRAP_FAST_SWITCH
/*
 * An ecall for a switch between compartments, t0 saved.  Save what the
 * switch reads (t0 the entry stub, t1 the compartment, a0-a5 the
 * arguments or the value, a7 the call), sepc, and U-mode's tp (sscratch
 * 0 while the kernel runs, as on the whole path), and let
 * compart_switch_fast make the switch.  U-mode's sp, gp and s0-s11 stay
 * in their registers (C keeps s0-s11) or at HART_SCRATCH.  The other
 * registers come back 0, not as the kernel left them and not as U-mode
 * had them: the callee gets nothing of its caller's but a0-a5, the caller
 * nothing of its callee's but a0-a5 (a1 C set, a2-a5 the entry stub cleared).  A switch C does
 * not make (a refusal, or no switching program) takes the whole path with
 * the registers the trap found, ra, t2-t6 and a6 0 (the caller's stub reloads
 * or rewrites them when it resumes).
 */
.macro fast_switch_inputs op
	\op	x6, 6*8(sp)
	\op	x10, 10*8(sp)
	\op	x11, 11*8(sp)
	\op	x12, 12*8(sp)
	\op	x13, 13*8(sp)
	\op	x14, 14*8(sp)
	\op	x15, 15*8(sp)
	\op	x17, 17*8(sp)
.endm

.macro fast_switch_zero_scratch
	li	ra, 0
	li	t2, 0
	li	t3, 0
	li	t4, 0
	li	t5, 0
	li	t6, 0
.endm

/*
 * The vector of a program that switches through the kernel (trap.c installs
 * it at the program's first switch, so that no other program pays for the
 * test): trap_entry, with the switch's ecalls taken aside.
 */
	.balign 4
	.globl trap_entry_switching
trap_entry_switching:
	csrrw	tp, sscratch, tp
	beqz	tp, trap_from_kernel
	enter_kernel_translation
	sd	sp, HART_SCRATCH(tp)
	ld	sp, HART_KERNEL_SP(tp)
	addi	sp, sp, -TF_SIZE
	sd	t0, 5*8(sp)
	csrr	t0, scause
	addi	t0, t0, -EXC_ECALL_U
	bnez	t0, 1f
	addi	t0, a7, -SWITCH_SYSCALL_FIRST
	sltiu	t0, t0, 2
	bnez	t0, trap_fast_switch
1:	ld	t0, 5*8(sp)
	j	trap_save_user

trap_fast_switch:
	fast_switch_inputs sd
	csrrw	t0, sscratch, zero
	sd	t0, 4*8(sp)
	csrr	t0, sepc
	sd	t0, TF_SEPC(sp)
	mv	a0, sp
	call	compart_switch_fast
	ld	t0, 4*8(sp)
	csrw	sscratch, t0
	beqz	a0, 1f
	ld	t0, TF_SEPC(sp)
	csrw	sepc, t0
	ld	a0, 10*8(sp)
	ld	a1, 11*8(sp)
	ld	a2, 12*8(sp)
	ld	a3, 13*8(sp)
	ld	a4, 14*8(sp)
	ld	a5, 15*8(sp)
	li	t0, 0
	li	t1, 0
	li	a6, 0
	li	a7, 0
	fast_switch_zero_scratch
	ld	sp, HART_SCRATCH(tp)
	csrrw	tp, sscratch, tp
	sret
1:	fast_switch_inputs ld
	ld	t0, 5*8(sp)
	li	a6, 0
	fast_switch_zero_scratch
	j	trap_save_user
#endif
