/* Attacks on the memory area (see attack.h). */
#include "attack.h"

const struct attack attacks_memory[] = {
	{ 0, 0, 0 },
};
