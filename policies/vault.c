/*
 * vault: split, and the memory of a compartment that holds a secret
 * (COMPARTMENT_SECRET) is never granted, shared, transferred or donated to
 * anyone: the only way to its secret is through its entry points, which
 * decide what to hand out (the encryption server's key stays in its vault).
 */
#include "kernel/error.h"
#include "policies/split.h"

static int vault_grant(struct policy_grant *g)
{
	return g->from_secret_memory ? -EPERM : 0;
}

static const struct policy vault = {
	.name = "vault",
	.summary = "split, and a secret-holding compartment's memory is never granted; faults contained",
	.compartments = 1,
	.load = policy_split_load,
	.fault = policy_split_fault,
	.grant = vault_grant,
};
POLICY_REGISTER(vault);
