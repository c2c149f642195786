/* An entry record whose stub is a plain function of alpha's, without the landing pad. */
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
__asm__(".pushsection compart_entries,\"a\",@progbits\n .balign 8\n"
	".dword alpha_get, 1\n .popsection\n");

FIXTURE_START(alpha, alpha_get)
