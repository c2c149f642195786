/*
 * The application, its command line and its root archive (apps/APP/root/,
 * packed by tools/mkroot.sh; kernel/fs.c unpacks it), carried inside the
 * kernel image.  The ELF starts on a page so that its read-only segments can
 * be mapped straight from the image.
 */
	.section .app_blob, "a"
	.balign 4096
	.globl app_elf_start, app_elf_end, app_cmdline, app_root_start, app_root_end
app_elf_start:
	.incbin APP_ELF_PATH
app_elf_end:
	.balign 8
app_cmdline:
	.incbin APP_ARGS_PATH
	.byte 0
	.balign 8
app_root_start:
	.incbin APP_ROOT_PATH
app_root_end:
