/* Two compartments with the same id. */
#define COMPARTMENT_ID_main 0
#define COMPARTMENT_ID_alpha 1
#define COMPARTMENT_ID_beta 1
#include "fixture.h"

COMPARTMENT_DEFINE(main, 0);
COMPARTMENT_DEFINE(alpha, 0);
COMPARTMENT_DEFINE(beta, 0);
COMPART_CODE(alpha) long alpha_get(void)
{
	return 7;
}
COMPARTMENT_ENTRY(alpha, alpha_get);

FIXTURE_START(alpha, alpha_get)
