/* The compartment system calls of libcompart/compart_abi.h, handed to compart/. */
#include "compart/compart.h"
#include "kernel/syscall.h"

static long sys_compart_grant(uint64_t va, uint64_t len, uint64_t to, uint64_t rights,
			      uint64_t kind, uint64_t a5)
{
	return compart_sys_grant(va, len, to, rights, kind);
}

static long sys_compart_revoke(uint64_t grant, uint64_t a1, uint64_t a2, uint64_t a3,
			       uint64_t a4, uint64_t a5)
{
	return compart_sys_revoke(grant);
}

static long sys_compart_restrict(uint64_t va, uint64_t len, uint64_t rights, uint64_t a3,
				 uint64_t a4, uint64_t a5)
{
	return compart_sys_restrict(va, len, rights);
}

static long sys_compart_self(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			     uint64_t a5)
{
	return compart_sys_self();
}

void sys_compart_register(syscall_fn *t)
{
	t[SYS_compart_grant] = sys_compart_grant;
	t[SYS_compart_revoke] = sys_compart_revoke;
	t[SYS_compart_restrict] = sys_compart_restrict;
	t[SYS_compart_self] = sys_compart_self;
}
