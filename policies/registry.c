/*
 * The policies linked into the image, found by name, and the one call per
 * hook that compart/ makes: defaults for NULL hooks and the limits every
 * hook's answer is held to, written once here so no caller tests a hook
 * for NULL or trusts an answer it did not check.
 */
#include <stddef.h>
#include <string.h>

#include "kernel/error.h"
#include "policies/policy.h"

/* POLICY_REGISTER's entries: kernel.ld keeps the section and names its ends; on the host the linker does. */
extern const struct policy *const __start_policies[], *const __stop_policies[];

#define POLICY_RIGHTS (POLICY_R | POLICY_W | POLICY_X)

const struct policy *policy_find(const char *name)
{
	if (!name)
		return NULL;
	for (const struct policy *const *p = __start_policies; p < __stop_policies; p++)
		if (strcmp((*p)->name, name) == 0)
			return *p;
	return NULL;
}

const struct policy *image_policy(void)
{
	return policy_find(image_policy_name);
}

unsigned policy_kind_rights(enum policy_memory kind)
{
	switch (kind) {
	case POLICY_MEM_TEXT:
	case POLICY_MEM_SHARED_TEXT:
		return POLICY_R | POLICY_X;
	case POLICY_MEM_SHARED_RODATA:
		return POLICY_R;
	case POLICY_MEM_DATA:
	case POLICY_MEM_STACK:
		return POLICY_R | POLICY_W;
	}
	return 0;
}

unsigned policy_decide_load(const struct policy *p, const struct policy_compartment *who,
			    const struct policy_compartment *owner, enum policy_memory kind)
{
	unsigned page = policy_kind_rights(kind);
	return p->load ? p->load(who, owner, kind) & page : page;
}

enum policy_verdict policy_decide_fault(const struct policy *p, const struct policy_fault *f)
{
	if (!p->fault || !f->in_call)
		return POLICY_END;
	return p->fault(f) == POLICY_CONTAIN ? POLICY_CONTAIN : POLICY_END;
}

int policy_decide_grant(const struct policy *p, struct policy_grant *g)
{
	unsigned asked = g->rights & POLICY_RIGHTS;
	g->rights = asked;
	g->expires_ticks = 0;
	g->notice_ticks = 0;
	int err = p->grant ? p->grant(g) : 0;
	g->rights &= asked;
	if (err == 0 && g->rights == 0)
		err = -EPERM;
	return err < 0 ? err : err > 0 ? -EPERM : 0;
}

int policy_decide_revoke(const struct policy *p, struct policy_revoke *r)
{
	if (!r->by || !p->revoke)
		return 0;
	uint64_t granted = r->notice_ticks;
	int err = p->revoke(r);
	if (r->notice_ticks > granted)
		r->notice_ticks = granted;
	return err < 0 ? err : err > 0 ? -EPERM : 0;
}

void policy_decide_tick(const struct policy *p, uint64_t now)
{
	if (p->tick)
		p->tick(now);
}
