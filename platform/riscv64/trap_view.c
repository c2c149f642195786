/*
 * What the trap path knows of compartments on the Sv48 platform: every
 * switch between them passes through the kernel (compart/switch.c), so a
 * trap always comes from the view the kernel last activated, and a
 * program that switches gets the vector with the switch's fast path.
 * The cells platform has its own version of this file.
 */
#include "kernel/console.h"
#include "machine.h"
#include "vmm/vmm.h"

extern char trap_entry_switching[];

void trap_note_user_view(void)
{
}

void trap_report_compartment(void)
{
	kprintf(", compartment %u\n", vmm_current_view());
}

/*
 * trap_entry_switching (trap_entry.S) tests every trap from U-mode for the
 * switch's ecalls; a program that never switches through the kernel keeps
 * trap_entry, which does not.
 */
void trap_use_switching_vector(void)
{
	csr_write(stvec, (uint64_t)trap_entry_switching);
}
