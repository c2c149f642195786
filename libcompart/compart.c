/*
 * The program's side of compartments, apart from the stubs compart.h
 * writes into each compartment: the system calls, and the two sections
 * that end the compartments' code and data on a page boundary.
 *
 * The linker places the compart_text_* and compart_data_* sections in the
 * order it meets them: the program's own first, then this file's (linked
 * after them as a library), each page aligned by its first word.  So the
 * last compartment's pages end where these begin, and no page of a
 * compartment holds anything else; the kernel's loader checks it anyway.
 */
#include "compart.h"

__asm__(".pushsection compart_text_zz_end,\"ax\",@progbits\n .balign 4096\n .word 0\n .popsection\n"
	".pushsection compart_data_zz_end,\"aw\",@progbits\n .balign 4096\n .dword 0\n .popsection\n");

static long compart_syscall(long nr, long a0, long a1, long a2, long a3, long a4)
{
	register long r_a0 __asm__("a0") = a0;
	register long r_a1 __asm__("a1") = a1;
	register long r_a2 __asm__("a2") = a2;
	register long r_a3 __asm__("a3") = a3;
	register long r_a4 __asm__("a4") = a4;
	register long r_a7 __asm__("a7") = nr;
	__asm__ volatile("ecall"
			 : "+r"(r_a0)
			 : "r"(r_a1), "r"(r_a2), "r"(r_a3), "r"(r_a4), "r"(r_a7)
			 : "memory");
	return r_a0;
}

long compart_grant(const void *va, size_t len, unsigned to, unsigned rights)
{
	return compart_syscall(SYS_compart_grant, (long)va, (long)len, to, rights, COMPART_SHARE);
}

long compart_transfer(const void *va, size_t len, unsigned to, unsigned rights)
{
	return compart_syscall(SYS_compart_grant, (long)va, (long)len, to, rights,
			       COMPART_TRANSFER);
}

long compart_donate(size_t len, unsigned to, unsigned rights)
{
	return compart_syscall(SYS_compart_grant, 0, (long)len, to, rights, COMPART_DONATE);
}

long compart_revoke(long grant)
{
	return compart_syscall(SYS_compart_revoke, grant, 0, 0, 0, 0);
}

long compart_restrict(const void *va, size_t len, unsigned rights)
{
	return compart_syscall(SYS_compart_restrict, (long)va, (long)len, rights, 0, 0);
}

long compart_self(void)
{
	return compart_syscall(SYS_compart_self, 0, 0, 0, 0, 0);
}

const struct compart_info *compart_info(void)
{
	const struct compart_info *info = (const struct compart_info *)COMPART_INFO_VA;
	/* Only a compartmentalised program has the page; the others would fault reading it. */
	return compart_self() >= 0 ? info : NULL;
}
