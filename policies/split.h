/*
 * split's hooks, which the policies built on least privilege (vault, lease,
 * broker, example) reuse so that "like split" means one thing.
 */
#ifndef POLICIES_SPLIT_H
#define POLICIES_SPLIT_H

#include "policies/policy.h"

unsigned policy_split_load(const struct policy_compartment *who, const struct policy_compartment *owner,
			   enum policy_memory kind);
enum policy_verdict policy_split_fault(const struct policy_fault *f);

#endif
