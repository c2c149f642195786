/*
 * What the trap path knows of compartments on the cells platform: a call
 * between them is a jalrs the kernel never sees, so each trap records the
 * division that ran (trap_switch.h) and the kernel follows it here.  No
 * switch ever traps, so there is no switching vector.
 */
#include "kernel/console.h"
#include "machine.h"
#include "vmm/vmm.h"

/* View v runs in division v + 1 (secure-cells/divisions.h). */
static uint64_t division_of(unsigned view)
{
	return (uint64_t)view + 1;
}

/*
 * The view that ran: U-mode may have changed it without the kernel, so the
 * kernel follows it (the fault about to be handled is that view's).  A
 * division that is no view of the space (a division register written from
 * U-mode) tells nothing: the view the kernel last entered goes on, and
 * U-mode returns to its division.
 */
void trap_note_user_view(void)
{
	unsigned now = vmm_current_view();
	if (boot_hart.user_division == division_of(now))
		return; /* the common case: the view the kernel entered */
	for (unsigned v = 0; v < vmm_views(vmm_current_space()); v++)
		if (division_of(v) == boot_hart.user_division) {
			vmm_enter_view(v);
			return;
		}
	boot_hart.user_division = division_of(now);
}

void trap_report_compartment(void)
{
	kprintf(", compartment %u (division %lu)\n", vmm_current_view(), boot_hart.user_division);
}

void trap_use_switching_vector(void)
{
}
