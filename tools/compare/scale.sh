#!/usr/bin/env bash
# The scaling study of make compare: tools/bench-scale.sh (one map, fault,
# protect and unmap at N = 16 ... 16,384 live scattered mappings, per
# backend, SEED=1 under -icount), kept as OUT/scale.txt and OUT/scale.csv,
# and plotted: OUT/scale.png (instructions per operation against N, both
# backends on one plot, log-log) and OUT/scale_table_bytes.png.
#   usage: tools/compare/scale.sh OUT "PLATFORM..."
set -u
out=$1
platforms=$2
echo "[scale] tools/bench-scale.sh $platforms" >&2
tools/bench-scale.sh "$platforms" >"$out/scale.txt"
status=$?
{
	echo "backend,n,map_instret,fault_instret,protect_instret,unmap_instret,table_bytes"
	sed -n 's/^scale: //p' "$out/scale.txt" | awk '{
		line = ""
		for (i = 1; i <= NF; i++) { split($i, kv, "="); line = line (i > 1 ? "," : "") kv[2] }
		print line
	}'
} >"$out/scale.csv"
backends=$(tail -n +2 "$out/scale.csv" | cut -d, -f1 | awk '!seen[$0]++' | tr '\n' ' ')
if [ -n "$backends" ]; then
	gnuplot -e "datafile='$out/scale.csv'; output='$out/scale.png'; backends='$backends'" tools/compare/scale.gp
	gnuplot -e "datafile='$out/scale.csv'; output='$out/scale_table_bytes.png'; backends='$backends'; \
		tables=1" tools/compare/scale.gp
fi
[ "$status" = 0 ] || echo "[scale] a run of the scaling study failed (see $out/scale.txt)" >&2
exit $status
