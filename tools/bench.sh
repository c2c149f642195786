#!/bin/sh
# make bench: boot apps/bench with the kernel's vmm microbenchmark (ktest=bench)
# under -icount with a fixed seed, and print one stats line holding the
# kernel's figures and the application's (the fault costs it measured).
#   usage: tools/bench.sh PLATFORM
set -e
platform=${1:-riscv64}
make -s image PLATFORM="$platform" APP=bench
out=$(sh -c "$(make -s run-cmd PLATFORM="$platform" APP=bench BOOTARGS=ktest=bench SEED=1)" </dev/null 2>&1) || {
	echo "$out" | tail -20
	echo "bench: the run failed" >&2
	exit 1
}
stats=$(echo "$out" | grep '^stats: ' | tail -1)
app=$(echo "$out" | sed -n 's/^bench: //p' | tail -1)
if [ -z "$stats" ] || [ -z "$app" ]; then
	echo "$out" | tail -20
	echo "bench: no stats or bench line in the output" >&2
	exit 1
fi
echo "$stats $app"
