#!/usr/bin/env bash
# Build the rental fuzzer if needed and run it for SECONDS (default 10) with a
# fixed seed; the corpus grows under build/host/rental_fuzz_corpus across runs.
# The last line is "ok rental_fuzz: N runs, no forged rental accepted" or
# "not ok rental_fuzz: why"; the exit status is 1 on failure.
#   usage: tests/fuzz/run.sh [SECONDS]
set -u
cd "$(dirname "$0")/../.."

secs=${1:-10}
case "$secs" in
'' | *[!0-9]* | 0)
	echo "usage: tests/fuzz/run.sh [SECONDS]" >&2
	echo "not ok rental_fuzz: bad SECONDS '$secs'"
	exit 1
	;;
esac

out=build/host
bin=$out/rental_fuzz
corpus=$out/rental_fuzz_corpus
log=$out/rental_fuzz.log
mkdir -p "$out" "$corpus"

if ! make -s "$bin" >"$out/rental_fuzz-build.log" 2>&1; then
	tail -20 "$out/rental_fuzz-build.log"
	echo "not ok rental_fuzz: build failed (see $out/rental_fuzz-build.log)"
	exit 1
fi

# A crash leaves its input as build/host/rental_fuzz-crash-*: replay it with
#   build/host/rental_fuzz build/host/rental_fuzz-crash-...
"$bin" -max_total_time="$secs" -seed=1 -print_final_stats=1 -timeout=10 \
	-artifact_prefix="$out/rental_fuzz-" "$corpus" >"$log" 2>&1
status=$?

runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
if [ "$status" -ne 0 ] || [ -z "$runs" ]; then
	grep -m1 -A3 'VIOLATION\|ERROR\|rental_fuzz:' "$log"
	echo "not ok rental_fuzz: exit status $status after ${runs:-?} runs (see $log)"
	exit 1
fi
echo "# rental_fuzz: $rate runs/s for ${secs}s, corpus $(ls "$corpus" | wc -l) inputs"
echo "ok rental_fuzz: $runs runs, no forged rental accepted"
