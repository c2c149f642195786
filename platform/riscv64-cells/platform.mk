# SecureCells permission tables (SATP mode 15): the riscv64 platform, with the
# cells backend of vmm.h instead of the Sv48 one, run on the patched QEMU.
PLATFORM_INCLUDES   := -Iplatform/riscv64-cells -Iplatform/riscv64
PLATFORM_LDSCRIPT   := platform/riscv64/kernel.ld
PLATFORM_QEMU_FLAGS :=

# What differs from platform/riscv64, in this folder: the trap path's table
# switch (trap_switch.h, with the division registers of cells_csr.h), the
# MMU's own exception causes (trap_causes.h), both found first on the include
# path, satp mode 15 and its probe (satp_cells.h), and uaccess in software.
PLATFORM_SRCS := platform/riscv64/entry.S platform/riscv64/trap_entry.S platform/riscv64/fpu.S \
                 platform/riscv64-cells/uaccess.c platform/riscv64-cells/satp_cells.c \
                 platform/riscv64/trap.c platform/riscv64-cells/trap_view.c \
                 platform/riscv64/sbi.c platform/riscv64/uart.c \
                 platform/riscv64/machine.c $(CELLS_BACKEND_SRCS)

# Our patched emulator (emulator.mk): the run rules depend on PLATFORM_QEMU,
# the step that builds it or finds it in its cache.  QEMU=/path/to/qemu-system-riscv64
# (command line or environment) runs another one (the SecureCells reference
# emulator, say) without building ours.
ifeq ($(origin QEMU),undefined)
  PLATFORM_QEMU := $(QEMU_CELLS_PATH)
  QEMU = $(file < $(QEMU_CELLS_PATH))
endif
