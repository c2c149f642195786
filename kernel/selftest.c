#include "kernel/selftest.h"

#include <string.h>

#include "kernel/console.h"
#include "kernel/error.h"
#include "kernel/stats.h"
#include "kernel/tty.h"
#include "machine.h"
#include "vmm/vmm.h"

#define TIMER_TEST_TICKS 3
#define TTY_TEST_WAIT_NS 5000000000ull /* for console input before giving up */
#define TTY_TEST_READS 4

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

/* Print the N bytes at BUF with what is not printable escaped (\\n, \\xNN). */
static void selftest_print_escaped(const char *buf, long n)
{
	for (long i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c == '\n')
			kprintf("\\n");
		else if (c < 0x20 || c >= 0x7f || c == '\\')
			kprintf("\\x%02x", c);
		else
			kprintf("%c", c);
	}
}

/*
 * Console input before the file system can read it: poll the line
 * discipline and print each read (lines in pieces of at most 16 bytes) until
 * an end of input (^D on an empty line), TTY_TEST_READS reads, or
 * TTY_TEST_WAIT_NS without a line.
 */
static void selftest_tty(void)
{
	for (int reads = 0; reads < TTY_TEST_READS; reads++) {
		uint64_t deadline = timer_now_ns() + TTY_TEST_WAIT_NS;
		while (!tty_poll_input())
			if (timer_now_ns() >= deadline) {
				kprintf("ktest tty: no line within %llu s\n",
					(unsigned long long)(TTY_TEST_WAIT_NS / 1000000000ull));
				return;
			}
		char buf[16];
		long n = tty_read(buf, sizeof(buf));
		if (n == 0) {
			kprintf("ktest tty: end of input\n");
			return;
		}
		kprintf("ktest tty: read %ld '", n);
		selftest_print_escaped(buf, n);
		kprintf("'\n");
	}
}

void selftest_run(const char *bootargs)
{
	const char *arg = bootargs ? strstr(bootargs, "ktest=") : NULL;
	if (!arg)
		return;
	arg += strlen("ktest=");
	char name[32];
	size_t len = strcspn(arg, " ");
	if (len >= sizeof(name))
		len = sizeof(name) - 1;
	memcpy(name, arg, len);
	name[len] = 0;
	if (strcmp(name, "fault") == 0)
		selftest_kernel_fault();
	else if (strcmp(name, "timer") == 0)
		selftest_timer();
	else if (strcmp(name, "tty") == 0)
		selftest_tty();
	else if (strcmp(name, "bench") == 0)
		kstats.bench_ran = vmm_bench(&kstats.bench) == 0;
	else {
		/* The backend's own self-tests (the Sv48 backend's expiry test, say). */
		int err = vmm_selftest(vmm_kernel_space(), name);
		if (err == -ENOENT)
			kprintf("ktest: unknown self-test '%s'\n", name);
		else
			kprintf("ktest %s: %s (%d)\n", name, err ? "FAILED" : "passed", err);
	}
}
