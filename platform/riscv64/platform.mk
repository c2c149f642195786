# Sv48 paging: entry, traps, SBI, UART, exit device, and the Sv48 backend of vmm.h.
PLATFORM_INCLUDES   := -Iplatform/riscv64
PLATFORM_LDSCRIPT   := platform/riscv64/kernel.ld
PLATFORM_QEMU_FLAGS :=
# The distribution's qemu-system-riscv64: no emulator to build first.
PLATFORM_QEMU       :=

# The rental MAC is on every map's path: its rotations take one Zbb instruction
# instead of three.  Only this file needs Zbb (QEMU's rv64 CPU has it), so the
# rest of the kernel still runs on CPUs without it.
PLATFORM_CFLAGS_tablet/siphash.c := -march=rv64imac_zicsr_zifencei_zbb

PLATFORM_SRCS := platform/riscv64/entry.S platform/riscv64/trap_entry.S platform/riscv64/fpu.S \
                 platform/riscv64/uaccess.S platform/riscv64/uaccess.c \
                 platform/riscv64/trap.c platform/riscv64/trap_view.c \
                 platform/riscv64/sbi.c platform/riscv64/uart.c \
                 platform/riscv64/machine.c $(SV48_BACKEND_SRCS) segment/selftest.c
