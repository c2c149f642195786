#!/bin/bash
# Build the cells-emu test program and run it on the emulator given as $1.
#   tests/cells-emu/run.sh /path/to/qemu-system-riscv64
# Prints the program's output ("ok NAME" / "not ok NAME: ..." per check) and
# exits with the emulator's status: 0 only if every check passed.  The
# program runs twice: as built, and built with -DREFERENCE_CSRS on the CPU
# property that gives U-mode the division registers (tests/cells-emu/main.c).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
qemu=${1:?usage: $0 /path/to/qemu-system-riscv64}
out=${CELLS_EMU_BUILD:-$here/../../build/cells-emu}
mkdir -p "$out"
CC=${CROSS:-riscv64-unknown-elf-}gcc
build() {
	"$CC" -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -O2 -g \
		-ffreestanding -fno-builtin -nostdlib -nostartfiles -Wall -Wextra -Werror \
		-T "$here/link.ld" -Wl,--no-warn-rwx-segments \
		"$here/start.S" "$here"/main.c "$here"/checks_*.c "$@"
}
build -o "$out/prog.elf"
build -DREFERENCE_CSRS -o "$out/prog-refcsrs.elf"
# The timeout turns a hang into a failure (status 124).
run() {
	timeout "${CELLS_EMU_TIMEOUT:-60}" "$qemu" -machine virt -cpu "$1" -smp 1 -m 256M \
		-nographic -bios default -no-reboot -kernel "$2" </dev/null
}
# As SecureCells' documents say (U-mode may not touch the division
# registers), then as the reference emulator behaves (it may).
run rv64 "$out/prog.elf" || exit
# Its checks are named refcsrs/NAME.
run rv64,x-seccells-user-csrs=on "$out/prog-refcsrs.elf" | sed -e 's|^ok |ok refcsrs/|' -e 's|^not ok |not ok refcsrs/|'
