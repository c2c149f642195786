/* Backend calls as a space of one view makes them: the same rights in the space and every view. */
#ifndef TESTS_HOST_EVERY_VIEW_H
#define TESTS_HOST_EVERY_VIEW_H

#include "vmm/backend.h"

static inline int protect_every_view(struct backend_space *s, vaddr_t va, uint64_t len,
				     unsigned rights)
{
	struct view_rights r = view_rights_all(rights);
	return backend_protect(s, va, len, &r);
}

#endif
