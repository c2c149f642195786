#!/usr/bin/env bash
# Build one libFuzzer fuzzer if needed and run it for SECONDS (default 10)
# with a fixed seed; its corpus grows under build/host/FUZZER_corpus across
# runs.  FUZZER is rental_fuzz (no forged rental is accepted) or fs_fuzz (the
# RAM file system under random path and descriptor operations, its
# invariants checked, ASan, UBSan and LeakSanitizer on), or vmm_fuzz_sv48 /
# vmm_fuzz_cells (one backend against the reference model of
# tests/fuzz/vmm_fuzz_model.h; they print the operations they drove), or
# compart_fuzz (the compartment-table reader on hostile ELF images, its
# corpus seeded with the fixture ELFs of build/host/compart/), or epoll_fuzz
# (epolls, pipes and eventfds against its record of items: no loop, no chain
# too deep, every report from a live item; seeded from tests/fuzz/epoll_seeds/).
# The last line is "ok FUZZER: N runs, ..." or "not ok FUZZER: why"; the exit
# status is 1 on failure.
#   usage: tests/fuzz/run.sh FUZZER [SECONDS]
set -u
cd "$(dirname "$0")/../.."

name=${1:-}
secs=${2:-10}
seeds= # a directory of inputs read but never written (libFuzzer writes to the first)
case "$name" in
rental_fuzz) held="no forged rental accepted" ;;
fs_fuzz) held="no sanitizer report, every invariant held" ;;
vmm_fuzz_sv48 | vmm_fuzz_cells) held="no divergence from the model, no sanitizer report" ;;
compart_fuzz)
	held="every refusal whole and with a reason, every acceptance sound, no sanitizer report"
	seeds=build/host/compart
	;;
epoll_fuzz)
	held="every epoll_ctl answer right, no loop or chain too deep, every report from a live item, no sanitizer report"
	seeds=tests/fuzz/epoll_seeds
	;;
*)
	echo "usage: tests/fuzz/run.sh rental_fuzz|fs_fuzz|vmm_fuzz_sv48|vmm_fuzz_cells|compart_fuzz|epoll_fuzz [SECONDS]" >&2
	echo "not ok ${name:-fuzz}: unknown fuzzer '$name'"
	exit 1
	;;
esac
case "$secs" in
'' | *[!0-9]* | 0)
	echo "usage: tests/fuzz/run.sh FUZZER [SECONDS]" >&2
	echo "not ok $name: bad SECONDS '$secs'"
	exit 1
	;;
esac

out=build/host
bin=$out/$name
corpus=$out/${name}_corpus
log=$out/$name.log
mkdir -p "$out" "$corpus"

if ! make -s "$bin" >"$out/$name-build.log" 2>&1; then
	tail -20 "$out/$name-build.log"
	echo "not ok $name: build failed (see $out/$name-build.log)"
	exit 1
fi

# A crash leaves its input as build/host/FUZZER-crash-* (a leak as -leak-*):
# replay it with   build/host/FUZZER build/host/FUZZER-crash-...
"$bin" -max_total_time="$secs" -seed=1 -print_final_stats=1 -timeout=10 \
	-artifact_prefix="$out/$name-" "$corpus" $seeds >"$log" 2>&1
status=$?

runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
if [ "$status" -ne 0 ] || [ -z "$runs" ]; then
	grep -a -m1 -A3 'VIOLATION\|ERROR\|rental_fuzz:\|fs_fuzz:\|vmm_fuzz:\|compart_fuzz:\|epoll_fuzz:' "$log"
	echo "not ok $name: exit status $status after ${runs:-?} runs (see $log)"
	exit 1
fi
echo "# $name: $rate runs/s for ${secs}s, corpus $(ls "$corpus" | wc -l) inputs"
# The vmm and epoll fuzzers count the operations they drove (printed at exit).
grep -a -E '^(vmm|epoll)_fuzz: .* operations$' "$log" | tail -1 | sed 's/^/# /'
echo "ok $name: $runs runs, $held"
