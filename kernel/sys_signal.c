/*
 * Signals as system calls: actions, masks, pending sets, kill/tkill/tgkill,
 * sigaltstack, rt_sigsuspend, getitimer and setitimer (kernel/signal.h and
 * kernel/itimer.h do the
 * work; rt_sigreturn goes through kernel/syscall.c, which has the frame).
 */
#include "kernel/error.h"
#include "kernel/sched.h"
#include "kernel/itimer.h"
#include "kernel/signal.h"
#include "kernel/syscall.h"
#include "uaccess.h"

#define NR_getitimer 102
#define NR_setitimer 103
#define NR_kill 129
#define NR_tkill 130
#define NR_tgkill 131
#define NR_sigaltstack 132
#define NR_rt_sigsuspend 133
#define NR_rt_sigaction 134
#define NR_rt_sigprocmask 135
#define NR_rt_sigpending 136

#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define MINSIGSTKSZ 2048
#define SI_TKILL (-6)
#define USEC_PER_SEC 1000000ull
#define NSEC_PER_USEC 1000ull

struct linux_itimerval {
	int64_t interval_sec, interval_usec, value_sec, value_usec;
};

static int valid_signal(uint64_t sig)
{
	return sig >= 1 && sig <= NSIG;
}

static long sys_rt_sigaction(uint64_t sig, uint64_t unew, uint64_t uold, uint64_t size,
			     uint64_t a4, uint64_t a5)
{
	struct linux_sigaction act;
	if (!valid_signal(sig) || size != sizeof(uint64_t))
		return -EINVAL;
	if (unew && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (unew && copy_from_user(&act, unew, sizeof(act)))
		return -EFAULT;
	if (uold && copy_to_user(uold, signal_action((int)sig), sizeof(act)))
		return -EFAULT;
	if (unew && act.handler > 1) {
		int err = signal_map_return_page();
		if (err)
			return err;
	}
	if (unew) {
		act.mask &= ~UNBLOCKABLE;
		*signal_action((int)sig) = act;
	}
	return 0;
}

static long sys_rt_sigprocmask(uint64_t how, uint64_t uset, uint64_t uold, uint64_t size,
			       uint64_t a4, uint64_t a5)
{
	struct thread *t = thread_current();
	uint64_t set;
	if (size != sizeof(uint64_t))
		return -EINVAL;
	if (uset && how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
		return -EINVAL;
	if (uset && copy_from_user(&set, uset, sizeof(set)))
		return -EFAULT;
	if (uold && copy_to_user(uold, &t->sig_blocked, sizeof(t->sig_blocked)))
		return -EFAULT;
	if (uset) {
		if (how == SIG_BLOCK)
			t->sig_blocked |= set;
		else if (how == SIG_UNBLOCK)
			t->sig_blocked &= ~set;
		else
			t->sig_blocked = set;
		t->sig_blocked &= ~UNBLOCKABLE;
	}
	return 0;
}

static long sys_rt_sigpending(uint64_t uset, uint64_t size, uint64_t a2, uint64_t a3, uint64_t a4,
			      uint64_t a5)
{
	struct thread *t = thread_current();
	if (size != sizeof(uint64_t))
		return -EINVAL;
	uint64_t set = signal_pending_for(t) & t->sig_blocked;
	return copy_to_user(uset, &set, sizeof(set)) ? -EFAULT : 0;
}

/* Wait, under the mask at UMASK, until a signal is delivered: always -EINTR. */
static long sys_rt_sigsuspend(uint64_t umask, uint64_t size, uint64_t a2, uint64_t a3, uint64_t a4,
			      uint64_t a5)
{
	struct thread *t = thread_current();
	uint64_t mask;
	if (size != sizeof(uint64_t))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	signal_suspend(t, mask & ~UNBLOCKABLE);
	return -EINTR;
}

/* PID names this process: itself (1), any of its threads, 0 (its group) or -1 (every process). */
static int names_this_process(int64_t pid)
{
	return pid == 0 || pid == -1 || pid == 1 || (pid > 1 && pid <= INT32_MAX && thread_find((int)pid));
}

static long sys_kill(uint64_t pid, uint64_t sig, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	if (sig != 0 && !valid_signal(sig))
		return -EINVAL;
	if (!names_this_process((int64_t)pid))
		return -ESRCH;
	if (sig)
		signal_send_process((int)sig, SI_USER);
	return 0;
}

static long send_to_thread(int64_t tid, uint64_t sig)
{
	if (tid <= 0 || (sig != 0 && !valid_signal(sig)))
		return -EINVAL;
	struct thread *t = tid <= INT32_MAX ? thread_find((int)tid) : 0;
	if (!t)
		return -ESRCH;
	if (sig)
		signal_send_thread(t, (int)sig, SI_TKILL);
	return 0;
}

static long sys_tgkill(uint64_t tgid, uint64_t tid, uint64_t sig, uint64_t a3, uint64_t a4,
		       uint64_t a5)
{
	if ((int64_t)tgid <= 0)
		return -EINVAL;
	if (tgid != 1)
		return -ESRCH;
	return send_to_thread((int64_t)tid, sig);
}

static long sys_tkill(uint64_t tid, uint64_t sig, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return send_to_thread((int64_t)tid, sig);
}

static long sys_sigaltstack(uint64_t uss, uint64_t uoss, uint64_t a2, uint64_t a3, uint64_t a4,
			    uint64_t a5)
{
	struct thread *t = thread_current();
	uint64_t sp = thread_trap_frame()->regs[REG_SP];
	int on = signal_on_altstack(t, sp);
	struct linux_stack ss, old = { t->altstack_sp, t->altstack_disabled ? SS_DISABLE : (on ? SS_ONSTACK : 0),
				       0, t->altstack_size };
	if (uss && copy_from_user(&ss, uss, sizeof(ss)))
		return -EFAULT;
	if (uss) {
		if (on)
			return -EPERM;
		int mode = ss.flags & ~(int32_t)0x80000000; /* SS_AUTODISARM is accepted and ignored */
		if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK)
			return -EINVAL;
		if (mode != SS_DISABLE && ss.size < MINSIGSTKSZ)
			return -ENOMEM;
	}
	if (uoss && copy_to_user(uoss, &old, sizeof(old)))
		return -EFAULT;
	if (uss) {
		t->altstack_disabled = (ss.flags & SS_DISABLE) != 0;
		t->altstack_sp = t->altstack_disabled ? 0 : ss.sp;
		t->altstack_size = t->altstack_disabled ? 0 : ss.size;
	}
	return 0;
}

/* Timer WHICH as setitimer and getitimer give it back: the time left rounded up to a microsecond. */
static struct linux_itimerval itimer_now(int which)
{
	uint64_t left, interval;
	itimer_get(which, &left, &interval);
	uint64_t left_us = (left + NSEC_PER_USEC - 1) / NSEC_PER_USEC, every_us = interval / NSEC_PER_USEC;
	return (struct linux_itimerval){ (int64_t)(every_us / USEC_PER_SEC), (int64_t)(every_us % USEC_PER_SEC),
					 (int64_t)(left_us / USEC_PER_SEC), (int64_t)(left_us % USEC_PER_SEC) };
}

static long sys_getitimer(uint64_t which, uint64_t ucur, uint64_t a2, uint64_t a3, uint64_t a4,
			  uint64_t a5)
{
	if (which > ITIMER_PROF)
		return -EINVAL;
	struct linux_itimerval cur = itimer_now((int)which);
	return copy_to_user(ucur, &cur, sizeof(cur)) ? -EFAULT : 0;
}

/* A timeval's microseconds as nanoseconds: 0 and *NS, or -EINVAL. */
static int timeval_ns(int64_t sec, int64_t usec, uint64_t *ns)
{
	if (sec < 0 || usec < 0 || (uint64_t)usec >= USEC_PER_SEC || (uint64_t)sec > UINT32_MAX)
		return -EINVAL;
	*ns = ((uint64_t)sec * USEC_PER_SEC + (uint64_t)usec) * NSEC_PER_USEC;
	return 0;
}

static long sys_setitimer(uint64_t which, uint64_t unew, uint64_t uold, uint64_t a3, uint64_t a4,
			  uint64_t a5)
{
	if (which > ITIMER_PROF)
		return -EINVAL;
	struct linux_itimerval val, old = itimer_now((int)which);
	uint64_t value, interval;
	if (unew && copy_from_user(&val, unew, sizeof(val)))
		return -EFAULT;
	if (unew && (timeval_ns(val.value_sec, val.value_usec, &value) ||
		     timeval_ns(val.interval_sec, val.interval_usec, &interval)))
		return -EINVAL;
	if (uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	if (unew)
		itimer_set((int)which, value, interval);
	return 0;
}

void sys_signal_register(syscall_fn *t)
{
	t[NR_rt_sigaction] = sys_rt_sigaction;
	t[NR_rt_sigprocmask] = sys_rt_sigprocmask;
	t[NR_rt_sigpending] = sys_rt_sigpending;
	t[NR_rt_sigsuspend] = sys_rt_sigsuspend;
	t[NR_kill] = sys_kill;
	t[NR_tkill] = sys_tkill;
	t[NR_tgkill] = sys_tgkill;
	t[NR_sigaltstack] = sys_sigaltstack;
	t[NR_getitimer] = sys_getitimer;
	t[NR_setitimer] = sys_setitimer;
}
