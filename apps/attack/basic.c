/* Attacks on the basic area (see attack.h). */
#include "attack.h"

const struct attack attacks_basic[] = {
	{ 0, 0, 0 },
};
