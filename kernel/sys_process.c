/* Process identity, limits, randomness and exit_group (threads: sys_thread.c). */
#include "kernel/error.h"
#include "kernel/process.h"
#include "kernel/random.h"
#include "kernel/syscall.h"
#include "uaccess.h"

#define NR_exit_group 94
#define NR_set_robust_list 99
#define NR_getrlimit 163
#define NR_getpid 172
#define NR_getppid 173
#define NR_getuid 174
#define NR_geteuid 175
#define NR_getgid 176
#define NR_getegid 177
#define NR_prlimit64 261
#define NR_getrandom 278

#define PID 1
#define RLIM_NLIMITS 16
#define RLIMIT_STACK 3
#define RLIMIT_NOFILE 7
#define RLIM_INFINITY (~0ul)
#define GRND_NONBLOCK 1
#define GRND_RANDOM 2
#define GRND_INSECURE 4
#define ROBUST_LIST_HEAD_SIZE 24
#define GETRANDOM_MAX 0x1ffffffful /* Linux: at most 32 MiB - 1 per call */

struct rlimit64 {
	uint64_t cur, max;
};

static struct rlimit64 limits[RLIM_NLIMITS];
static uint64_t robust_list;

static void limits_init(void)
{
	for (int i = 0; i < RLIM_NLIMITS; i++)
		limits[i] = (struct rlimit64){ RLIM_INFINITY, RLIM_INFINITY };
	limits[RLIMIT_STACK] = (struct rlimit64){ STACK_SIZE, STACK_SIZE };
	limits[RLIMIT_NOFILE] = (struct rlimit64){ 1024, 4096 };
}

/* exit_group: every thread ends with the process. */
static long sys_exit_group(uint64_t status, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			   uint64_t a5)
{
	process_exit((int)(status & 0xff));
}

static long sys_set_robust_list(uint64_t head, uint64_t len, uint64_t a2, uint64_t a3,
				uint64_t a4, uint64_t a5)
{
	if (len != ROBUST_LIST_HEAD_SIZE)
		return -EINVAL;
	robust_list = head;
	return 0;
}

static long sys_id(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return PID;
}

static long sys_zero_id(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			uint64_t a5)
{
	return 0; /* uid, gid and the parent pid: root, no parent */
}

static long sys_prlimit64(uint64_t pid, uint64_t resource, uint64_t unew, uint64_t uold,
			  uint64_t a4, uint64_t a5)
{
	struct rlimit64 lim;
	if (pid != 0 && pid != PID)
		return -ESRCH;
	if (resource >= RLIM_NLIMITS)
		return -EINVAL;
	if (limits[RLIMIT_STACK].cur == 0)
		limits_init();
	if (unew) {
		if (copy_from_user(&lim, unew, sizeof(lim)) != 0)
			return -EFAULT;
		if (lim.cur > lim.max)
			return -EINVAL;
	}
	if (uold && copy_to_user(uold, &limits[resource], sizeof(limits[resource])) != 0)
		return -EFAULT;
	if (unew)
		limits[resource] = lim;
	return 0;
}

static long sys_getrlimit(uint64_t resource, uint64_t uold, uint64_t a2, uint64_t a3,
			  uint64_t a4, uint64_t a5)
{
	if (!uold)
		return -EFAULT;
	return sys_prlimit64(0, resource, 0, uold, 0, 0);
}

static long sys_getrandom(uint64_t ubuf, uint64_t len, uint64_t flags, uint64_t a3, uint64_t a4,
			  uint64_t a5)
{
	uint8_t chunk[256];
	if (flags & ~(uint64_t)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & GRND_RANDOM) && (flags & GRND_INSECURE))
		return -EINVAL;
	if (len > GETRANDOM_MAX)
		len = GETRANDOM_MAX;
	uint64_t done = 0;
	while (done < len) {
		uint64_t n = len - done < sizeof(chunk) ? len - done : sizeof(chunk);
		random_bytes(chunk, n);
		if (copy_to_user(ubuf + done, chunk, n) != 0)
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)done;
}

void sys_process_register(syscall_fn *t)
{
	t[NR_exit_group] = sys_exit_group;
	t[NR_set_robust_list] = sys_set_robust_list;
	t[NR_getrlimit] = sys_getrlimit;
	t[NR_getpid] = sys_id;
	t[NR_getppid] = sys_zero_id;
	t[NR_getuid] = sys_zero_id;
	t[NR_geteuid] = sys_zero_id;
	t[NR_getgid] = sys_zero_id;
	t[NR_getegid] = sys_zero_id;
	t[NR_prlimit64] = sys_prlimit64;
	t[NR_getrandom] = sys_getrandom;
}
