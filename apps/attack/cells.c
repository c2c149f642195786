/*
 * Attacks with the SecureCells instructions and division registers
 * (SECURECELLS.md), on the kernel addresses a program can name: the trap
 * page (its address is an argument; the test reads it from the kernel's
 * symbols), the kernel image and the direct map.  On the cells platform
 * each must end in a reported fault or change nothing the kernel relies
 * on; on Sv48 every one of these instructions is an illegal instruction.
 * Steps that must succeed print "attack: STEP: done" first, so the test
 * sees how far an attack got.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attack.h"

#define R 2
#define W 4
#define X 8
#define WITNESS 2 /* the kernel's witness division (secure-cells/divisions.h) */

#define KERNEL_IMAGE 0xffff800080200000ul
#define DIRECT_MAP_RAM 0xffff800080000000ul

/* The instructions, encoded as SECURECELLS.md gives them. */
static inline void sc_inval(unsigned long a)
{
	__asm__ volatile(".insn r 0x0b, 2, 0x20, x0, %0, x0" ::"r"(a) : "memory");
}
static inline void sc_reval(unsigned long a, unsigned long rights)
{
	__asm__ volatile(".insn r 0x0b, 2, 0, x0, %0, %1" ::"r"(a), "r"(rights) : "memory");
}
static inline void sc_prot(unsigned long a, unsigned long rights)
{
	__asm__ volatile(".insn r 0x0b, 3, 0, x0, %0, %1" ::"r"(a), "r"(rights) : "memory");
}
static inline unsigned long sc_excl(unsigned long a, unsigned long rights)
{
	unsigned long r;
	__asm__ volatile(".insn r 0x0b, 7, 0, %0, %1, %2" : "=r"(r) : "r"(a), "r"(rights) : "memory");
	return r;
}
/* grant, tfer and recv take their rights as an immediate. */
#define sc_grant(a, div, rights) \
	__asm__ volatile(".insn s 0x0b, 4, %1, %2(%0)" ::"r"(a), "r"(div), "i"(rights) : "memory")
#define sc_tfer(a, div, rights) \
	__asm__ volatile(".insn s 0x0b, 5, %1, %2(%0)" ::"r"(a), "r"(div), "i"(rights) : "memory")
#define sc_recv(a, div, rights) \
	__asm__ volatile(".insn s 0x0b, 6, %1, %2(%0)" ::"r"(a), "r"(div), "i"(rights) : "memory")
/* jalrs ra, target, division: into DIV at TARGET (an entry pad, or a fault). */
static inline void sc_jalrs(unsigned long target, unsigned long div)
{
	__asm__ volatile(".insn r 0x0b, 0, 0, ra, %0, %1" ::"r"(target), "r"(div) : "ra", "memory");
}
static inline void csr_write_usid(unsigned long v)
{
	__asm__ volatile("csrw 0x082, %0" ::"r"(v) : "memory");
}
static inline void csr_write_urid(unsigned long v)
{
	__asm__ volatile("csrw 0x083, %0" ::"r"(v) : "memory");
}
static inline void csr_write_uxid(unsigned long v)
{
	__asm__ volatile("csrw 0x084, %0" ::"r"(v) : "memory");
}

static void done(const char *step)
{
	printf("attack: %s: done\n", step);
	fflush(stdout);
}

/* The trap page's address: argv[1]. */
static unsigned long trap_page(int argc, char **argv)
{
	if (argc < 2) {
		printf("attack: give the trap page's address\n");
		exit(2);
	}
	return strtoul(argv[1], NULL, 0);
}

/* A forwarded trap (the firmware hands illegal instructions on without the division shift). */
static void illegal_instruction(void)
{
	__asm__ volatile(".word 0" ::: "memory");
}

/* The kernel still serves system calls: a write that must come out. */
static int still_served(void)
{
	static const char msg[] = "attack: the kernel still serves system calls\n";
	return expect_value("write after the attack", write(1, msg, sizeof(msg) - 1),
			    (long)sizeof(msg) - 1);
}

/* 1 and 2: invalidate the trap page, then re-validate it writable and rewrite the vector. */
static int inval_trap(int argc, char **argv)
{
	unsigned long page = trap_page(argc, argv);
	sc_inval(page);
	done("inval of the trap page");
	still_served();
	return 1;
}

static int reval_trap(int argc, char **argv)
{
	unsigned long page = trap_page(argc, argv);
	sc_inval(page);
	done("inval of the trap page");
	sc_reval(page, R | W | X);
	done("reval of the trap page with R|W|X");
	/* Overwrite the vector's first instruction with a jump to itself: a hang, or worse. */
	*(volatile unsigned *)page = 0x0000006f;
	done("the trap vector rewritten");
	still_served();
	return 1;
}

/* reval of the (valid) trap page: the cell is valid, so this must fault. */
static int reval_valid_trap(int argc, char **argv)
{
	sc_reval(trap_page(argc, argv), R | W | X);
	done("reval of the valid trap page");
	return 1;
}

/* 3: drop the application's own rights on the trap page, then take a forwarded trap. */
static int prot_trap(int argc, char **argv)
{
	unsigned long page = trap_page(argc, argv);
	sc_prot(page, 0);
	done("prot of the trap page to no rights");
	/* Traps the hardware shifts (system calls) start in the kernel's row: they still work. */
	if (still_served())
		return 1;
	illegal_instruction();
	done("illegal instruction handled as if nothing happened");
	return 1;
}

/*
 * Every instruction that may succeed on the trap page without harm: excl,
 * prot to what the program holds, grants to the witness (pending: it never
 * runs to take them).  Then the one that must fail: recv from the witness.
 */
static int harmless_trap(int argc, char **argv)
{
	unsigned long page = trap_page(argc, argv);
	/* No other user division executes it (the witness only reads): 0. */
	int failed = expect_value("excl of the trap page for X", (long)sc_excl(page, X), 0);
	sc_prot(page, X);
	done("prot of the trap page to X (no change)");
	sc_grant(page, WITNESS, X);
	done("grant of X on the trap page to the witness");
	failed |= still_served();
	__asm__ volatile("" ::: "memory");
	sc_recv(page, WITNESS, X);
	done("recv of X on the trap page from the witness");
	return 1 | failed;
}

/* tfer of the trap page to the witness: the program's own X goes, then a forwarded trap. */
static int tfer_trap(int argc, char **argv)
{
	unsigned long page = trap_page(argc, argv);
	sc_tfer(page, WITNESS, X);
	done("tfer of X on the trap page to the witness");
	if (still_served())
		return 1;
	illegal_instruction();
	return 1;
}

/* Switch divisions: into the witness at the trap page, into division 0, past the last. */
static int jalrs_witness(int argc, char **argv)
{
	sc_jalrs(trap_page(argc, argv), WITNESS);
	done("jalrs into the witness");
	return 1;
}

static int jalrs_kernel(int argc, char **argv)
{
	sc_jalrs(trap_page(argc, argv), 0);
	done("jalrs into division 0");
	return 1;
}

/* Kernel memory is in no cell of the application's table: every instruction finds no cell. */
static int inval_image(int argc, char **argv)
{
	sc_inval(KERNEL_IMAGE);
	done("inval of the kernel image");
	return 1;
}

static int prot_direct_map(int argc, char **argv)
{
	sc_prot(DIRECT_MAP_RAM, 0);
	done("prot of the direct map");
	return 1;
}

/*
 * The division registers from U-mode: an illegal instruction (SecureCells'
 * documents).  Where an emulator lets U-mode write them (the reference's
 * way; ours with x-seccells-user-csrs=on), division 0's row of the
 * application's table holds nothing but the trap page: the next fetch
 * faults, the trap path puts the program back in its own division, and a
 * read of kernel memory finds no cell.
 */
static int write_usid(int argc, char **argv)
{
	csr_write_usid(0);
	done("csrw usid, 0");
	unsigned long word = *(volatile unsigned long *)KERNEL_IMAGE;
	printf("attack: read the kernel image: %#lx\n", word);
	return 1;
}

/* With writable registers: drop every row's rights on the trap page, then inval it as division 0. */
static int usid_inval_trap(int argc, char **argv)
{
	unsigned long page = trap_page(argc, argv);
	csr_write_usid(WITNESS);
	sc_prot(page, 0);
	csr_write_usid(1);
	sc_prot(page, 0);
	csr_write_usid(0);
	done("every row's rights on the trap page dropped as far as it went");
	sc_inval(page);
	done("inval of the trap page");
	sc_reval(page, R | W | X);
	done("reval of the trap page");
	return 1;
}

/* urid and uxid: the trap path sets them outright, so writing them changes nothing. */
static int write_urid_uxid(int argc, char **argv)
{
	csr_write_urid(0);
	csr_write_uxid(5);
	done("csrw urid, 0 and uxid, 5");
	if (still_served())
		return 1;
	csr_write_urid(3);
	csr_write_uxid(0x7fffffff);
	return still_served();
}

/* usid past the last division: nothing translates, the trap path puts the program back. */
static int usid_garbage(int argc, char **argv)
{
	static volatile unsigned long mine = 0x5eed;
	csr_write_usid(77);
	done("csrw usid, 77");
	return expect_value("own memory after usid 77", (long)mine, 0x5eed) | still_served();
}

const struct attack attacks_cells[] = {
	{ "cells-inval-trap", inval_trap, "inval the trap page: refused (0x1b), the kernel goes on" },
	{ "cells-reval-trap", reval_trap,
	  "inval, reval R|W|X and rewrite the trap vector: refused at the inval" },
	{ "cells-reval-valid-trap", reval_valid_trap, "reval the valid trap page: refused (0x1b)" },
	{ "cells-prot-trap", prot_trap,
	  "drop own rights on the trap page, then a forwarded trap: the program ends, reported" },
	{ "cells-harmless-trap", harmless_trap,
	  "excl, prot, grant on the trap page change nothing; recv from the witness refused" },
	{ "cells-tfer-trap", tfer_trap, "tfer the trap page to the witness, then a forwarded trap" },
	{ "cells-jalrs-witness", jalrs_witness, "switch into the witness: refused (0x1c)" },
	{ "cells-jalrs-kernel", jalrs_kernel, "switch into division 0: refused (0x1a)" },
	{ "cells-inval-image", inval_image, "inval the kernel image: no such cell (0x18)" },
	{ "cells-prot-direct-map", prot_direct_map, "prot the direct map: no such cell (0x18)" },
	{ "cells-write-usid", write_usid,
	  "write usid from U-mode: illegal; where allowed, division 0 reaches no kernel memory" },
	{ "cells-usid-inval-trap", usid_inval_trap,
	  "with writable division registers, drop every row and inval the trap page: refused" },
	{ "cells-write-urid-uxid", write_urid_uxid, "write urid and uxid: nothing changes" },
	{ "cells-usid-garbage", usid_garbage,
	  "write usid past the last division: the program goes on in its own division" },
	{ 0, 0, 0 },
};
