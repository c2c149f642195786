/*
 * What the kernel's generic code expects from its environment, for host tests:
 * the direct-map offset, a console on stdout and a panic that aborts.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernel/console.h"
#include "kernel/memory.h"
#include "kernel/panic.h"

uintptr_t direct_map_offset;
uint64_t ram_bytes;
/* What read_time() returns under HOST_TEST (platform/riscv64/arch.h). */
uint64_t host_test_time;

void console_write(const char *buf, size_t len)
{
	fwrite(buf, 1, len, stdout);
}

int kvprintf(const char *fmt, va_list ap)
{
	return vprintf(fmt, ap);
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "panic: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

/*
 * Symbols the kernel's linker script and entry code define, which the cells
 * backend names (the trap vector's page, the boot table it runs on while it
 * edits the live table).  On the host they only need to exist.
 */
char __trap_page[4096] __attribute__((aligned(4096)));
char __trap_page_end[1];
char boot_root_table[4096] __attribute__((aligned(4096)));
