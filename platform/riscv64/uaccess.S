/*
 * Copies that touch application memory.  A page fault inside
 * [uaccess_begin, uaccess_end) that the vmm cannot resolve resumes at
 * uaccess_fixup, which returns -EFAULT to the caller: a bad pointer from an
 * application becomes an error, never a kernel fault.  Callers set SUM.
 * These are leaf functions, so ra is intact when the fixup returns.
 */
	.section .text
	.balign 4
	.globl uaccess_begin, uaccess_end, uaccess_fixup

uaccess_begin:
/* long uaccess_copy(void *dst, const void *src, size_t n): 0 or -EFAULT. */
	.globl uaccess_copy
uaccess_copy:
	or	t0, a0, a1
	or	t0, t0, a2
	andi	t0, t0, 7
	bnez	t0, 2f
1:	beqz	a2, 3f			/* all three 8-byte aligned: copy words */
	ld	t1, 0(a1)
	sd	t1, 0(a0)
	addi	a0, a0, 8
	addi	a1, a1, 8
	addi	a2, a2, -8
	j	1b
2:	beqz	a2, 3f
	lbu	t1, 0(a1)
	sb	t1, 0(a0)
	addi	a0, a0, 1
	addi	a1, a1, 1
	addi	a2, a2, -1
	j	2b
3:	li	a0, 0
	ret

/* long uaccess_strncpy(char *dst, const char *src, size_t max):
 * copies up to and including the NUL; returns the string length, MAX when no
 * NUL came within MAX bytes, or -EFAULT. */
	.globl uaccess_strncpy
uaccess_strncpy:
	li	t0, 0
1:	beq	t0, a2, 2f
	add	t1, a1, t0
	lbu	t2, 0(t1)
	add	t1, a0, t0
	sb	t2, 0(t1)
	beqz	t2, 2f
	addi	t0, t0, 1
	j	1b
2:	mv	a0, t0
	ret
uaccess_end:

uaccess_fixup:
	li	a0, -14
	ret
