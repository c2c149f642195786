/*
 * The kernel space: the image with W^X, the devices the kernel drives, and
 * a direct map of RAM that grows as the kernel needs memory.
 *
 * Mapping all of RAM at boot would cost one mapping per page or large page
 * (hundreds, each with a signed rental on Sv48).  Instead the frame allocator
 * starts with a small window of RAM, mapped at boot, and asks for more when
 * it runs low: the next chunk is mapped (1 GiB or 2 MiB where alignment
 * allows, the unaligned fringes last, in 4 KiB pages) and only then handed
 * over.  A range of the image the kernel reads rarely (the embedded
 * application) is mapped page by page on first touch.
 *
 * Everything goes through vmm_map, so both backends lay it out the same way.
 */
#include <string.h>

#include "arch.h"
#include "kernel/error.h"
#include "kernel/frame.h"
#include "vmm/space.h"

/* Page-aligned bounds of the image, from the linker script. */
extern char _kernel_start[], _etext[], _erodata[], _kernel_end[];

#define KERNEL_RIGHTS (VMM_READ | VMM_GLOBAL)
#define MAX_PIECES 48
#define WINDOW_MIN (4ul << 20)    /* RAM mapped at boot, at least */
#define LOW_WATERMARK (1ul << 20) /* grow when less than this is free ... */
#define LOW_SHARE_SHIFT 4          /* ... or less than 1/16 of what is online */

/* A stretch of RAM the direct map still has to cover. */
struct piece {
	paddr_t lo, hi;
	paddr_t body_next; /* next unmapped byte of its 2 MiB-aligned body */
	int fringe;        /* 0: none mapped, 1: the low one, 2: both */
};

static struct piece pieces[MAX_PIECES];
static unsigned npieces;
static vaddr_t lazy_lo, lazy_hi;

static paddr_t body_lo(const struct piece *p)
{
	return ALIGN_UP(p->lo, MEGAPAGE_SIZE);
}

static paddr_t body_hi(const struct piece *p)
{
	paddr_t hi = ALIGN_DOWN(p->hi, MEGAPAGE_SIZE);
	return hi > body_lo(p) ? hi : body_lo(p);
}

static void add_piece(paddr_t lo, paddr_t hi)
{
	if (lo < hi && npieces < MAX_PIECES) {
		pieces[npieces] = (struct piece){ lo, hi, 0, 0 };
		pieces[npieces].body_next = body_lo(&pieces[npieces]);
		npieces++;
	}
}

/* Split RAM range R at the holes and the image into pieces. */
static void plan_range(struct mem_range r, const struct mem_range *holes, unsigned nholes)
{
	paddr_t pa = ALIGN_UP(r.base, PAGE_SIZE), end = ALIGN_DOWN(r.base + r.size, PAGE_SIZE);
	paddr_t image = virt_to_phys(_kernel_start), image_end = virt_to_phys(_kernel_end);
	while (pa < end) {
		/* The nearest hole (or the image) at or after PA cuts the piece short. */
		paddr_t cut = end, resume = end;
		for (unsigned i = 0; i <= nholes; i++) {
			paddr_t hb = i < nholes ? ALIGN_DOWN(holes[i].base, PAGE_SIZE) : image;
			paddr_t he = i < nholes ? ALIGN_UP(holes[i].base + holes[i].size, PAGE_SIZE)
						: image_end;
			if (he > pa && hb < cut) {
				cut = hb > pa ? hb : pa;
				resume = he;
			}
		}
		add_piece(pa, cut);
		pa = resume;
	}
}

/* Map [lo, hi) at its direct-map address and hand it to the frame allocator. */
static int bring_online(paddr_t lo, paddr_t hi, int allocator_ready)
{
	if (lo >= hi)
		return 0;
	int err = vmm_map(vmm_kernel_space(), (vaddr_t)phys_to_virt(lo), lo, hi - lo,
			  KERNEL_RIGHTS | VMM_WRITE);
	if (!err && allocator_ready)
		err = frame_online(lo, hi);
	return err;
}

/* The next chunk to map: a large aligned one if any is left, else a fringe. */
static int next_chunk(paddr_t *lo, paddr_t *hi)
{
	for (unsigned i = 0; i < npieces; i++) {
		struct piece *p = &pieces[i];
		if (p->body_next >= body_hi(p))
			continue;
		uint64_t size = IS_ALIGNED(p->body_next, GIGAPAGE_SIZE) &&
						body_hi(p) - p->body_next >= GIGAPAGE_SIZE
					? GIGAPAGE_SIZE
					: MEGAPAGE_SIZE;
		*lo = p->body_next;
		*hi = p->body_next + size;
		p->body_next += size;
		return 1;
	}
	for (unsigned i = 0; i < npieces; i++) {
		struct piece *p = &pieces[i];
		int has_body = body_lo(p) < body_hi(p);
		if (p->fringe == 0) {
			p->fringe = 1;
			*lo = p->lo;
			*hi = has_body ? body_lo(p) : p->hi;
			if (*lo < *hi)
				return 1;
		}
		if (p->fringe == 1) {
			p->fringe = 2;
			if (has_body && body_hi(p) < p->hi) {
				*lo = body_hi(p);
				*hi = p->hi;
				return 1;
			}
		}
	}
	return 0;
}

/*
 * The frame allocator is low: map and hand over the next chunk of RAM.  The
 * mapping itself needs memory (tablet records, registry arrays that grow
 * with the memory mapped); if it cannot have it now, the plan is put back
 * so that the chunk is tried again next time rather than lost.
 */
static void direct_map_grow(void)
{
	static struct piece saved[MAX_PIECES];
	paddr_t lo, hi;
	memcpy(saved, pieces, sizeof(pieces));
	if (next_chunk(&lo, &hi) && bring_online(lo, hi, 1) != 0)
		memcpy(pieces, saved, sizeof(pieces));
}

int vmm_plan_direct_map(const struct mem_range *ram, unsigned nram, const struct mem_range *holes,
			unsigned nholes, struct mem_range *window)
{
	npieces = 0;
	for (unsigned i = 0; i < nram; i++)
		plan_range(ram[i], holes, nholes);
	/* The window: consecutive chunks from the first body, WINDOW_MIN or more. */
	paddr_t lo, hi, wlo = 0, whi = 0;
	while (whi - wlo < WINDOW_MIN && next_chunk(&lo, &hi)) {
		if (whi && lo != whi)
			break; /* not contiguous: the window so far will do */
		if (!whi)
			wlo = lo;
		whi = hi;
	}
	if (whi == wlo)
		return -ENOMEM;
	*window = (struct mem_range){ wlo, whi - wlo };
	return 0;
}

/* The image: text RX, rodata R (less the lazy range), data and bss RW. */
static int map_image(void)
{
	paddr_t text = virt_to_phys(_kernel_start), rodata = virt_to_phys(_etext);
	paddr_t data = virt_to_phys(_erodata), end = virt_to_phys(_kernel_end);
	paddr_t lazy = lazy_lo ? virt_to_phys((void *)lazy_lo) : data;
	paddr_t lazy_end = lazy_lo ? virt_to_phys((void *)lazy_hi) : data;
	int err = vmm_map(vmm_kernel_space(), (vaddr_t)phys_to_virt(text), text, rodata - text,
			  KERNEL_RIGHTS | VMM_EXEC);
	struct mem_range ro[2] = { { rodata, lazy - rodata }, { lazy_end, data - lazy_end } };
	for (int i = 0; i < 2 && !err; i++)
		if (ro[i].size)
			err = vmm_map(vmm_kernel_space(), (vaddr_t)phys_to_virt(ro[i].base), ro[i].base,
				      ro[i].size, KERNEL_RIGHTS);
	if (!err)
		err = vmm_map(vmm_kernel_space(), (vaddr_t)phys_to_virt(data), data, end - data,
			      KERNEL_RIGHTS | VMM_WRITE);
	return err;
}

int vmm_init(const struct mem_range *window, const struct mem_range *devices, unsigned ndevices,
	     vaddr_t lazy_start, vaddr_t lazy_end)
{
	lazy_lo = ALIGN_DOWN(lazy_start, PAGE_SIZE);
	lazy_hi = ALIGN_UP(lazy_end, PAGE_SIZE);
	int err = vmm_kernel_space_init();
	if (!err)
		err = map_image();
	if (!err)
		err = bring_online(window->base, window->base + window->size, 0);
	for (unsigned i = 0; !err && i < ndevices; i++)
		err = vmm_map(vmm_kernel_space(), (vaddr_t)phys_to_virt(devices[i].base),
			      devices[i].base, devices[i].size, KERNEL_RIGHTS | VMM_WRITE | VMM_DEVICE);
	if (err)
		return err;
	vmm_activate(vmm_kernel_space(), 0);
	frame_set_low_hook(direct_map_grow, LOW_WATERMARK, LOW_SHARE_SHIFT);
	return 0;
}

int vmm_kernel_fault(vaddr_t va, unsigned access)
{
	if (va < lazy_lo || va >= lazy_hi || access != VMM_READ)
		return -EFAULT;
	vaddr_t page = ALIGN_DOWN(va, PAGE_SIZE);
	return vmm_map(vmm_kernel_space(), page, virt_to_phys((void *)page), PAGE_SIZE, KERNEL_RIGHTS);
}
