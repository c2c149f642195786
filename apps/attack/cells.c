/* Attacks on the cells area (see attack.h). */
#include "attack.h"

const struct attack attacks_cells[] = {
	{ 0, 0, 0 },
};
