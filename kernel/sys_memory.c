/*
 * brk, mmap, munmap and mprotect over the regions of vmm.h: every mapping
 * is demand-paged.  Anonymous private mappings only, until there is a file
 * system; mmap places mappings by bumping a pointer (addresses are not
 * reused).
 */
#include "arch.h"
#include "kernel/error.h"
#include "kernel/process.h"
#include "kernel/syscall.h"

#define NR_brk 214
#define NR_munmap 215
#define NR_mmap 222
#define NR_mprotect 226

#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_TYPE 0x0f
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_HUGETLB 0x40000
#define MAP_FIXED_NOREPLACE 0x100000

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

/* The vmm rights of PROT (checked by the caller). */
static unsigned prot_to_rights(uint64_t prot)
{
	unsigned rights = VMM_USER;
	rights |= (prot & PROT_READ) ? VMM_READ : 0;
	rights |= (prot & PROT_WRITE) ? VMM_READ | VMM_WRITE : 0; /* RISC-V has no write-only pages */
	rights |= (prot & PROT_EXEC) ? VMM_EXEC : 0;
	return rights;
}

static int prot_ok(uint64_t prot)
{
	return !(prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC));
}

static long sys_mprotect(uint64_t addr, uint64_t len, uint64_t prot, uint64_t a3, uint64_t a4,
			 uint64_t a5)
{
	if (!IS_ALIGNED(addr, PAGE_SIZE) || !prot_ok(prot))
		return -EINVAL;
	if (len == 0)
		return 0;
	uint64_t end = ALIGN_UP(addr + len, PAGE_SIZE);
	if (end <= addr || end > USER_TOP)
		return -ENOMEM;
	return vmm_region_protect(current_process.space, addr, end - addr, prot_to_rights(prot));
}

/* Take LEN bytes (ALIGN-aligned) from the area bumped by *NEXT up to END: the address, or 0. */
static vaddr_t bump(vaddr_t *next, vaddr_t end, uint64_t len, uint64_t align)
{
	vaddr_t va = ALIGN_UP(*next, align);
	if (va >= end || len > end - va)
		return 0;
	*next = va + len;
	return va;
}

static long sys_mmap(uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags, uint64_t fd,
		     uint64_t off)
{
	struct process *p = &current_process;
	uint64_t type = flags & MAP_TYPE;
	if (len == 0 || !prot_ok(prot) || (type != MAP_PRIVATE && type != MAP_SHARED))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS))
		return -ENODEV; /* no files to map yet */
	int huge = (flags & MAP_HUGETLB) != 0;
	uint64_t align = huge ? MEGAPAGE_SIZE : PAGE_SIZE;
	uint64_t size = ALIGN_UP(len, align);
	if (size < len)
		return -ENOMEM;
	vaddr_t va;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (!IS_ALIGNED(addr, align) || addr + size < addr || addr + size > USER_TOP)
			return -EINVAL;
		va = addr;
		if (!(flags & MAP_FIXED_NOREPLACE)) {
			int err = vmm_region_remove(p->space, va, size);
			if (err)
				return err;
		}
	} else {
		va = huge ? bump(&p->huge_mmap_next, HUGE_MMAP_END, size, align)
			  : bump(&p->mmap_next, MMAP_END, size, align);
		if (!va)
			return -ENOMEM;
	}
	/* Anonymous memory is never shared with anyone here, so SHARED behaves as PRIVATE. */
	int err = vmm_region_add(p->space, va, size, prot_to_rights(prot), REGION_ANON);
	return err ? err : (long)va;
}

static long sys_munmap(uint64_t addr, uint64_t len, uint64_t a2, uint64_t a3, uint64_t a4,
		       uint64_t a5)
{
	if (!IS_ALIGNED(addr, PAGE_SIZE) || len == 0)
		return -EINVAL;
	uint64_t end = ALIGN_UP(addr + len, PAGE_SIZE);
	if (end <= addr || end > USER_TOP)
		return -EINVAL;
	return vmm_region_remove(current_process.space, addr, end - addr);
}

void sys_memory_register(syscall_fn *t)
{
	t[NR_brk] = sys_brk;
	t[NR_mprotect] = sys_mprotect;
	t[NR_mmap] = sys_mmap;
	t[NR_munmap] = sys_munmap;
}
