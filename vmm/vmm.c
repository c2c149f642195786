/*
 * The backend-neutral half of vmm.h: argument validation (done once here,
 * for both backends), spaces, and the per-operation instruction counts.
 */
#include "vmm/vmm.h"

#include "arch.h"
#include "kernel/error.h"
#include "kernel/heap.h"
#include "vmm/space.h"

static struct vmm_space *kernel_space;
static struct vmm_space *current_space;
static unsigned current_view;
static struct vmm_stats stats;

/* Time OP in retired instructions and count it under WHICH. */
#define MEASURED(which, op)                                                            \
	({                                                                             \
		uint64_t t0_ = read_instret();                                         \
		int r_ = (op);                                                         \
		stats.which.instret += read_instret() - t0_;                           \
		stats.which.calls++;                                                   \
		r_;                                                                    \
	})

/* [va, va+len) is page aligned, non-empty, and inside one half of the address space. */
static int range_ok(vaddr_t va, uint64_t len)
{
	if (len == 0 || !IS_ALIGNED(va, PAGE_SIZE) || !IS_ALIGNED(len, PAGE_SIZE))
		return 0;
	vaddr_t last = va + len - 1;
	/* The range may not wrap, nor end at 2^64 (an end address must exist). */
	if (last < va || last == UINT64_MAX)
		return 0;
	if (va_is_user(va))
		return last < USER_TOP;
	return va >= KERNEL_HALF_BASE;
}

/* RIGHTS are a meaningful request for a mapping at VA (HOLD: VMM_USER alone is one too). */
static int rights_ok(vaddr_t va, unsigned rights, int hold)
{
	if (rights & ~VMM_RIGHTS_MASK)
		return 0;
	if (hold && rights == VMM_USER)
		return va_is_user(va);
	if (!(rights & (VMM_READ | VMM_EXEC)))
		return 0;
	if ((rights & VMM_WRITE) && !(rights & VMM_READ))
		return 0;
	return !!(rights & VMM_USER) == va_is_user(va);
}

/* The physical range fits the 56 bits Sv48 and the cells format can name. */
static int phys_ok(paddr_t pa, uint64_t len)
{
	return IS_ALIGNED(pa, PAGE_SIZE) && pa + len > pa && pa + len <= (1ul << 56);
}

/* Create the kernel space with nothing mapped (vmm_init and host tests). */
int vmm_kernel_space_init(void)
{
	struct vmm_space *s = kzalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	int r = backend_space_create(NULL, &s->backend);
	if (r) {
		kfree(s);
		return r;
	}
	s->nviews = 1;
	kernel_space = current_space = s;
	return 0;
}

struct vmm_space *vmm_kernel_space(void)
{
	return kernel_space;
}

struct vmm_space *vmm_current_space(void)
{
	return current_space;
}

int vmm_space_create(struct vmm_space **out)
{
	struct vmm_space *s = kzalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	int r = backend_space_create(kernel_space->backend, &s->backend);
	if (r) {
		kfree(s);
		return r;
	}
	s->nviews = 1;
	*out = s;
	return 0;
}

void vmm_space_destroy(struct vmm_space *space)
{
	region_destroy_all(space);
	backend_space_destroy(space->backend);
	kfree(space);
}

void vmm_activate(struct vmm_space *space, unsigned view)
{
	backend_activate(space->backend, view);
	current_space = space;
	current_view = view;
}

unsigned vmm_current_view(void)
{
	return current_view;
}

void vmm_enter_view(unsigned view)
{
	current_view = view;
}

int vmm_map(struct vmm_space *space, vaddr_t va, paddr_t pa, uint64_t len, unsigned rights)
{
	if (!range_ok(va, len) || !rights_ok(va, rights, 0) || !phys_ok(pa, len))
		return -EINVAL;
	return MEASURED(map, backend_map(space->backend, va, pa, len, rights));
}

int vmm_unmap(struct vmm_space *space, vaddr_t va, uint64_t len)
{
	if (!range_ok(va, len))
		return -EINVAL;
	return MEASURED(unmap, backend_unmap(space->backend, va, len));
}

/* A visitor adding up the bytes translated, into *CTX. */
static int add_bytes(const struct vmm_mapping *m, void *ctx)
{
	*(uint64_t *)ctx += m->len;
	return 0;
}

int vmm_protect(struct vmm_space *space, vaddr_t va, uint64_t len, unsigned rights)
{
	if (!range_ok(va, len) || !rights_ok(va, rights, 1))
		return -EINVAL;
	uint64_t t0 = read_instret(), covered = 0;
	backend_traverse(space->backend, va, len, add_bytes, &covered);
	/* Every view of the space gets RIGHTS (entries past its views are ignored). */
	struct view_rights all = { .page = rights };
	for (unsigned v = 0; v < space->nviews; v++)
		all.view[v] = rights;
	int err = covered == len ? backend_protect(space->backend, va, len, &all) : -ENOENT;
	stats.protect.instret += read_instret() - t0;
	stats.protect.calls++;
	return err;
}

int vmm_protect_present(struct vmm_space *space, vaddr_t va, uint64_t len,
			const struct view_rights *rights)
{
	return MEASURED(protect, backend_protect(space->backend, va, len, rights));
}

int vmm_translate(struct vmm_space *space, vaddr_t va, struct vmm_mapping *out)
{
	if (!va_is_canonical(va))
		return -EINVAL;
	return backend_translate(space->backend, va, out);
}

int vmm_traverse(struct vmm_space *space, vaddr_t va, uint64_t len, vmm_visitor visit, void *ctx)
{
	if (!range_ok(va, len) || !visit)
		return -EINVAL;
	return backend_traverse(space->backend, va, len, visit, ctx);
}

/* Account one fault resolution that took INSTRET instructions (region.c). */
void vmm_count_fault(uint64_t instret)
{
	stats.fault.calls++;
	stats.fault.instret += instret;
}

void vmm_get_stats(struct vmm_stats *out)
{
	*out = stats;
	out->table_bytes = backend_table_bytes();
}

void vmm_backend_stats(char *buf, size_t size)
{
	backend_stats(buf, size);
}

void vmm_tick(void)
{
	backend_tick();
}

const char *vmm_backend_name(void)
{
	return backend_name;
}
