#!/usr/bin/env bash
# make compare: run workloads on each backend under -icount with SEED=1, with
# the translation model (tools/tlbmodel) plugged into our emulator, and keep
# per run its log, the kernel's stats line, the application's bench: line
# and the model's line, as one record (OUT/runs/NAME.PLATFORM.rec: the
# arguments, then a line of key=value).  Then tools/compare/report.sh makes the CSV, the table and the
# plots, and (unless SCALE=no) tools/compare/scale.sh the scaling study.
#   usage: tools/compare/compare.sh OUT "PLATFORM..."
# Environment (the make variables): APPS (names from tools/compare/workloads,
# or any application of apps/ at its own arguments), ELF (one outside
# binary, with ARGS and ROOT), ARGS (for a single application), POLICY,
# TLB_ENTRIES, TLB_WAYS, PWC_ENTRIES (the model's shape), SCALE.
# Progress (run, workload, backend, seconds) goes to stderr.
set -u
out=$1
platforms=$2
here=tools/compare
qemu=$(cat build/qemu-cells.path) || exit 1
plugin=build/tlbmodel/tlbmodel.so
plugin_args=out
model_opts=""
[ -n "${TLB_ENTRIES:-}" ] && model_opts+=",tlb_entries=$TLB_ENTRIES"
[ -n "${TLB_WAYS:-}" ] && model_opts+=",tlb_ways=$TLB_WAYS"
[ -n "${PWC_ENTRIES:-}" ] && model_opts+=",pwc_entries=$PWC_ENTRIES"

# The runs: lines of "name app policy args" (policy and args "-" for the app's own).
select_workloads() {
	local name line
	if [ -n "${ELF:-}" ]; then
		name=$(basename "$ELF")
		echo "${name%.*} ${name%.*} - -"
		return
	fi
	if [ -z "${APPS:-}" ]; then
		grep -v '^#' "$here/workloads" | grep -v '^[[:space:]]*$'
		return
	fi
	for name in $APPS; do
		line=$(awk -v n="$name" '$1 == n' "$here/workloads")
		if [ -n "$line" ]; then
			echo "$line"
		elif [ -f "apps/$name/app.mk" ]; then
			echo "$name $name - -"
		else
			echo "compare: '$name' is neither a workload of $here/workloads nor an application of apps/" >&2
			return 1
		fi
	done
}

runs=$(select_workloads) || exit 2
mkdir -p "$out/runs"
rm -f "$out"/*.png "$out"/*.dat "$out"/scale.*
rm -f "$out"/runs/*
: > "$out/runs/order"
total=$(( $(wc -l <<<"$runs") * $(wc -w <<<"$platforms") ))
done_runs=0
failed=0
while read -r name app policy args; do
	vars=(APP="$app" SEED=1)
	# One application (APPS=x or ELF=) takes ARGS (even empty) and POLICY from the command line.
	if [ -n "${ELF:-}" ] || [ "$(wc -w <<<"${APPS:-}")" = 1 ]; then
		[ -n "${ARGS+x}" ] && args=- && vars+=(ARGS="$ARGS")
		[ -n "${POLICY:-}" ] && policy=$POLICY
	fi
	[ "$args" != - ] && vars+=(ARGS="$args")
	[ "$policy" != - ] && vars+=(POLICY="$policy")
	[ -n "${ELF:-}" ] && vars+=(ELF="$ELF")
	[ -n "${ROOT:-}" ] && vars+=(ROOT="$ROOT")
	for platform in $platforms; do
		done_runs=$((done_runs + 1))
		printf '[%d/%d] %-12s %-14s ' "$done_runs" "$total" "$name" "$platform" >&2
		start=$(date +%s%N)
		base=$out/runs/$name.$platform
		if ! make -s --no-print-directory image PLATFORM="$platform" "${vars[@]}" >"$base.build" 2>&1; then
			echo "the image did not build (see $base.build)" >&2
			failed=1
			continue
		fi
		used_policy=$(cat "build/$platform/$app/policy.txt" 2>/dev/null || echo flat)
		used_args=$(head -n 1 "build/$platform/$app/app_args.txt" | cut -d' ' -f2-)
		cmd=$(make -s --no-print-directory run-cmd PLATFORM="$platform" "${vars[@]}" QEMU="$qemu")
		sh -c "$cmd -plugin $plugin,$plugin_args=$base.model$model_opts" </dev/null >"$base.log" 2>&1
		# The console ends its lines with CR LF.
		stats=$(tr -d '\r' <"$base.log" | grep -a '^stats: ' | tail -1 | sed 's/^stats: //')
		bench=$(tr -d '\r' <"$base.log" | grep -a '^bench: ' | tail -1 | sed 's/^bench: //')
		model=$(sed 's/^model: //' "$base.model" 2>/dev/null)
		seconds=$(( ($(date +%s%N) - start) / 100000000 ))
		if [ -z "$stats" ] || [ -z "$model" ] || ! grep -q ' exit=0 ' <<<" $stats "; then
			echo "FAILED after $((seconds / 10)).$((seconds % 10)) s (see $base.log)" >&2
			tail -5 "$base.log" >&2
			failed=1
			continue
		fi
		echo "$((seconds / 10)).$((seconds % 10)) s" >&2
		# Line 1 the arguments as given (they may hold spaces), line 2 the figures.
		printf '%s\nworkload=%s platform=%s policy=%s %s %s %s\n' "$used_args" "$name" "$platform" \
			"$used_policy" "$stats" "$bench" "$model" >"$base.rec"
		echo "$name.$platform" >>"$out/runs/order"
	done
done <<<"$runs"

"$here/report.sh" "$out" || failed=1
if [ "${SCALE:-yes}" != no ]; then
	"$here/scale.sh" "$out" "$platforms" || failed=1
fi
[ "$failed" = 0 ] || echo "compare: a run failed; its row is missing from $out/results.csv" >&2
exit $failed
