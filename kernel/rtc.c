/*
 * The wall clock (rtc.h).  The offset is set once, before the application
 * starts, and never again: clock_settime is refused (sys_time.c), so
 * CLOCK_REALTIME moves exactly as the timer does.
 */
#include "kernel/rtc.h"

#include "kernel/console.h"
#include "kernel/timeout.h"
#include "machine.h"

/* Readings outside [2000-01-01, 2400-01-01) UTC are taken for a broken clock. */
#define SENSIBLE_FROM_NS (946684800ull * NSEC_PER_SEC)
#define SENSIBLE_UNTIL_NS (13569465600ull * NSEC_PER_SEC)

/* The wall clock's reading at boot's time zero (timer_now_ns() == 0); 0 without a clock. */
static uint64_t boot_epoch_ns;

void rtc_boot(void)
{
	uint64_t since_boot = timer_now_ns(), now;
	int err = machine_rtc_read_ns(&now);
	if (err) {
		kprintf("rtc: no real-time clock in the FDT: CLOCK_REALTIME counts from 1970\n");
		return;
	}
	if (now < SENSIBLE_FROM_NS || now >= SENSIBLE_UNTIL_NS) {
		kprintf("rtc: the clock reads %lu s since 1970, not a sensible date: "
			"CLOCK_REALTIME counts from 1970\n", (unsigned long)(now / NSEC_PER_SEC));
		return;
	}
	boot_epoch_ns = now - since_boot;
}

uint64_t realtime_now_ns(void)
{
	return boot_epoch_ns + timer_now_ns();
}

uint64_t realtime_to_boot_ns(uint64_t realtime)
{
	return realtime > boot_epoch_ns ? realtime - boot_epoch_ns : 0;
}
