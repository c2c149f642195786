/* Attacks on the fs area (see attack.h). */
#include "attack.h"

const struct attack attacks_fs[] = {
	{ 0, 0, 0 },
};
