/*
 * System calls with hostile arguments: argv[1] calls (default 10,000), each
 * built so that Linux would refuse it (null, kernel-half, unaligned and
 * unmapped pointers, huge lengths, bad descriptors, bad flags, numbers no
 * kernel implements).  Every call must return -1 with an errno; then the
 * program checks the kernel still serves it (memory, output, time).  Exits 1
 * on any call that succeeded or died.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A pointer no call may use: null, kernel half, unmapped user, or just past the user half. */
static long hostile_pointer(void)
{
	static const uint64_t bases[] = { 0, 8, 0xffff800080200000ull, 0xffffffffffffff00ull,
					  0x500000000000ull, 0x7ffffffff000ull + 0x1000 };
	return (long)(bases[next() % 6] + (next() % 64) * 8);
}

/* The same, never NULL: for arguments where NULL means "not wanted". */
static long hostile_nonnull(void)
{
	long p;
	while ((p = hostile_pointer()) == 0)
		;
	return p;
}

struct attempt {
	const char *name;
	long nr, a[6];
	int want; /* the errno Linux returns */
};

/* One call that must fail, chosen at random. */
static struct attempt pick(void)
{
	long p = hostile_pointer(), huge = (long)(next() | (1ull << 40));
	static char buf[64];
	switch (next() % 18) {
	case 0: return (struct attempt){ "write bad fd", SYS_write, { 1000 + (long)(next() % 1000), (long)buf, 8 }, EBADF };
	case 1: return (struct attempt){ "write hostile buffer", SYS_write, { 1, p, 1 + (long)(next() % 4096) }, EFAULT };
	case 2: return (struct attempt){ "getrandom hostile buffer", SYS_getrandom, { p, 16, 0 }, EFAULT };
	case 3: return (struct attempt){ "getrandom bad flags", SYS_getrandom, { (long)buf, 16, 0x100 }, EINVAL };
	case 4: return (struct attempt){ "clock_gettime bad clock", SYS_clock_gettime, { 12 + (long)(next() % 100), (long)buf }, EINVAL };
	case 5: return (struct attempt){ "clock_gettime hostile", SYS_clock_gettime, { 1, p }, EFAULT };
	case 6: return (struct attempt){ "uname hostile", SYS_uname, { p }, EFAULT };
	case 7: return (struct attempt){ "sysinfo hostile", SYS_sysinfo, { p }, EFAULT };
	case 8: return (struct attempt){ "prlimit64 bad resource", SYS_prlimit64, { 0, 16 + (long)(next() % 100), 0, (long)buf }, EINVAL };
	case 9: return (struct attempt){ "prlimit64 hostile old", SYS_prlimit64, { 0, 3, 0, hostile_nonnull() }, EFAULT };
	case 10: return (struct attempt){ "mprotect unaligned", SYS_mprotect, { 0x10001 + (long)(next() % 4000), 4096, 1 }, EINVAL };
	case 11: return (struct attempt){ "munmap unaligned", SYS_munmap, { 0x10003, huge }, EINVAL };
	case 12: return (struct attempt){ "rt_sigaction bad signal", SYS_rt_sigaction, { 65 + (long)(next() % 1000), (long)buf, 0, 8 }, EINVAL };
	case 13: return (struct attempt){ "rt_sigaction hostile", SYS_rt_sigaction, { 10, hostile_nonnull(), 0, 8 }, EFAULT };
	case 14: return (struct attempt){ "futex unaligned", SYS_futex, { (long)buf + 1 + (long)(next() % 3), 1, 1 }, EINVAL };
	case 15: return (struct attempt){ "writev hostile iovec", SYS_writev, { 1, p, 1 + (long)(next() % 16) }, EFAULT };
	case 16: return (struct attempt){ "set_robust_list bad size", SYS_set_robust_list, { (long)buf, 1 + (long)(next() % 23) }, EINVAL };
	default: return (struct attempt){ "no such call", 1000 + (long)(next() % 1000), { p, p, p }, ENOSYS };
	}
}

int main(int argc, char **argv)
{
	long calls = argc > 1 ? strtol(argv[1], NULL, 0) : 10000, wrong = 0;
	for (long i = 0; i < calls; i++) {
		struct attempt t = pick();
		errno = 0;
		long r = syscall(t.nr, t.a[0], t.a[1], t.a[2], t.a[3], t.a[4], t.a[5]);
		if (r != -1 || errno != t.want) {
			if (wrong++ < 10)
				printf("abuse: %s (nr %ld): returned %ld, errno %d, wanted errno %d\n", t.name,
				       t.nr, r, errno, t.want);
		}
	}
	/* The kernel must still serve the program. */
	char *mem = malloc(8 << 20);
	int alive = mem != NULL;
	if (alive) {
		memset(mem, 0x5a, 8 << 20);
		alive = mem[(8 << 20) - 1] == 0x5a;
	}
	struct timespec ts;
	alive = alive && clock_gettime(CLOCK_MONOTONIC, &ts) == 0;
	printf("abuse: %ld calls, %ld not refused as Linux would; kernel %s\n", calls, wrong,
	       alive ? "still serving" : "NOT serving");
	return wrong || !alive;
}
