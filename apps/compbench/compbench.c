/*
 * compbench: what compartments cost, in retired instructions (rdinstret,
 * deterministic under -icount): an empty call from main into another
 * compartment and back, and a grant and a revoke of 4 KiB and of 1 MiB of
 * main's memory (present: every page touched first).  Each figure is the
 * median of RUNS.  Prints one line the bench script (tools/bench.sh) puts
 * beside the kernel's stats line:
 *   bench: switch_instret=N grant4k_instret=N revoke4k_instret=N grant1m_instret=N revoke1m_instret=N
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "compart.h"
#include "measure.h"

#define COMPARTMENT_ID_main 0
#define COMPARTMENT_ID_peer 1

COMPARTMENT_DEFINE(main, 0);
COMPARTMENT_DEFINE(peer, 0);

#define RUNS 31

COMPART_CODE(peer) long peer_nop(void) { return 0; }
COMPARTMENT_ENTRY(peer, peer_nop);

static uint64_t switch_cost(void)
{
	uint64_t v[RUNS];
	for (int i = 0; i < RUNS; i++) {
		uint64_t t0 = instret();
		struct compart_result r = COMPARTMENT_CALL(main, peer, peer_nop);
		v[i] = instret() - t0;
		if (r.fault || r.value)
			return 0;
	}
	return median(v, RUNS);
}

/* Grant LEN bytes at BUF to peer and revoke them, RUNS times: medians into *GRANT and *REVOKE. */
static int grant_cost(char *buf, size_t len, uint64_t *grant, uint64_t *revoke)
{
	uint64_t g[RUNS], r[RUNS];
	for (int i = 0; i < RUNS; i++) {
		uint64_t t0 = instret();
		long id = compart_grant(buf, len, COMPARTMENT_ID_peer, COMPART_R | COMPART_W);
		uint64_t t1 = instret();
		long err = compart_revoke(id);
		uint64_t t2 = instret();
		if (id < 0 || err != 0)
			return -1;
		g[i] = t1 - t0;
		r[i] = t2 - t1;
	}
	*grant = median(g, RUNS);
	*revoke = median(r, RUNS);
	return 0;
}

int main(void)
{
	const struct compart_info *info = compart_info();
	size_t mib = 1 << 20;
	char *buf = mmap(NULL, mib, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!info || buf == MAP_FAILED)
		return 1;
	memset(buf, 1, mib);
	uint64_t sw = switch_cost(), g4, r4, g1, r1;
	if (!sw || grant_cost(buf, 4096, &g4, &r4) || grant_cost(buf, mib, &g1, &r1)) {
		printf("compbench: a call, grant or revoke failed\n");
		return 1;
	}
	printf("compbench: policy %s\n", info->policy);
	printf("bench: switch_instret=%llu grant4k_instret=%llu revoke4k_instret=%llu "
	       "grant1m_instret=%llu revoke1m_instret=%llu\n",
	       (unsigned long long)sw, (unsigned long long)g4, (unsigned long long)r4,
	       (unsigned long long)g1, (unsigned long long)r1);
	return 0;
}
