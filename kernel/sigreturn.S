/*
 * The return from a signal handler: riscv64 Linux has no SA_RESTORER, so a
 * handler returns (ra) to code the kernel provides, which makes the
 * rt_sigreturn system call (kernel/signal.c).  A page of its own, mapped
 * into the application read-only and executable (kernel/exec.c): nothing
 * else of the kernel shares it.
 */
	.section .rodata.sigreturn, "a"
	.balign 4096
	.globl sigreturn_page
sigreturn_page:
	li a7, 139	/* rt_sigreturn */
	ecall
	.balign 4096
