/*
 * A landing-pad word in read-only data: the linker puts .rodata in the
 * executable segment with the code, so it is a way in as much as one in
 * .text, whatever the section headers say.
 */
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

__attribute__((used, aligned(4))) const unsigned rodata_pad[2] = { 0x0000100B, 0 };

FIXTURE_START(alpha, alpha_get)
