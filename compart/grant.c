/*
 * Grants between compartments: the ledger, and the system calls that
 * change it.  Every request is checked (the giver holds what it gives, the
 * receiver exists and sees none of it yet, the range is whole pages that
 * regions cover), then put to the policy, then carried out through vmm views.  A
 * grant ends by a revoke of its giver, by its lease running out, or, with
 * a notice period, when the notice's deadline passes; an ended grant stays
 * in the ledger so that a later touch is reported as what it is.
 */
#include <string.h>

#include "compart/internal.h"
#include "kernel/console.h"
#include "kernel/error.h"
#include "kernel/memory.h"
#include "kernel/process.h"

#define GRANTS_MAX COMPART_GRANTS_MAX
#define RIGHTS_BITS (COMPART_R | COMPART_W | COMPART_X)
#define COMPART_DONATION_MAX (64ul << 20) /* one donation's bytes at most */

enum grant_state { GRANT_FREE, GRANT_LIVE, GRANT_NOTICE, GRANT_ENDED };

struct grant {
	enum grant_state state;
	enum policy_grant_kind kind;
	unsigned from, to;
	uint64_t va, len;
	unsigned rights;      /* what the receiver got */
	unsigned giver_mask;  /* a transfer: what the giver had, given back at the end */
	uint64_t expires;     /* the tick it ends at; 0 never */
	uint64_t notice;      /* ticks of notice a revoke gives */
	uint64_t deadline;    /* GRANT_NOTICE: the tick it ends at */
	enum policy_fault_cause ended; /* GRANT_ENDED: REVOKED or EXPIRED */
	uint64_t gen;	 /* how often the slot was used: a grant id is gen * GRANTS_MAX + slot */
};

static struct grant grants[GRANTS_MAX];
static uint64_t ticks;

/* Show grant I as it is now on the information page, where every compartment can see it. */
static void publish(unsigned i)
{
	struct compart_info *info = compart_program.info;
	const struct grant *g = &grants[i];
	static const uint32_t states[] = { [GRANT_FREE] = COMPART_GRANT_NONE,
					   [GRANT_LIVE] = COMPART_GRANT_LIVE,
					   [GRANT_NOTICE] = COMPART_GRANT_NOTICE,
					   [GRANT_ENDED] = COMPART_GRANT_ENDED };
	if (info)
		info->grants[i] = (struct compart_grant_info){ g->va, g->len, g->from, g->to,
							       states[g->state], g->rights,
							       g->deadline };
}

static int page_range_ok(uint64_t va, uint64_t len)
{
	return len && IS_ALIGNED(va | len, PAGE_SIZE) && va + len > va && va + len <= USER_TOP;
}

static struct grant *grant_slot(void)
{
	for (unsigned i = 0; i < GRANTS_MAX; i++)
		if (grants[i].state == GRANT_FREE)
			return &grants[i];
	for (unsigned i = 0; i < GRANTS_MAX; i++)
		if (grants[i].state == GRANT_ENDED)
			return &grants[i];
	return NULL;
}

static long grant_id(const struct grant *g)
{
	return (long)(g->gen * GRANTS_MAX + (uint64_t)(g - grants));
}

/* The grant ID names, live or on notice, or NULL: a stale or forged id names nothing. */
static struct grant *grant_named(uint64_t id)
{
	struct grant *g = &grants[id % GRANTS_MAX];
	if (g->gen != id / GRANTS_MAX || (g->state != GRANT_LIVE && g->state != GRANT_NOTICE))
		return NULL;
	return g;
}

/*
 * A donation's memory: clean pages (zero on first touch) in a new region
 * only the receiver sees, placed in the mmap area; the giver never sees
 * them, and they are charged to it until they come back.
 */
static int donate(struct compart_program *p, struct grant *g)
{
	vaddr_t va;
	int err = vmm_region_find_free(p->space, MMAP_BASE, MMAP_END, MMAP_BASE, g->len, PAGE_SIZE,
				       &va);
	if (!err)
		err = vmm_region_map_views(p->space, va, g->len, VMM_USER | VMM_READ | VMM_WRITE,
					   REGION_ANON, NULL, 0, 1u << g->to);
	if (err)
		return err;
	g->va = va;
	if (p->info)
		p->info->donated[g->from] += g->len;
	return 0;
}

/* Carry out G: the receiver's rights, and for a transfer the giver's loss; all or nothing. */
static int grant_apply(struct compart_program *p, struct grant *g)
{
	if (g->kind == POLICY_DONATE)
		return donate(p, g);
	int err = vmm_region_view(p->space, g->to, g->va, g->len, g->rights);
	if (err || g->kind != POLICY_TRANSFER)
		return err;
	err = vmm_region_view(p->space, g->from, g->va, g->len, g->giver_mask & ~g->rights);
	if (err) /* the receiver's change needed no memory to make, nor does undoing it */
		vmm_region_view(p->space, g->to, g->va, g->len, 0);
	return err;
}

/* End G as CAUSE (BY_KERNEL: a lease or notice ran out, reported): the receiver loses it, a transfer's giver gets its rights back. */
static int grant_end(struct compart_program *p, struct grant *g, enum policy_fault_cause cause,
		     int by_kernel)
{
	/* A donation's pages go back to the kernel (and off the giver's account), whatever is in them. */
	int err = g->kind == POLICY_DONATE ? vmm_region_remove(p->space, g->va, g->len) :
					     vmm_region_view(p->space, g->to, g->va, g->len, 0);
	if (!err && g->kind == POLICY_DONATE && p->info)
		p->info->donated[g->from] -= g->len;
	if (!err && g->kind == POLICY_TRANSFER)
		err = vmm_region_view(p->space, g->from, g->va, g->len, g->giver_mask);
	if (err)
		return err; /* kept as it is; an expiry tries again on the next tick */
	g->state = GRANT_ENDED;
	g->ended = cause;
	publish((unsigned)(g - grants));
	if (by_kernel)
		kprintf("compart: grant %ld from %s to %s %s\n", grant_id(g), p->who[g->from].name,
		p->who[g->to].name, cause == POLICY_FAULT_EXPIRED ? "expired" : "revoked");
	return 0;
}

long compart_sys_grant(uint64_t va, uint64_t len, uint64_t to, uint64_t rights, uint64_t kind)
{
	struct compart_program *p = &compart_program;
	unsigned from = compart_current();
	if (p->img.count == 0)
		return -ENOSYS;
	int donation = kind == COMPART_DONATE;
	if (to >= p->img.count || to == from || !rights || (rights & ~RIGHTS_BITS) ||
	    kind > COMPART_DONATE || !page_range_ok(donation ? PAGE_SIZE : va, len) ||
	    (donation && va) || (donation && len > COMPART_DONATION_MAX))
		return -EINVAL;
	/* One view: everyone sees everything already, so a grant has nothing to do. */
	if (p->views == 1)
		return 0;
	if (!donation && !vmm_view_allows(p->space, from, va, len, (unsigned)rights)) {
		kprintf("compart: %s granted memory it does not hold at %#lx\n", p->who[from].name,
			va);
		return -EACCES;
	}
	if (!donation && !vmm_view_allows(p->space, (unsigned)to, va, len, 0))
		return -EEXIST;
	/* A transfer gives the giver back what it had: one mask, so the same all over. */
	unsigned giver_mask = donation ? 0 : vmm_view_rights(p->space, from, va) & RIGHTS_BITS;
	if (kind == COMPART_TRANSFER &&
	    !vmm_view_allows(p->space, from, va, len, giver_mask | VMM_READ))
		return -EINVAL;
	int owner = donation ? -1 : compart_image_owner(&p->img, va);
	int secret = owner >= 0 && p->who[owner].secret;
	enum policy_grant_kind pkind = donation		     ? POLICY_DONATE :
				       kind == COMPART_TRANSFER ? POLICY_TRANSFER :
								  POLICY_SHARE;
	struct policy_grant pg = { pkind,
				   &p->who[from], &p->who[to], va, len, (unsigned)rights, secret,
				   0, 0 };
	int err = policy_decide_grant(p->policy, &pg);
	if (err) {
		kprintf("compart: policy %s refused a grant from %s to %s (%d)\n", p->policy->name,
			p->who[from].name, p->who[to].name, err);
		return err;
	}
	struct grant *g = grant_slot();
	if (!g)
		return -ENOMEM;
	struct grant old = *g;
	*g = (struct grant){ GRANT_LIVE,
			     pg.kind,
			     from,
			     (unsigned)to,
			     va,
			     len,
			     pg.rights & (unsigned)rights,
			     giver_mask,
			     pg.expires_ticks ? ticks + pg.expires_ticks : 0,
			     pg.notice_ticks,
			     0,
			     0,
			     old.gen + 1 };
	if ((err = grant_apply(p, g)) != 0) {
		*g = old;
		return err;
	}
	publish((unsigned)(g - grants));
	return grant_id(g);
}

long compart_sys_revoke(uint64_t id)
{
	struct compart_program *p = &compart_program;
	unsigned by = compart_current();
	if (p->img.count == 0)
		return -ENOSYS;
	if (p->views == 1)
		return id == 0 ? 0 : -EINVAL; /* one view: a grant (id 0) changed nothing to undo */
	struct grant *g = grant_named(id);
	if (!g || g->from != by) {
		kprintf("compart: %s revoked grant %lu, which it has not made\n", p->who[by].name,
			id);
		return -EINVAL;
	}
	if (g->state == GRANT_NOTICE)
		return 0; /* already on its way out */
	struct policy_revoke pr = { &p->who[by], &p->who[g->to], g->va, g->len, g->notice };
	int err = policy_decide_revoke(p->policy, &pr);
	if (err)
		return err;
	if (pr.notice_ticks && pr.notice_ticks <= g->notice) {
		g->state = GRANT_NOTICE;
		g->deadline = ticks + pr.notice_ticks;
		publish((unsigned)(g - grants));
		return 0;
	}
	return grant_end(p, g, POLICY_FAULT_REVOKED, 0);
}

long compart_sys_restrict(uint64_t va, uint64_t len, uint64_t rights)
{
	struct compart_program *p = &compart_program;
	unsigned self = compart_current();
	if (p->img.count == 0)
		return -ENOSYS;
	if ((rights & ~RIGHTS_BITS) || !page_range_ok(va, len))
		return -EINVAL;
	/* One mask for the range: what the caller has at its start, cut down (never raised). */
	unsigned now = vmm_view_rights(p->space, self, va) & RIGHTS_BITS;
	if (!now || !vmm_view_allows(p->space, self, va, len, now))
		return -EINVAL;
	return vmm_region_view(p->space, self, va, len, now & (unsigned)rights);
}

long compart_sys_self(void)
{
	return compart_program.img.count ? (long)compart_current() : -ENOSYS;
}

int compart_grant_ended(unsigned c, uint64_t addr, enum policy_fault_cause *cause)
{
	for (unsigned i = 0; i < GRANTS_MAX; i++) {
		const struct grant *g = &grants[i];
		if (g->state == GRANT_ENDED && g->to == c && addr >= g->va && addr - g->va < g->len) {
			*cause = g->ended;
			return 1;
		}
	}
	return 0;
}

void compart_tick(void)
{
	struct compart_program *p = &compart_program;
	ticks++;
	if (p->info)
		p->info->ticks = ticks;
	/* Before a program is loaded, or with one view, nothing can expire and there is no policy to ask. */
	if (p->views <= 1)
		return;
	for (unsigned i = 0; i < GRANTS_MAX; i++) {
		struct grant *g = &grants[i];
		if (g->state == GRANT_LIVE && g->expires && ticks >= g->expires)
			grant_end(p, g, POLICY_FAULT_EXPIRED, 1);
		else if (g->state == GRANT_NOTICE && ticks >= g->deadline)
			grant_end(p, g, POLICY_FAULT_REVOKED, 1);
	}
	policy_decide_tick(p->policy, ticks);
}
