#include "kernel/selftest.h"

#include <string.h>

#include "kernel/console.h"
#include "machine.h"

#define TIMER_TEST_TICKS 3

/* Physical address 0x100 is below RAM, so its direct-map alias is never mapped. */
__attribute__((noinline)) static void selftest_kernel_fault(void)
{
	volatile uint64_t *unmapped = (volatile uint64_t *)(DIRECT_MAP_BASE + 0x100);
	kprintf("ktest fault: loading from %p\n", (void *)unmapped);
	(void)*unmapped;
	kprintf("ktest fault: FAILED, the load did not trap\n");
}

/* Interrupts are off in the kernel except here: wait for the ticks with them on. */
static void selftest_timer(void)
{
	uint64_t start = timer_ticks();
	csr_set(sstatus, SSTATUS_SIE);
	while (timer_ticks() - start < TIMER_TEST_TICKS)
		__asm__ volatile("wfi");
	csr_clear(sstatus, SSTATUS_SIE);
	kprintf("ktest timer: %d ticks\n", TIMER_TEST_TICKS);
}

void selftest_run(const char *bootargs)
{
	const char *arg = bootargs ? strstr(bootargs, "ktest=") : NULL;
	if (!arg)
		return;
	arg += strlen("ktest=");
	if (strncmp(arg, "fault", 5) == 0)
		selftest_kernel_fault();
	else if (strncmp(arg, "timer", 5) == 0)
		selftest_timer();
	else
		kprintf("ktest: unknown self-test '%s'\n", arg);
}
