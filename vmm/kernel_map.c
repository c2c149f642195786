/*
 * The kernel space: the image with W^X, the rest of RAM, and the devices
 * the kernel drives.  Built through vmm_map like any other mapping, so both
 * backends lay it out the same way.
 */
#include "arch.h"
#include "kernel/error.h"
#include "vmm/space.h"

/* Page-aligned bounds of the image, from the linker script. */
extern char _kernel_start[], _etext[], _erodata[], _kernel_end[];

#define KERNEL_RIGHTS (VMM_READ | VMM_GLOBAL)

/* Map the physical range [pa, end) at its direct-map address with RIGHTS. */
static int map_direct(paddr_t pa, paddr_t end, unsigned rights)
{
	if (end <= pa)
		return 0;
	return vmm_map(vmm_kernel_space(), (vaddr_t)phys_to_virt(pa), pa, end - pa, rights);
}

/* Map RAM range R minus the HOLES (firmware memory) and the kernel image, RW. */
static int map_ram_range(struct mem_range r, const struct mem_range *holes, unsigned nholes)
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
		int err = map_direct(pa, cut, KERNEL_RIGHTS | VMM_WRITE);
		if (err)
			return err;
		pa = resume;
	}
	return 0;
}

/* The image: text RX, rodata R, data and bss RW. */
static int map_image(void)
{
	paddr_t text = virt_to_phys(_kernel_start), rodata = virt_to_phys(_etext);
	paddr_t data = virt_to_phys(_erodata), end = virt_to_phys(_kernel_end);
	int err = map_direct(text, rodata, KERNEL_RIGHTS | VMM_EXEC);
	if (!err)
		err = map_direct(rodata, data, KERNEL_RIGHTS);
	if (!err)
		err = map_direct(data, end, KERNEL_RIGHTS | VMM_WRITE);
	return err;
}

int vmm_init(const struct mem_range *ram, unsigned nram, const struct mem_range *holes,
	     unsigned nholes, const struct mem_range *devices, unsigned ndevices)
{
	int err = vmm_kernel_space_init();
	if (!err)
		err = map_image();
	for (unsigned i = 0; !err && i < nram; i++)
		err = map_ram_range(ram[i], holes, nholes);
	for (unsigned i = 0; !err && i < ndevices; i++)
		err = map_direct(devices[i].base, devices[i].base + devices[i].size,
				 KERNEL_RIGHTS | VMM_WRITE | VMM_DEVICE);
	if (err)
		return err;
	vmm_activate(vmm_kernel_space());
	return 0;
}
