/*
 * The policies (policies/): every one the build knows is registered under
 * its name, each hook decides as its file says, the policy_decide_* calls
 * apply the defaults and hold hooks to their limits, and the build refuses
 * an unknown policy name and lists every policy in `make help`.
 * POLICY_NAMES (from tests/host/host.mk) is the build's list of policies.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kernel/error.h"
#include "policies/policy.h"

/* The build links one of these into each image; the test names its own. */
const char image_policy_name[] = "example";

extern const struct policy *const __start_policies[], *const __stop_policies[];

#define RX (POLICY_R | POLICY_X)
#define RW (POLICY_R | POLICY_W)
#define RWX (POLICY_R | POLICY_W | POLICY_X)

static const struct policy_compartment main_c = { 0, "main", 0 };
static const struct policy_compartment comp_a = { 1, "a", 0 };
static const struct policy_compartment comp_b = { 2, "b", 0 };
static const struct policy_compartment secret_c = { 3, "vault", 1 };

static const char *const split_like[] = { "split", "vault", "lease", "broker", "example" };
#define NSPLIT_LIKE (sizeof(split_like) / sizeof(split_like[0]))

static const struct policy *find(const char *name)
{
	const struct policy *p = policy_find(name);
	if (!p) {
		printf("# no policy '%s'\n", name);
		abort(); /* every case below needs it: stop rather than dereference NULL */
	}
	return p;
}

/* A grant request as compart/ would make it, with garbage in the out fields. */
static struct policy_grant grant_of(enum policy_grant_kind kind, const struct policy_compartment *from,
				    unsigned rights, int secret)
{
	return (struct policy_grant){ .kind = kind, .from = from, .to = &comp_b, .va = 0x10000,
				      .len = 4096, .rights = rights, .from_secret_memory = secret,
				      .expires_ticks = 77, .notice_ticks = 77 };
}

static void every_built_policy_is_registered_once(void)
{
	char names[] = POLICY_NAMES, *save = NULL;
	size_t n = 0;
	for (char *name = strtok_r(names, " ", &save); name; name = strtok_r(NULL, " ", &save), n++) {
		const struct policy *p = policy_find(name);
		CHECK(p != NULL);
		if (!p)
			continue;
		CHECK(strcmp(p->name, name) == 0);
		CHECK(p->summary && p->summary[0] && !strchr(p->summary, '\n'));
	}
	CHECK(n >= 6);
	CHECK_EQ((size_t)(__stop_policies - __start_policies), n);
	for (const struct policy *const *p = __start_policies; p < __stop_policies; p++)
		for (const struct policy *const *q = p + 1; q < __stop_policies; q++)
			CHECK(strcmp((*p)->name, (*q)->name) != 0);
}

static void unknown_names_are_not_found(void)
{
	CHECK(policy_find("nonexistent") == NULL);
	CHECK(policy_find("") == NULL);
	CHECK(policy_find("spli") == NULL);
	CHECK(policy_find("split ") == NULL);
	CHECK(policy_find("registry") == NULL);
	CHECK(policy_find(NULL) == NULL);
	CHECK(image_policy() == policy_find("example"));
}

/* A policy with every hook NULL: one flat space, faults end the program, grants as asked. */
static void null_hooks_take_the_defaults(void)
{
	const struct policy none = { .name = "none", .summary = "test", .compartments = 1 };
	CHECK_EQ(policy_decide_load(&none, &comp_a, &comp_b, POLICY_MEM_TEXT), RX);
	CHECK_EQ(policy_decide_load(&none, &comp_a, &comp_b, POLICY_MEM_DATA), RW);
	CHECK_EQ(policy_decide_load(&none, &comp_a, &comp_b, POLICY_MEM_STACK), RW);
	CHECK_EQ(policy_decide_load(&none, &comp_a, &main_c, POLICY_MEM_SHARED_TEXT), RX);
	CHECK_EQ(policy_decide_load(&none, &comp_a, &main_c, POLICY_MEM_SHARED_RODATA), POLICY_R);
	CHECK_EQ(policy_decide_load(&none, &comp_a, &main_c, (enum policy_memory)99), 0u);
	struct policy_fault f = { &comp_a, POLICY_FAULT_WRITE, 0x1000, 0x2000, 1 };
	CHECK_EQ(policy_decide_fault(&none, &f), POLICY_END);
	struct policy_grant g = grant_of(POLICY_TRANSFER, &comp_a, RW, 1);
	CHECK_EQ(policy_decide_grant(&none, &g), 0);
	CHECK_EQ(g.rights, RW);
	CHECK_EQ(g.expires_ticks, 0u);
	CHECK_EQ(g.notice_ticks, 0u);
	struct policy_revoke r = { &comp_a, &comp_b, 0x10000, 4096, 3 };
	CHECK_EQ(policy_decide_revoke(&none, &r), 0);
	CHECK_EQ(r.notice_ticks, 3u);
	policy_decide_tick(&none, 1);
}

static void flat_is_one_flat_compartment(void)
{
	const struct policy *flat = find("flat");
	CHECK_EQ(flat->compartments, 0);
	CHECK(!flat->load && !flat->fault && !flat->grant && !flat->revoke && !flat->tick);
	CHECK_EQ(policy_decide_load(flat, &comp_a, &comp_b, POLICY_MEM_DATA), RW);
}

/* split and everything built on it: own code and data only, the C library's for all. */
static void split_gives_nothing_of_b_to_a(void)
{
	for (size_t i = 0; i < NSPLIT_LIKE; i++) {
		const struct policy *p = find(split_like[i]);
		CHECK(p->compartments != 0);
		const struct policy_compartment *owners[] = { &main_c, &comp_a, &comp_b, &secret_c };
		for (size_t w = 0; w < 4; w++)
			for (size_t o = 0; o < 4; o++) {
				const struct policy_compartment *who = owners[w], *owner = owners[o];
				unsigned own = who == owner;
				CHECK_EQ(policy_decide_load(p, who, owner, POLICY_MEM_TEXT), own ? RX : 0u);
				CHECK_EQ(policy_decide_load(p, who, owner, POLICY_MEM_DATA), own ? RW : 0u);
				CHECK_EQ(policy_decide_load(p, who, owner, POLICY_MEM_STACK), own ? RW : 0u);
			}
		CHECK_EQ(policy_decide_load(p, &comp_a, &main_c, POLICY_MEM_SHARED_TEXT), RX);
		CHECK_EQ(policy_decide_load(p, &secret_c, &main_c, POLICY_MEM_SHARED_RODATA), POLICY_R);
	}
}

/* Contained when there is a caller to take the error; the end of the program when there is none. */
static void split_like_policies_contain_faults(void)
{
	for (size_t i = 0; i < NSPLIT_LIKE; i++) {
		const struct policy *p = find(split_like[i]);
		for (int cause = POLICY_FAULT_READ; cause <= POLICY_FAULT_INSTRUCTION; cause++) {
			struct policy_fault f = { &comp_a, cause, 0x4000, 0x5000, 1 };
			CHECK_EQ(policy_decide_fault(p, &f), POLICY_CONTAIN);
			f.in_call = 0;
			CHECK_EQ(policy_decide_fault(p, &f), POLICY_END);
		}
	}
}

static void vault_refuses_secret_grants(void)
{
	const struct policy *vault = find("vault");
	for (int kind = POLICY_SHARE; kind <= POLICY_DONATE; kind++) {
		struct policy_grant g = grant_of(kind, &secret_c, POLICY_R, 1);
		CHECK_EQ(policy_decide_grant(vault, &g), -EPERM);
		g = grant_of(kind, &comp_a, RW, 0);
		CHECK_EQ(policy_decide_grant(vault, &g), 0);
		CHECK_EQ(g.rights, RW);
		CHECK_EQ(g.expires_ticks, 0u);
	}
	/* split itself grants the same secret memory: the refusal is vault's. */
	struct policy_grant g = grant_of(POLICY_SHARE, &secret_c, POLICY_R, 1);
	CHECK_EQ(policy_decide_grant(find("split"), &g), 0);
}

static void lease_sets_an_expiry(void)
{
	const struct policy *lease = find("lease");
	for (int kind = POLICY_SHARE; kind <= POLICY_DONATE; kind++) {
		struct policy_grant g = grant_of(kind, &comp_a, RWX, 0);
		CHECK_EQ(policy_decide_grant(lease, &g), 0);
		CHECK_EQ(g.expires_ticks, 10u);
		CHECK_EQ(g.notice_ticks, 0u);
		CHECK_EQ(g.rights, RWX);
	}
	struct policy_revoke r = { &comp_a, &comp_b, 0x10000, 4096, 0 };
	CHECK_EQ(policy_decide_revoke(lease, &r), 0);
	struct policy_grant g = grant_of(POLICY_SHARE, &comp_a, RW, 0);
	CHECK_EQ(policy_decide_grant(find("split"), &g), 0);
	CHECK_EQ(g.expires_ticks, 0u);
}

static void broker_gives_donations_a_notice(void)
{
	const struct policy *broker = find("broker");
	struct policy_grant g = grant_of(POLICY_DONATE, &comp_a, RW, 0);
	CHECK_EQ(policy_decide_grant(broker, &g), 0);
	CHECK_EQ(g.notice_ticks, 5u);
	CHECK_EQ(g.expires_ticks, 0u);
	CHECK_EQ(g.rights, RW);
	g = grant_of(POLICY_SHARE, &comp_a, RW, 0);
	CHECK_EQ(policy_decide_grant(broker, &g), 0);
	CHECK_EQ(g.notice_ticks, 0u);
	g = grant_of(POLICY_TRANSFER, &comp_a, POLICY_R, 0);
	CHECK_EQ(policy_decide_grant(broker, &g), 0);
	CHECK_EQ(g.notice_ticks, 0u);
	struct policy_revoke r = { &comp_a, &comp_b, 0x10000, 4096, 5 };
	CHECK_EQ(policy_decide_revoke(broker, &r), 0);
	CHECK_EQ(r.notice_ticks, 5u);
}

static void example_cuts_grants_to_read_only(void)
{
	const struct policy *example = find("example");
	for (int kind = POLICY_SHARE; kind <= POLICY_DONATE; kind++) {
		struct policy_grant g = grant_of(kind, &comp_a, RWX, 0);
		CHECK_EQ(policy_decide_grant(example, &g), 0);
		CHECK_EQ(g.rights, POLICY_R);
		g = grant_of(kind, &comp_a, POLICY_W | POLICY_X, 0);
		CHECK_EQ(policy_decide_grant(example, &g), -EPERM);
	}
}

/* tripwire: loads and grants as split; a bug is contained, an act of a hijacked compartment ends the program. */
static void tripwire_ends_the_program_on_hostile_faults(void)
{
	const struct policy *tripwire = find("tripwire"), *split = find("split");
	CHECK(tripwire->compartments != 0);
	const struct policy_compartment *all[] = { &main_c, &comp_a, &comp_b, &secret_c };
	for (size_t w = 0; w < 4; w++)
		for (size_t o = 0; o < 4; o++)
			for (int kind = POLICY_MEM_TEXT; kind <= POLICY_MEM_SHARED_RODATA; kind++)
				CHECK_EQ(policy_decide_load(tripwire, all[w], all[o], kind),
					 policy_decide_load(split, all[w], all[o], kind));
	for (int cause = POLICY_FAULT_READ; cause <= POLICY_FAULT_INSTRUCTION; cause++) {
		int hostile = cause == POLICY_FAULT_BAD_ENTRY ||
			      cause == POLICY_FAULT_INSTRUCTION;
		struct policy_fault f = { &comp_a, cause, 0x4000, 0x5000, 1 };
		CHECK_EQ(policy_decide_fault(tripwire, &f), hostile ? POLICY_END : POLICY_CONTAIN);
		f.in_call = 0;
		CHECK_EQ(policy_decide_fault(tripwire, &f), POLICY_END);
	}
	for (int kind = POLICY_SHARE; kind <= POLICY_DONATE; kind++) {
		struct policy_grant g = grant_of(kind, &secret_c, RWX, 1);
		CHECK_EQ(policy_decide_grant(tripwire, &g), 0);
		CHECK_EQ(g.rights, RWX);
		CHECK_EQ(g.expires_ticks, 0u);
		CHECK_EQ(g.notice_ticks, 0u);
	}
}

/* Hooks that overreach: policy_decide_* takes back what they may not give. */
static unsigned load_everything(const struct policy_compartment *who, const struct policy_compartment *owner,
				enum policy_memory kind)
{
	return ~0u;
}
static enum policy_verdict fault_nonsense(const struct policy_fault *f)
{
	return (enum policy_verdict)7;
}
static int grant_widens(struct policy_grant *g)
{
	g->rights = RWX | 0x80;
	return 0;
}
static int revoke_lengthens(struct policy_revoke *r)
{
	r->notice_ticks = 1000;
	return 5;
}
static uint64_t ticks_seen;
static void tick_counts(uint64_t now)
{
	ticks_seen = now;
}

static void hooks_are_held_to_their_limits(void)
{
	const struct policy greedy = { .name = "greedy", .summary = "test", .compartments = 1,
				       .load = load_everything, .fault = fault_nonsense,
				       .grant = grant_widens, .revoke = revoke_lengthens,
				       .tick = tick_counts };
	CHECK_EQ(policy_decide_load(&greedy, &comp_a, &comp_b, POLICY_MEM_TEXT), RX);
	CHECK_EQ(policy_decide_load(&greedy, &comp_a, &comp_b, POLICY_MEM_SHARED_RODATA), POLICY_R);
	struct policy_fault f = { &comp_a, POLICY_FAULT_EXEC, 0, 0, 1 };
	CHECK_EQ(policy_decide_fault(&greedy, &f), POLICY_END);
	struct policy_grant g = grant_of(POLICY_SHARE, &comp_a, POLICY_R, 0);
	CHECK_EQ(policy_decide_grant(&greedy, &g), 0);
	CHECK_EQ(g.rights, POLICY_R);
	g = grant_of(POLICY_SHARE, &comp_a, 0, 0); /* nothing asked: nothing to grant */
	CHECK_EQ(policy_decide_grant(&greedy, &g), -EPERM);
	struct policy_revoke r = { &comp_a, &comp_b, 0x10000, 4096, 4 };
	CHECK_EQ(policy_decide_revoke(&greedy, &r), -EPERM);
	CHECK_EQ(r.notice_ticks, 4u);
	r = (struct policy_revoke){ NULL, &comp_b, 0x10000, 4096, 4 }; /* the kernel's expiry */
	CHECK_EQ(policy_decide_revoke(&greedy, &r), 0);
	CHECK_EQ(r.notice_ticks, 4u);
	policy_decide_tick(&greedy, 42);
	CHECK_EQ(ticks_seen, 42u);
}

/* Run a make command line from the top of the tree, outside any make that started this test. */
static int make_output(const char *args, char *out, size_t size)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make --no-print-directory %s 2>&1",
		 args);
	FILE *pipe = popen(cmd, "r");
	if (!pipe)
		return -1;
	size_t n = fread(out, 1, size - 1, pipe);
	out[n] = '\0';
	char rest[4096]; /* drained, so make is never stopped by a full pipe */
	while (fread(rest, 1, sizeof(rest), pipe) > 0)
		;
	return pclose(pipe);
}

static void build_refuses_an_unknown_policy(void)
{
	static char out[8192];
	CHECK(make_output("-n image POLICY=nonexistent", out, sizeof(out)) != 0);
	CHECK(strstr(out, "unknown POLICY 'nonexistent'") != NULL);
	CHECK(make_output("-n image POLICY=registry", out, sizeof(out)) != 0);
	CHECK(strstr(out, "unknown POLICY 'registry'") != NULL);
	CHECK(make_output("-n image POLICY='split flat'", out, sizeof(out)) != 0);
}

/* The name the image gets: POLICY=, else APP_POLICY (an app.mk's; here from the command line), else flat. */
static void build_names_the_chosen_policy(void)
{
	static char out[65536];
	CHECK(make_output("-n image APP=hello POLICY=split", out, sizeof(out)) == 0);
	CHECK(strstr(out, "printf '%s' 'split' | cmp") != NULL);
	CHECK(make_output("-n image APP=hello", out, sizeof(out)) == 0);
	CHECK(strstr(out, "printf '%s' 'flat' | cmp") != NULL);
	CHECK(make_output("-n image APP=hello APP_POLICY=vault", out, sizeof(out)) == 0);
	CHECK(strstr(out, "printf '%s' 'vault' | cmp") != NULL);
	CHECK(make_output("-n image APP=hello APP_POLICY=vault POLICY=lease", out, sizeof(out)) == 0);
	CHECK(strstr(out, "printf '%s' 'lease' | cmp") != NULL);
	CHECK(make_output("-n image APP=hello APP_POLICY=nonexistent", out, sizeof(out)) != 0);
	CHECK(strstr(out, "unknown POLICY 'nonexistent'") != NULL);
}

static void make_help_lists_every_policy(void)
{
	static char out[16384];
	CHECK(make_output("help", out, sizeof(out)) == 0);
	for (const struct policy *const *p = __start_policies; p < __stop_policies; p++) {
		char line[256];
		snprintf(line, sizeof(line), "%-16s %s\n", (*p)->name, (*p)->summary);
		CHECK(strstr(out, line) != NULL);
	}
}

int main(void)
{
	RUN(every_built_policy_is_registered_once);
	RUN(unknown_names_are_not_found);
	RUN(null_hooks_take_the_defaults);
	RUN(flat_is_one_flat_compartment);
	RUN(split_gives_nothing_of_b_to_a);
	RUN(split_like_policies_contain_faults);
	RUN(vault_refuses_secret_grants);
	RUN(lease_sets_an_expiry);
	RUN(broker_gives_donations_a_notice);
	RUN(example_cuts_grants_to_read_only);
	RUN(tripwire_ends_the_program_on_hostile_faults);
	RUN(hooks_are_held_to_their_limits);
	RUN(build_refuses_an_unknown_policy);
	RUN(build_names_the_chosen_policy);
	RUN(make_help_lists_every_policy);
	CHECK_EXIT();
}
