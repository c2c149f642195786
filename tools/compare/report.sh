#!/usr/bin/env bash
# The report of make compare, from the records compare.sh left in OUT/runs:
#   OUT/results.csv  one row per workload and backend: every key of the
#                    kernel's stats line, of the application's bench: line and
#                    of the model's line, then four derived figures;
#   OUT/results.md   the side-by-side table;
#   OUT/*.png        bar charts (gnuplot): instructions in translation
#                    management, TLB misses per 1,000 instructions, walk
#                    references per miss, table bytes.
# Everything here is integer counts and fixed-point formatting of them, so
# the same records give the same bytes.
#   usage: tools/compare/report.sh OUT
set -eu
out=$1
here=tools/compare
. "$here/csv.sh"
[ -s "$out/runs/order" ] || { echo "report: no runs in $out/runs" >&2; exit 1; }

# The CSV: the leading columns fixed, the rest in the order keys first appear.
while read -r run; do
	args=$(sed -n 1p "$out/runs/$run.rec")
	printf '%s\t%s\n' "$args" "$(sed -n 2p "$out/runs/$run.rec")"
done <"$out/runs/order" | awk -F'\t' '
function value(key) { return (key in kv) ? kv[key] : "" }
{
	delete kv
	n = split($2, pairs, " ")
	for (i = 1; i <= n; i++) {
		eq = index(pairs[i], "=")
		if (eq == 0) continue
		key = substr(pairs[i], 1, eq - 1)
		kv[key] = substr(pairs[i], eq + 1)
		if (!(key in known) && key != "workload" && key != "platform" && key != "policy") {
			known[key] = 1
			order[++nkeys] = key
		}
	}
	kv["translation_instret"] = value("map_instret") + value("unmap_instret") + value("protect_instret") + value("fault_instret")
	misses = value("itlb_misses") + value("dtlb_misses")
	kv["tlb_misses"] = misses
	kv["tlb_mpki"] = value("total_instret") > 0 ? sprintf("%.3f", misses * 1000 / value("total_instret")) : ""
	kv["walk_refs_per_miss"] = misses > 0 ? sprintf("%.2f", value("walk_refs") / misses) : ""
	row[NR] = sprintf("%s,%s,%s,\"%s\"", value("workload"), value("platform"), value("policy"), $1)
	for (k in kv) cell[NR, k] = kv[k]
	rows = NR
}
END {
	derived[1] = "translation_instret"; derived[2] = "tlb_misses"; derived[3] = "tlb_mpki"
	derived[4] = "walk_refs_per_miss"
	for (d = 1; d <= 4; d++) order[++nkeys] = derived[d]
	printf "workload,platform,policy,args"
	for (k = 1; k <= nkeys; k++) printf ",%s", order[k]
	printf "\n"
	for (r = 1; r <= rows; r++) {
		printf "%s", row[r]
		for (k = 1; k <= nkeys; k++) printf ",%s", ((r, order[k]) in cell) ? cell[r, order[k]] : ""
		printf "\n"
	}
}' >"$out/results.csv"

# column NAME: the CSV column number of NAME in results.csv.
column() {
	csv_column "$out/results.csv" "$1"
}

platforms=$(tail -n +2 "$out/results.csv" | cut -d, -f2 | awk '!seen[$0]++' | tr '\n' ' ')
workloads=$(tail -n +2 "$out/results.csv" | cut -d, -f1 | awk '!seen[$0]++' | tr '\n' ' ')

# series KEY: one line per workload, "name value-per-platform..." ("?" when missing).
series() {
	local col
	col=$(column "$1")
	awk -F, -v col="${col:-0}" -v platforms="$platforms" -v workloads="$workloads" '
	NR > 1 { v[$1 "," $2] = (col > 0 && $col != "") ? $col : "?" }
	END {
		np = split(platforms, p, " "); nw = split(workloads, w, " ")
		for (i = 1; i <= nw; i++) {
			printf "%s", w[i]
			for (j = 1; j <= np; j++) printf " %s", ((w[i] "," p[j]) in v) ? v[w[i] "," p[j]] : "?"
			printf "\n"
		}
	}' "$out/results.csv"
}

# table FIGURE...: a Markdown table, a row per workload, each cell "value on each
# backend" in platform order; a FIGURE is "csv column|heading|count, plain or bytes".
table() {
	local f w policy key format
	printf '| workload | policy |'
	for f in "$@"; do printf ' %s |' "$(cut -d'|' -f2 <<<"$f")"; done
	echo
	printf '| --- | --- |'
	for f in "$@"; do printf ' ---: |'; done
	echo
	for w in $workloads; do
		policy=$(awk -F, -v w="$w" '$1 == w { print $3; exit }' "$out/results.csv")
		printf '| %s | %s |' "$w" "$policy"
		for f in "$@"; do
			IFS='|' read -r key _ format <<<"$f"
			series "$key" | awk -v w="$w" -v format="$format" '
			function human(x) {
				if (x == "?") return "-"
				if (format == "plain") return x
				if (format == "bytes") {
					if (x >= 1048576) return sprintf("%.1f MiB", x / 1048576)
					if (x >= 1024) return sprintf("%.1f KiB", x / 1024)
					return x " B"
				}
				if (x >= 1000000) return sprintf("%.1f M", x / 1000000)
				if (x >= 1000) return sprintf("%.1f k", x / 1000)
				return x
			}
			$1 == w { s = human($2); for (i = 3; i <= NF; i++) s = s " / " human($i); printf " %s |", s }'
		done
		echo
	done
}

{
	echo "Each cell: $(sed 's/ $//; s/ / \/ /g' <<<"$platforms"), from \`make compare\` (SEED=1, \`-icount\`; model: $(awk -F, -v e="$(column tlb_entries)" -v w="$(column tlb_ways)" -v p="$(column pwc_entries)" 'NR == 2 { printf "%s-entry TLBs, %s-way, %s-entry walk cache", $e, $w, $p }' "$out/results.csv"))."
	echo
	table "total_instret|instructions|count" \
		"translation_instret|in translation management (kernel)|count" \
		"tlb_mpki|TLB misses / 1k instructions|plain" \
		"walk_refs_per_miss|walk references / miss|plain" \
		"dtlb_user_reach_bytes|user dTLB reach|bytes" \
		"table_bytes|table bytes|bytes"
	echo
	echo "The model's counts (docs/compare.md):"
	echo
	table "itlb_misses|iTLB misses|count" "dtlb_misses|dTLB misses|count" \
		"tlb_misses_user|misses in user mode|count" "walk_refs|walk references|count" \
		"pwc_hits|walks begun below the root|count" "itlb_user_reach_bytes|user iTLB reach|bytes"
} >"$out/results.md"

# The plots: a bar per backend, named as the kernel's stats line names it.
titles=$(for p in $platforms; do
	awk -F, -v p="$p" -v col="$(column backend)" '$2 == p { print $col; exit }' "$out/results.csv"
done | tr '\n' ' ')
plot() {
	local key=$1 ylabel=$2 log=$3
	series "$key" >"$out/$key.dat"
	gnuplot -e "datafile='$out/$key.dat'; output='$out/$key.png'; ylabel='$ylabel'; logscale=$log; \
		titles='$titles'" "$here/bars.gp"
}
plot translation_instret "instructions in map, unmap, protect and faults" 1
plot tlb_mpki "TLB misses per 1,000 instructions" 0
plot walk_refs_per_miss "memory references per walk" 0
plot table_bytes "bytes of translation tables at exit" 1
echo "compare: $out/results.csv, $out/results.md and $(ls "$out"/*.png | wc -l) plots in $out" >&2
