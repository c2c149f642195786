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
 * What the cells backend takes from the platform: the boot table it runs on
 * while it edits the live table (it only needs to exist here), and the trap
 * page, placed where the kernel's is (a map only records it).
 */
char boot_root_table[4096] __attribute__((aligned(4096)));

void trap_page_range(uint64_t *va, uint64_t *pa, uint64_t *len)
{
	*va = 0xffff800080201000ull;
	*pa = 0x80201000ull;
	*len = 4096;
}

/* The cells backend tells the trap path where its tables are; the host has no trap path. */
/* No satp on the host: loading one always works. */
void satp_cells_load_or_stop(uint64_t satp)
{
}

void trap_set_user_division(uint64_t division)
{
	(void)division;
}

void trap_set_satps(uint64_t kernel_satp, uint64_t user_satp)
{
	(void)kernel_satp;
	(void)user_satp;
}
