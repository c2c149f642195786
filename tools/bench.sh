#!/usr/bin/env bash
# make bench: boot one application on each backend under -icount with a
# fixed seed (so every count repeats exactly) and set the costs of
# translation side by side.  The application `bench` (the default) also runs
# the kernel's vmm microbenchmark (ktest=bench) and measures fault costs;
# any other application, or an outside binary (ELF=), is measured as a
# whole workload.  Prints each run's raw stats line, then one table.
#   usage: tools/bench.sh APP "PLATFORM..."
# The environment carries the make variables to pass on: ARGS, ENV, ELF, ROOT, MEM, POLICY.
set -u
app=$1
platforms=$2
bootargs=""
[ "$app" = bench ] && bootargs=ktest=bench

make_vars=(APP="$app" SEED=1)
[ -n "${ARGS+x}" ] && make_vars+=(ARGS="$ARGS")
for var in ENV ELF ROOT MEM POLICY; do
	[ -n "${!var:-}" ] && make_vars+=("$var=${!var}")
done

# run PLATFORM: the stats line and the application's "bench:" line (if any), on one line.
run() {
	local platform=$1 out cmd status stats
	make -s --no-print-directory image PLATFORM="$platform" "${make_vars[@]}" >&2 || return 1
	cmd=$(make -s --no-print-directory run-cmd PLATFORM="$platform" "${make_vars[@]}" BOOTARGS="$bootargs")
	out=$(sh -c "$cmd" </dev/null 2>&1)
	status=$?
	stats=$(grep '^stats: ' <<<"$out" | tail -1)
	if [ -z "$stats" ]; then
		tail -20 <<<"$out" >&2
		echo "bench: $platform: no stats line (exit status $status)" >&2
		return 1
	fi
	echo "$stats $(sed -n 's/^bench: //p' <<<"$out" | tail -1)"
}

# value LINE KEY: the number KEY= holds in LINE, or empty.
value() {
	sed -n "s/.* $2=\([0-9]*\).*/\1/p" <<<" $1"
}

# The rows of the table: a stats key, or "per:CALLS:INSTRET" for a cost per call.
rows=(exit boot_instret total_instret syscalls
	map_calls per:map_calls:map_instret unmap_calls per:unmap_calls:unmap_instret
	protect_calls per:protect_calls:protect_instret fault_calls per:fault_calls:fault_instret
	map4k_instret unmap4k_instret protect4k_instret map2m_instret fault4k_instret fault2m_instret
	switch_instret grant4k_instret revoke4k_instret grant1m_instret revoke1m_instret
	thread_switch_instret futex_handoff_instret signal_instret
	table_bytes tablet_meta_bytes cells frames_used_bytes)

declare -A line
failed=0
for platform in $platforms; do
	if ! line[$platform]=$(run "$platform"); then
		failed=1
		line[$platform]=""
		continue
	fi
	echo "${line[$platform]}"
	[ "$(value "${line[$platform]}" exit)" = 0 ] || failed=1
done

echo
printf '%-28s' "$app"
for platform in $platforms; do printf '%18s' "$platform"; done
echo
for row in "${rows[@]}"; do
	label=$row shown=0 cells=()
	for platform in $platforms; do
		if [[ $row == per:* ]]; then
			IFS=: read -r _ calls instret <<<"$row"
			label="${instret%_instret} instret/call"
			c=$(value "${line[$platform]}" "$calls") i=$(value "${line[$platform]}" "$instret")
			v=""
			[ -n "$c" ] && [ -n "$i" ] && [ "$c" -gt 0 ] && v=$((i / c))
		else
			v=$(value "${line[$platform]}" "$row")
		fi
		[ -n "$v" ] && shown=1
		cells+=("${v:--}")
	done
	[ "$shown" = 1 ] || continue
	printf '%-28s' "$label"
	printf '%18s' "${cells[@]}"
	echo
done
if [ "$failed" != 0 ]; then
	echo "bench: a run failed or its application exited non-zero; its figures do not count" >&2
	exit 1
fi
