# Sv48 paging: entry, traps, SBI, UART, exit device, and the Sv48 backend of vmm.h.
PLATFORM_INCLUDES   := -Iplatform/riscv64
PLATFORM_LDSCRIPT   := platform/riscv64/kernel.ld
PLATFORM_QEMU_FLAGS :=
PLATFORM_SRCS := platform/riscv64/entry.S platform/riscv64/trap_entry.S \
                 platform/riscv64/uaccess.S platform/riscv64/uaccess.c \
                 platform/riscv64/trap.c \
                 platform/riscv64/sbi.c platform/riscv64/uart.c \
                 platform/riscv64/machine.c segment/sv48_plain.c
