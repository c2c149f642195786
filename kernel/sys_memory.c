/*
 * brk, mmap, munmap and mprotect over the regions of vmm.h: every mapping
 * is demand-paged.  mmap places a mapping in the first free range of its
 * area after the last one it placed, wrapping to the area's start when the
 * rest is taken (see place).  A file mapping is private memory over a
 * snapshot of the file's bytes taken when it is made (see map_file).
 */
#include <string.h>

#include "arch.h"
#include "compart/compart.h"
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

#define MADV_DONTNEED 4
#define MADV_FREE 8
/* The advice Linux 6.1 knows: 0-4 and 8-25 (MADV_COLLAPSE); 5-7 were never given a meaning. */
#define MADV_KNOWN (0x1ful | (0x3ffff00ul))

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
#define PROT_SEM 8 /* accepted and meaningless, as on Linux */
#define PROT_GROWSDOWN 0x01000000
#define PROT_GROWSUP 0x02000000

/* brk never returns an error: the unchanged break says the request failed. */
static long sys_brk(uint64_t addr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		    uint64_t a5)
{
	struct process *p = &current_process;
	/* The heap is main's: only main moves it (compart/). */
	if (addr < p->brk_start || addr >= USER_TOP || compart_current() != 0)
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

/* The vmm rights of PROT; other bits are ignored, as mmap does on Linux. */
static unsigned prot_to_rights(uint64_t prot)
{
	unsigned rights = VMM_USER;
	rights |= (prot & PROT_READ) ? VMM_READ : 0;
	rights |= (prot & PROT_WRITE) ? VMM_READ | VMM_WRITE : 0; /* RISC-V has no write-only pages */
	rights |= (prot & PROT_EXEC) ? VMM_EXEC : 0;
	return rights;
}

/*
 * The checks in Linux's order: the direction bits, the address, an empty
 * range (fine, whatever PROT says), a range that wraps, PROT itself, then
 * the mappings.  No region grows, so PROT_GROWSDOWN/UP over mapped memory
 * is -EINVAL as Linux gives any mapping that does not grow.
 */
static long sys_mprotect(uint64_t addr, uint64_t len, uint64_t prot, uint64_t a3, uint64_t a4,
			 uint64_t a5)
{
	struct process *p = &current_process;
	uint64_t grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
	if (grows == (PROT_GROWSDOWN | PROT_GROWSUP) || !IS_ALIGNED(addr, PAGE_SIZE))
		return -EINVAL;
	if (len == 0)
		return 0;
	uint64_t size = ALIGN_UP(len, PAGE_SIZE);
	if (size == 0 || addr + size < addr)
		return -ENOMEM;
	if (prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM | grows))
		return -EINVAL;
	if (addr + size > USER_TOP || !vmm_region_allows(p->space, addr, size, 0))
		return -ENOMEM;
	if (grows)
		return -EINVAL;
	if (!compart_may_change(addr, size))
		return -EACCES;
	return vmm_region_protect(p->space, addr, size, prot_to_rights(prot));
}

/*
 * Where a mapping of SIZE bytes without a fixed address goes: 0 and *OUT,
 * or -ENOMEM when the area has no room.  MAP_HUGETLB mappings (HUGE) go in
 * the same area as the others, 2 MiB aligned; the region's kind, not its
 * address, tells the backend to use 2 MiB pages.  The area is searched from
 * the end of the last mapping placed (the caller notes it once the mapping
 * is made), so addresses are not reused until the area's top is reached,
 * and a range the program took with MAP_FIXED (or a mapping grown by
 * mremap) is gone around, not hit.
 */
static int place(struct process *p, uint64_t size, int huge, vaddr_t *out)
{
	return vmm_region_find_free(p->space, MMAP_BASE, MMAP_END, p->mmap_next, size,
				    huge ? MEGAPAGE_SIZE : PAGE_SIZE, out);
}

/*
 * Whether the open file F can be mapped as asked (SIZE bytes from OFF), with
 * Linux's errors in Linux's order: 0 and *OUT the node to copy from, or an
 * errno.  Only regular files have bytes to map; directories, pipes and
 * devices answer -ENODEV as files without an mmap operation do on Linux.
 */
static int mappable_file(struct file *f, uint64_t size, uint64_t prot, uint64_t flags,
			 uint64_t off, struct fs_node **out)
{
	if (off > (uint64_t)INT64_MAX - size)
		return -EOVERFLOW; /* past the largest file offset */
	uint64_t type = flags & MAP_TYPE;
	if (type != MAP_PRIVATE && type != MAP_SHARED)
		return -EINVAL;
	int acc = f->flags & O_ACCMODE;
	int shared_write = type == MAP_SHARED && (prot & PROT_WRITE);
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
 * The bytes of NODE from OFF on that fall in the first SIZE bytes of a
 * mapping, copied into a new snapshot: 0 and *OUT (NULL when there are
 * none: past the file's end a mapping reads as zero), or an errno.
 */
static int snapshot_file(struct fs_node *node, uint64_t off, uint64_t size,
			 struct vmm_snapshot **out)
{
	uint64_t avail = node->size > off ? node->size - off : 0;
	uint64_t bytes = avail < size ? avail : size;
	*out = NULL;
	if (bytes == 0)
		return 0;
	int err = vmm_snapshot_alloc(ALIGN_UP(bytes, PAGE_SIZE) / PAGE_SIZE, out);
	for (uint64_t done = 0; !err && done < bytes; done += PAGE_SIZE) {
		size_t n = bytes - done < PAGE_SIZE ? bytes - done : PAGE_SIZE;
		long got = fs_read(node, off + done, vmm_snapshot_page(*out, done / PAGE_SIZE), n);
		err = got < 0 ? (int)got : 0;
	}
	if (err && *out) {
		vmm_snapshot_free(*out);
		*out = NULL;
	}
	return err;
}

/*
 * A file mapping is private memory over a snapshot of the file's bytes
 * taken now (REGION_BACKED): later writes to the file are not seen through
 * it, MADV_DONTNEED brings the snapshot's bytes back, and past the file's
 * end it reads as zero.  A read-only MAP_SHARED mapping is the same, as
 * nothing is ever written back.  REPLACE: what lies in the range goes
 * (MAP_FIXED), only if the mapping is made.
 */
static int map_file(struct vmm_space *s, vaddr_t va, uint64_t size, unsigned rights,
		    struct fs_node *node, uint64_t off, int replace)
{
	struct vmm_snapshot *snap;
	int err = snapshot_file(node, off, size, &snap);
	if (!err && (err = vmm_region_map_views(s, va, size, rights, REGION_BACKED, snap, replace,
					       compart_views_for_new_memory())) != 0 &&
	    snap)
		vmm_snapshot_free(snap);
	return err;
}

/*
 * Where a MAP_FIXED mapping of SIZE bytes at ADDR may go (HUGE: 2 MiB
 * pages), with Linux's errors in its order: a huge address not aligned,
 * then any range past the user half (whatever the address, kernel half and
 * non-canonical included) -ENOMEM, then an address not page aligned.
 */
static int fixed_range_ok(uint64_t addr, uint64_t size, int huge)
{
	if (huge && !IS_ALIGNED(addr, MEGAPAGE_SIZE))
		return -EINVAL;
	if (addr > USER_TOP - size)
		return -ENOMEM;
	return IS_ALIGNED(addr, PAGE_SIZE) ? 0 : -EINVAL;
}

/*
 * mmap, its checks in riscv64 Linux's order: the offset, the descriptor,
 * the length (rounded to the page, or to 2 MiB for MAP_HUGETLB, first), the
 * address range, an overlap MAP_FIXED_NOREPLACE forbids, then the type and
 * the file's own conditions.  Nothing is changed until all have passed.
 */
static long sys_mmap(uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags, uint64_t fd,
		     uint64_t off)
{
	struct process *p = &current_process;
	struct file *f = NULL;
	struct fs_node *file = NULL;
	if (!IS_ALIGNED(off, PAGE_SIZE))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS)) {
		f = fd_get(fdarg(fd));
		if (!f || (f->flags & O_PATH))
			return -EBADF;
		if (flags & MAP_HUGETLB)
			return -EINVAL; /* no hugetlbfs files */
	}
	int huge = (flags & MAP_HUGETLB) != 0;
	uint64_t size = ALIGN_UP(len, huge ? MEGAPAGE_SIZE : PAGE_SIZE);
	if (len == 0 || (huge && size == 0))
		return -EINVAL; /* Linux rounds a huge length before it looks at it */
	if (size == 0 || size > USER_TOP)
		return -ENOMEM;
	vaddr_t va = addr, free;
	int fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0;
	/* MAP_FIXED replaces what is there, once the new mapping is sure to be made. */
	int replace = (flags & MAP_FIXED) && !(flags & MAP_FIXED_NOREPLACE);
	int err = fixed ? fixed_range_ok(addr, size, huge) : place(p, size, huge, &va);
	if (!err && replace && !compart_may_change(va, size))
		err = -EACCES;
	if (!err && (flags & MAP_FIXED_NOREPLACE) &&
	    vmm_region_find_free(p->space, va, va + size, va, size, PAGE_SIZE, &free) != 0)
		err = -EEXIST;
	if (!err && f)
		err = mappable_file(f, size, prot, flags, off, &file);
	else if (!err && (flags & MAP_TYPE) != MAP_PRIVATE && (flags & MAP_TYPE) != MAP_SHARED)
		err = -EINVAL;
	/*
	 * Anonymous memory is never shared with anyone here, so SHARED behaves
	 * as PRIVATE.  It is charged to the commit limit unless the program
	 * says it will touch little of it (MAP_NORESERVE, as Linux's default
	 * mode honours it): then a touch may find no memory left.
	 */
	enum region_kind kind = huge ? REGION_HUGE
				: flags & MAP_NORESERVE ? REGION_NORESERVE : REGION_ANON;
	if (!err)
		err = file ? map_file(p->space, va, size, prot_to_rights(prot), file, off, replace)
			   : vmm_region_map_views(p->space, va, size, prot_to_rights(prot), kind, NULL,
						  replace, compart_views_for_new_memory());
	if (err)
		return err;
	if (!fixed)
		p->mmap_next = va + size;
	return (long)va;
}

/* munmap's checks are Linux's: an aligned start in the user half, a length that stays in it. */
static long sys_munmap(uint64_t addr, uint64_t len, uint64_t a2, uint64_t a3, uint64_t a4,
		       uint64_t a5)
{
	if (!IS_ALIGNED(addr, PAGE_SIZE) || addr > USER_TOP || len > USER_TOP - addr || len == 0)
		return -EINVAL;
	if (!compart_may_change(addr, ALIGN_UP(len, PAGE_SIZE)))
		return -EACCES;
	return vmm_region_remove(current_process.space, addr, ALIGN_UP(len, PAGE_SIZE));
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
 * mremap: shrink in place (any mapping), grow in place when the space above
 * is free, otherwise (MREMAP_MAYMOVE) copy the existing pages into a new
 * mapping; growing and moving only anonymous memory.  MREMAP_FIXED and
 * MREMAP_DONTUNMAP are not supported (-EINVAL).  A new length past the user
 * half is -EINVAL, as Linux now checks it first: a length that wraps must
 * not pass for a shrink.
 */
static long sys_mremap(uint64_t old, uint64_t old_len, uint64_t new_len, uint64_t flags,
		       uint64_t new_addr, uint64_t a5)
{
	struct process *p = &current_process;
	if ((flags & ~(uint64_t)MREMAP_MAYMOVE) || !IS_ALIGNED(old, PAGE_SIZE))
		return -EINVAL;
	old_len = ALIGN_UP(old_len, PAGE_SIZE);
	new_len = ALIGN_UP(new_len, PAGE_SIZE);
	if (new_len == 0 || new_len > USER_TOP)
		return -EINVAL;
	vaddr_t start, end;
	unsigned rights;
	enum region_kind kind;
	if (vmm_region_at(p->space, old, &start, &end, &rights, &kind) != 0)
		return -EFAULT;
	if (!compart_may_change(old, old_len ? old_len : PAGE_SIZE))
		return -EACCES;
	/* A huge mapping changes in whole 2 MiB pages, as hugetlb lengths round on Linux. */
	int huge = kind == REGION_HUGE;
	if (huge) {
		if (!IS_ALIGNED(old, MEGAPAGE_SIZE) || new_len > USER_TOP - MEGAPAGE_SIZE)
			return -EINVAL;
		old_len = ALIGN_UP(old_len, MEGAPAGE_SIZE);
		new_len = ALIGN_UP(new_len, MEGAPAGE_SIZE);
	}
	if (old_len >= new_len && old_len > USER_TOP - old)
		return -EINVAL; /* what a shrink would unmap lies past the user half */
	if (old_len == 0)
		return -EINVAL; /* "duplicate" a private mapping: Linux refuses it */
	if (old_len > end - old)
		return -EFAULT; /* not one mapping */
	if (new_len <= old_len) {
		int err = new_len < old_len ? vmm_region_remove(p->space, old + new_len, old_len - new_len) : 0;
		return err ? err : (long)old;
	}
	if (kind != REGION_ANON && kind != REGION_NORESERVE && !huge)
		return -EINVAL;
	if (old + old_len == end && vmm_region_resize(p->space, end, old + new_len) == 0)
		return (long)old;
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	vaddr_t to;
	int err = place(p, new_len, huge, &to);
	/* Both copies are charged while the pages move: near the limit, a move fails with ENOMEM. */
	if (!err)
		err = vmm_region_add(p->space, to, new_len, rights, kind);
	if (!err && (err = move_pages(p->space, old, to, old_len)) != 0)
		vmm_region_remove(p->space, to, new_len);
	if (err)
		return err;
	vmm_region_remove(p->space, old, old_len);
	p->mmap_next = to + new_len;
	return (long)to;
}

/*
 * madvise: advice is taken as a hint and ignored, except MADV_DONTNEED and
 * MADV_FREE, which drop the pages of private memory: afterwards anonymous
 * memory reads as zero and backed memory as its backing again (the image's
 * bytes for .data, the file's for a file mapping), as on Linux.  Memory the
 * kernel mapped itself (REGION_FIXED) is left alone.  Unlike Linux, a range
 * with a hole is refused (-ENOMEM) before any page is dropped; a range that
 * cuts a MAP_HUGETLB page is -EINVAL.
 */
static long sys_madvise(uint64_t addr, uint64_t len, uint64_t advice, uint64_t a3, uint64_t a4,
			uint64_t a5)
{
	struct process *p = &current_process;
	if (advice >= 64 || !((MADV_KNOWN >> advice) & 1) || !IS_ALIGNED(addr, PAGE_SIZE))
		return -EINVAL;
	uint64_t size = ALIGN_UP(len, PAGE_SIZE);
	if ((len && !size) || addr + size < addr)
		return -EINVAL; /* a length that rounds up to 0, a range that wraps */
	if (size == 0)
		return 0;
	vaddr_t end = addr + size;
	if (end > USER_TOP || !vmm_region_allows(p->space, addr, size, 0))
		return -ENOMEM; /* part of the range is not mapped */
	if (advice != MADV_DONTNEED && advice != MADV_FREE)
		return 0;
	if (!compart_may_change(addr, size))
		return -EACCES;
	vaddr_t start, rend;
	unsigned rights;
	enum region_kind kind;
	/*
	 * A MAP_HUGETLB mapping drops whole 2 MiB pages only, as the region
	 * layer cuts it (and as Linux's hugetlb madvise): checked at both ends
	 * before anything is dropped.
	 */
	vmm_region_at(p->space, addr, &start, &rend, &rights, &kind);
	if (kind == REGION_HUGE && !IS_ALIGNED(addr, MEGAPAGE_SIZE))
		return -EINVAL;
	vmm_region_at(p->space, end - 1, &start, &rend, &rights, &kind);
	if (kind == REGION_HUGE && !IS_ALIGNED(end, MEGAPAGE_SIZE))
		return -EINVAL;
	for (vaddr_t va = addr; va < end; va = rend) {
		vmm_region_at(p->space, va, &start, &rend, &rights, &kind);
		vaddr_t stop = rend < end ? rend : end;
		if (kind != REGION_FIXED) {
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
