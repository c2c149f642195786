/*
 * cells-emu: a table laid out as the kernel lays out a user table of three
 * compartments (secure-cells/divisions.h): division 0 the kernel, 1..3
 * the compartments, 4 the witness, which reads every cell the kernel
 * relies on.  The trap page is such a cell: every compartment may execute
 * it, and none of them, alone or all together, may invalidate it or
 * revalidate it with more rights.  Also the instructions' successes and
 * failure causes that the first table does not reach (tfer, recv without
 * a grant, a grant of nothing, inval with a grant pending, a jump into a
 * division past M).
 */
#include "harness.h"

#define TBL2 0x80310000UL
#define R2 8u
#define M2 5u
#define WITNESS (M2 - 1)

enum { D_DEV = 1, D_X, D_Y, D_TRAP, D_K, N2 };

#define VA_X 0x14000000UL    /* compartment 1's, to transfer */
#define VA_Y 0x14001000UL    /* compartment 1's, to grant */
#define VA_TRAP 0x15000000UL /* the kernel's trap page */
#define RWX (P_R | P_W | P_X)
#define EMPTY 0xfffffff0u

static volatile u64 *slot2(unsigned i)
{
	return (volatile u64 *)(TBL2 + 16 * i);
}

static void cell2(unsigned i, u64 first, u64 last, u64 ppn)
{
	slot2(i)[0] = (first & VMASK) | ((last & VMASK) << 36);
	slot2(i)[1] = ((last & VMASK) >> 28) | ((ppn & PMASK) << 8) | (1UL << 63);
}

static volatile u8 *perm2(unsigned sid, unsigned cell)
{
	return (volatile u8 *)(TBL2 + 1024 * T + 64 * T * sid + cell);
}

static volatile u32 *grant2(unsigned sid, unsigned cell)
{
	return (volatile u32 *)(TBL2 + 1024 * T + 64 * T * R2 + 256 * T * sid + 4 * cell);
}

static void build_table2(void)
{
	volatile u8 *b = (volatile u8 *)TBL2;
	for (unsigned i = 0; i < 1024 * T + 320 * T * R2; i++)
		b[i] = 0;
	volatile u32 *meta = (volatile u32 *)TBL2;
	meta[0] = R2;
	meta[1] = T;
	meta[2] = M2;
	meta[3] = N2;
	cell2(D_DEV, 0x100, 0x100, 0x100);
	cell2(D_X, VA_X >> 12, VA_X >> 12, 0x80540);
	cell2(D_Y, VA_Y >> 12, VA_Y >> 12, 0x80541);
	cell2(D_TRAP, VA_TRAP >> 12, VA_TRAP >> 12, 0x80550);
	cell2(D_K, 0x80200, 0x807ff, 0x80200);
	*perm2(0, D_DEV) = P_V | P_R | P_W;
	/* The kernel sets V in every row of a cell it makes (recv does not). */
	for (unsigned s = 1; s < WITNESS; s++) {
		*perm2(s, D_X) = P_V;
		*perm2(s, D_Y) = P_V;
	}
	*perm2(1, D_X) = P_V | P_R | P_W;
	*perm2(1, D_Y) = P_V | P_R | P_W;
	for (unsigned s = 0; s < WITNESS; s++) {
		*perm2(s, D_TRAP) = P_V | P_X;
		*perm2(s, D_K) = P_V | RWX;
	}
	*perm2(WITNESS, D_TRAP) = P_V | P_R;
	for (unsigned s = 0; s < R2; s++)
		for (unsigned i = 0; i < 64 * T; i++)
			*grant2(s, i) = EMPTY;
}

/* Run FN on ADDR in compartment DIV: the trap it ended with must be CAUSE (with STVAL unless ~0). */
static void in_division(const char *what, void (*fn)(void), u64 addr, u64 div, u64 cause, u64 stval)
{
	expect(what, (u64)run_user(fn, addr, div, 0), 0);
	expect("scause", u_info[0], cause);
	if (stval != ~0UL)
		expect("stval", u_info[1], stval);
}

static void trap_page_witnessed(void)
{
	begin("compartments-inval-trap-page");
	/* Two compartments try, each while the others still hold execute. */
	in_division("inval in 1", u_inval, VA_TRAP, 1, 0x1b, 2);
	in_division("inval in 2", u_inval, VA_TRAP, 2, 0x1b, 2);
	/* All three drop their own rights (they may), then try together. */
	for (u64 d = 1; d < WITNESS; d++) {
		in_division("prot to nothing", u_prot0, VA_TRAP, d, 8, ~0UL);
		expect("own rights gone", *perm2((unsigned)d, D_TRAP) & RWX, 0);
	}
	in_division("inval in 1, alone", u_inval, VA_TRAP, 1, 0x1b, 2);
	in_division("inval in 2, alone", u_inval, VA_TRAP, 2, 0x1b, 2);
	in_division("reval in 1", u_reval_rwx, VA_TRAP, 1, 0x1b, 1);
	in_division("reval in 2", u_reval_rwx, VA_TRAP, 2, 0x1b, 1);
	expect("still valid", slot2(D_TRAP)[1] >> 63, 1);
	expect("witness row", *perm2(WITNESS, D_TRAP), P_V | P_R);
	expect("kernel row", *perm2(0, D_TRAP) & RWX, P_X);
	end();

	/* The control: without the witness the same inval succeeds, so it is what stops it. */
	begin("compartments-inval-trap-page-without-witness");
	*perm2(WITNESS, D_TRAP) = 0;
	sfence();
	in_division("inval in 1", u_inval, VA_TRAP, 1, 8, ~0UL);
	expect("invalid", slot2(D_TRAP)[1] >> 63, 0);
	end();
	build_table2();
	sfence();
}

static void transfers_and_faults(void)
{
	begin("compartments-tfer-recv");
	in_division("tfer R to 2", u_tfer_r_to2, VA_X, 1, 8, ~0UL);
	expect("grant entry", *grant2(1, D_X), (2 << 4) | P_R);
	expect("1's rights gone", *perm2(1, D_X) & RWX, 0);
	in_division("recv in 3: not named", u_recv_r_from1, VA_X, 3, 0x1a, 1);
	expect("3 has nothing", *perm2(3, D_X) & RWX, 0);
	in_division("recv in 2", u_recv_r_from1, VA_X, 2, 8, ~0UL);
	expect("2 reads", *perm2(2, D_X) & RWX, P_R);
	expect("grant taken", *grant2(1, D_X), EMPTY);
	end();

	begin("compartments-grant-nothing");
	in_division("grant no rights", u_grant_none_to2, VA_Y, 1, 0x19, 0x100);
	end();

	begin("compartments-inval-grant-pending");
	in_division("grant R to 2", u_grant_r_to2, VA_Y, 1, 8, ~0UL);
	in_division("inval in 1", u_inval, VA_Y, 1, 0x1b, 3);
	expect("still valid", slot2(D_Y)[1] >> 63, 1);
	end();

	begin("compartments-jalrs-past-m");
	in_division("jalrs to 9", u_jalrs_div9, (u64)u_pad, 1, 0x1a, 9);
	end();
}

void check_compartments(void)
{
	u64 first = csr_read(satp);
	build_table2();
	csr_write(satp, (15UL << 60) | (TBL2 >> 12));
	sfence();
	trap_page_witnessed();
	transfers_and_faults();
	csr_write(satp, first);
	sfence();
}
