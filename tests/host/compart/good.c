/* The good program: main and two compartments (beta a secret), three entry points. */
#define COMPARTMENT_ID_main 0
#define COMPARTMENT_ID_alpha 1
#define COMPARTMENT_ID_beta 2
#include "fixture.h"

COMPARTMENT_DEFINE(main, 0);
COMPARTMENT_DEFINE(alpha, 0);
COMPARTMENT_DEFINE(beta, COMPART_SECRET);

static COMPART_DATA(alpha) long alpha_counter = 1;
static COMPART_DATA(beta) char beta_key[32] = "not for alpha";
/*
 * Main's zero-initialised data (.bss) follows the compartments' data: without
 * libcompart's closing sections (good_nolib) it shares beta's last page.
 */
long main_counter;

COMPART_CODE(alpha) long alpha_add(long a, long b)
{
	alpha_counter += a;
	return a + b + alpha_counter;
}
COMPART_CODE(alpha) long alpha_get(void)
{
	return alpha_counter;
}
COMPART_CODE(beta) long beta_peek(long i)
{
	return beta_key[i & 31];
}
long main_count(void)
{
	return ++main_counter;
}

COMPARTMENT_ENTRY(alpha, alpha_add);
COMPARTMENT_ENTRY(alpha, alpha_get);
COMPARTMENT_ENTRY(beta, beta_peek);

FIXTURE_START(alpha, alpha_add)
