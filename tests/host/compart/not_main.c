/* Compartment 0 is named first, and main has id 1. */
#define COMPARTMENT_ID_first 0
#define COMPARTMENT_ID_main 1
#include "fixture.h"

COMPARTMENT_DEFINE(first, 0);
COMPARTMENT_DEFINE(main, 0);
COMPART_CODE(first) long first_get(void)
{
	return 7;
}
COMPARTMENT_ENTRY(first, first_get);

FIXTURE_START(first, first_get)
