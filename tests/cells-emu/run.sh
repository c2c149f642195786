#!/bin/bash
# Build the cells-emu test program and run it on the emulator given as $1.
#   tests/cells-emu/run.sh /path/to/qemu-system-riscv64
# Prints the program's output ("ok NAME" / "not ok NAME: ..." per check) and
# exits with the emulator's status: 0 only if every check passed.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
qemu=${1:?usage: $0 /path/to/qemu-system-riscv64}
out=${CELLS_EMU_BUILD:-$here/../../build/cells-emu}
mkdir -p "$out"
CC=${CROSS:-riscv64-unknown-elf-}gcc
"$CC" -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -O2 -g \
	-ffreestanding -fno-builtin -nostdlib -nostartfiles -Wall -Wextra -Werror \
	-T "$here/link.ld" -Wl,--no-warn-rwx-segments \
	"$here/start.S" "$here/main.c" -o "$out/prog.elf"
# The timeout turns a hang into a failure (status 124).
exec timeout "${CELLS_EMU_TIMEOUT:-60}" "$qemu" -machine virt -cpu rv64 -smp 1 -m 256M \
	-nographic -bios default -no-reboot -kernel "$out/prog.elf" </dev/null
