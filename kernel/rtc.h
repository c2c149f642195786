/*
 * The wall clock: CLOCK_REALTIME is the real-time clock's reading taken
 * once at boot plus the time since, so that reading it costs no device
 * access and never goes backwards.  Without a clock (or with a reading
 * that makes no sense) it counts from the epoch, as time since boot.
 */
#ifndef KERNEL_RTC_H
#define KERNEL_RTC_H

#include <stdint.h>

/* Read the real-time clock once; after timer_start, whose timer it is matched to. */
void rtc_boot(void);
/* Nanoseconds since the epoch (1970-01-01 UTC). */
uint64_t realtime_now_ns(void);
/* The time since boot (timer_now_ns's clock) at which the wall clock reads REALTIME; 0 if before boot. */
uint64_t realtime_to_boot_ns(uint64_t realtime);

#endif
