/*
 * cells-emu: division rows, the division registers and the shifts of traps
 * and sret (U-mode code from start.S runs in the division run_user enters).
 */
#include "harness.h"

void check_divisions(void)
{
	struct probe p;

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
}
