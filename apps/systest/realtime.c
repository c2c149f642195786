/*
 * The wall clocks: CLOCK_REALTIME shows the host's date (the test passes
 * the host's `date +%s`), moves forward, agrees with gettimeofday and its
 * kin, sleeps to an absolute deadline, and cannot be set.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "systest.h"

#define NSEC_PER_SEC 1000000000ll
#define HOST_SLACK_SECONDS 600

static int64_t read_ns(clockid_t clock)
{
	struct timespec t;
	if (clock_gettime(clock, &t) != 0)
		return -1;
	return (int64_t)t.tv_sec * NSEC_PER_SEC + t.tv_nsec;
}

static int64_t distance(int64_t a, int64_t b)
{
	return a > b ? a - b : b - a;
}

/* Against the host's clock, when the test gave it. */
static void host_checks(const char *host_seconds, int64_t now_s)
{
	if (!host_seconds) {
		printf("systest: no host time given: the 10-minute check is skipped\n");
		return;
	}
	char *end;
	long long host = strtoll(host_seconds, &end, 10);
	if (*end != '\0' || end == host_seconds) {
		check(0, "the host time argument is a number");
		return;
	}
	printf("systest: CLOCK_REALTIME %lld s, host %lld s\n", (long long)now_s, host);
	check(distance(now_s, host) <= HOST_SLACK_SECONDS, "CLOCK_REALTIME within 10 minutes of the host's");
}

/* The calls that would set the clock, refused as Linux refuses a caller without CAP_SYS_TIME. */
static void setting_refused(void)
{
	struct timespec ts = { 1700000000, 0 };
	struct timeval tv = { 1700000000, 0 };
	check(clock_settime(CLOCK_REALTIME, &ts) == -1 && errno == EPERM, "clock_settime is EPERM");
	check(clock_settime(CLOCK_MONOTONIC, &ts) == -1 && errno == EINVAL,
	      "clock_settime(CLOCK_MONOTONIC) is EINVAL");
	check(syscall(SYS_clock_settime, CLOCK_REALTIME, (void *)8) == -1 && errno == EFAULT,
	      "clock_settime from a bad pointer is EFAULT");
	ts.tv_nsec = NSEC_PER_SEC;
	check(clock_settime(CLOCK_REALTIME, &ts) == -1 && errno == EINVAL,
	      "clock_settime with tv_nsec of a second is EINVAL");
	check(syscall(SYS_settimeofday, &tv, NULL) == -1 && errno == EPERM, "settimeofday is EPERM");
	tv.tv_usec = -1;
	check(syscall(SYS_settimeofday, &tv, NULL) == -1 && errno == EINVAL,
	      "settimeofday with a negative tv_usec is EINVAL");
}

/* clock_nanosleep to an absolute CLOCK_REALTIME deadline: 20 ms ahead, then one in the past. */
static void absolute_sleep(void)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_nsec += 20 * 1000 * 1000;
	if (deadline.tv_nsec >= NSEC_PER_SEC) {
		deadline.tv_sec++;
		deadline.tv_nsec -= NSEC_PER_SEC;
	}
	int64_t start = read_ns(CLOCK_MONOTONIC);
	int err = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &deadline, NULL);
	int64_t after = read_ns(CLOCK_REALTIME), slept = read_ns(CLOCK_MONOTONIC) - start;
	int64_t want = (int64_t)deadline.tv_sec * NSEC_PER_SEC + deadline.tv_nsec;
	check(err == 0 && after >= want && slept < NSEC_PER_SEC,
	      "clock_nanosleep to an absolute CLOCK_REALTIME deadline 20 ms ahead");
	deadline.tv_sec -= 3600;
	start = read_ns(CLOCK_MONOTONIC);
	err = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &deadline, NULL);
	check(err == 0 && read_ns(CLOCK_MONOTONIC) - start < 10 * 1000 * 1000,
	      "clock_nanosleep to a past CLOCK_REALTIME deadline returns at once");
}

void realtime_checks(const char *host_seconds)
{
	int64_t first = read_ns(CLOCK_REALTIME), second = read_ns(CLOCK_REALTIME);
	check(first > 0 && second >= first, "two CLOCK_REALTIME reads are monotone");
	time_t now_s = (time_t)(first / NSEC_PER_SEC);
	struct tm tm;
	check(gmtime_r(&now_s, &tm) && tm.tm_year + 1900 >= 2025, "the year is 2025 or later");
	host_checks(host_seconds, now_s);

	struct timeval tv;
	gettimeofday(&tv, NULL);
	int64_t tod = (int64_t)tv.tv_sec * NSEC_PER_SEC + (int64_t)tv.tv_usec * 1000;
	check(distance(tod, read_ns(CLOCK_REALTIME)) < NSEC_PER_SEC,
	      "gettimeofday agrees with CLOCK_REALTIME to 1 s");
	check(distance(time(NULL) * NSEC_PER_SEC, read_ns(CLOCK_REALTIME)) < 2 * NSEC_PER_SEC,
	      "time() agrees with CLOCK_REALTIME");
	check(distance(read_ns(CLOCK_REALTIME_COARSE), read_ns(CLOCK_REALTIME)) < NSEC_PER_SEC,
	      "CLOCK_REALTIME_COARSE agrees with CLOCK_REALTIME");
	/* The TAI offset is 0 until adjtimex sets it, as on Linux. */
	check(distance(read_ns(CLOCK_TAI), read_ns(CLOCK_REALTIME)) < NSEC_PER_SEC,
	      "CLOCK_TAI agrees with CLOCK_REALTIME (TAI offset 0)");
	/* CLOCK_MONOTONIC and CLOCK_BOOTTIME still count from boot: well under a day. */
	check(read_ns(CLOCK_MONOTONIC) < 86400 * NSEC_PER_SEC &&
		      read_ns(CLOCK_BOOTTIME) < 86400 * NSEC_PER_SEC,
	      "CLOCK_MONOTONIC and CLOCK_BOOTTIME count from boot");
	setting_refused();
	absolute_sleep();
}
