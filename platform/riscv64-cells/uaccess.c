/*
 * Application memory from the kernel on the cells platform.  S-mode runs on
 * the kernel table, which holds no user cells (docs/cells.md), so no
 * hardware translation reaches application memory for the kernel.  Each
 * piece is looked up in the application's own table with the application's
 * own rights (vmm_translate), brought in by vmm_fault when it is not there
 * yet, and copied through the kernel's direct map: a copy succeeds exactly
 * when the application itself could have made the access.  Nothing here
 * faults on a user address, so uaccess_fault never has anything to do.
 *
 * The MMU's accessed/dirty bits of the application's row are not set by
 * these copies (the kernel's stores do not go through that row).
 */
#include <string.h>

#include "arch.h"
#include "kernel/error.h"
#include "kernel/memory.h"
#include "uaccess.h"
#include "vmm/vmm.h"

/* [addr, addr+n) lies in the user half. */
static int user_range(uint64_t addr, size_t n)
{
	return addr + n >= addr && addr + n <= USER_TOP;
}

/*
 * The kernel address of the user byte at VA for ACCESS, and in *LEN how
 * many bytes from there (at most WANT) lie in the same cell: 0, or -EFAULT
 * when the compartment that made the system call (the view running) could
 * not make that access itself.
 */
static int user_piece(uint64_t va, unsigned access, size_t want, char **kva, size_t *len)
{
	struct vmm_space *s = vmm_current_space();
	unsigned view = vmm_current_view();
	struct vmm_mapping m;
	if (vmm_translate_view(s, view, va, &m) != 0 || (m.rights & access) != access) {
		if (vmm_fault(s, view, va, access) != 0 || vmm_translate_view(s, view, va, &m) != 0 ||
		    (m.rights & access) != access)
			return -EFAULT;
	}
	*kva = phys_to_virt(m.pa);
	*len = m.len < want ? m.len : want;
	return 0;
}

/* Copy N bytes between the kernel buffer K and user address U: ACCESS VMM_READ reads the user's. */
static int copy_user(char *k, uint64_t u, size_t n, unsigned access)
{
	if (!user_range(u, n))
		return -EFAULT;
	for (size_t done = 0, len; done < n; done += len) {
		char *p;
		if (user_piece(u + done, access, n - done, &p, &len) != 0)
			return -EFAULT;
		if (access == VMM_WRITE)
			memcpy(p, k + done, len);
		else
			memcpy(k + done, p, len);
	}
	return 0;
}

int copy_from_user(void *dst, uint64_t usrc, size_t n)
{
	return copy_user(dst, usrc, n, VMM_READ);
}

int copy_to_user(uint64_t udst, const void *src, size_t n)
{
	return copy_user((char *)src, udst, n, VMM_WRITE);
}

long strncpy_from_user(char *dst, uint64_t usrc, size_t max)
{
	if (max == 0 || usrc >= USER_TOP)
		return -EFAULT;
	/* Never read past the user half, even when MAX would. */
	if (max > USER_TOP - usrc)
		max = USER_TOP - usrc;
	for (size_t done = 0, len; done < max; done += len) {
		char *src;
		if (user_piece(usrc + done, VMM_READ, max - done, &src, &len) != 0)
			return -EFAULT;
		const char *nul = memchr(src, 0, len);
		if (nul) {
			memcpy(dst + done, src, (size_t)(nul - src) + 1);
			return (long)(done + (size_t)(nul - src));
		}
		memcpy(dst + done, src, len);
	}
	dst[max - 1] = 0;
	return -ENAMETOOLONG;
}

int uaccess_fault(struct trap_frame *f, unsigned access)
{
	return 0;
}
