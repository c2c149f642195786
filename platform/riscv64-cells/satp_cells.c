/* The probe for SATP mode 15 (satp_cells.h). */
#include "platform/riscv64-cells/satp_cells.h"

#include "arch.h"
#include "kernel/console.h"
#include "machine.h"

void satp_cells_load_or_stop(uint64_t satp)
{
	csr_write(satp, satp);
	sfence_vma_all();
	if (csr_read(satp) == satp)
		return;
	kprintf("cells: this emulator has no SATP mode 15 (SecureCells permission tables):\n"
		"  run PLATFORM=riscv64-cells on the patched QEMU (make qemu-cells) or on\n"
		"  the SecureCells reference emulator (QEMU=/path/to/qemu-system-riscv64)\n");
	machine_exit(3);
}
