/*
 * brk, mmap, munmap and mprotect over the regions of vmm.h: every mapping
 * is demand-paged.  mmap places mappings by bumping a pointer (addresses
 * are not reused).  A file mapping is anonymous memory filled with the
 * file's bytes when it is made (see map_file).
 */
#include <string.h>

#include "arch.h"
#include "kernel/error.h"
#include "kernel/process.h"
#include "kernel/syscall.h"
#include "kernel/sys_fs_util.h"
#include "uaccess.h"

#define NR_brk 214
#define NR_munmap 215
#define NR_mmap 222
#define NR_mprotect 226
#define NR_mremap 216
#define NR_madvise 233

#define MADV_NORMAL 0
#define MADV_DONTNEED 4
#define MADV_FREE 8
#define MADV_LAST_KNOWN 25 /* MADV_COLLAPSE, the highest Linux 6.1 knows */

#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#define MREMAP_DONTUNMAP 4

#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_TYPE 0x0f
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_NORESERVE 0x4000
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

/*
 * Whether FD's file can be mapped as asked, with Linux's errors in Linux's
 * order: 0 and *OUT the node to copy from, or an errno.  Only regular files
 * have bytes to map; directories, pipes and devices answer -ENODEV as files
 * without an mmap operation do on Linux.
 */
static int mappable_file(uint64_t fd, uint64_t len, uint64_t prot, uint64_t flags,
			  uint64_t off, struct fs_node **out)
{
	if (!IS_ALIGNED(off, PAGE_SIZE))
		return -EINVAL;
	struct file *f = fd_get(fdarg(fd));
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	if (flags & MAP_HUGETLB)
		return -EINVAL; /* no hugetlbfs files */
	if (off > (uint64_t)INT64_MAX - ALIGN_UP(len, PAGE_SIZE))
		return -EOVERFLOW; /* past the largest file offset */
	int acc = f->flags & O_ACCMODE;
	int shared_write = (flags & MAP_TYPE) == MAP_SHARED && (prot & PROT_WRITE);
	if (shared_write && acc == O_RDONLY)
		return -EACCES;
	if (acc == O_WRONLY)
		return -EACCES; /* private or not, the mapping reads the file */
	if (!f->node || (f->node->mode & S_IFMT) != S_IFREG)
		return -ENODEV;
	/*
	 * A shared writable mapping would have to carry its stores back into
	 * the file, and there is no write-back: refuse rather than silently
	 * behave as private.
	 */
	if (shared_write)
		return -ENODEV;
	*out = f->node;
	return 0;
}

/*
 * Copy N (at most a page) of the file's bytes to the page at VA.  uaccess
 * copies words only when both sides and the length are 8-byte aligned, so
 * unaligned storage (files in the image) and the last piece of a file go
 * through an aligned page, padded with the zeros the page holds anyway.
 */
static int fill_page(vaddr_t va, const char *src, size_t n)
{
	static uint64_t page[PAGE_SIZE / sizeof(uint64_t)];
	if (IS_ALIGNED((uintptr_t)src, 8) && IS_ALIGNED(n, 8))
		return copy_to_user(va, src, n);
	size_t padded = ALIGN_UP(n, 8);
	memcpy(page, src, n);
	memset((char *)page + n, 0, padded - n);
	return copy_to_user(va, page, padded);
}

/*
 * Copy NODE's bytes from OFF (page aligned) into [va, va+size) a page at a
 * time through fs_read, skipping holes (SEEK_DATA): they and the part past
 * the end stay demand-zero, so a sparse file's holes take no frames.
 */
static int fill_from_file(vaddr_t va, uint64_t size, struct fs_node *node, uint64_t off)
{
	static uint64_t buf[PAGE_SIZE / sizeof(uint64_t)];
	uint64_t done = 0;
	while (done < size) {
		int64_t data = fs_seek_data(node, off + done, 0);
		if (data < 0)
			return 0; /* -ENXIO: no data from here on */
		done = ALIGN_DOWN((uint64_t)data - off, PAGE_SIZE);
		if (done >= size)
			return 0;
		long got = fs_read(node, off + done, buf, PAGE_SIZE);
		if (got <= 0)
			return (int)got;
		int err = fill_page(va + done, (const char *)buf, (size_t)got);
		if (err)
			return err;
		done += PAGE_SIZE;
	}
	return 0;
}

/*
 * A file mapping is a snapshot: an anonymous region filled with the
 * file's bytes now, then given its protection (as elf.c's map_private).
 * Private mappings are exactly that; a shared read-only one is too, so
 * writes to the file after the mmap are not seen through the mapping.
 * PROT_NONE over any of the file's bytes fails as mprotect does there
 * (-ENOTSUP: no page can be present but inaccessible).
 */
static long map_file(struct vmm_space *s, vaddr_t va, uint64_t size, unsigned rights,
		     struct fs_node *node, uint64_t off)
{
	int err = vmm_region_add(s, va, size, rights | VMM_READ | VMM_WRITE, REGION_ANON);
	if (err)
		return err;
	err = fill_from_file(va, size, node, off);
	if (!err && !(rights & VMM_WRITE))
		err = vmm_region_protect(s, va, size, rights);
	if (err) {
		vmm_region_remove(s, va, size);
		return err == -EFAULT ? -ENOMEM : err; /* a fault filling the region: no memory left */
	}
	return (long)va;
}

static long sys_mmap(uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags, uint64_t fd,
		     uint64_t off)
{
	struct process *p = &current_process;
	struct fs_node *file = NULL;
	uint64_t type = flags & MAP_TYPE;
	if (len == 0 || !prot_ok(prot) || (type != MAP_PRIVATE && type != MAP_SHARED))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS)) {
		int err = mappable_file(fd, len, prot, flags, off, &file);
		if (err)
			return err;
	}
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
	if (file)
		return map_file(p->space, va, size, prot_to_rights(prot), file, off);
	/*
	 * Anonymous memory is never shared with anyone here, so SHARED behaves
	 * as PRIVATE.  It is charged to the commit limit unless the program
	 * says it will touch little of it (MAP_NORESERVE, as Linux's default
	 * mode honours it): then a touch may find no memory left.
	 */
	enum region_kind kind = flags & MAP_NORESERVE ? REGION_NORESERVE : REGION_ANON;
	int err = vmm_region_add(p->space, va, size, prot_to_rights(prot), kind);
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

/* Copy the pages of [from, from+len) that exist to TO, through the application's mappings. */
static int move_pages(struct vmm_space *s, vaddr_t from, vaddr_t to, uint64_t len)
{
	static uint8_t page[PAGE_SIZE];
	for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
		struct vmm_mapping m;
		/* A page never touched reads as zero: leave it to the new region's faults. */
		if (vmm_translate(s, from + off, &m) != 0)
			continue;
		if (copy_from_user(page, from + off, PAGE_SIZE) || copy_to_user(to + off, page, PAGE_SIZE))
			return -EFAULT;
	}
	return 0;
}

/*
 * mremap of anonymous memory: shrink in place, grow in place when the space
 * above is free, otherwise (MREMAP_MAYMOVE) copy the existing pages into a
 * new mapping.  MREMAP_FIXED and MREMAP_DONTUNMAP are not supported (-EINVAL).
 */
static long sys_mremap(uint64_t old, uint64_t old_len, uint64_t new_len, uint64_t flags,
		       uint64_t new_addr, uint64_t a5)
{
	struct process *p = &current_process;
	if (!IS_ALIGNED(old, PAGE_SIZE) || new_len == 0 || (flags & ~(uint64_t)MREMAP_MAYMOVE))
		return -EINVAL;
	old_len = ALIGN_UP(old_len, PAGE_SIZE);
	new_len = ALIGN_UP(new_len, PAGE_SIZE);
	if (old_len == 0 || new_len == 0 || old + old_len < old || old + old_len > USER_TOP)
		return -EINVAL;
	vaddr_t start, end;
	unsigned rights;
	enum region_kind kind;
	if (vmm_region_at(p->space, old, &start, &end, &rights, &kind) != 0 || old + old_len > end)
		return -EFAULT;
	if (kind != REGION_ANON && kind != REGION_NORESERVE)
		return -EINVAL;
	if (new_len <= old_len) {
		int err = new_len < old_len ? vmm_region_remove(p->space, old + new_len, old_len - new_len) : 0;
		return err ? err : (long)old;
	}
	if (old + old_len == end && vmm_region_resize(p->space, end, old + new_len) == 0) {
		/* Grown past the bump pointer: later mmaps must start above it. */
		if (old >= MMAP_BASE && old < MMAP_END && old + new_len > p->mmap_next)
			p->mmap_next = old + new_len;
		return (long)old;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	vaddr_t to = bump(&p->mmap_next, MMAP_END, new_len, PAGE_SIZE);
	if (!to)
		return -ENOMEM;
	/* Both copies are charged while the pages move: near the limit, a move fails with ENOMEM. */
	int err = vmm_region_add(p->space, to, new_len, rights, kind);
	if (!err && (err = move_pages(p->space, old, to, old_len)) != 0)
		vmm_region_remove(p->space, to, new_len);
	if (err)
		return err;
	vmm_region_remove(p->space, old, old_len);
	return (long)to;
}

/*
 * madvise: advice is taken as a hint and ignored, except MADV_DONTNEED and
 * MADV_FREE on anonymous memory, which drop the pages (they read as zero
 * afterwards, as Linux gives private anonymous memory).
 */
static long sys_madvise(uint64_t addr, uint64_t len, uint64_t advice, uint64_t a3, uint64_t a4,
			uint64_t a5)
{
	struct process *p = &current_process;
	if (!IS_ALIGNED(addr, PAGE_SIZE) || advice > MADV_LAST_KNOWN)
		return -EINVAL;
	uint64_t end = ALIGN_UP(addr + len, PAGE_SIZE);
	if (end < addr || end > USER_TOP)
		return -EINVAL;
	if (len == 0)
		return 0;
	if (!vmm_region_allows(p->space, addr, end - addr, 0))
		return -ENOMEM; /* part of the range is not mapped */
	if (advice != MADV_DONTNEED && advice != MADV_FREE)
		return 0;
	vaddr_t start, rend;
	unsigned rights;
	enum region_kind kind;
	for (vaddr_t va = addr; va < end; va = rend) {
		vmm_region_at(p->space, va, &start, &rend, &rights, &kind);
		vaddr_t stop = rend < end ? rend : end;
		if (kind == REGION_ANON || kind == REGION_STACK || kind == REGION_NORESERVE) {
			int err = vmm_unmap(p->space, va, stop - va);
			if (err)
				return err;
		}
	}
	return 0;
}

void sys_memory_register(syscall_fn *t)
{
	t[NR_brk] = sys_brk;
	t[NR_mprotect] = sys_mprotect;
	t[NR_mmap] = sys_mmap;
	t[NR_munmap] = sys_munmap;
	t[NR_mremap] = sys_mremap;
	t[NR_madvise] = sys_madvise;
}
