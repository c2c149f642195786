/*
 * The application and its command line, carried inside the kernel image.
 * The ELF starts on a page so that its read-only segments can be mapped
 * straight from the image.
 */
	.section .app_blob, "a"
	.balign 4096
	.globl app_elf_start, app_elf_end, app_cmdline
app_elf_start:
	.incbin APP_ELF_PATH
app_elf_end:
	.balign 8
app_cmdline:
	.incbin APP_ARGS_PATH
	.byte 0
