/* The good layout, and a landing-pad word in shared code that no entry declares: a second way in. */
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

__asm__(".text\n .balign 4\n .globl stray_pad\n stray_pad: .word 0x0000100B\n ret\n");

FIXTURE_START(alpha, alpha_get)
