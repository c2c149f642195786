/*
 * In-guest self-tests of the Sv48 backend (ktest=NAME on the kernel command
 * line).
 *   expiry  a page placed with a 20 ms rental reads back while the rental
 *           runs, is unmapped by the timer within one tick of its expiry,
 *           and a read afterwards faults (reported as -EFAULT).
 *   views   a space of two views on the hart itself, view 0 given the
 *           page rights (it shares the segment), view 1 less (it caches):
 *           each view's root, under its own ASID, reads what its view was
 *           given, a store where the view may only read faults, and a page
 *           only the other view faulted in is not there; switching back and
 *           forth between the views (no flush) keeps each one's own.
 */
#include <string.h>

#include "kernel/console.h"
#include "arch.h"
#include "kernel/error.h"
#include "machine.h"
#include "segment/segment.h"
#include "uaccess.h"
#include "vmm/backend.h"

#define EXPIRY_SLOT 200             /* an unused user segment */
#define EXPIRY_DURATION 200000      /* timer units: 20 ms at QEMU's 10 MHz */
#define EXPIRY_PATTERN 0x5e11ab1e5ca1ab1eul
#define EXPIRY_MAX_TICKS 20

int backend_segment_at(struct backend_space *s, vaddr_t va, struct segment **out);

static int expiry_test(struct backend_space *s)
{
	vaddr_t va = (vaddr_t)EXPIRY_SLOT << SEGMENT_BITS;
	struct segment *seg;
	handler_id data;
	uint64_t value = 0;
	int err = backend_segment_at(s, va, &seg);
	if (!err)
		err = tablet_alloc(seg, TABLET_DATA, TABLET_BITS_4K, &data);
	if (err)
		return err;
	uint64_t *mem = tablet_map(data);
	memset(mem, 0, PAGE_SIZE);
	mem[0] = EXPIRY_PATTERN;
	tablet_unmap(mem);
	uint64_t placed = tablet_now();
	err = tablet_place_at(seg->top, va, data, VMM_USER | VMM_READ, EXPIRY_DURATION);
	if (err)
		return err;
	int first = copy_from_user(&value, va, sizeof(value));
	kprintf("ktest expiry: rented for %u timer units, read %#lx (%d)\n", EXPIRY_DURATION, value,
		first);
	/* Wait with interrupts on until the tick takes the mapping away. */
	uint64_t start = timer_ticks();
	struct tablet_info t;
	csr_set(sstatus, SSTATUS_SIE);
	while (tablet_get_info(data, &t) == 0 && t.refs && timer_ticks() - start < EXPIRY_MAX_TICKS)
		__asm__ volatile("wfi");
	csr_clear(sstatus, SSTATUS_SIE);
	uint64_t gone = tablet_now();
	int after = copy_from_user(&value, va, sizeof(value));
	kprintf("ktest expiry: unmapped %lu timer units after placing (expiry %u), read then: %d\n",
		gone - placed, EXPIRY_DURATION, after);
	/* Allow the tick's own latency on top: the handler runs a few instructions late. */
	int on_time = gone - placed <= EXPIRY_DURATION + timer_period() + timer_period() / 10;
	kprintf("ktest expiry: %s one tick (%lu timer units) of the expiry\n",
		on_time ? "within" : "NOT within", timer_period());
	return first == 0 && value == EXPIRY_PATTERN && after == -EFAULT && on_time ? 0 : -EIO;
}

#define VIEWS_VA (201ul << SEGMENT_BITS) /* an unused user segment: no region of any process */
#define VIEWS_PATTERN 0x71e3500d71e3500dul

/* View VIEW of T on the hart: read VA (0 or -EFAULT, the value in *VALUE), then try a store. */
static void views_probe(struct backend_space *t, unsigned view, vaddr_t va, uint64_t *value,
			int *read, int *wrote)
{
	backend_activate(t, view);
	*value = 0;
	*read = copy_from_user(value, va, sizeof(*value));
	*wrote = copy_to_user(va, value, sizeof(*value));
}

static int views_test(struct backend_space *kernel)
{
	const unsigned urw = VMM_USER | VMM_READ | VMM_WRITE, ur = VMM_USER | VMM_READ;
	struct backend_space *t;
	uint64_t satp = csr_read(satp), v0 = 0, v1 = 0, other = 0;
	int r0, w0, r1, w1, ro, wo;
	int err = backend_space_create(kernel, &t);
	if (err)
		return err;
	struct backend_fault f = { .va = VIEWS_VA, .access = VMM_WRITE, .view = 0,
				   .kind = REGION_ANON, .region_start = VIEWS_VA,
				   .region_end = VIEWS_VA + 2 * PAGE_SIZE };
	f.rights.page = f.rights.view[0] = urw | VMM_ACCESSED | VMM_DIRTY;
	f.rights.view[1] = ur;
	struct vmm_mapping m;
	if (!(err = backend_views_init(t, 2)) && !(err = backend_fault(t, &f)) &&
	    !(err = backend_translate(t, VIEWS_VA, &m))) {
		*(uint64_t *)phys_to_virt(m.pa) = VIEWS_PATTERN;
		f.view = 1;
		f.access = VMM_READ;
		f.rights.view[0] = urw;
		f.rights.view[1] = ur | VMM_ACCESSED;
		err = backend_fault(t, &f);
		f.va += PAGE_SIZE; /* the next page: view 0's alone */
		f.view = 0;
		f.rights.view[0] = urw | VMM_ACCESSED;
		f.rights.view[1] = ur;
		err = err ? err : backend_fault(t, &f);
	}
	if (!err) {
		views_probe(t, 0, VIEWS_VA, &v0, &r0, &w0);
		views_probe(t, 1, VIEWS_VA, &v1, &r1, &w1);
		views_probe(t, 1, VIEWS_VA + PAGE_SIZE, &other, &ro, &wo);
		views_probe(t, 0, VIEWS_VA, &v0, &r0, &w0); /* back again, nothing flushed */
		csr_write(satp, satp);
		sfence_vma_all();
		kprintf("ktest views: view 0 read %#lx (%d) store %d; view 1 read %#lx (%d) store %d; "
			"view 1 on view 0's page: read %d\n",
			v0, r0, w0, v1, r1, w1, ro);
		err = v0 == VIEWS_PATTERN && r0 == 0 && w0 == 0 && v1 == VIEWS_PATTERN && r1 == 0 &&
				      w1 == -EFAULT && ro == -EFAULT
			      ? 0
			      : -EIO;
	}
	backend_space_destroy(t);
	return err;
}

int backend_selftest(struct backend_space *s, const char *name)
{
	if (strcmp(name, "expiry") == 0)
		return expiry_test(s);
	if (strcmp(name, "views") == 0)
		return views_test(s);
	return -ENOENT;
}
