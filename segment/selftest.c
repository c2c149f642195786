/*
 * In-guest self-tests of the Sv48 backend (ktest=NAME on the kernel command
 * line).
 *   expiry  a page placed with a 20 ms rental reads back while the rental
 *           runs, is unmapped by the timer within one tick of its expiry,
 *           and a read afterwards faults (reported as -EFAULT).
 */
#include <string.h>

#include "kernel/console.h"
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

int backend_selftest(struct backend_space *s, const char *name)
{
	if (strcmp(name, "expiry") == 0)
		return expiry_test(s);
	return -ENOENT;
}
