/*
 * split: least privilege.  Each compartment has its own code (RX), its own
 * data and stack (RW), and nothing of any other compartment's, main
 * included: main's data is main's alone.  Code and read-only data outside
 * every named compartment are shared, read and execute, with everyone:
 * that is where the C library's code and tables live (memcpy, printf,
 * their constants), and a compartment that could not run them could not
 * run at all.  Anything more comes only from an explicit grant, allowed
 * as asked.  A fault in a compartment is contained: the call into it
 * returns an error and the program goes on.
 */
#include "policies/split.h"

unsigned policy_split_load(const struct policy_compartment *who, const struct policy_compartment *owner,
			   enum policy_memory kind)
{
	switch (kind) {
	case POLICY_MEM_SHARED_TEXT:
		return POLICY_R | POLICY_X;
	case POLICY_MEM_SHARED_RODATA:
		return POLICY_R;
	case POLICY_MEM_TEXT:
		return who->id == owner->id ? POLICY_R | POLICY_X : 0;
	case POLICY_MEM_DATA:
	case POLICY_MEM_STACK:
		return who->id == owner->id ? POLICY_R | POLICY_W : 0;
	}
	return 0;
}

enum policy_verdict policy_split_fault(const struct policy_fault *f)
{
	return POLICY_CONTAIN;
}

static const struct policy split = {
	.name = "split",
	.summary = "least privilege: own code and data, shared C library, grants as asked; faults contained",
	.compartments = 1,
	.load = policy_split_load,
	.fault = policy_split_fault,
};
POLICY_REGISTER(split);
