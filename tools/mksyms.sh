#!/bin/sh
# Emit the kernel's text symbols, sorted by address, as the assembly table
# kernel/ksyms.c searches.   usage: mksyms.sh NM kernel.elf > ksyms.S
set -e
nm=$1 elf=$2
"$nm" -n "$elf" | awk '
	BEGIN { n = 0 } # an unset n would index the first symbol as "", not 0
	$2 ~ /^[tTwW]$/ && $3 !~ /^\.L/ && $3 !~ /^\$/ { addr[n] = $1; name[n] = $3; n++ }
	END {
		print "\t.section .rodata.ksyms, \"a\""
		print "\t.balign 8"
		print "\t.globl ksyms_count, ksyms_addrs, ksyms_name_offsets, ksyms_names"
		print "ksyms_count:\n\t.dword " n
		print "ksyms_addrs:"
		for (i = 0; i < n; i++) print "\t.dword 0x" addr[i]
		print "ksyms_name_offsets:"
		off = 0
		for (i = 0; i < n; i++) { print "\t.word " off; off += length(name[i]) + 1 }
		print "ksyms_names:"
		for (i = 0; i < n; i++) print "\t.asciz \"" name[i] "\""
	}'
