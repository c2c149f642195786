/*
 * broker: client-donated memory through the kernel, as the memory broker of
 * seeds/003 describes it.  A client compartment donates pages to a server
 * compartment: the kernel hands the server clean pages the client can never
 * see, and charges them to the client.  When the client revokes them, the
 * kernel first posts a notice the server can see, waits up to the policy's
 * deadline, then takes the pages back whatever the server did.  A server
 * that moves its data out in time keeps it; one that ignores the notice
 * loses the pages, and its next touch faults and is contained: the client
 * and the kernel go on.  Exits 1 on anything unexpected.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "compart.h"

#define COMPARTMENT_ID_main 0
#define COMPARTMENT_ID_client 1
#define COMPARTMENT_ID_server 2

COMPARTMENT_DEFINE(main, 0);
COMPARTMENT_DEFINE(client, 0);
COMPARTMENT_DEFINE(server, 0);

#define PAGE 4096
#define DONATED_PAGES 16

static const volatile struct compart_info *info(void)
{
	return (const volatile struct compart_info *)COMPART_INFO_VA;
}

/* The server's own memory: where a careful server saves what it kept in donated pages. */
static COMPART_DATA(server) long saved_sum;
static COMPART_DATA(server) long donated_va, donated_len, donated_id;

/* Entry: take the donation ID (the kernel's record says where it is) and fill it. */
COMPART_CODE(server) long server_accept(long id)
{
	const volatile struct compart_grant_info *g = &info()->grants[id % COMPART_GRANTS_MAX];
	if (g->state != COMPART_GRANT_LIVE || g->to != COMPARTMENT_ID_server)
		return -1;
	donated_va = (long)g->va;
	donated_len = (long)g->len;
	donated_id = id;
	long *words = (long *)donated_va, n = donated_len / 8;
	for (long i = 0; i < n; i++)
		if (words[i] != 0)
			return -2; /* not clean */
	for (long i = 0; i < n; i++)
		words[i] = i;
	return n;
}

/*
 * Entry: do some work in the donated pages.  CAREFUL: when a revocation
 * notice is posted, first save the result in the server's own memory and
 * stop using the pages.  Returns the sum, or the saved one.
 */
COMPART_CODE(server) long server_work(long careful)
{
	const volatile struct compart_grant_info *g =
		&info()->grants[donated_id % COMPART_GRANTS_MAX];
	if (careful && g->state != COMPART_GRANT_LIVE)
		return saved_sum;
	long *words = (long *)donated_va, n = donated_len / 8, sum = 0;
	for (long i = 0; i < n; i++)
		sum += words[i];
	if (careful && g->state == COMPART_GRANT_LIVE)
		saved_sum = sum;
	return sum;
}
COMPARTMENT_ENTRY(server, server_accept);
COMPARTMENT_ENTRY(server, server_work);

static COMPART_DATA(client) long client_grant;

/* Entry: donate DONATED_PAGES pages to the server and hand it the grant. */
COMPART_CODE(client) long client_donate(void)
{
	client_grant = compart_donate(DONATED_PAGES * PAGE, COMPARTMENT_ID_server,
				      COMPART_R | COMPART_W);
	if (client_grant < 0)
		return client_grant;
	struct compart_result r = COMPARTMENT_CALL(client, server, server_accept, client_grant);
	return r.fault ? -100 - r.fault : r.value;
}

/* Entry: try to read the donated pages itself (it must not: they are the server's now). */
COMPART_CODE(client) long client_peek(void)
{
	return *(volatile long *)info()->grants[client_grant % COMPART_GRANTS_MAX].va;
}

COMPART_CODE(client) long client_revoke(void)
{
	return compart_revoke(client_grant);
}

/* Entry: ask the server for its work; its fault, if any, comes back in the high bits. */
COMPART_CODE(client) long client_ask(long careful)
{
	struct compart_result r = COMPARTMENT_CALL(client, server, server_work, careful);
	return r.fault ? -r.fault : r.value;
}
COMPARTMENT_ENTRY(client, client_donate);
COMPARTMENT_ENTRY(client, client_peek);
COMPARTMENT_ENTRY(client, client_revoke);
COMPARTMENT_ENTRY(client, client_ask);

static int trouble;

static void check(const char *what, int ok)
{
	printf("broker: %s: %s\n", what, ok ? "yes" : "NO");
	trouble += !ok;
}

int main(void)
{
	if (!compart_info() || strcmp(compart_info()->policy, "broker") != 0) {
		printf("broker: runs under the broker policy only\n");
		return 2;
	}
	long expected = (long)DONATED_PAGES * PAGE / 8 * (DONATED_PAGES * PAGE / 8 - 1) / 2;
	for (int careful = 1; careful >= 0; careful--) {
		printf("broker: %s server\n", careful ? "a careful" : "a careless");
		struct compart_result d = COMPARTMENT_CALL(main, client, client_donate);
		check("the donation arrived clean and the server filled it",
		      d.fault == 0 && d.value == DONATED_PAGES * PAGE / 8);
		check("the donation is charged to the client",
		      info()->donated[COMPARTMENT_ID_client] == DONATED_PAGES * PAGE);
		struct compart_result peek = COMPARTMENT_CALL(main, client, client_peek);
		check("the client cannot read what it donated", peek.fault == COMPART_FAULT_READ);
		struct compart_result w = COMPARTMENT_CALL(main, client, client_ask, careful);
		check("the server works in the donated pages", w.fault == 0 && w.value == expected);
		struct compart_result rv = COMPARTMENT_CALL(main, client, client_revoke);
		const volatile struct compart_grant_info *g = NULL;
		for (unsigned i = 0; i < COMPART_GRANTS_MAX; i++)
			if (info()->grants[i].state == COMPART_GRANT_NOTICE)
				g = &info()->grants[i];
		check("the revoke posts a notice first", rv.value == 0 && g != NULL);
		if (!g)
			continue;
		uint64_t deadline = g->deadline;
		/* The server, asked during the notice, sees it (a careful one saves its work now). */
		w = COMPARTMENT_CALL(main, client, client_ask, careful);
		check("the server still has its pages during the notice", w.value == expected);
		while (g->state == COMPART_GRANT_NOTICE) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
		check("the pages are revoked on time (within a tick of the deadline)",
		      g->state == COMPART_GRANT_ENDED && info()->ticks <= deadline + 2);
		check("the client's account is settled", info()->donated[COMPARTMENT_ID_client] == 0);
		w = COMPARTMENT_CALL(main, client, client_ask, careful);
		if (careful)
			check("the careful server kept its result", w.value == expected);
		else
			check("the careless server's touch faults and is contained",
			      w.value == -COMPART_FAULT_REVOKED);
	}
	printf("broker: %s\n", trouble ? "something went wrong" : "done");
	return trouble ? 1 : 0;
}
