/*
 * cells-emu: translation on the table (hits, misses, permissions, A/D,
 * sfence), in S-mode in division 0.
 */
#include "harness.h"

void check_translation(void)
{
	struct probe p;

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
}
