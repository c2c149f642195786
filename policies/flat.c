/*
 * flat: the program is one compartment, as before compartments existed.
 * Every hook is the default; with compartments = 0 the kernel makes one
 * view, and a call into a "compartment" is a plain call.
 */
#include "policies/policy.h"

static const struct policy flat = {
	.name = "flat",
	.summary = "one compartment for the whole program (today's behaviour, no cost)",
	.compartments = 0,
};
POLICY_REGISTER(flat);
