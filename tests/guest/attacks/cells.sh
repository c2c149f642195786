# Guest cases of the attack suite's SecureCells attacks (apps/attack/cells.c),
# sourced by tests/guest/cases.sh once per platform ($platform).  On Sv48 each
# of these instructions is an illegal instruction; on cells each attack ends
# in a reported fault or changes nothing the kernel relies on, and the
# kernel goes on to print its statistics.

# The trap page's address, as an attacker would find it (the kernel's symbols).
make -s image PLATFORM="$platform" APP=attack >/dev/null 2>&1
trap_page=$(riscv64-unknown-elf-nm "build/$platform/attack/kernel.elf" 2>/dev/null |
	awk '$3 == "__trap_page" { print "0x" $1 }')

# cells_attack NAME STATUS-ON-CELLS PATTERN...: on Sv48 the first SecureCells
# instruction is an illegal instruction; the attack's arguments are the trap page.
cells_attack() {
	local name=$1 status=$2
	shift 2
	if [ "$platform" = riscv64-cells ]; then
		guest "attack-$name" "$platform" attack "$name $trap_page" "" "$status" - "$@" "stats: backend="
	else
		guest "attack-$name" "$platform" attack "$name $trap_page" "" 132 - \
			"user fault: illegal instruction (scause 2)" "exit=132"
	fi
}

# 1, 2: inval of the trap page (then reval R|W|X and a rewritten vector) is refused:
# the witness division co-holds it.
cells_attack cells-inval-trap 139 "user fault: SecureCells invalid cell state (scause 27)"
cells_attack cells-reval-trap 139 "user fault: SecureCells invalid cell state (scause 27)"
cells_attack cells-reval-valid-trap 139 "user fault: SecureCells invalid cell state (scause 27)" \
	"stval 0x1"
# 3: the program drops its own rights on the trap page: system calls still work, and the
# next forwarded trap ends it with a report instead of a kernel panic or a hang.
cells_attack cells-prot-trap 139 "attack: prot of the trap page to no rights: done" \
	"attack: the kernel still serves system calls" \
	"user fault: the trap vector could not be fetched in the application's division" "exit=139"
cells_attack cells-tfer-trap 139 "attack: tfer of X on the trap page to the witness: done" \
	"attack: the kernel still serves system calls" \
	"user fault: the trap vector could not be fetched in the application's division"
# The rest of the ten instructions on the trap page and on kernel memory.
cells_attack cells-harmless-trap 139 "attack: excl of the trap page for X: ok" \
	"attack: prot of the trap page to X (no change): done" \
	"attack: grant of X on the trap page to the witness: done" \
	"attack: the kernel still serves system calls" \
	"user fault: SecureCells invalid division (scause 26)"
cells_attack cells-jalrs-witness 139 "user fault: SecureCells illegal target (scause 28)"
cells_attack cells-jalrs-kernel 139 "user fault: SecureCells invalid division (scause 26)"
cells_attack cells-inval-image 139 "user fault: SecureCells illegal address (scause 24)" \
	"stval 0xffff800080200000"
cells_attack cells-prot-direct-map 139 "user fault: SecureCells illegal address (scause 24)" \
	"stval 0xffff800080000000"
# The division registers from U-mode: an illegal instruction, as SecureCells' documents say.
cells_attack cells-write-usid 132 "user fault: illegal instruction (scause 2)"
cells_attack cells-write-urid-uxid 132 "user fault: illegal instruction (scause 2)"
if [ "$platform" = riscv64-cells ]; then
	# Where an emulator lets U-mode write them (the reference's way, our emulator with
	# x-seccells-user-csrs=on): the program gains nothing and the kernel goes on.
	GUEST_CPU=rv64,x-seccells-user-csrs=on guest attack-cells-write-usid-refcsrs "$platform" attack \
		"cells-write-usid" "" 139 - "attack: csrw usid, 0: done" \
		"user fault: load page fault (scause 13)" "address 0xffff800080200000" "stats: backend="
	GUEST_CPU=rv64,x-seccells-user-csrs=on guest attack-cells-usid-inval-trap-refcsrs "$platform" \
		attack "cells-usid-inval-trap $trap_page" "" 139 - \
		"attack: every row's rights on the trap page dropped as far as it went: done" \
		"user fault: the trap vector could not be fetched in the application's division" \
		"stats: backend="
	GUEST_CPU=rv64,x-seccells-user-csrs=on guest attack-cells-write-urid-uxid-refcsrs "$platform" \
		attack "cells-write-urid-uxid" "" 0 - "attack cells-write-urid-uxid: held"
	GUEST_CPU=rv64,x-seccells-user-csrs=on guest attack-cells-usid-garbage-refcsrs "$platform" \
		attack "cells-usid-garbage" "" 0 - "attack: own memory after usid 77: ok" \
		"attack cells-usid-garbage: held"
	# The same attacks in a table of three compartments (ktest=views3: the program is
	# compartment 0, division 1, with two more compartments' rows and the witness, 4):
	# the trap page stays witnessed, a fault is reported in the division that ran, and a
	# division register naming no compartment leaves the program in its own.
	guest attack-cells-inval-trap-views3 "$platform" attack "cells-inval-trap $trap_page" \
		"ktest=views3" 139 - "ktest views3: user table M=5" \
		"user fault: SecureCells invalid cell state (scause 27)" "compartment 0 (division 1)" \
		"stats: backend="
	guest attack-cells-reval-valid-trap-views3 "$platform" attack "cells-reval-valid-trap $trap_page" \
		"ktest=views3" 139 - "user fault: SecureCells invalid cell state (scause 27)" "stval 0x1" \
		"compartment 0 (division 1)"
	guest attack-cells-jalrs-kernel-views3 "$platform" attack "cells-jalrs-kernel $trap_page" \
		"ktest=views3" 139 - "user fault: SecureCells invalid division (scause 26)" \
		"compartment 0 (division 1)"
	GUEST_CPU=rv64,x-seccells-user-csrs=on guest attack-cells-usid-garbage-views3-refcsrs \
		"$platform" attack "cells-usid-garbage" "ktest=views3" 0 - \
		"attack: own memory after usid 77: ok" "attack cells-usid-garbage: held"
	GUEST_CPU=rv64,x-seccells-user-csrs=on guest attack-cells-write-usid-views3-refcsrs "$platform" \
		attack "cells-write-usid" "ktest=views3" 139 - "attack: csrw usid, 0: done" \
		"user fault: load page fault (scause 13)" "compartment 0 (division 1)" "stats: backend="
fi
