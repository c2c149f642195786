/*
 * cells-emu: checks the SecureCells emulator (satp.MODE = 15) from S-mode.
 *
 * Booted by OpenSBI (-bios default -kernel prog.elf) at 0x80200000.  Builds a
 * permission table, turns MODE 15 on and checks translation, permissions,
 * A/D bits, division rows, the usid/urid/uxid shifts, sret's 0x1A, sfence
 * visibility and the SecureCells instructions.  Prints "ok NAME" or
 * "not ok NAME: detail" per check and exits (sifive,test at 0x100000) with
 * status 0 only if every check passed.
 */
#include <stdint.h>
#include <stddef.h>

typedef uint64_t u64;
typedef uint32_t u32;
typedef uint8_t u8;

/* ----------------------------------------------------------------- SBI --- */
static void sbi_putchar(int c)
{
	register long a0 asm("a0") = c;
	register long a7 asm("a7") = 1;
	asm volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
}

static void puts_(const char *s)
{
	while (*s)
		sbi_putchar(*s++);
}

static void putdec(u64 v)
{
	char buf[21];
	int i = 20;
	buf[i] = 0;
	do {
		buf[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	puts_(&buf[i]);
}

static void puthex(u64 v)
{
	char buf[19];
	int i = 18;
	buf[i] = 0;
	do {
		buf[--i] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	buf[--i] = 'x';
	buf[--i] = '0';
	puts_(&buf[i]);
}

#define TEST_DEV 0x100000UL

void test_exit(int code)
{
	volatile u32 *dev = (volatile u32 *)TEST_DEV;
	*dev = code ? (((u32)code << 16) | 0x3333) : 0x5555;
	for (;;)
		asm volatile("wfi");
}

/* ---------------------------------------------------------------- CSRs --- */
#define csr_read(csr) ({ u64 __v; asm volatile("csrr %0, " #csr : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, v) asm volatile("csrw " #csr ", %0" :: "r"((u64)(v)) : "memory")
#define csr_set(csr, v) asm volatile("csrs " #csr ", %0" :: "r"((u64)(v)) : "memory")
#define csr_clear(csr, v) asm volatile("csrc " #csr ", %0" :: "r"((u64)(v)) : "memory")
#define USID 0x082
#define URID 0x083
#define UXID 0x084
#define SSTATUS_MXR (1UL << 19)

static inline void sfence(void)
{
	asm volatile("sfence.vma" ::: "memory");
}

/* --------------------------------------------------------------- traps --- */
volatile u64 recover_pc;
/* u_info: scause, stval, sepc, usid, urid, uxid, a0, a1, a2 at a U trap */
volatile u64 u_info[9];
u64 s_ctx[16];

static volatile int have_cells;   /* set once satp accepted MODE 15 */

/* the last S-mode trap */
static volatile u64 t_count, t_cause, t_tval, t_epc, t_usid, t_urid, t_uxid;

void s_trap(u64 *frame)
{
	(void)frame;
	t_count++;
	t_cause = csr_read(scause);
	t_tval = csr_read(stval);
	t_epc = csr_read(sepc);
	if (have_cells) {
		/* the division CSRs exist only on the SecureCells emulator */
		t_usid = csr_read(0x082);
		t_urid = csr_read(0x083);
		t_uxid = csr_read(0x084);
	}
	if (recover_pc) {
		/* resume at recover_pc, in division 0 (sret enters urid) */
		csr_write(sepc, recover_pc);
		if (have_cells)
			csr_write(0x083, 0);
		recover_pc = 0;
		return;
	}
	puts_("not ok unexpected-trap: scause ");
	puthex(t_cause);
	puts_(" stval ");
	puthex(t_tval);
	puts_(" sepc ");
	puthex(t_epc);
	puts_("\n");
	test_exit(3);
}

struct probe { u64 val, fault; };
struct probe probe_ld(u64 addr);
struct probe probe_sd(u64 addr, u64 val);
struct probe probe_fetch(u64 addr);
struct probe probe_sd_as(u64 addr, u64 val, u64 sid);
struct probe probe_prot(u64 addr, u64 rights);
struct probe probe_inval(u64 addr);
struct probe probe_reval(u64 addr, u64 rights);
struct probe probe_entry(void);
long run_user(void (*fn)(void), u64 arg, u64 urid, u64 uxid);
void u_ld(void), u_sd(void), u_ecall(void), u_ids(void), u_wids(void), u_jalrs(void), u_jals(void),
	u_pad(void), u_grant(void), u_recv(void), u_excl(void), u_jals_ret(void);

/* ------------------------------------------------------------- reports --- */
static int failures, checks;
static const char *cur;
static int cur_bad;

static void begin(const char *name)
{
	cur = name;
	cur_bad = 0;
}

static void bad(const char *what, u64 got, u64 want)
{
	if (!cur_bad) {
		puts_("not ok ");
		puts_(cur);
		puts_(": ");
		puts_(what);
		puts_(" = ");
		puthex(got);
		puts_(", expected ");
		puthex(want);
		puts_("\n");
	}
	cur_bad = 1;
}

static void expect(const char *what, u64 got, u64 want)
{
	if (got != want)
		bad(what, got, want);
}

static void end(void)
{
	checks++;
	if (cur_bad) {
		failures++;
	} else {
		puts_("ok ");
		puts_(cur);
		puts_("\n");
	}
}

/* expect a fault with cause and stval from the last probe */
static void expect_fault(struct probe p, u64 cause, u64 tval)
{
	expect("faulted", p.fault, 1);
	if (p.fault) {
		expect("scause", t_cause, cause);
		expect("stval", t_tval, tval);
	}
}

static void expect_ok(struct probe p)
{
	if (p.fault)
		bad("fault scause", t_cause, 0);
}

/* --------------------------------------------------------------- table --- */
#define TBL   0x80300000UL   /* B */
#define T     1u
#define R     4u
#define M     3u
#define NCELL 10u            /* N, the metacell included */

#define P_V 0x01
#define P_R 0x02
#define P_W 0x04
#define P_X 0x08
#define P_A 0x40
#define P_D 0x80

#define VMASK ((1UL << 36) - 1)
#define PMASK ((1UL << 44) - 1)

/* cells, sorted by address */
enum {
	C_DEV = 1,   /* 0x100000, 1 page: the exit device */
	C_A,         /* 0x10000000, 4 pages -> 0x80500000 */
	C_B,         /* 0x11000000 -> 0x80510000: W only */
	C_C,         /* 0x11001000 -> 0x80511000: X only */
	C_D,         /* 0x11002000 -> 0x80512000: R only */
	C_E,         /* 0x11003000 -> 0x80513000: RWX without V */
	C_F,         /* 0x11004000 -> 0x80514000: descriptor invalid */
	C_G,         /* 0x12000000 -> 0x80520000 (then 0x80521000) */
	C_K,         /* 0x80200000..0x807fffff identity: this program, the table */
};

#define VA_A 0x10000000UL
#define PA_A 0x80500000UL
#define VA_B 0x11000000UL
#define VA_C 0x11001000UL
#define PA_C 0x80511000UL
#define VA_D 0x11002000UL
#define VA_E 0x11003000UL
#define VA_F 0x11004000UL
#define VA_G 0x12000000UL
#define PA_G 0x80520000UL
#define PA_G2 0x80521000UL

static volatile u64 *slot(unsigned i)
{
	return (volatile u64 *)(TBL + 16 * i);
}

static void set_cell(unsigned i, u64 first, u64 last, u64 ppn, int valid)
{
	slot(i)[0] = (first & VMASK) | ((last & VMASK) << 36);
	slot(i)[1] = ((last & VMASK) >> 28) | ((ppn & PMASK) << 8) |
		     ((u64)(valid ? 1 : 0) << 63);
}

static volatile u8 *perm(unsigned sid, unsigned cell)
{
	return (volatile u8 *)(TBL + 1024 * T + 64 * T * sid + cell);
}

static volatile u32 *grant(unsigned sid, unsigned cell)
{
	return (volatile u32 *)(TBL + 1024 * T + 64 * T * R + 256 * T * sid + 4 * cell);
}

static void fill(u64 pa, u64 pattern, unsigned bytes)
{
	volatile u64 *p = (volatile u64 *)pa;
	for (unsigned i = 0; i < bytes / 8; i++)
		p[i] = pattern + i;
}

static void build_table(void)
{
	volatile u8 *b = (volatile u8 *)TBL;
	for (unsigned i = 0; i < 8192; i++)
		b[i] = 0;
	volatile u32 *meta = (volatile u32 *)TBL;
	meta[0] = R;
	meta[1] = T;
	meta[2] = M;
	meta[3] = NCELL;

	set_cell(C_DEV, 0x100, 0x100, 0x100, 1);
	set_cell(C_A, VA_A >> 12, (VA_A >> 12) + 3, PA_A >> 12, 1);
	set_cell(C_B, VA_B >> 12, VA_B >> 12, 0x80510, 1);
	set_cell(C_C, VA_C >> 12, VA_C >> 12, PA_C >> 12, 1);
	set_cell(C_D, VA_D >> 12, VA_D >> 12, 0x80512, 1);
	set_cell(C_E, VA_E >> 12, VA_E >> 12, 0x80513, 1);
	set_cell(C_F, VA_F >> 12, VA_F >> 12, 0x80514, 0);
	set_cell(C_G, VA_G >> 12, VA_G >> 12, PA_G >> 12, 1);
	set_cell(C_K, 0x80200, 0x807ff, 0x80200, 1);

	*perm(0, C_DEV) = P_V | P_R | P_W;
	*perm(0, C_A) = P_V | P_R | P_W;
	*perm(1, C_A) = P_V | P_R;
	*perm(2, C_A) = P_V | P_R | P_W;
	*perm(0, C_B) = P_V | P_W;
	*perm(0, C_C) = P_V | P_X;
	*perm(0, C_D) = P_V | P_R;
	*perm(0, C_E) = P_R | P_W | P_X;
	*perm(0, C_F) = P_V | P_R | P_W;
	*perm(0, C_G) = P_V | P_R;
	for (unsigned s = 0; s < M; s++)
		*perm(s, C_K) = P_V | P_R | P_W | P_X;
	for (unsigned s = 0; s < R; s++)
		for (unsigned i = 0; i < 64 * T; i++)
			*grant(s, i) = 0xfffffff0u;

	fill(PA_A, 0xa000, 4 * 4096);
	fill(0x80512000, 0xd000, 4096);
	fill(PA_G, 0x6000, 4096);
	fill(PA_G2, 0x7000, 4096);
	/* cell C holds a function: ret */
	*(volatile u32 *)PA_C = 0x00008067;
	asm volatile("fence.i" ::: "memory");
}

#define PF_FETCH 12
#define PF_LOAD 13
#define PF_STORE 15

int main(void)
{
	struct probe p;
	u64 satp, want;

	puts_("# cells-emu: SecureCells emulator checks\n");
	build_table();

	/* the instructions need MODE 15: illegal instruction before */
	begin("insn-illegal-without-mode15");
	p = probe_prot(VA_A, P_R);
	expect_fault(p, 2, 0x00b5300b);   /* prot a0, a1 */
	end();

	begin("satp-mode15");
	want = (15UL << 60) | (TBL >> 12);
	csr_write(satp, want);
	sfence();
	satp = csr_read(satp);
	if (satp != want) {
		puts_("not ok satp-mode15: satp reads back ");
		puthex(satp);
		puts_(" after writing ");
		puthex(want);
		puts_(" (MODE 15 not supported by this emulator)\n");
		puts_("# the other checks need MODE 15: not run\n");
		test_exit(1);
	}
	have_cells = 1;
	end();

	begin("usid-urid-uxid-csrs");
	csr_write(0x083, 5);
	csr_write(0x084, 6);
	expect("usid", csr_read(0x082), 0);
	expect("urid", csr_read(0x083), 5);
	expect("uxid", csr_read(0x084), 6);
	csr_write(0x083, 0);
	csr_write(0x084, 0);
	end();

	/* A and D first, before anything touched cell A */
	begin("accessed-dirty-bits");
	expect("perm before", *perm(0, C_A), P_V | P_R | P_W);
	p = probe_ld(VA_A + 8);
	expect_ok(p);
	expect("perm after load", *perm(0, C_A), P_V | P_R | P_W | P_A);
	p = probe_sd(VA_A + 16, 0x1234);
	expect_ok(p);
	expect("perm after store", *perm(0, C_A), P_V | P_R | P_W | P_A | P_D);
	expect("row 1 untouched", *perm(1, C_A), P_V | P_R);
	end();

	begin("hit-first-page");
	p = probe_ld(VA_A);
	expect_ok(p);
	expect("value", p.val, 0xa000);
	p = probe_sd(VA_A + 0x20, 0x55aa);
	expect_ok(p);
	expect("store seen at the PA", *(volatile u64 *)(PA_A + 0x20), 0x55aa);
	end();

	begin("hit-last-page");
	p = probe_ld(VA_A + 0x3ff8);
	expect_ok(p);
	expect("value", p.val, 0xa000 + 0x3ff8 / 8);
	p = probe_sd(VA_A + 0x3000, 0x77);
	expect_ok(p);
	expect("store seen at the PA", *(volatile u64 *)(PA_A + 0x3000), 0x77);
	end();

	begin("miss-between-cells");
	p = probe_ld(VA_A + 0x4000);
	expect_fault(p, PF_LOAD, VA_A + 0x4000);
	p = probe_sd(0x10ff0008UL, 1);
	expect_fault(p, PF_STORE, 0x10ff0008UL);
	p = probe_fetch(0x11800000UL);
	expect_fault(p, PF_FETCH, 0x11800000UL);
	p = probe_ld(0x8000UL);
	expect_fault(p, PF_LOAD, 0x8000UL);
	p = probe_ld(0x7ff000000000UL);
	expect_fault(p, PF_LOAD, 0x7ff000000000UL);
	end();

	begin("miss-invalid-cell");
	p = probe_ld(VA_F + 8);
	expect_fault(p, PF_LOAD, VA_F + 8);
	end();

	begin("no-v-bit");
	p = probe_ld(VA_E);
	expect_fault(p, PF_LOAD, VA_E);
	end();

	begin("load-without-r");
	p = probe_ld(VA_C + 0x10);
	expect_fault(p, PF_LOAD, VA_C + 0x10);
	end();

	begin("load-x-under-mxr");
	csr_set(sstatus, SSTATUS_MXR);
	p = probe_ld(VA_C);
	csr_clear(sstatus, SSTATUS_MXR);
	expect_ok(p);
	expect("value", p.val & 0xffffffff, 0x00008067);
	end();

	begin("store-without-w");
	p = probe_sd(VA_D + 0x18, 1);
	expect_fault(p, PF_STORE, VA_D + 0x18);
	p = probe_ld(VA_D + 0x18);
	expect_ok(p);
	expect("value", p.val, 0xd003);
	end();

	begin("fetch-without-x");
	p = probe_fetch(VA_D + 0x40);
	expect_fault(p, PF_FETCH, VA_D + 0x40);
	p = probe_fetch(VA_A);
	expect_fault(p, PF_FETCH, VA_A);
	end();

	begin("fetch-with-x");
	p = probe_fetch(VA_C);
	expect_ok(p);
	end();

	begin("w-only-rejected");
	p = probe_sd(VA_B, 1);
	expect_fault(p, PF_STORE, VA_B);
	p = probe_ld(VA_B);
	expect_fault(p, PF_LOAD, VA_B);
	*perm(0, C_B) = P_V | P_W | P_X;
	sfence();
	p = probe_sd(VA_B + 8, 1);
	expect_fault(p, PF_STORE, VA_B + 8);
	p = probe_fetch(VA_B);
	expect_fault(p, PF_FETCH, VA_B);
	*perm(0, C_B) = P_V | P_R | P_W;
	sfence();
	p = probe_sd(VA_B + 8, 1);
	expect_ok(p);
	end();

	begin("sfence-edit-visible");
	p = probe_ld(VA_G);
	expect_ok(p);
	expect("before", p.val, 0x6000);
	slot(C_G)[1] = (slot(C_G)[1] & ~(PMASK << 8)) | ((PA_G2 >> 12) << 8);
	sfence();
	p = probe_ld(VA_G);
	expect_ok(p);
	expect("after moving the cell", p.val, 0x7000);
	*perm(0, C_G) = P_V | P_X;
	sfence();
	p = probe_ld(VA_G + 8);
	expect_fault(p, PF_LOAD, VA_G + 8);
	*perm(0, C_G) = P_V | P_R;
	sfence();
	p = probe_ld(VA_G + 8);
	expect_ok(p);
	expect("after restoring R", p.val, 0x7001);
	end();

	/* S-mode uses the row of usid: a cached translation must not survive */
	begin("usid-selects-row-s-mode");
	p = probe_sd_as(VA_A + 0x100, 1, 0);
	expect_ok(p);
	p = probe_sd_as(VA_A + 0x100, 2, 1);
	expect_fault(p, PF_STORE, VA_A + 0x100);
	p = probe_sd_as(VA_A + 0x100, 3, 2);
	expect_ok(p);
	expect("value", *(volatile u64 *)(PA_A + 0x100), 3);
	/* usid 3 >= M: nothing translates, the next fetch already faults */
	p = probe_sd_as(VA_A + 0x100, 4, 3);
	expect("faulted", p.fault, 1);
	expect("scause", t_cause, PF_FETCH);
	expect("value kept", *(volatile u64 *)(PA_A + 0x100), 3);
	expect("usid back", csr_read(0x082), 0);
	end();

	begin("u-mode-row-1-store-denied");
	expect("run_user", run_user(u_sd, VA_A + 0x200, 1, 0), 0);
	expect("scause", u_info[0], PF_STORE);
	expect("stval", u_info[1], VA_A + 0x200);
	expect("usid at trap", u_info[3], 0);
	expect("urid at trap", u_info[4], 1);
	end();

	begin("u-mode-row-1-load-allowed");
	expect("run_user", run_user(u_ld, VA_A + 0x200, 1, 0), 0);
	expect("scause", u_info[0], 8);
	expect("value", u_info[6], 0xa000 + 0x200 / 8);
	end();

	begin("u-mode-row-2-store-allowed");
	expect("run_user", run_user(u_sd, VA_A + 0x208, 2, 0), 0);
	expect("scause", u_info[0], 8);
	expect("stored", *(volatile u64 *)(PA_A + 0x208), VA_A + 0x208);
	end();

	/*
	 * The sret shift, seen from the trap that follows it: a trap moves
	 * usid into urid and urid into uxid, so what U-mode ran with is read
	 * in S-mode (U-mode may not read the registers: u-mode-division-csrs).
	 */
	begin("sret-shift-into-u");
	expect("run_user", run_user(u_ecall, 0, 2, 7), 0);
	expect("scause", u_info[0], 8);
	expect("usid in U (urid at trap)", u_info[4], 2);
	expect("urid in U (uxid at trap)", u_info[5], 7);
	end();

	begin("trap-shift-into-s");
	expect("usid at trap", u_info[3], 0);
	end();

#ifdef REFERENCE_CSRS
	/* x-seccells-user-csrs=on: the reference emulator's behaviour. */
	begin("u-mode-division-csrs-readable");
	expect("run_user", run_user(u_ids, 0, 2, 7), 0);
	expect("scause", u_info[0], 8);
	expect("usid in U", u_info[6], 2);
	expect("urid in U", u_info[7], 7);
	expect("uxid in U", u_info[8], 0);
	end();

	begin("u-mode-division-csrs-writable");
	expect("run_user", run_user(u_wids, 1, 2, 0), 0);
	expect("scause", u_info[0], 8);
	expect("urid at trap (usid written)", u_info[4], 1);
	expect("uxid at trap (urid written)", u_info[5], 1);
	end();
#else
	/* SecureCells' documents: U-mode may not touch the division registers. */
	begin("u-mode-division-csrs-illegal");
	expect("run_user", run_user(u_ids, 0, 2, 7), 0);
	expect("read: scause", u_info[0], 2);
	expect("read: sepc", u_info[2], (u64)u_ids);
	expect("run_user", run_user(u_wids, 1, 2, 0), 0);
	expect("write: scause", u_info[0], 2);
	expect("write: sepc", u_info[2], (u64)u_wids);
	end();
#endif

	begin("sret-to-u-urid0");
	t_count = 0;
	expect("run_user", (u64)run_user(u_ecall, 0, 0, 0), (u64)-1);
	expect("traps", t_count, 1);
	expect("scause", t_cause, 0x1a);
	expect("usid", csr_read(0x082), 0);
	end();

	begin("insn-entry-nop");
	p = probe_entry();
	expect_ok(p);
	end();

	begin("insn-jalrs");
	expect("run_user", run_user(u_jalrs, (u64)u_pad, 1, 0), 0);
	expect("scause", u_info[0], 8);
	expect("usid in target (urid at trap)", u_info[4], 2);
	expect("urid in target (uxid at trap)", u_info[5], 1);
	end();

	begin("insn-jals");
	expect("run_user", run_user(u_jals, 0, 1, 0), 0);
	expect("scause", u_info[0], 8);
	expect("usid in target (urid at trap)", u_info[4], 2);
	expect("urid in target (uxid at trap)", u_info[5], 1);
	expect("link", u_info[8], (u64)u_jals_ret);
	end();

	begin("insn-jalrs-not-entry");
	expect("run_user", run_user(u_jalrs, (u64)u_pad + 4, 1, 0), 0);
	expect("scause", u_info[0], 0x1c);
	expect("stval", u_info[1], (u64)u_pad + 4);
	end();

	begin("insn-prot");
	p = probe_prot(VA_D, P_R | P_W);
	expect_fault(p, 0x19, 0x200 | P_R | P_W);
	p = probe_prot(VA_D, 0x10);
	expect_fault(p, 0x19, 0x10);
	p = probe_prot(0x13000000UL, P_R);
	expect_fault(p, 0x18, 0x13000000UL);
	p = probe_ld(VA_D);
	expect_ok(p);
	p = probe_prot(VA_D, 0);
	expect_ok(p);
	expect("perm", *perm(0, C_D) & 0x0f, P_V);
	p = probe_ld(VA_D);
	expect_fault(p, PF_LOAD, VA_D);
	*perm(0, C_D) = P_V | P_R;
	sfence();
	end();

	begin("insn-inval-reval");
	p = probe_inval(VA_G);
	expect_ok(p);
	expect("valid bit", slot(C_G)[1] >> 63, 0);
	p = probe_ld(VA_G);
	expect_fault(p, PF_LOAD, VA_G);
	p = probe_prot(VA_G, 0);
	expect_fault(p, 0x1b, 0);
	p = probe_reval(VA_G, P_R);
	expect_ok(p);
	expect("valid bit", slot(C_G)[1] >> 63, 1);
	expect("row 0", *perm(0, C_G) & 0x0f, P_V | P_R);
	expect("row 2 V", *perm(2, C_G) & 0x0f, P_V);
	p = probe_ld(VA_G);
	expect_ok(p);
	p = probe_inval(VA_A);   /* divisions 1 and 2 hold rights */
	expect_fault(p, 0x1b, 2);
	end();

	begin("insn-grant-recv-excl");
	expect("excl before", run_user(u_excl, VA_A, 1, 0) || u_info[0] != 8 ? 99 : u_info[6], 1);
	expect("run_user grant", run_user(u_grant, VA_A, 2, 0), 0);
	expect("grant scause", u_info[0], 8);
	expect("grant entry", *grant(2, C_A), (1 << 4) | P_R);
	*perm(1, C_A) = P_V;
	sfence();
	expect("run_user recv", run_user(u_recv, VA_A + 0x200, 1, 0), 0);
	expect("recv scause", u_info[0], 8);
	expect("recv value", u_info[6], 0xa000 + 0x200 / 8);
	expect("grant entry after", *grant(2, C_A), 0xfffffff0u);
	expect("row 1 after", *perm(1, C_A) & 0x0f, P_V | P_R);
	end();

	puts_("# ");
	putdec(checks);
	puts_(" checks, ");
	putdec(failures);
	puts_(" failed\n");
#ifdef HOLD
	/* for a look with the monitor's "info mem": stay with MODE 15 on */
	for (;;)
		asm volatile("wfi");
#endif
	test_exit(failures ? 1 : 0);
	return 0;
}
