/*
 * example: the policy docs/policies.md writes from nothing.  split, except
 * that sharing is for reading only: every grant is cut down to read, and
 * one that asks no read right is refused.
 */
#include "kernel/error.h"
#include "policies/split.h"

static int example_grant(struct policy_grant *g)
{
	if (!(g->rights & POLICY_R))
		return -EPERM;
	g->rights = POLICY_R;
	return 0;
}

static const struct policy example = {
	.name = "example",
	.summary = "split, and every grant is cut down to read only (the docs/policies.md walk-through)",
	.compartments = 1,
	.load = policy_split_load,
	.fault = policy_split_fault,
	.grant = example_grant,
};
POLICY_REGISTER(example);
