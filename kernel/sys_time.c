/*
 * Time, sleeps (which let other threads run: kernel/sched.h), identity of
 * the system (signals: sys_signal.c).  Clocks count from the machine's
 * start, but the wall clocks (CLOCK_REALTIME and its kin) count from the
 * epoch: the real-time clock's reading at boot plus the same time since
 * (rtc.h).  Under QEMU's -icount they all advance with retired instructions.
 */
#include <string.h>

#include "kernel/error.h"
#include "kernel/frame.h"
#include "kernel/sched.h"
#include "kernel/timeout.h"
#include "kernel/rtc.h"
#include "kernel/syscall.h"
#include "machine.h"
#include "uaccess.h"

#define NR_nanosleep 101
#define NR_clock_settime 112
#define NR_clock_gettime 113
#define NR_clock_getres 114
#define NR_clock_nanosleep 115
#define NR_uname 160
#define NR_gettimeofday 169
#define NR_settimeofday 170
#define NR_sysinfo 179

#define CLOCK_REALTIME 0
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_REALTIME_ALARM 8
#define CLOCK_TAI 11
#define CLOCK_LAST CLOCK_TAI
#define TIMER_ABSTIME 1
struct linux_timeval {
	int64_t sec, usec;
};

struct linux_utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

struct linux_sysinfo {
	int64_t uptime;
	uint64_t loads[3], totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint32_t pad2;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char reserved[4];
};
_Static_assert(sizeof(struct linux_sysinfo) == 112, "struct sysinfo layout");

/*
 * Whether CLOCK counts from the epoch.  CLOCK_TAI is CLOCK_REALTIME plus
 * the TAI offset, which Linux keeps at 0 until adjtimex sets it; nothing
 * here can set it, so the two read the same.
 */
static int is_wall_clock(uint64_t clock)
{
	return clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE ||
	       clock == CLOCK_REALTIME_ALARM || clock == CLOCK_TAI;
}

/* What CLOCK (a valid one) reads now, in nanoseconds. */
static uint64_t clock_now_ns(uint64_t clock)
{
	return is_wall_clock(clock) ? realtime_now_ns() : timer_now_ns();
}

static long sys_clock_gettime(uint64_t clock, uint64_t utp, uint64_t a2, uint64_t a3, uint64_t a4,
			      uint64_t a5)
{
	if (clock > CLOCK_LAST)
		return -EINVAL;
	struct linux_timespec ts = ns_to_timespec(clock_now_ns(clock));
	return copy_to_user(utp, &ts, sizeof(ts));
}

/*
 * Setting a clock is refused as Linux refuses a caller without
 * CAP_SYS_TIME (the program is uid 0 but holds no such right here): the
 * checks Linux makes first, in its order, then -EPERM.
 */
static long sys_clock_settime(uint64_t clock, uint64_t utp, uint64_t a2, uint64_t a3, uint64_t a4,
			      uint64_t a5)
{
	struct linux_timespec ts;
	if (clock != CLOCK_REALTIME && clock != CLOCK_PROCESS_CPUTIME_ID &&
	    clock != CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL; /* a clock no one may set */
	if (copy_from_user(&ts, utp, sizeof(ts)))
		return -EFAULT;
	if (clock == CLOCK_REALTIME && (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= (int64_t)NSEC_PER_SEC))
		return -EINVAL;
	return -EPERM;
}

static long sys_settimeofday(uint64_t utv, uint64_t utz, uint64_t a2, uint64_t a3, uint64_t a4,
			     uint64_t a5)
{
	struct linux_timeval tv;
	uint32_t tz[2];
	if (utv && copy_from_user(&tv, utv, sizeof(tv)))
		return -EFAULT;
	/* Linux's own bound: a usec of exactly one million passes this check. */
	if (utv && (tv.usec < 0 || tv.usec > 1000000))
		return -EINVAL;
	if (utz && copy_from_user(tz, utz, sizeof(tz)))
		return -EFAULT;
	if (utv && tv.sec < 0)
		return -EINVAL;
	return -EPERM;
}

static long sys_clock_getres(uint64_t clock, uint64_t utp, uint64_t a2, uint64_t a3, uint64_t a4,
			     uint64_t a5)
{
	if (clock > CLOCK_LAST)
		return -EINVAL;
	struct linux_timespec ts = { 0, 100 }; /* QEMU virt's 10 MHz timebase */
	return utp ? copy_to_user(utp, &ts, sizeof(ts)) : 0;
}

static long sys_gettimeofday(uint64_t utv, uint64_t utz, uint64_t a2, uint64_t a3, uint64_t a4,
			     uint64_t a5)
{
	uint64_t ns = realtime_now_ns();
	struct linux_timeval tv = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC / 1000) };
	uint32_t tz[2] = { 0, 0 };
	if (utv && copy_to_user(utv, &tv, sizeof(tv)))
		return -EFAULT;
	if (utz && copy_to_user(utz, tz, sizeof(tz)))
		return -EFAULT;
	return 0;
}

/* A relative sleep, or an absolute one on CLOCK: 0 and *DEADLINE, or an errno. */
static int fetch_deadline(uint64_t ureq, uint64_t clock, int absolute, uint64_t *deadline)
{
	return deadline_from_user(ureq, absolute, is_wall_clock(clock), deadline);
}

/*
 * Block the running thread until DEADLINE.  A handler ends the sleep with
 * -EINTR, never restarted (signal(7)), and the time left written at UREM
 * when not 0.
 */
static void sleep_until(uint64_t deadline, uint64_t urem)
{
	struct wait w = { .kind = WAIT_SLEEP, .deadline = deadline, .remaining_user = urem };
	sched_block(&w);
}

static long sys_nanosleep(uint64_t ureq, uint64_t urem, uint64_t a2, uint64_t a3, uint64_t a4,
			  uint64_t a5)
{
	uint64_t deadline;
	int err = fetch_deadline(ureq, 0, 0, &deadline);
	if (err)
		return err;
	sleep_until(deadline, urem);
	return 0;
}

static long sys_clock_nanosleep(uint64_t clock, uint64_t flags, uint64_t ureq, uint64_t urem,
				uint64_t a4, uint64_t a5)
{
	if (clock > CLOCK_LAST || (flags & ~(uint64_t)TIMER_ABSTIME))
		return -EINVAL;
	uint64_t deadline;
	int err = fetch_deadline(ureq, clock, flags & TIMER_ABSTIME, &deadline);
	if (err)
		return err;
	sleep_until(deadline, flags & TIMER_ABSTIME ? 0 : urem);
	return 0;
}

static long sys_uname(uint64_t ubuf, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		      uint64_t a5)
{
	static const struct linux_utsname uts = {
		/* The ABI is Linux's; the release names the kernel actually running. */
		.sysname = "Linux",
		.nodename = "slate",
		.release = "6.1.0-slate",
		.version = "#1 slate unikernel",
		.machine = "riscv64",
		.domainname = "(none)",
	};
	return copy_to_user(ubuf, &uts, sizeof(uts));
}

static long sys_sysinfo(uint64_t ubuf, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			uint64_t a5)
{
	struct frame_stats f;
	struct linux_sysinfo si;
	frame_get_stats(&f);
	memset(&si, 0, sizeof(si));
	si.uptime = (int64_t)(timer_now_ns() / NSEC_PER_SEC);
	/* RAM not yet brought online (the direct map grows on demand) is free too. */
	si.totalram = ram_bytes;
	si.freeram = f.free_bytes + (ram_bytes - f.managed_bytes - f.metadata_bytes);
	si.procs = 1;
	si.mem_unit = 1;
	return copy_to_user(ubuf, &si, sizeof(si));
}

void sys_time_register(syscall_fn *t)
{
	t[NR_nanosleep] = sys_nanosleep;
	t[NR_clock_settime] = sys_clock_settime;
	t[NR_clock_gettime] = sys_clock_gettime;
	t[NR_clock_getres] = sys_clock_getres;
	t[NR_clock_nanosleep] = sys_clock_nanosleep;
	t[NR_uname] = sys_uname;
	t[NR_gettimeofday] = sys_gettimeofday;
	t[NR_settimeofday] = sys_settimeofday;
	t[NR_sysinfo] = sys_sysinfo;
}
