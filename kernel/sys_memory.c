/* brk and mprotect over the regions of vmm.h (mmap and munmap come with the file system). */
#include "arch.h"
#include "kernel/error.h"
#include "kernel/process.h"
#include "kernel/syscall.h"

#define NR_brk 214
#define NR_mprotect 226

#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4

/* brk never returns an error: the unchanged break says the request failed. */
static long sys_brk(uint64_t addr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		    uint64_t a5)
{
	struct process *p = &current_process;
	if (addr < p->brk_start || addr >= USER_TOP)
		return (long)p->brk;
	vaddr_t old_end = ALIGN_UP(p->brk, PAGE_SIZE), new_end = ALIGN_UP(addr, PAGE_SIZE);
	int err = 0;
	if (old_end == p->brk_start && new_end > old_end)
		err = vmm_region_add(p->space, old_end, new_end - old_end,
				     VMM_USER | VMM_READ | VMM_WRITE, REGION_ANON);
	else if (new_end == p->brk_start && old_end > new_end)
		err = vmm_region_remove(p->space, new_end, old_end - new_end);
	else if (new_end != old_end)
		err = vmm_region_resize(p->space, old_end, new_end);
	if (err)
		return (long)p->brk;
	p->brk = addr;
	return (long)addr;
}

static long sys_mprotect(uint64_t addr, uint64_t len, uint64_t prot, uint64_t a3, uint64_t a4,
			 uint64_t a5)
{
	if (!IS_ALIGNED(addr, PAGE_SIZE) || (prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EINVAL;
	if (len == 0)
		return 0;
	uint64_t end = ALIGN_UP(addr + len, PAGE_SIZE);
	if (end <= addr || end > USER_TOP)
		return -ENOMEM;
	unsigned rights = VMM_USER;
	rights |= (prot & PROT_READ) ? VMM_READ : 0;
	rights |= (prot & PROT_WRITE) ? VMM_READ | VMM_WRITE : 0; /* RISC-V has no write-only pages */
	rights |= (prot & PROT_EXEC) ? VMM_EXEC : 0;
	return vmm_region_protect(current_process.space, addr, end - addr, rights);
}

void sys_memory_register(syscall_fn *t)
{
	t[NR_brk] = sys_brk;
	t[NR_mprotect] = sys_mprotect;
}
