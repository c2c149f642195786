/*
 * A compartment policy: the decisions, apart from the mechanism that
 * carries them out (compart/, docs/compartments.md).  Each policy is one C
 * file in this folder that fills a struct policy and registers it with
 * POLICY_REGISTER; the build links every policy into every image and the
 * image names the one it runs (POLICY=, or the app's APP_POLICY).
 *
 * Every hook gets the facts as data and answers with data: it never calls
 * into compart/ or vmm/, never allocates, and must be deterministic.  A
 * hook left NULL takes the default written beside it.  Hooks run in the
 * kernel, so a policy is trusted code: what it decides is what happens.
 */
#ifndef POLICIES_POLICY_H
#define POLICIES_POLICY_H

#include <stdint.h>

#define POLICY_MAX_COMPARTMENTS 8 /* vmm's VMM_MAX_VIEWS */

/* Rights, as vmm_region_view masks take them. */
#define POLICY_R 1u
#define POLICY_W 2u
#define POLICY_X 4u

/* A compartment as the loader found it. */
struct policy_compartment {
	unsigned id;	  /* 0 is "main": everything not in a named compartment */
	const char *name; /* "main", or the name the program gave it */
	int secret;	  /* the program marked it COMPARTMENT_SECRET: it holds a secret */
};

/* The kinds of memory a compartment can be given rights on when the program is loaded. */
enum policy_memory {
	POLICY_MEM_TEXT,   /* a compartment's own code (compart_text_<name>; main: .text) */
	POLICY_MEM_DATA,   /* its own data (compart_data_<name>; main: .data, .bss, heap, mmap) */
	POLICY_MEM_STACK,  /* its own stack */
	POLICY_MEM_SHARED_TEXT,	  /* code outside every named compartment: the C library's, main's */
	POLICY_MEM_SHARED_RODATA, /* read-only data outside them: constants, the C library's tables */
};

/*
 * The load hook: the rights (POLICY_R|W|X, 0 for none) compartment WHO has
 * on memory of KIND that belongs to OWNER (for the shared kinds, OWNER is
 * main).  Called for every pair and kind once, at load.
 * Default (NULL): every compartment has every right a page of that kind
 * has (rx text, r rodata, rw data and stack): one flat space.
 */
typedef unsigned (*policy_load_fn)(const struct policy_compartment *who,
				   const struct policy_compartment *owner, enum policy_memory kind);

/* What went wrong in a compartment. */
enum policy_fault_cause {
	POLICY_FAULT_READ,	 /* a load it has no right to */
	POLICY_FAULT_WRITE,	 /* a store it has no right to */
	POLICY_FAULT_EXEC,	 /* a fetch it has no right to */
	POLICY_FAULT_BAD_ENTRY,	 /* a jump into another compartment that is not an entry point */
	POLICY_FAULT_REVOKED,	 /* a touch of memory whose grant was revoked */
	POLICY_FAULT_EXPIRED,	 /* a touch of memory whose grant expired */
	POLICY_FAULT_INSTRUCTION /* a SecureCells instruction the hardware refused (causes 0x18-0x1C) */
};

struct policy_fault {
	const struct policy_compartment *who;
	enum policy_fault_cause cause;
	uint64_t addr; /* the address it touched or jumped to (stval) */
	uint64_t pc;   /* where (sepc) */
	int in_call;   /* it runs on behalf of a call from another compartment */
};

enum policy_verdict {
	POLICY_CONTAIN = 0, /* the call into it returns an error to its caller; the program goes on */
	POLICY_END = 1,	    /* the program ends (as a fatal signal would) */
};
/* Default (NULL): POLICY_END, as before compartments. */
typedef enum policy_verdict (*policy_fault_fn)(const struct policy_fault *f);

enum policy_grant_kind {
	POLICY_SHARE,	 /* both keep the rights */
	POLICY_TRANSFER, /* the giver loses them */
	POLICY_DONATE,	 /* the kernel gives the receiver clean pages, charged to the giver (broker) */
};

/*
 * A grant request, which the hook may change before it says yes: fewer
 * rights, an expiry, a notice period for the revoke.
 */
struct policy_grant {
	enum policy_grant_kind kind;
	const struct policy_compartment *from, *to;
	uint64_t va, len;
	unsigned rights;	 /* POLICY_R|W|X asked for; the hook may only take some away */
	int from_secret_memory;	 /* the range is memory of a secret-holding compartment */
	uint64_t expires_ticks;	 /* out: 0 never, else revoked this many timer ticks from now */
	uint64_t notice_ticks;	 /* out: a revoke posts a notice and waits this long first */
};
/* Default (NULL): allow as asked, no expiry, no notice.  Return 0 to allow, or a negative errno to refuse. */
typedef int (*policy_grant_fn)(struct policy_grant *g);

/* A revoke request, from the grant's giver (or the kernel for an expiry, which is never refused). */
struct policy_revoke {
	const struct policy_compartment *by, *holder;
	uint64_t va, len;
	uint64_t notice_ticks; /* out: as granted; the hook may shorten it, never lengthen it */
};
/*
 * Default (NULL): allow.  0 or a negative errno.  BY is NULL when the kernel
 * itself revokes (an expiry): the hook is not asked, and it is allowed.
 */
typedef int (*policy_revoke_fn)(struct policy_revoke *r);

/*
 * Once per timer tick, with the tick count.  Expiries and notice deadlines
 * are kept and enforced by compart/ itself; this is for a policy that keeps
 * its own clock (statistics, rate limits).  Default (NULL): nothing.
 */
typedef void (*policy_tick_fn)(uint64_t now);

struct policy {
	const char *name;
	const char *summary;   /* one line, for `make help` */
	int compartments;      /* 0: one view for the whole program (flat), calls are plain calls; 1: a view per compartment */
	policy_load_fn load;
	policy_fault_fn fault;
	policy_grant_fn grant;
	policy_revoke_fn revoke;
	policy_tick_fn tick;
};

/* Register P under its name: one line at the end of the policy's file. */
#define POLICY_REGISTER(p)                                                                   \
	static const struct policy *const policy_entry_##p                                    \
		__attribute__((used, section("policies"), aligned(sizeof(void *)))) = &(p)

/* The registered policy called NAME, or NULL. */
const struct policy *policy_find(const char *name);

/*
 * The kernel's side (compart/, kernel/main.c): the image's policy, and one
 * call per hook that applies the default when the hook is NULL and holds
 * every hook to its promises (rights only taken away, a notice only
 * shortened, a fault contained only when a caller can take the error).
 */

/* The name the build put in the image (POLICY=, else the app's APP_POLICY, else flat). */
extern const char image_policy_name[];
/* policy_find(image_policy_name): NULL only if the build let an unknown name through. */
const struct policy *image_policy(void);

/* The rights a page of KIND has: text RX, rodata R, data and stack RW. */
unsigned policy_kind_rights(enum policy_memory kind);

/* P's load hook, cut to policy_kind_rights(KIND); 0 for a KIND out of range. */
unsigned policy_decide_load(const struct policy *p, const struct policy_compartment *who,
			    const struct policy_compartment *owner, enum policy_memory kind);
/* P's fault hook; POLICY_END when F is not in a call (no caller to return to) or the answer is not a verdict. */
enum policy_verdict policy_decide_fault(const struct policy *p, const struct policy_fault *f);
/*
 * P's grant hook on G, whose expires_ticks and notice_ticks are set to 0
 * first; rights it added are taken off again.  0, or the hook's negative
 * errno (-EPERM for any other refusal, and when no right is left).
 */
int policy_decide_grant(const struct policy *p, struct policy_grant *g);
/* P's revoke hook on R; a lengthened notice is cut back to the one granted.  As the grant's. */
int policy_decide_revoke(const struct policy *p, struct policy_revoke *r);
/* P's tick hook, if it has one. */
void policy_decide_tick(const struct policy *p, uint64_t now);

#endif
