/*
 * pie: checks the kernel's contract with a static position-independent
 * executable.  The image must have been placed away from its link address
 * (0), the auxiliary vector must describe where it landed, and once the
 * program has applied its own R_RISCV_RELATIVE relocations, tables of
 * pointers, data, bss, brk and a read-only RELRO area must all work.
 * No libc: nothing may be used before the relocations are applied.
 */
#include <elf.h>
#include <stddef.h>
#include <stdint.h>

#define SYS_write 64
#define SYS_exit_group 94
#define SYS_brk 214
#define SYS_mprotect 226
#define PROT_READ 1

/* Hidden, so that they are reached PC-relative rather than through the GOT, which is not relocated yet. */
#define LOCAL __attribute__((visibility("hidden")))
extern const Elf64_Ehdr __ehdr_start LOCAL;
extern Elf64_Dyn _DYNAMIC[] LOCAL;
void _start(void) LOCAL;

static long syscall3(long n, long a, long b, long c)
{
	register long a0 asm("a0") = a, a1 asm("a1") = b, a2 asm("a2") = c, a7 asm("a7") = n;
	asm volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
	return a0;
}

static size_t length(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

static void put(const char *s)
{
	syscall3(SYS_write, 1, (long)s, (long)length(s));
}

static void put_hex(uint64_t v)
{
	char buf[19] = "0x";
	for (int i = 0; i < 16; i++)
		buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 15];
	buf[18] = 0;
	put(buf);
}

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		put("pie: FAIL ");
		put(what);
		put("\n");
		failures++;
	}
}

/* Apply the image's RELATIVE relocations: their count.  Runs before any absolute pointer is used. */
static unsigned relocate(uint64_t base)
{
	const Elf64_Rela *rela = 0;
	uint64_t bytes = 0, unsupported = 0, n = 0;
	for (Elf64_Dyn *d = _DYNAMIC; d->d_tag != DT_NULL; d++) {
		if (d->d_tag == DT_RELA)
			rela = (const Elf64_Rela *)(base + d->d_un.d_ptr);
		else if (d->d_tag == DT_RELASZ)
			bytes = d->d_un.d_val;
	}
	for (uint64_t i = 0; rela && i < bytes / sizeof(*rela); i++) {
		if (ELF64_R_TYPE(rela[i].r_info) != R_RISCV_RELATIVE) {
			unsupported++;
			continue;
		}
		*(uint64_t *)(base + rela[i].r_offset) = base + rela[i].r_addend;
		n++;
	}
	return unsupported ? 0 : n;
}

/* Pointers the linker could only record as relocations. */
static int add(int a, int b) { return a + b; }
static int mul(int a, int b) { return a * b; }
static int (*const operations[])(int, int) = { add, mul };
static const char *const words[] = { "tablets", "cells" };
static const char *const *const relro_word = &words[1];
static int counter = 40;
/* Indexes the compiler cannot see through, so the tables above are really read. */
static volatile int first = 0, second = 1;
static char zeroes[4096];

static uint64_t aux_value(uint64_t *auxv, uint64_t type)
{
	for (; auxv[0] != AT_NULL; auxv += 2)
		if (auxv[0] == type)
			return auxv[1];
	return ~0ul;
}

/* Where the GNU_RELRO segment lies after displacement: its page-aligned start and length. */
static void relro_range(uint64_t base, uint64_t *start, uint64_t *len)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + __ehdr_start.e_phoff);
	*start = *len = 0;
	for (int i = 0; i < __ehdr_start.e_phnum; i++)
		if (ph[i].p_type == PT_GNU_RELRO) {
			*start = (base + ph[i].p_vaddr) & ~4095ul;
			*len = ((base + ph[i].p_vaddr + ph[i].p_memsz) & ~4095ul) - *start;
		}
}

int pie_main(uint64_t *sp)
{
	uint64_t base = (uint64_t)&__ehdr_start;
	unsigned relocations = relocate(base);
	long argc = (long)sp[0];
	char **argv = (char **)(sp + 1);
	uint64_t *auxv = sp + 1 + argc + 1;
	while (*auxv)
		auxv++; /* past the environment */
	auxv++;

	put("pie: loaded at ");
	put_hex(base);
	put("\n");
	check(base != 0 && (base & 4095) == 0, "image not displaced from its link address");
	check(relocations > 0, "no RELATIVE relocations, or one of another type");
	check(aux_value(auxv, AT_ENTRY) == (uint64_t)&_start, "AT_ENTRY is not the displaced entry");
	check(aux_value(auxv, AT_PHDR) == base + __ehdr_start.e_phoff, "AT_PHDR is not displaced");
	check(aux_value(auxv, AT_PHNUM) == __ehdr_start.e_phnum, "AT_PHNUM");
	check(aux_value(auxv, AT_BASE) == 0, "AT_BASE is not 0 without an interpreter");
	check(aux_value(auxv, AT_PAGESZ) == 4096, "AT_PAGESZ");
	check(operations[first](20, 22) == 42 && operations[second](6, 7) == 42,
	      "function pointer table");
	check(words[first][0] == 't' && relro_word[first - second + 1][0] == 'c',
	      "string pointer table");
	check(++counter == 41, "initialised data");
	uint64_t sum = 0;
	for (size_t i = 0; i < sizeof(zeroes); i++)
		sum += zeroes[i];
	check(sum == 0, "bss is not zero");

	uint64_t heap = (uint64_t)syscall3(SYS_brk, 0, 0, 0);
	check(heap > base && (uint64_t)syscall3(SYS_brk, (long)heap + 8192, 0, 0) == heap + 8192,
	      "brk above the image");
	if (heap > base) {
		*(volatile uint64_t *)heap = 42;
		check(*(volatile uint64_t *)heap == 42, "brk memory");
	}
	uint64_t relro, relro_len;
	relro_range(base, &relro, &relro_len);
	check(relro_len == 0 || syscall3(SYS_mprotect, (long)relro, (long)relro_len, PROT_READ) == 0,
	      "mprotect of RELRO");

	put("pie: argv[1]=");
	put(argc > 1 ? argv[1] : "(none)");
	put("\n");
	if (failures)
		return 1;
	put("pie: ");
	put(words[second]);
	put(" and ");
	put(words[first]);
	put(" agree: static-PIE ok\n");
	return 0;
}
