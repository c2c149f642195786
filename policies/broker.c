/*
 * broker: split, and client-donated memory with signalled revocation (the
 * memory broker of ../shared/seeds/003_*).  A donation (POLICY_DONATE)
 * gets BROKER_NOTICE_TICKS of notice: revoking it first posts a notice the
 * receiver can see, waits that many ticks so it can copy out what it needs,
 * then revokes regardless.  Shares and transfers are allowed as asked, and
 * revoked at once.
 */
#include "policies/split.h"

#define BROKER_NOTICE_TICKS 5 /* 50 ms at the kernel's 100 Hz timer */

static int broker_grant(struct policy_grant *g)
{
	if (g->kind == POLICY_DONATE)
		g->notice_ticks = BROKER_NOTICE_TICKS;
	return 0;
}

static const struct policy broker = {
	.name = "broker",
	.summary = "split, and donated pages are revoked only after a 5-tick notice; faults contained",
	.compartments = 1,
	.load = policy_split_load,
	.fault = policy_split_fault,
	.grant = broker_grant,
};
POLICY_REGISTER(broker);
