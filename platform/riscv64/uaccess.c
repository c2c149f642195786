/*
 * Application memory from the kernel on Sv48: the hardware translates user
 * addresses for S-mode while SUM is set, and a fault inside the copies
 * (uaccess.S) is resolved by the vmm or turned into -EFAULT.
 */
#include "uaccess.h"

#include "arch.h"
#include "kernel/error.h"
#include "vmm/vmm.h"

long uaccess_copy(void *dst, const void *src, size_t n);
long uaccess_strncpy(char *dst, const char *src, size_t max);
extern char uaccess_begin[], uaccess_end[], uaccess_fixup[];

int uaccess_fault(struct trap_frame *f, unsigned access)
{
	if (f->sepc < (uint64_t)uaccess_begin || f->sepc >= (uint64_t)uaccess_end)
		return 0;
	if (vmm_fault(vmm_current_space(), vmm_current_view(), f->stval, access) != 0)
		f->sepc = (uint64_t)uaccess_fixup;
	return 1;
}

/* [addr, addr+n) lies in the user half. */
static int user_range(uint64_t addr, size_t n)
{
	return addr + n >= addr && addr + n <= USER_TOP;
}

int copy_from_user(void *dst, uint64_t usrc, size_t n)
{
	if (!user_range(usrc, n))
		return -EFAULT;
	csr_set(sstatus, SSTATUS_SUM);
	long r = uaccess_copy(dst, (const void *)usrc, n);
	csr_clear(sstatus, SSTATUS_SUM);
	return (int)r;
}

int copy_to_user(uint64_t udst, const void *src, size_t n)
{
	if (!user_range(udst, n))
		return -EFAULT;
	csr_set(sstatus, SSTATUS_SUM);
	long r = uaccess_copy((void *)udst, src, n);
	csr_clear(sstatus, SSTATUS_SUM);
	return (int)r;
}

long strncpy_from_user(char *dst, uint64_t usrc, size_t max)
{
	if (max == 0 || usrc >= USER_TOP)
		return -EFAULT;
	/* Never read past the user half, even when MAX would. */
	if (max > USER_TOP - usrc)
		max = USER_TOP - usrc;
	csr_set(sstatus, SSTATUS_SUM);
	long r = uaccess_strncpy(dst, (const char *)usrc, max);
	csr_clear(sstatus, SSTATUS_SUM);
	if (r < 0)
		return r;
	if ((size_t)r == max) {
		dst[max - 1] = 0;
		return -ENAMETOOLONG;
	}
	return r;
}
