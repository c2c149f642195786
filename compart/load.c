/*
 * Loading a compartmentalised program: its compartments read from the
 * image, one view each, and every view's masks as the policy decides them.
 * Masks go from the coarse to the fine, each call narrowing what the one
 * before set: whole segments, the stack, the shared code and constants,
 * then each compartment's own code and data.
 */
#include <string.h>

#include "compart/internal.h"
#include "kernel/console.h"
#include "kernel/error.h"
#include "kernel/frame.h"
#include "kernel/memory.h"

struct compart_program compart_program;

int compart_prepare(struct vmm_space *space, const void *image, size_t size)
{
	struct compart_program *p = &compart_program;
	/* Once per boot, on storage that starts zeroed: only what is set here is not zero. */
	p->policy = image_policy();
	p->image = image;
	p->image_size = size;
	p->space = space;
	p->views = 1;
	int err = compart_image_read(image, size, &p->img);
	if (err || p->img.count == 0)
		return err;
	for (unsigned c = 0; c < p->img.count; c++)
		p->who[c] = (struct policy_compartment){ c, p->img.c[c].name,
							 (p->img.c[c].flags & COMPART_SECRET) != 0 };
	if (!p->policy->compartments)
		return 0;
	p->views = p->img.count;
	p->method = vmm_views_switch_in_user() ? COMPART_METHOD_CELLS : COMPART_METHOD_ECALL;
	return vmm_views_set(space, p->views);
}

/* The information page at COMPART_INFO_VA, read-only to every view. */
static int map_info(struct compart_program *p)
{
	paddr_t pa;
	if (frame_alloc(0, &pa) != 0)
		return -ENOMEM;
	struct compart_info *info = phys_to_virt(pa);
	memset(info, 0, PAGE_SIZE);
	info->method = p->method;
	info->count = p->img.count;
	info->magic = COMPART_INFO_MAGIC;
	strncpy(info->policy, p->policy->name, sizeof(info->policy) - 1);
	p->info = info;
	int err = vmm_region_add(p->space, COMPART_INFO_VA, PAGE_SIZE, VMM_USER | VMM_READ,
				 REGION_FIXED);
	if (!err && (err = vmm_map(p->space, COMPART_INFO_VA, pa, PAGE_SIZE,
				   VMM_USER | VMM_READ)) != 0)
		vmm_region_remove(p->space, COMPART_INFO_VA, PAGE_SIZE);
	if (err) {
		frame_free(pa, 0);
		p->info = NULL;
		kprintf("compart: the information page at %#lx could not be mapped (%d)\n",
			(unsigned long)COMPART_INFO_VA, err);
	}
	return err;
}

/* Give VIEW the policy's MASK on R, when R is not empty. */
static int view_range(struct compart_program *p, unsigned view, struct compart_range r,
		      unsigned mask)
{
	return r.end > r.start ? vmm_region_view(p->space, view, r.start, r.end - r.start, mask) : 0;
}

static unsigned decide(struct compart_program *p, unsigned who, unsigned owner,
		       enum policy_memory kind)
{
	return policy_decide_load(p->policy, &p->who[who], &p->who[owner], kind) &
	       (VMM_READ | VMM_WRITE | VMM_EXEC);
}

/* Whether R shares a page with one of the image's shared read-only ranges. */
static int touches_rodata(const struct compart_image *img, struct compart_range r)
{
	for (unsigned i = 0; i < img->nshared_rodata; i++)
		if (r.start < img->shared_rodata[i].end && img->shared_rodata[i].start < r.end)
			return 1;
	return 0;
}

/* VIEW's masks on everything the program has at load. */
static int apply_view(struct compart_program *p, unsigned view, struct compart_range stack)
{
	const struct compart_image *img = &p->img;
	int err = 0;
	for (unsigned i = 0; i < img->nsegments && !err; i++)
		err = view_range(p, view, img->segments[i].pages,
				 img->segments[i].writable ? decide(p, view, 0, POLICY_MEM_DATA) : 0);
	if (!err)
		err = view_range(p, view, stack, decide(p, view, 0, POLICY_MEM_STACK));
	unsigned rodata = decide(p, view, 0, POLICY_MEM_SHARED_RODATA);
	for (unsigned i = 0; i < img->nshared_rodata && !err; i++)
		err = view_range(p, view, img->shared_rodata[i], rodata);
	for (unsigned i = 0; i < img->nshared_text && !err; i++) {
		/* A page holding both code and constants gets both kinds' rights. */
		unsigned text = decide(p, view, 0, POLICY_MEM_SHARED_TEXT);
		if (touches_rodata(img, img->shared_text[i]))
			text |= rodata;
		err = view_range(p, view, img->shared_text[i], text);
	}
	for (unsigned c = 0; c < img->count && !err; c++) {
		err = view_range(p, view, img->c[c].text, decide(p, view, c, POLICY_MEM_TEXT));
		if (!err)
			err = view_range(p, view, img->c[c].data, decide(p, view, c, POLICY_MEM_DATA));
	}
	return err;
}

int compart_apply(struct vmm_space *space, vaddr_t stack_lo, vaddr_t stack_hi)
{
	struct compart_program *p = &compart_program;
	if (p->img.count == 0)
		return 0;
	int err = map_info(p);
	struct compart_range stack = { stack_lo, stack_hi };
	for (unsigned v = 0; v < p->views && p->views > 1 && !err; v++)
		err = apply_view(p, v, stack);
	if (!err)
		kprintf("compart: %u compartments under policy %s (%s)\n", p->img.count,
			p->policy->name, p->views > 1 ? "kept apart" : "one view");
	return err;
}

unsigned compart_current(void)
{
	return compart_program.views > 1 ? vmm_current_view() : 0;
}

unsigned compart_declared(void)
{
	return compart_program.img.count;
}

unsigned compart_views_for_new_memory(void)
{
	struct compart_program *p = &compart_program;
	if (p->views == 1)
		return VMM_ALL_VIEWS;
	unsigned creator = compart_current(), views = 0;
	for (unsigned v = 0; v < p->views; v++)
		if (decide(p, v, creator, POLICY_MEM_DATA))
			views |= 1u << v;
	return views;
}

int compart_may_change(vaddr_t va, uint64_t len)
{
	struct compart_program *p = &compart_program;
	unsigned c = compart_current();
	return p->views == 1 || c == 0 || vmm_view_writes_all(p->space, c, va, len);
}
