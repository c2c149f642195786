#include "kernel/elf.h"

#include <string.h>

#include "arch.h"
#include "kernel/console.h"
#include "kernel/elf_format.h"
#include "kernel/error.h"

static int reject(const char *why)
{
	kprintf("elf: not loadable: %s\n", why);
	return -ENOEXEC;
}

/* Check the header and program header table; the reason for a refusal is printed. */
static int check_header(const struct elf64_ehdr *eh, size_t size)
{
	if (size < sizeof(*eh) || memcmp(eh->ident, "\177ELF", 4) != 0)
		return reject("no ELF magic");
	if (eh->ident[4] != 2 || eh->ident[5] != 1)
		return reject("not ELF64 little-endian");
	if (eh->machine != EM_RISCV)
		return reject("not a RISC-V binary");
	if (eh->type != ET_EXEC && eh->type != ET_DYN)
		return reject("not an executable");
	if (eh->phentsize != sizeof(struct elf64_phdr) || eh->phnum == 0)
		return reject("bad program header size or count");
	if (eh->phoff > size || (size - eh->phoff) / eh->phentsize < eh->phnum)
		return reject("program headers outside the file");
	return 0;
}

/* Check one PT_LOAD entry (placed at vaddr + BIAS) against the file and the user half. */
static int check_segment(const struct elf64_phdr *ph, size_t size, vaddr_t bias)
{
	vaddr_t va = ph->vaddr + bias;
	if (ph->offset > size || ph->filesz > size - ph->offset)
		return reject("segment outside the file");
	if (ph->filesz > ph->memsz)
		return reject("segment file size above memory size");
	if (ph->vaddr > USER_TOP || va < PAGE_SIZE || va + ph->memsz < va || va + ph->memsz > USER_TOP)
		return reject("segment outside user memory");
	if ((ph->vaddr & (PAGE_SIZE - 1)) != (ph->offset & (PAGE_SIZE - 1)))
		return reject("segment offset and address disagree modulo the page size");
	return 0;
}

static unsigned segment_rights(uint32_t flags)
{
	unsigned r = VMM_USER;
	if (flags & PF_R)
		r |= VMM_READ;
	if (flags & PF_W)
		r |= VMM_WRITE | VMM_READ;
	if (flags & PF_X)
		r |= VMM_EXEC;
	if (!(r & (VMM_READ | VMM_EXEC)))
		r |= VMM_READ;
	return r;
}

/*
 * A segment is private memory over the image: its file bytes from the
 * image (with the file's bytes before it in its first page, as Linux maps
 * whole pages), zeros past them.  Read-only pages are the image's own,
 * mapped as they are touched; writable ones become the space's copies.
 */
static int map_segment(struct vmm_space *s, const uint8_t *image, const struct elf64_phdr *ph,
		       vaddr_t va, unsigned rights)
{
	vaddr_t start = ALIGN_DOWN(va, PAGE_SIZE);
	uint64_t len = ALIGN_UP(va + ph->memsz, PAGE_SIZE) - start;
	paddr_t pa = virt_to_phys(image + ALIGN_DOWN(ph->offset, PAGE_SIZE));
	int err = vmm_region_add_backed(s, start, len, rights, pa, (va - start) + ph->filesz);
	return err == -EEXIST ? reject("segments share a page") : err;
}

/* Where the program headers appear in memory: PT_PHDR, or the load segment holding them. */
static vaddr_t find_phdr(const struct elf64_ehdr *eh, const struct elf64_phdr *ph)
{
	for (unsigned i = 0; i < eh->phnum; i++)
		if (ph[i].type == PT_PHDR)
			return ph[i].vaddr;
	for (unsigned i = 0; i < eh->phnum; i++)
		if (ph[i].type == PT_LOAD && eh->phoff >= ph[i].offset &&
		    eh->phoff - ph[i].offset < ph[i].filesz)
			return ph[i].vaddr + (eh->phoff - ph[i].offset);
	return 0;
}

/*
 * The displacement of a static-PIE (ET_DYN) image placed near BASE: BASE
 * rounded up to the largest segment alignment, so every segment keeps the
 * alignment it was linked for.  0 for ET_EXEC, which runs where it was linked.
 */
static vaddr_t load_bias(const struct elf64_ehdr *eh, const struct elf64_phdr *ph, vaddr_t base)
{
	if (eh->type != ET_DYN)
		return 0;
	uint64_t align = PAGE_SIZE;
	for (unsigned i = 0; i < eh->phnum; i++)
		if (ph[i].type == PT_LOAD && ph[i].align > align && ph[i].align <= PIE_MAX_ALIGN &&
		    (ph[i].align & (ph[i].align - 1)) == 0)
			align = ph[i].align;
	return ALIGN_UP(base, align);
}

int elf_load(struct vmm_space *s, const void *image, size_t size, vaddr_t pie_base,
	     struct elf_image *out)
{
	const struct elf64_ehdr *eh = image;
	int err = check_header(eh, size);
	if (err)
		return err;
	const struct elf64_phdr *ph = (const void *)((const uint8_t *)image + eh->phoff);
	vaddr_t bias = load_bias(eh, ph, pie_base), top = 0;
	for (unsigned i = 0; i < eh->phnum; i++) {
		if (ph[i].type == PT_INTERP)
			return reject("dynamically linked; build with -static or -static-pie");
		if (ph[i].type != PT_LOAD || ph[i].memsz == 0)
			continue;
		if ((err = check_segment(&ph[i], size, bias)) != 0)
			return err;
		vaddr_t va = ph[i].vaddr + bias;
		err = map_segment(s, image, &ph[i], va, segment_rights(ph[i].flags));
		if (err)
			return err;
		if (va + ph[i].memsz > top)
			top = va + ph[i].memsz;
	}
	if (top == 0)
		return reject("no loadable segment");
	vaddr_t phdr = find_phdr(eh, ph);
	*out = (struct elf_image){
		.entry = eh->entry + bias,
		.phdr = phdr ? phdr + bias : 0,
		.phnum = eh->phnum,
		.phentsize = eh->phentsize,
		.brk_start = ALIGN_UP(top, PAGE_SIZE),
		.bias = bias,
	};
	return 0;
}
