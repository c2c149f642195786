#include "kernel/syscall.h"

#include "compart/compart.h"

#include "kernel/console.h"
#include "kernel/error.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "kernel/stats.h"

static syscall_fn table[SYSCALL_MAX];
static uint8_t reported[SYSCALL_MAX / 8];
static int table_ready;

static void table_init(void)
{
	sys_fs_io_register(table);
	sys_fs_fd_register(table);
	sys_fs_path_register(table);
	sys_fs_stat_register(table);
	sys_process_register(table);
	sys_memory_register(table);
	sys_time_register(table);
	sys_compart_register(table);
	sys_thread_register(table);
	sys_signal_register(table);
	sys_poll_register(table);
	sys_epoll_register(table);
	table_ready = 1;
}

/*
 * An absent call: -ENOSYS, and one line the first time each number is seen
 * (numbers beyond any kernel's table share one line between them).
 */
static long absent(uint64_t nr)
{
	static int reported_beyond;
	if (nr < SYSCALL_MAX) {
		if (reported[nr / 8] & (1u << (nr % 8)))
			return -ENOSYS;
		reported[nr / 8] |= 1u << (nr % 8);
	} else if (reported_beyond++) {
		return -ENOSYS;
	}
	kprintf("syscall %lu not implemented: returning -ENOSYS%s\n", nr,
		nr < SYSCALL_MAX ? "" : " (other numbers this large are not logged)");
	return -ENOSYS;
}

void syscall_handle(struct trap_frame *f)
{
	uint64_t *r = f->regs;
	uint64_t nr = r[REG_A7];
	if (!table_ready)
		table_init();
	kstats.syscalls++;
	/* A switch between compartments changes the whole frame, not just a0; so does rt_sigreturn. */
	if (nr == SYS_compart_call || nr == SYS_compart_return) {
		compart_switch(f, nr);
		return;
	}
	if (nr == NR_rt_sigreturn) {
		signal_return(f);
		return;
	}
	if (nr >= SYSCALL_MAX || !table[nr]) {
		r[REG_A0] = (uint64_t)absent(nr);
		return;
	}
	r[REG_A0] = (uint64_t)table[nr](r[REG_A0], r[REG_A1], r[REG_A2], r[REG_A3], r[REG_A4],
					r[REG_A5]);
	sched_call_done();
}
