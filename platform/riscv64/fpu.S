/*
 * The application's floating-point registers, saved and restored for a
 * thread switch (kernel/sched.c) and a signal frame.  The kernel itself is
 * built without floating point (lp64, rv64imac) and never touches these
 * registers, so they stay the running thread's across a trap; only these
 * two functions, assembled with D, reach them.  sstatus.FS is on (dirty)
 * whenever U-mode has run (machine.c enters it so).
 *
 *   struct fpu_state { uint64_t f[32]; uint32_t fcsr; }   (platform/riscv64/machine.h)
 */
	.option push
	.option arch, +d

	.section .text.fpu_save
	.globl fpu_save
fpu_save:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fsd f\n, (\n * 8)(a0)
	.endr
	frcsr t0
	sw t0, 256(a0)
	ret

	.section .text.fpu_restore
	.globl fpu_restore
fpu_restore:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fld f\n, (\n * 8)(a0)
	.endr
	lw t0, 256(a0)
	fscsr t0
	ret

	.option pop
