/*
 * Threads, futexes and the scheduler as system calls: clone (the flags
 * glibc's pthread_create passes), exit of one thread, thread IDs, futex
 * wait/wake/requeue with timeouts, yield and affinity on the one hart.
 */
#include "compart/compart.h"
#include "kernel/console.h"
#include "kernel/error.h"
#include "kernel/futex.h"
#include "kernel/process.h"
#include "kernel/timeout.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "uaccess.h"

#define NR_exit 93
#define NR_set_tid_address 96
#define NR_futex 98
#define NR_sched_setaffinity 122
#define NR_sched_getaffinity 123
#define NR_sched_yield 124
#define NR_gettid 178
#define NR_clone 220
#define NR_clone3 435

#define CLONE_VM 0x100
#define CLONE_FS 0x200
#define CLONE_FILES 0x400
#define CLONE_SIGHAND 0x800
#define CLONE_THREAD 0x10000
#define CLONE_SYSVSEM 0x40000
#define CLONE_SETTLS 0x80000
#define CLONE_PARENT_SETTID 0x100000
#define CLONE_CHILD_CLEARTID 0x200000
#define CLONE_DETACHED 0x400000
#define CLONE_CHILD_SETTID 0x1000000
/* A thread of this process: what clone must be asked for, and what it may be asked besides. */
#define CLONE_THREAD_NEEDS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD)
#define CLONE_THREAD_MAY                                                                    \
	(CLONE_THREAD_NEEDS | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |          \
	 CLONE_CHILD_CLEARTID | CLONE_DETACHED | CLONE_CHILD_SETTID)

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256

/*
 * clone(flags, newsp, parent_tid, tls, child_tid) (riscv64's order): a new
 * thread resuming where the caller does, with a0 = 0, on NEWSP (the
 * caller's sp when 0) and with tp = TLS under CLONE_SETTLS.
 */
static long sys_clone(uint64_t flags, uint64_t newsp, uint64_t ptid, uint64_t tls, uint64_t ctid,
		      uint64_t a5)
{
	static int reported;
	if ((flags & CLONE_THREAD_NEEDS) != CLONE_THREAD_NEEDS || (flags & ~(uint64_t)CLONE_THREAD_MAY)) {
		if (!reported++)
			kprintf("clone: flags %#lx refused (-EINVAL): this kernel makes threads of its one "
				"process only (CLONE_VM|FS|FILES|SIGHAND|THREAD, with SYSVSEM, SETTLS, "
				"PARENT_SETTID, CHILD_SETTID, CHILD_CLEARTID); not logged again\n",
				flags);
		return -EINVAL;
	}
	if (compart_declared()) {
		if (!reported++)
			kprintf("clone: a program with compartments cannot make threads yet (-EINVAL)\n");
		return -EINVAL;
	}
	struct thread *child = thread_new(thread_trap_frame());
	if (!child)
		return -EAGAIN;
	uint32_t tid = (uint32_t)child->tid;
	if (((flags & CLONE_PARENT_SETTID) && copy_to_user(ptid, &tid, sizeof(tid))) ||
	    ((flags & CLONE_CHILD_SETTID) && copy_to_user(ctid, &tid, sizeof(tid)))) {
		thread_discard(child);
		return -EFAULT;
	}
	child->frame.regs[REG_A0] = 0;
	if (newsp)
		child->frame.regs[REG_SP] = newsp;
	if (flags & CLONE_SETTLS)
		child->frame.regs[REG_TP] = tls;
	if (flags & CLONE_CHILD_CLEARTID)
		child->clear_child_tid = ctid;
	return child->tid;
}

/* clone3 is refused, so that glibc falls back to clone. */
static long sys_clone3(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return -ENOSYS;
}

/* The exit status of the process when its last thread leaves by exit(): the main thread's, if it left so. */
static int main_thread_status = -1;

static long sys_exit(uint64_t status, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		     uint64_t a5)
{
	struct thread *t = thread_current();
	int code = (int)(status & 0xff);
	if (t->tid == 1)
		main_thread_status = code;
	if (thread_alive_count() == 1)
		process_exit(main_thread_status >= 0 ? main_thread_status : code);
	if (t->clear_child_tid) {
		uint32_t zero = 0;
		if (copy_to_user(t->clear_child_tid, &zero, sizeof(zero)) == 0)
			futex_wake(t->clear_child_tid, 1, FUTEX_BITSET_ANY);
	}
	sched_exit_current();
	return 0;
}

static long sys_set_tid_address(uint64_t tidptr, uint64_t a1, uint64_t a2, uint64_t a3,
				uint64_t a4, uint64_t a5)
{
	thread_current()->clear_child_tid = tidptr;
	return thread_current()->tid;
}

static long sys_gettid(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return thread_current()->tid;
}

/* A futex timeout at UTS (none when NULL): relative, or absolute on CLOCK_MONOTONIC or (REALTIME) the wall clock. */
static int fetch_timeout(uint64_t uts, int absolute, int realtime, uint64_t *deadline)
{
	*deadline = NO_DEADLINE;
	return uts ? deadline_from_user(uts, absolute, realtime, deadline) : 0;
}

static long sys_futex(uint64_t uaddr, uint64_t op, uint64_t val, uint64_t uts, uint64_t uaddr2,
		      uint64_t val3)
{
	uint64_t cmd = op & ~(uint64_t)(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME), deadline;
	uint32_t bitset = (uint32_t)val3;
	int err;
	if (uaddr & 3)
		return -EINVAL;
	if ((op & FUTEX_CLOCK_REALTIME) && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
		bitset = FUTEX_BITSET_ANY;
		/* fall through */
	case FUTEX_WAIT_BITSET:
		if (!bitset)
			return -EINVAL;
		err = fetch_timeout(uts, cmd == FUTEX_WAIT_BITSET, (op & FUTEX_CLOCK_REALTIME) != 0, &deadline);
		return err ? err : futex_wait(uaddr, (uint32_t)val, deadline, bitset);
	case FUTEX_WAKE:
		bitset = FUTEX_BITSET_ANY;
		/* fall through */
	case FUTEX_WAKE_BITSET:
		if (!bitset)
			return -EINVAL;
		if ((int32_t)val < 0)
			return -EINVAL;
		return futex_wake(uaddr, val, bitset);
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		/* The timeout slot carries the number to move. */
		if ((int32_t)val < 0 || (int32_t)uts < 0 || (uaddr2 & 3))
			return -EINVAL;
		return futex_requeue(uaddr, val, uaddr2, (uint32_t)uts, cmd == FUTEX_CMP_REQUEUE,
				     (uint32_t)val3);
	default:
		return -ENOSYS;
	}
}

static long sys_sched_yield(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			    uint64_t a5)
{
	sched_yield_turn();
	return 0;
}

/* PID 0 (the caller) or one of the process's threads: 0, else -ESRCH. */
static int check_thread(uint64_t pid)
{
	return pid == 0 || (pid <= (uint64_t)INT32_MAX && thread_find((int)pid)) ? 0 : -ESRCH;
}

/* One hart: the mask is CPU 0 alone (the size written, as Linux returns). */
static long sys_sched_getaffinity(uint64_t pid, uint64_t len, uint64_t umask, uint64_t a3,
				  uint64_t a4, uint64_t a5)
{
	uint64_t mask = 1;
	if (len < sizeof(mask) || (len & (sizeof(mask) - 1)))
		return -EINVAL;
	int err = check_thread(pid);
	if (err)
		return err;
	return copy_to_user(umask, &mask, sizeof(mask)) ? -EFAULT : (long)sizeof(mask);
}

static long sys_sched_setaffinity(uint64_t pid, uint64_t len, uint64_t umask, uint64_t a3,
				  uint64_t a4, uint64_t a5)
{
	uint64_t mask = 0;
	int err = check_thread(pid);
	if (err)
		return err;
	if (copy_from_user(&mask, umask, len < sizeof(mask) ? len : sizeof(mask)))
		return -EFAULT;
	return mask & 1 ? 0 : -EINVAL; /* CPU 0 must be in it */
}

void sys_thread_register(syscall_fn *t)
{
	t[NR_clone] = sys_clone;
	t[NR_clone3] = sys_clone3;
	t[NR_exit] = sys_exit;
	t[NR_set_tid_address] = sys_set_tid_address;
	t[NR_gettid] = sys_gettid;
	t[NR_futex] = sys_futex;
	t[NR_sched_yield] = sys_sched_yield;
	t[NR_sched_getaffinity] = sys_sched_getaffinity;
	t[NR_sched_setaffinity] = sys_sched_setaffinity;
}
