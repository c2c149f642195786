#!/usr/bin/env bash
# `make debug`: boot an image under QEMU's gdb stub, stopped before its first
# instruction (the reset vector, before OpenSBI), and attach gdb-multiarch
# with the kernel's symbols and the application's.
#   usage: tools/debug.sh "QEMU COMMAND" KERNEL_ELF APP_ELF
# QEMU COMMAND is `make run`'s own (make run-cmd), with one change, below.
# GDB_PORT=N listens there instead of on a free port chosen here.
# GDB_BATCH=FILE runs gdb without a terminal on that command file and exits
# with gdb's status (tests/run's debug cases use tools/debug-check.gdb).
# QEMU is killed when gdb exits, however it exits.
set -u
qemu_cmd=$1 kernel=$2 app=$3
for f in "$kernel" "$app"; do
	[ -r "$f" ] || { echo "debug: $f: not readable" >&2; exit 2; }
done
command -v gdb-multiarch >/dev/null || { echo "debug: gdb-multiarch missing (make deps)" >&2; exit 2; }

# QEMU 7.2's gdb stub hangs the emulator (the vCPU spins, the monitor stops
# answering) on the continue after a breakpoint reached a few instructions
# after the previous resume, which every continue from a breakpoint does
# (gdb steps over it first), when -icount runs with sleep=off.  With
# sleep=on the instruction count is the same (shift=0: one instruction, one
# nanosecond); only idle time (wfi) passes in real time instead of being
# skipped.  tests/run's debug cases check that the stats line is the same
# as under `make run`.
case "$qemu_cmd" in
*sleep=off*) qemu_cmd=${qemu_cmd/sleep=off/sleep=on} ;;
esac

port=${GDB_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
case "$port" in
'' | *[!0-9]*) echo "debug: no free TCP port (GDB_PORT=$port)" >&2; exit 2 ;;
esac
run_dir=$(mktemp -d "${TMPDIR:-/tmp}/slate-debug.XXXXXX")
pidfile=$run_dir/qemu.pid

stop_qemu() {
	local pid
	pid=$(cat "$pidfile" 2>/dev/null) || pid=""
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null
		# QEMU may not honour SIGTERM while its gdb stub holds the CPU.
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null
	fi
	rm -rf "$run_dir"
}
trap stop_qemu EXIT
# Ctrl-C is gdb's (it stops the guest); the script and QEMU must survive it.
trap : INT

# Its own session: the terminal's Ctrl-C reaches gdb, not QEMU.  The guest's
# console stays on this terminal; its input is not (gdb has the terminal).
# shellcheck disable=SC2086 # the command is a word list on purpose
setsid $qemu_cmd -S -gdb "tcp:127.0.0.1:$port" -pidfile "$pidfile" </dev/null &
for _ in $(seq 50); do
	[ -s "$pidfile" ] && break
	sleep 0.1
done
[ -s "$pidfile" ] || { echo "debug: QEMU did not start" >&2; exit 1; }

# The kernel runs at its link addresses (platform/riscv64/kernel.ld: the
# upper half) from entry.S's boot_high on; only the few instructions before
# it run at the physical address OpenSBI jumps to (break *0x80200000).
# A static application runs at its link addresses; a static-PIE is placed
# by the kernel at a random base, learnt from the entry point enter_user
# is given.
gdbinit=$run_dir/session.gdb
{
	echo "set pagination off"
	echo "set confirm off"
	# A user symbol of a static-PIE exists only once its base is known.
	echo "set breakpoint pending on"
	echo "file $kernel"
	if LC_ALL=C riscv64-unknown-elf-readelf -h "$app" | grep -q 'Type: *DYN'; then
		entry=$(LC_ALL=C riscv64-unknown-elf-readelf -h "$app" | sed -n 's/.*Entry point address: *//p')
		echo "tbreak enter_user"
		echo "commands"
		echo "  silent"
		echo "  add-symbol-file $app -o \$a0-$entry"
		echo "  continue"
		echo "end"
	else
		echo "add-symbol-file $app"
	fi
	echo "target remote 127.0.0.1:$port"
} >"$gdbinit"

echo "debug: QEMU's gdb stub on 127.0.0.1:$port, stopped at the reset vector"
echo "debug: symbols: $kernel (kernel), $app (application)"
if [ -n "${GDB_BATCH:-}" ]; then
	gdb-multiarch -q -nx -batch -x "$gdbinit" -x "$GDB_BATCH" </dev/null 2>&1
else
	gdb-multiarch -q -nx -x "$gdbinit"
fi
