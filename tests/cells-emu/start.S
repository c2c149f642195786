/*
 * Entry, trap entry and the probes of the cells-emu test.
 * CSR 0x082 usid, 0x083 urid, 0x084 uxid.
 */
#define CSR_USID 0x082
#define CSR_URID 0x083
#define CSR_UXID 0x084
#define SSTATUS_SPP 0x100

	.section .text.start, "ax"
	.globl _start
_start:
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	la	sp, __stack_top
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	la	t0, trap_entry
	csrw	stvec, t0
	call	main
	/* main does not return; exit(1) if it does */
	li	a0, 1
	call	test_exit
3:	j	3b

	.text
/*
 * Traps from S-mode: save the registers, run s_trap(frame), restore, sret.
 * Traps from U-mode end run_user(): record the CSRs and a0..a2 in u_info,
 * restore the S context that run_user saved, and return 0 from it.
 */
	.balign 4
	.globl trap_entry
trap_entry:
	csrw	sscratch, t0
	csrr	t0, sstatus
	andi	t0, t0, SSTATUS_SPP
	beqz	t0, from_user
	csrr	t0, sscratch
	addi	sp, sp, -256
	sd	x1, 8(sp)
	sd	x3, 24(sp)
	sd	x4, 32(sp)
	sd	x5, 40(sp)
	sd	x6, 48(sp)
	sd	x7, 56(sp)
	sd	x8, 64(sp)
	sd	x9, 72(sp)
	sd	x10, 80(sp)
	sd	x11, 88(sp)
	sd	x12, 96(sp)
	sd	x13, 104(sp)
	sd	x14, 112(sp)
	sd	x15, 120(sp)
	sd	x16, 128(sp)
	sd	x17, 136(sp)
	sd	x18, 144(sp)
	sd	x19, 152(sp)
	sd	x20, 160(sp)
	sd	x21, 168(sp)
	sd	x22, 176(sp)
	sd	x23, 184(sp)
	sd	x24, 192(sp)
	sd	x25, 200(sp)
	sd	x26, 208(sp)
	sd	x27, 216(sp)
	sd	x28, 224(sp)
	sd	x29, 232(sp)
	sd	x30, 240(sp)
	sd	x31, 248(sp)
	mv	a0, sp
	call	s_trap
	ld	x1, 8(sp)
	ld	x3, 24(sp)
	ld	x4, 32(sp)
	ld	x5, 40(sp)
	ld	x6, 48(sp)
	ld	x7, 56(sp)
	ld	x8, 64(sp)
	ld	x9, 72(sp)
	ld	x10, 80(sp)
	ld	x11, 88(sp)
	ld	x12, 96(sp)
	ld	x13, 104(sp)
	ld	x14, 112(sp)
	ld	x15, 120(sp)
	ld	x16, 128(sp)
	ld	x17, 136(sp)
	ld	x18, 144(sp)
	ld	x19, 152(sp)
	ld	x20, 160(sp)
	ld	x21, 168(sp)
	ld	x22, 176(sp)
	ld	x23, 184(sp)
	ld	x24, 192(sp)
	ld	x25, 200(sp)
	ld	x26, 208(sp)
	ld	x27, 216(sp)
	ld	x28, 224(sp)
	ld	x29, 232(sp)
	ld	x30, 240(sp)
	ld	x31, 248(sp)
	addi	sp, sp, 256
	sret

from_user:
	la	t0, u_info
	csrr	t1, scause
	sd	t1, 0(t0)
	csrr	t1, stval
	sd	t1, 8(t0)
	csrr	t1, sepc
	sd	t1, 16(t0)
	csrr	t1, CSR_USID
	sd	t1, 24(t0)
	csrr	t1, CSR_URID
	sd	t1, 32(t0)
	csrr	t1, CSR_UXID
	sd	t1, 40(t0)
	sd	a0, 48(t0)
	sd	a1, 56(t0)
	sd	a2, 64(t0)
	/* back to division 0 (a trap forwarded by the firmware is not shifted) */
	csrw	CSR_USID, zero
	la	t1, recover_pc
	sd	zero, 0(t1)
	la	t0, s_ctx
	ld	ra, 0(t0)
	ld	sp, 8(t0)
	ld	s0, 16(t0)
	ld	s1, 24(t0)
	ld	s2, 32(t0)
	ld	s3, 40(t0)
	ld	s4, 48(t0)
	ld	s5, 56(t0)
	ld	s6, 64(t0)
	ld	s7, 72(t0)
	ld	s8, 80(t0)
	ld	s9, 88(t0)
	ld	s10, 96(t0)
	ld	s11, 104(t0)
	ld	gp, 112(t0)
	ld	tp, 120(t0)
	li	a0, 0
	ret

/*
 * long run_user(fn, arg, urid, uxid): sret into U-mode at fn with a0 = arg,
 * urid and uxid set first (so sret enters division urid).  Returns 0 when the
 * U code traps (u_info holds the trap), -1 when the sret itself faulted.
 */
	.globl run_user
run_user:
	la	t0, s_ctx
	sd	ra, 0(t0)
	sd	sp, 8(t0)
	sd	s0, 16(t0)
	sd	s1, 24(t0)
	sd	s2, 32(t0)
	sd	s3, 40(t0)
	sd	s4, 48(t0)
	sd	s5, 56(t0)
	sd	s6, 64(t0)
	sd	s7, 72(t0)
	sd	s8, 80(t0)
	sd	s9, 88(t0)
	sd	s10, 96(t0)
	sd	s11, 104(t0)
	sd	gp, 112(t0)
	sd	tp, 120(t0)
	csrw	sepc, a0
	csrw	CSR_URID, a2
	csrw	CSR_UXID, a3
	li	t1, SSTATUS_SPP
	csrc	sstatus, t1
	la	t0, 1f
	la	t1, recover_pc
	sd	t0, 0(t1)
	mv	a0, a1
	sret
1:	csrw	CSR_USID, zero
	li	a0, -1
	ret

/*
 * Probes: struct { value, faulted } probe_*(addr, ...).  A trap while
 * recover_pc is set resumes at recover_pc (s_trap records the trap).
 */
	.globl probe_ld
probe_ld:
	la	t0, 1f
	la	t1, recover_pc
	sd	t0, 0(t1)
	ld	a0, 0(a0)
	sd	zero, 0(t1)
	li	a1, 0
	ret
1:	li	a0, 0
	li	a1, 1
	ret

	.globl probe_sd
probe_sd:
	la	t0, 1f
	la	t1, recover_pc
	sd	t0, 0(t1)
	sd	a1, 0(a0)
	sd	zero, 0(t1)
	li	a0, 0
	li	a1, 0
	ret
1:	li	a0, 0
	li	a1, 1
	ret

/* call addr (which must hold a ret) */
	.globl probe_fetch
probe_fetch:
	addi	sp, sp, -16
	sd	ra, 0(sp)
	la	t0, 1f
	la	t1, recover_pc
	sd	t0, 0(t1)
	jalr	a0
	la	t1, recover_pc
	sd	zero, 0(t1)
	li	a0, 0
	li	a1, 0
	j	2f
1:	li	a0, 0
	li	a1, 1
2:	ld	ra, 0(sp)
	addi	sp, sp, 16
	ret

/* store in division a2 from S-mode, then back to division 0 */
	.globl probe_sd_as
probe_sd_as:
	la	t0, 1f
	la	t1, recover_pc
	sd	t0, 0(t1)
	csrw	CSR_USID, a2
	sd	a1, 0(a0)
	csrw	CSR_USID, zero
	sd	zero, 0(t1)
	li	a0, 0
	li	a1, 0
	ret
1:	csrw	CSR_USID, zero
	li	a0, 0
	li	a1, 1
	ret

/*
 * SecureCells instructions as probes (S-mode, division 0): NAME runs the
 * one instruction given after it and returns a0 = 0 with a1 = 0 when it
 * retired, a1 = 1 when it trapped (s_trap records the trap).
 */
	.macro INSN_PROBE name, insn:vararg
	.globl \name
\name:
	la	t0, 1f
	la	t1, recover_pc
	sd	t0, 0(t1)
	\insn
	sd	zero, 0(t1)
	li	a0, 0
	li	a1, 0
	ret
1:	li	a0, 0
	li	a1, 1
	ret
	.endm

	INSN_PROBE probe_prot, .insn r 0x0b, 3, 0, x0, a0, a1	/* prot a0, a1 */
	INSN_PROBE probe_inval, .insn r 0x0b, 2, 0x20, x0, a0, x0	/* inval a0 */
	INSN_PROBE probe_reval, .insn r 0x0b, 2, 0, x0, a0, a1	/* reval a0, a1 */
	INSN_PROBE probe_entry, .word 0x0000100b	/* entry: a no-op */

/*
 * U-mode code (runs in the division run_user entered).  Each ends in ecall,
 * which brings it back through from_user.
 */
	.globl u_ld
u_ld:	ld	a0, 0(a0)
	ecall
	.globl u_sd
u_sd:	sd	a0, 0(a0)
	ecall
	.globl u_ecall
u_ecall:
	ecall
/* u_ids: read the three division registers from U-mode */
	.globl u_ids
u_ids:	csrr	a0, CSR_USID
	csrr	a1, CSR_URID
	csrr	a2, CSR_UXID
	ecall
/* u_wids(v): write V to each division register from U-mode, usid last */
	.globl u_wids
u_wids:	csrw	CSR_UXID, a0
	csrw	CSR_URID, a0
	csrw	CSR_USID, a0
	ecall

/* u_jalrs(target): jalrs ra, a0, a1=2 into division 2 */
	.globl u_jalrs
u_jalrs:
	li	a1, 2
	.insn r 0x0b, 0, 0, ra, a0, a1
	ecall

/* u_jals: jals t0 (t0 = 2) to u_pad */
	.globl u_jals
u_jals:
	li	t0, 2
	.insn j 0x2b, t0, u_pad
	.globl u_jals_ret
u_jals_ret:
	ecall

/* a landing pad: report usid, urid and the link register */
	.globl u_pad
	.balign 4
u_pad:	.word	0x0000100b	/* entry */
	mv	a2, t0
	ecall

/* u_grant(addr): grant R on the cell to division 1 (from division 2) */
	.globl u_grant
u_grant:
	li	a1, 1
	.insn s 0x0b, 4, a1, 2(a0)
	ecall

/* u_recv(addr): receive R from division 2 (in division 1) */
	.globl u_recv
u_recv:
	li	a1, 2
	.insn s 0x0b, 6, a1, 2(a0)
	ld	a0, 0(a0)
	ecall

/* u_excl(addr): a0 = excl(addr, W) */
	.globl u_excl
u_excl:
	li	a1, 4
	.insn r 0x0b, 7, 0, a0, a0, a1
	ecall

/*
 * For checks_compartments.c: one instruction on the cell at a0 from the
 * division run_user entered, then ecall (a fault of the instruction comes
 * back through from_user instead).
 */
	.globl u_inval
u_inval:
	.insn r 0x0b, 2, 0x20, x0, a0, x0	/* inval a0 */
	ecall
	.globl u_prot0
u_prot0:
	li	a1, 0
	.insn r 0x0b, 3, 0, x0, a0, a1	/* prot a0, 0 */
	ecall
	.globl u_reval_rwx
u_reval_rwx:
	li	a1, 0xe
	.insn r 0x0b, 2, 0, x0, a0, a1	/* reval a0, R|W|X */
	ecall
	.globl u_tfer_r_to2
u_tfer_r_to2:
	li	a1, 2
	.insn s 0x0b, 5, a1, 2(a0)	/* tfer a0, 2, R */
	ecall
	.globl u_recv_r_from1
u_recv_r_from1:
	li	a1, 1
	.insn s 0x0b, 6, a1, 2(a0)	/* recv a0, 1, R */
	ecall
	.globl u_grant_r_to2
u_grant_r_to2:
	li	a1, 2
	.insn s 0x0b, 4, a1, 2(a0)	/* grant a0, 2, R */
	ecall
	.globl u_grant_none_to2
u_grant_none_to2:
	li	a1, 2
	.insn s 0x0b, 4, a1, 0(a0)	/* grant a0, 2, nothing */
	ecall
/* u_jalrs_div9(target): jalrs into division 9, past the table's M */
	.globl u_jalrs_div9
u_jalrs_div9:
	li	a1, 9
	.insn r 0x0b, 0, 0, ra, a0, a1
	ecall
