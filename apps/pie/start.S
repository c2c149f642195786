/* The entry point: hand the initial stack pointer (argc, argv, envp, auxv) to C, exit with its result. */
	.text
	.globl _start
	.type _start, @function
_start:
	mv a0, sp
	andi sp, sp, -16
	call pie_main
	li a7, 94 /* exit_group */
	ecall
1:	j 1b
	.size _start, . - _start
