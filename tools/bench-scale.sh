#!/usr/bin/env bash
# make bench-scale: the cost of one map, fault, protect and unmap at N = 16,
# 64, 256, 1,024, 4,096 and 16,384 live scattered mappings, on each backend,
# under -icount with SEED=1 (every count repeats exactly).  apps/scale does
# the work and the measuring (rdinstret around each operation, as the
# application sees it: trap, system call, region layer, backend; medians of
# 64); the kernel's stats line at exit gives the table bytes with the N
# mappings live.  One image per backend; N goes on the kernel command line.
# Prints one line per backend and N,
#   scale: backend=B n=N map_instret=.. fault_instret=.. protect_instret=.. unmap_instret=.. table_bytes=..
# then a table.  Exits 1 when a run fails.
#   usage: tools/bench-scale.sh "PLATFORM..." ["N..."]
set -u
platforms=${1:-riscv64 riscv64-cells}
counts=${2:-16 64 256 1024 4096 16384}
keys=(map_instret fault_instret protect_instret unmap_instret table_bytes)

# value LINE KEY: the number KEY= holds in LINE, or empty.
value() {
	sed -n "s/.* $2=\([0-9]*\).*/\1/p" <<<" $1"
}

declare -A got
failed=0
for platform in $platforms; do
	if ! make -s --no-print-directory image PLATFORM="$platform" APP=scale ARGS= SEED=1 >&2; then
		echo "bench-scale: $platform: the image did not build" >&2
		failed=1
		continue
	fi
	for n in $counts; do
		cmd=$(make -s --no-print-directory run-cmd PLATFORM="$platform" APP=scale ARGS= SEED=1 BOOTARGS="-- $n")
		out=$(sh -c "$cmd" </dev/null 2>&1)
		app=$(grep -a '^scale: n=' <<<"$out" | tail -1)
		stats=$(grep -a '^stats: ' <<<"$out" | tail -1)
		backend=$(sed -n 's/.* backend=\([a-z0-9]*\).*/\1/p' <<<" $stats")
		if [ -z "$app" ] || [ "$(value "$stats" exit)" != 0 ]; then
			tail -5 <<<"$out" >&2
			echo "bench-scale: $platform n=$n: no result" >&2
			failed=1
			continue
		fi
		line="scale: backend=$backend n=$n"
		for k in "${keys[@]:0:4}"; do line+=" $k=$(value "$app" "$k")"; done
		line+=" table_bytes=$(value "$stats" table_bytes)"
		echo "$line"
		got[$platform,$n]=$line
	done
done

echo
# Instructions per operation and table bytes; one group of columns per backend.
printf '%-8s' ""
for platform in $platforms; do printf '%-70s' "  $platform"; done
echo
printf '%-8s' n
for platform in $platforms; do
	for k in map fault protect unmap table_bytes; do printf '%14s' "$k"; done
done
echo
for n in $counts; do
	printf '%-8s' "$n"
	for platform in $platforms; do
		for k in "${keys[@]}"; do printf '%14s' "$(value "${got[$platform,$n]:-}" "$k")"; done
	done
	echo
done
exit $failed
