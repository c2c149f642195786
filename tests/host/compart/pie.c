/* The good program's shape, linked as a static-PIE (tests/host/host.mk): refused. */
#define COMPARTMENT_ID_main 0
#define COMPARTMENT_ID_alpha 1
#include "fixture.h"

COMPARTMENT_DEFINE(main, 0);
COMPARTMENT_DEFINE(alpha, 0);
COMPART_CODE(alpha) long alpha_get(void)
{
	return 7;
}
COMPARTMENT_ENTRY(alpha, alpha_get);

FIXTURE_START(alpha, alpha_get)
