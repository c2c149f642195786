/* The symbol table of the first link: empty, but the same symbols. */
	.section .rodata.ksyms, "a"
	.balign 8
	.globl ksyms_count, ksyms_addrs, ksyms_name_offsets, ksyms_names
ksyms_count:
	.dword 0
ksyms_addrs:
ksyms_name_offsets:
ksyms_names:
	.byte 0
