/*
 * cells-emu: the SecureCells instructions (entry, jals, jalrs, prot, inval,
 * reval, grant, tfer, recv, excl) and their faults.
 */
#include "harness.h"

void check_instructions(void)
{
	struct probe p;

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
}
