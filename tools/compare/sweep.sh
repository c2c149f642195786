#!/usr/bin/env bash
# make compare-sweep: the same workloads under TLBs of several sizes (fully
# associative; the walk cache as make compare's), to see how each scheme's
# misses fall as the TLB grows: a cell's reach should need fewer entries.
# Runs tools/compare/compare.sh once per size into OUT/tlb-N/, then writes
# OUT/sweep.csv (workload, platform, tlb_entries, misses per TLB, per 1,000
# instructions, walk references) and OUT/sweep.png (misses per 1,000
# instructions against entries, a line per workload and backend, log-log).
#   usage: tools/compare/sweep.sh OUT "PLATFORM..." "SIZE..."
# Environment: APPS (as make compare; default "kv lua sparse"), PWC_ENTRIES.
set -u
. tools/compare/csv.sh
out=$1
platforms=$2
sizes=$3
export APPS=${APPS:-kv lua sparse}
export SCALE=no
failed=0
mkdir -p "$out"
for n in $sizes; do
	echo "[sweep] $n-entry TLBs" >&2
	TLB_ENTRIES=$n TLB_WAYS=$n tools/compare/compare.sh "$out/tlb-$n" "$platforms" || failed=1
done
{
	echo "workload,platform,tlb_entries,itlb_misses,dtlb_misses,tlb_mpki,walk_refs"
	for n in $sizes; do
		csv=$out/tlb-$n/results.csv
		[ -f "$csv" ] || continue
		awk -F, -v a="$(csv_column "$csv" tlb_entries)" -v b="$(csv_column "$csv" itlb_misses)" \
			-v c="$(csv_column "$csv" dtlb_misses)" -v d="$(csv_column "$csv" tlb_mpki)" \
			-v e="$(csv_column "$csv" walk_refs)" \
			'NR > 1 { print $1 "," $2 "," $a "," $b "," $c "," $d "," $e }' "$csv"
	done
} >"$out/sweep.csv"
# For the plot, one block per workload and backend ("entries mpki" lines), blocks apart.
series=$(tail -n +2 "$out/sweep.csv" | cut -d, -f1,2 | awk '!seen[$0]++' | tr '\n' ' ')
for s in $series; do
	awk -F, -v s="$s" '($1 "," $2) == s { print $3, $6 }' "$out/sweep.csv"
	printf '\n\n'
done >"$out/sweep.dat"
if [ -n "$series" ]; then
	gnuplot -e "datafile='$out/sweep.dat'; output='$out/sweep.png'; series='$series'" tools/compare/sweep.gp
	echo "sweep: $out/sweep.csv and $out/sweep.png" >&2
fi
exit $failed
