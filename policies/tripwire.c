/*
 * tripwire: split, but a compartment that does what only a hijacked one does
 * ends the program instead of being contained.
 *
 * Why: under split a contained fault hands the caller an error and the
 * program goes on, so an attacker who has taken over a compartment may try
 * again as often as it likes; each contained fault tells it one more thing
 * about the layout (the crash-and-retry probing of blind ROP).  A stray load
 * or store is what a buggy compartment does, and containing it is the point
 * of compartments; but jumping into another compartment past its entry
 * points (or returning into one nobody called), or having the hardware
 * refuse one of its SecureCells instructions is control flow no correct
 * program has.  (A forged grant or revoke is no fault at all: the kernel
 * refuses it with an error and reports it.)
 * The first such act ends the program; the kernel goes on as always.
 *
 * Loads and grants are split's: least privilege, grants as asked.
 */
#include "policies/split.h"

/* The causes that only a compartment whose control flow is no longer its own produces. */
static int tripwire_is_hostile(enum policy_fault_cause cause)
{
	switch (cause) {
	case POLICY_FAULT_BAD_ENTRY:   /* a jump past another compartment's entry points */
	case POLICY_FAULT_INSTRUCTION: /* a SecureCells instruction the hardware refused */
		return 1;
	default:		       /* read, write, exec, revoked, expired: a bug, contain it */
		return 0;
	}
}

static enum policy_verdict tripwire_fault(const struct policy_fault *f)
{
	if (tripwire_is_hostile(f->cause))
		return POLICY_END;
	return policy_split_fault(f);
}

static const struct policy tripwire = {
	.name = "tripwire",
	.summary = "split, but a jump past an entry point or a refused cell instruction ends the program",
	.compartments = 1,
	.load = policy_split_load,
	.fault = tripwire_fault,
};
POLICY_REGISTER(tripwire);
