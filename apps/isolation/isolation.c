/*
 * isolation: the compartment isolation matrix.  Three compartments (alpha,
 * beta, gamma) each try every kind of access on every compartment's memory,
 * main's included: read and write its data, execute its code, switch into
 * it at an address that is no entry point.  Then grants: shared, then
 * revoked; transferred and given back; cut down by restrict; expired (under
 * a lease); forged.  Each forbidden access must fault and come back to main
 * as a contained fault with its cause, each allowed one must work, and no
 * value of a protected buffer may reach a compartment without rights to it.
 * The matrix is printed; any surprise ends the program with status 1.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "compart.h"

#define COMPARTMENT_ID_main 0
#define COMPARTMENT_ID_alpha 1
#define COMPARTMENT_ID_beta 2
#define COMPARTMENT_ID_gamma 3

COMPARTMENT_DEFINE(main, 0);
COMPARTMENT_DEFINE(alpha, 0);
COMPARTMENT_DEFINE(beta, 0);
COMPARTMENT_DEFINE(gamma, 0);

#define PAGE 4096
#define SECRET(c) (0x5ec0000000000000l + (c))

/* Each compartment's own page, its secret in the first word, and code no one else may run. */
static COMPART_DATA(main) long main_page[PAGE / 8] __attribute__((aligned(PAGE))) = { SECRET(0) };
static COMPART_DATA(alpha) long alpha_page[PAGE / 8] __attribute__((aligned(PAGE))) = { SECRET(1) };
static COMPART_DATA(beta) long beta_page[PAGE / 8] __attribute__((aligned(PAGE))) = { SECRET(2) };
static COMPART_DATA(gamma) long gamma_page[PAGE / 8] __attribute__((aligned(PAGE))) = { SECRET(3) };
/* Pages beta gives away (a grant, a transfer). */
static COMPART_DATA(beta) long beta_shared[PAGE / 8] __attribute__((aligned(PAGE))) = { 0x51 };
static COMPART_DATA(beta) long beta_moved[PAGE / 8] __attribute__((aligned(PAGE))) = { 0x52 };

COMPART_CODE(main) long main_code(void) { return 100; }
COMPART_CODE(alpha) long alpha_code(void) { return 101; }
COMPART_CODE(beta) long beta_code(void) { return 102; }
COMPART_CODE(gamma) long gamma_code(void) { return 103; }

enum access { READ, WRITE, EXEC, JUMP, KINDS };
static const char *const kind_names[KINDS] = { "read", "write", "exec", "jump" };

/* The SecureCells method's switch to ADDR in division DIV (jalrs ra, a0, a1); Sv48 asks the kernel. */
#define PROBE_BODY                                                                   \
	{                                                                                  \
		switch (kind) {                                                            \
		case READ:                                                                 \
			return *(volatile long *)addr;                                     \
		case WRITE:                                                                \
			*(volatile long *)addr = 0x77;                                     \
			return 0x77;                                                       \
		case EXEC:                                                                 \
			return ((long (*)(void))addr)();                                   \
		default:                                                                   \
			return switch_to(addr, arg);                                       \
		}                                                                          \
	}

/* Switch to ADDR in compartment TO as no stub would: the switch itself must refuse it. */
static inline long switch_to(long addr, long to)
{
	register long a0 __asm__("a0") = addr;
	register long a1 __asm__("a1") = to + 1;
	register long t0 __asm__("t0") = addr;
	register long t1 __asm__("t1") = to;
	register long a7 __asm__("a7") = SYS_compart_call;
	if (*(volatile unsigned *)COMPART_INFO_VA == COMPART_METHOD_CELLS)
		__asm__ volatile(".word 0x00B5008B" /* jalrs ra, a0, a1 */
				 : "+r"(a0)
				 : "r"(a1)
				 : "ra", "memory");
	else
		__asm__ volatile("ecall" : "+r"(a0) : "r"(t0), "r"(t1), "r"(a7) : "memory");
	return a0;
}

COMPART_CODE(alpha) long alpha_probe(long kind, long addr, long arg) PROBE_BODY
COMPART_CODE(beta) long beta_probe(long kind, long addr, long arg) PROBE_BODY
COMPART_CODE(gamma) long gamma_probe(long kind, long addr, long arg) PROBE_BODY
COMPARTMENT_ENTRY(alpha, alpha_probe);
COMPARTMENT_ENTRY(beta, beta_probe);
COMPARTMENT_ENTRY(gamma, gamma_probe);

/* beta's management of its pages: grant, transfer, revoke, on main's request. */
COMPART_CODE(beta) long beta_give(long what, long to, long rights)
{
	if (what == 0)
		return compart_grant(beta_shared, PAGE, (unsigned)to, (unsigned)rights);
	return compart_transfer(beta_moved, PAGE, (unsigned)to, (unsigned)rights);
}
COMPART_CODE(beta) long beta_revoke(long grant) { return compart_revoke(grant); }
COMPARTMENT_ENTRY(beta, beta_give);
COMPARTMENT_ENTRY(beta, beta_revoke);

/* alpha tries what it may not: give what it does not hold, revoke what it did not grant. */
COMPART_CODE(alpha) long alpha_forge(long what, long arg)
{
	switch (what) {
	case 0:
		return compart_grant(beta_page, PAGE, 3, COMPART_R);
	case 1:
		return compart_revoke(arg);
	case 2:
		return compart_grant(alpha_page, PAGE, 9, COMPART_R);
	default:
		return compart_restrict(alpha_page, PAGE, COMPART_R);
	}
}
COMPARTMENT_ENTRY(alpha, alpha_forge);

static const char *const names[] = { "main", "alpha", "beta", "gamma" };
static long *const pages[] = { main_page, alpha_page, beta_page, gamma_page };
static long (*const code[])(void) = { main_code, alpha_code, beta_code, gamma_code };
static int surprises;

static struct compart_result probe(int src, int kind, long addr, long arg)
{
	switch (src) {
	case 1:
		return COMPARTMENT_CALL(main, alpha, alpha_probe, kind, addr, arg);
	case 2:
		return COMPARTMENT_CALL(main, beta, beta_probe, kind, addr, arg);
	default:
		return COMPARTMENT_CALL(main, gamma, gamma_probe, kind, addr, arg);
	}
}

static const char *fault_name(long fault)
{
	static const char *const n[] = { "ok", "read", "write", "exec", "entry", "revoked",
					 "expired", "instruction", "other" };
	return fault >= 0 && fault <= 8 ? n[fault] : "?";
}

/* One access: what happened against what must, and no secret seen without a right. */
static void expect(const char *what, struct compart_result r, long want_fault, long secret)
{
	int bad = r.fault != want_fault || (r.fault && r.value == secret && secret);
	printf("  %-32s %-8s%s\n", what, r.fault ? fault_name(r.fault) : "ok",
	       bad ? "  <-- SURPRISE" : "");
	if (bad) {
		printf("    wanted %s\n", want_fault ? fault_name(want_fault) : "ok");
		surprises++;
	}
}

static void matrix(void)
{
	static const long want[KINDS] = { COMPART_FAULT_READ, COMPART_FAULT_WRITE, COMPART_FAULT_EXEC,
					  COMPART_FAULT_BAD_ENTRY };
	for (int src = 1; src <= 3; src++) {
		for (int dst = 0; dst <= 3; dst++) {
			char what[40];
			for (int k = 0; k < KINDS; k++) {
				long addr = k <= WRITE ? (long)pages[dst] : (long)code[dst];
				struct compart_result r = probe(src, k, addr, dst);
				/* Its own memory a compartment may use; a switch needs an entry point. */
				long fault = src == dst && k != JUMP ? 0 : want[k];
				snprintf(what, sizeof(what), "%s -> %s %s", names[src], names[dst],
					 kind_names[k]);
				expect(what, r, fault, k == READ && src != dst ? SECRET(dst) : 0);
			}
		}
	}
	/* Nothing a write probe did reached another compartment's page: each still has its own. */
	for (int c = 1; c <= 3; c++) {
		struct compart_result r = probe(c, READ, (long)pages[c], 0);
		char what[40];
		snprintf(what, sizeof(what), "%s keeps its secret", names[c]);
		expect(what, r, 0, 0);
		if (r.value != SECRET(c) && r.value != 0x77) {
			printf("    %s's page changed\n", names[c]);
			surprises++;
		}
	}
}

static void grants(int lease)
{
	char what[48];
	struct compart_result g = COMPARTMENT_CALL(main, beta, beta_give, 0, 1, COMPART_R);
	printf("  beta grants a page to alpha, read only: %s\n", g.value >= 0 ? "granted" : "refused");
	if (g.value < 0 || g.fault)
		surprises++;
	expect("alpha reads the grant", probe(1, READ, (long)beta_shared, 0), 0, 0);
	expect("alpha writes the grant", probe(1, WRITE, (long)beta_shared, 0), COMPART_FAULT_WRITE, 0);
	expect("gamma reads the grant", probe(3, READ, (long)beta_shared, 0), COMPART_FAULT_READ, 0x51);
	if (lease) {
		/* The lease runs out within a tick of its term: wait well past it. */
		struct timespec ts = { 0, 300 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		expect("alpha reads it after the lease", probe(1, READ, (long)beta_shared, 0),
		       COMPART_FAULT_EXPIRED, 0x51);
	} else {
		struct compart_result r = COMPARTMENT_CALL(main, beta, beta_revoke, g.value);
		printf("  beta revokes it: %s\n", r.value == 0 ? "revoked" : "refused");
		if (r.value != 0)
			surprises++;
		expect("alpha reads it after the revoke", probe(1, READ, (long)beta_shared, 0),
		       COMPART_FAULT_REVOKED, 0x51);
	}
	struct compart_result t = COMPARTMENT_CALL(main, beta, beta_give, 1, 3, COMPART_R | COMPART_W);
	printf("  beta transfers a page to gamma: %s\n", t.value >= 0 ? "transferred" : "refused");
	if (t.value < 0)
		surprises++;
	expect("gamma writes the transfer", probe(3, WRITE, (long)beta_moved, 0), 0, 0);
	expect("beta reads what it gave", probe(2, READ, (long)beta_moved, 0), COMPART_FAULT_READ, 0);
	if (!lease) {
		struct compart_result r = COMPARTMENT_CALL(main, beta, beta_revoke, t.value);
		if (r.value != 0)
			surprises++;
		expect("beta reads it back", probe(2, READ, (long)beta_moved, 0), 0, 0);
		expect("gamma after the revoke", probe(3, READ, (long)beta_moved, 0),
		       COMPART_FAULT_REVOKED, 0);
	}
	/* Forgeries: refused with an error, nothing changed. */
	struct compart_result f = COMPARTMENT_CALL(main, alpha, alpha_forge, 0, 0);
	snprintf(what, sizeof(what), "alpha grants beta's page: %ld", f.value);
	printf("  %s%s\n", what, f.value == -13 ? "" : "  <-- SURPRISE");
	surprises += f.value != -13; /* EACCES */
	f = COMPARTMENT_CALL(main, alpha, alpha_forge, 1, g.value);
	printf("  alpha revokes beta's grant: %ld%s\n", f.value, f.value == -22 ? "" : "  <-- SURPRISE");
	surprises += f.value != -22; /* EINVAL */
	f = COMPARTMENT_CALL(main, alpha, alpha_forge, 2, 0);
	printf("  alpha grants to compartment 9: %ld%s\n", f.value,
	       f.value == -22 ? "" : "  <-- SURPRISE");
	surprises += f.value != -22;
	/* restrict: alpha drops its own write right, for good. */
	f = COMPARTMENT_CALL(main, alpha, alpha_forge, 3, 0);
	printf("  alpha restricts its page to read: %ld\n", f.value);
	surprises += f.value != 0;
	expect("alpha writes its page", probe(1, WRITE, (long)alpha_page, 0), COMPART_FAULT_WRITE, 0);
	expect("alpha reads its page", probe(1, READ, (long)alpha_page, 0), 0, 0);
}

int main(void)
{
	const struct compart_info *info = compart_info();
	if (!info) {
		printf("isolation: no compartments\n");
		return 1;
	}
	printf("isolation: policy %s, %u compartments\n", info->policy, info->count);
	if (strcmp(info->policy, "split") != 0 && strcmp(info->policy, "lease") != 0 &&
	    strcmp(info->policy, "vault") != 0) {
		printf("isolation: runs under split, vault or lease only\n");
		return 2;
	}
	matrix();
	grants(strcmp(info->policy, "lease") == 0);
	printf("isolation: %d surprises\n", surprises);
	return surprises ? 1 : 0;
}
