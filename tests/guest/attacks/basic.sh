# Guest cases of the attack suite's basic attacks (apps/attack/basic.c): the
# classes of attack that held, kept holding.  Sourced by tests/guest/cases.sh
# once per platform ($platform).
guest attack-basic-kernel-pointers "$platform" attack "basic-kernel-pointers" "" 0 - \
	"attack basic-kernel-pointers: held"
guest attack-basic-sbi-calls "$platform" attack "basic-sbi-calls" "" 0 - \
	"attack basic-sbi-calls: held"
for insn in csrr-sstatus csrw-satp csrw-stvec sret mret sfence wfi; do
	guest "attack-basic-privileged-$insn" "$platform" attack "basic-privileged $insn" "" 132 - \
		"attack: executing $insn in U-mode" "user fault: illegal instruction (scause 2)" \
		"stats: backend="
done
guest attack-basic-kernel-load "$platform" attack "basic-kernel-memory load" "" 139 - \
	"user fault: load page fault (scause 13)" "address 0xffff800080200000" "stats: backend="
guest attack-basic-kernel-store "$platform" attack "basic-kernel-memory store" "" 139 - \
	"user fault: store page fault (scause 15)" "address 0xffff800080200000" "stats: backend="
guest attack-basic-kernel-jump "$platform" attack "basic-kernel-memory jump" "" 139 - \
	"user fault: instruction page fault (scause 12)" "address 0xffff800080200000" "stats: backend="
guest attack-basic-execute-stack "$platform" attack "basic-execute-data stack" "" 139 - \
	"user fault: instruction page fault (scause 12)" "stats: backend="
guest attack-basic-execute-heap "$platform" attack "basic-execute-data heap" "" 139 - \
	"user fault: instruction page fault (scause 12)" "stats: backend="
