/*
 * Kernel entry.  The firmware (OpenSBI directly, or U-Boot's booti) jumps
 * here in S-mode with the MMU off, a0 = hart id, a1 = FDT physical address.
 *
 * The image is linked in the upper half (DIRECT_MAP_BASE + physical
 * address) but entered at its physical address.  A static boot table maps
 * the first 512 GiB of physical memory twice, at 0 and at DIRECT_MAP_BASE,
 * with one Sv48 leaf each; its entries hold physical page number 0, so it
 * needs no relocation.  vmm_init() replaces it with the real kernel table.
 */
#include "arch.h"

	.section .text.entry, "ax"
	.option push
	.option norvc			/* the header's first word must be a 4-byte instruction */
	.globl _start
_start:
	j	boot_hart_lottery	/* code0 */
	.word	0			/* code1 */
	.dword	0x200000		/* text_offset: where booti puts us above RAM start */
	.dword	_image_size		/* image_size, bss included */
	.dword	0			/* flags: little endian */
	.word	2			/* header version 0.2 */
	.word	0
	.dword	0
	.ascii	"RISCV\0\0\0"		/* magic (deprecated form) */
	.ascii	"RSC\x05"		/* magic2 */
	.word	0
	.option pop

boot_hart_lottery:
	rdinstret s2			/* boot_instret counts from here */
	mv	s0, a0
	mv	s1, a1
	/* The first hart to arrive boots; any other parks for good. */
	lla	t0, boot_lottery
	li	t1, 1
	amoswap.w t1, t1, (t0)
	bnez	t1, park

	csrw	sie, zero
	csrw	stvec, zero
	lla	t0, boot_root_table
	srli	t0, t0, 12
	li	t1, SATP_MODE_SV48 << SATP_MODE_SHIFT
	or	t0, t0, t1
	csrw	satp, t0
	sfence.vma
	/* Continue at the link-time (upper-half) address of boot_high. */
	lla	t0, boot_high_addr
	ld	t0, 0(t0)
	jr	t0

boot_high:
	lla	sp, boot_stack_top
	lla	tp, boot_hart
	/* Clear the bss 64 bytes a turn (kernel.ld aligns both ends): a fifth of
	 * the instructions of a store a turn, and the bss is most of what boot clears. */
	lla	t0, __bss_start
	lla	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	sd	zero, 8(t0)
	sd	zero, 16(t0)
	sd	zero, 24(t0)
	sd	zero, 32(t0)
	sd	zero, 40(t0)
	sd	zero, 48(t0)
	sd	zero, 56(t0)
	addi	t0, t0, 64
	j	1b
2:	mv	a0, s0
	mv	a1, s1
	mv	a2, s2
	call	kernel_main
park:
	wfi
	j	park

	.section .data.boot, "aw"
	.balign 8
boot_high_addr:
	.dword	boot_high
boot_lottery:
	.word	0

	.balign 4096
	.globl boot_root_table
boot_root_table:
	.dword	0xef			/* [0]: VA 0 -> PA 0, 512 GiB, V R W X G A D */
	.fill	255, 8, 0
	.dword	0xef			/* [256]: DIRECT_MAP_BASE -> PA 0, the same leaf */
	.fill	255, 8, 0

	.section .bss.stack, "aw", @nobits
	.balign 16
	.globl boot_stack_bottom, boot_stack_top
boot_stack_bottom:
	.space	16384
boot_stack_top:
