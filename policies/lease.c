/*
 * lease: split, and every grant is a rental: it expires LEASE_TICKS timer
 * ticks after it is made, when the kernel revokes it (within one tick); a
 * touch afterwards faults (POLICY_FAULT_EXPIRED) and is contained.  The
 * giver may revoke a lease earlier.
 */
#include "policies/split.h"

#define LEASE_TICKS 10 /* 100 ms at the kernel's 100 Hz timer */

static int lease_grant(struct policy_grant *g)
{
	g->expires_ticks = LEASE_TICKS;
	return 0;
}

static const struct policy lease = {
	.name = "lease",
	.summary = "split, and every grant expires after 10 timer ticks; faults contained",
	.compartments = 1,
	.load = policy_split_load,
	.fault = policy_split_fault,
	.grant = lease_grant,
};
POLICY_REGISTER(lease);
