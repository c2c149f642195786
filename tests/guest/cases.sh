# In-QEMU test cases, sourced by tests/run once per platform ($platform).
#  guest NAME PLATFORM APP ARGS BOOTARGS STATUS MAX_BOOT_INSTRET EXPECTED-OUTPUT...
# MAX_BOOT_INSTRET "-" skips the boot figure check.

# The foundation's figure: instructions from kernel entry to the first
# application instruction stay under 600,000 (Nanos: about 1,210,000).
guest hello "$platform" hello "world" "" 0 600000 \
	"Hello from hello world!" "hello: done" "stats: backend="

# The kernel command line adds to the build's arguments (after --) and sets
# the environment (KEY=VALUE words that are not the kernel's own).
guest hello-bootargs "$platform" hello "world" "GREETING=hi LANG=C ktest=timer -- from the kernel" 0 - \
	"Hello from hello world from the kernel!" "hello: env GREETING=hi" "hello: env LANG=C" \
	"ktest timer: 3 ticks"
# Console input (kernel/tty.c) before the program starts: DEL erases the c (echo "\b \b"), CR is
# read as NL, ^D on the empty line is the end of input; then ^C discards "x" and raises SIGINT, which
# the program (no handler) takes as it starts: 128 + 2.
GUEST_STDIN='abc\177d\r\004' guest hello-tty "$platform" hello "" "ktest=tty" 0 - \
	$'abc\b \bd\r\n' "ktest tty: read 4 'abd\\n'" "ktest tty: end of input" "hello: done"
GUEST_STDIN='x\003y\r\004' guest hello-tty-interrupt "$platform" hello "" "ktest=tty" 130 - \
	"x^C" "ktest tty: read 2 'y\\n'" "ktest tty: end of input" "signal 2 is not handled: the program ends with 130"
# The environment from the build (ENV=, kept in the image), before the kernel command line's.
GUEST_ENV="FROM_BUILD=yes" guest hello-env "$platform" hello "world" "LATER=1" 0 - \
	"hello: env FROM_BUILD=yes" "hello: env LATER=1"

# A binary from outside apps/: make ELF=... ARGS=... (a copy of hello under another name).
mkdir -p build/elf-test
[ -f "build/$platform/hello/hello.elf" ] && cp "build/$platform/hello/hello.elf" build/elf-test/greeter.elf
GUEST_ELF=build/elf-test/greeter.elf \
	guest elf-override "$platform" greeter "from outside" "" 0 - "Hello from greeter from outside!"

# A static-PIE: placed away from its link address, it relocates itself
# (apps/pie); a dynamically linked binary is refused with the reason.
guest pie "$platform" pie "relocated" "" 0 - "pie: argv[1]=relocated" "pie: cells and tablets agree: static-PIE ok"
riscv64-linux-gnu-gcc -O2 apps/hello/hello.c -o build/elf-test/dynhello.elf
GUEST_ELF=build/elf-test/dynhello.elf guest dynamic-refused "$platform" dynhello "" "" 127 - \
	"elf: not loadable: dynamically linked; build with -static or -static-pie" \
	"cannot start the application: error -8" "boot_instret=0 "

# The same image through the boot path of a board: OpenSBI, U-Boot, extlinux.
GUEST_BOOT=run-image-cmd guest hello-uboot "$platform" hello "world" "" 0 600000 \
	"Starting kernel ..." "Hello from hello world!" "hello: done"

# Faults in the application: reported with cause, pc and address; the
# application ends with the status a shell shows for the signal.
guest crash-null "$platform" crash null "" 139 - \
	"user fault: load page fault (scause 13) at pc" ", address 0" "exit=139"
guest crash-kernel-address "$platform" crash kernel "" 139 - \
	"user fault: store page fault" "address 0xffff800080200000"
guest crash-exec-data "$platform" crash exec "" 139 - \
	"user fault: instruction page fault"
guest crash-illegal "$platform" crash illegal "" 132 - \
	"user fault: illegal instruction (scause 2)"
guest crash-bad-pointers "$platform" crash badptr "" 0 - \
	"write from NULL: EFAULT" "write from a kernel address: EFAULT" \
	"write from an unmapped address: EFAULT" "getrandom into NULL: EFAULT" \
	"getrandom into text: EFAULT" "fstat into a kernel address: EFAULT" \
	"prlimit64 old limit into address 1: EFAULT" "readlinkat path at NULL: EFAULT"

# Demand paging from the application's side: a 1 GiB mapping touched once
# per MiB, a MAP_HUGETLB mapping, data kept across mprotect.
guest memtest-sparse "$platform" memtest "sparse 1024" "" 0 - \
	"memtest: sparse 1024 MiB: 1024 pages touched, ok"
guest memtest-protect "$platform" memtest "protect" "" 0 - \
	"memtest: protect: 16 pages kept their data read-only, ok" \
	"memtest: madvise: MADV_DONTNEED pages read as zero, ok"
# More than all of RAM at once: ENOMEM, not a fault later.
guest memtest-toobig "$platform" memtest "toobig" "" 0 - "memtest: toobig: 64 GiB refused with ENOMEM, ok"
# Running out: malloc, mmap and brk fail with ENOMEM (the commit limit), the
# data already written stays, and freed memory can be had again.
GUEST_MEM=128M guest memtest-oom "$platform" memtest "oom" "" 0 - \
	"memtest: oom: ENOMEM after " "data intact; freed and filled again" ", ok"
# The stack runs into its guard page: reported, the program ends with 139, the kernel goes on
# to print its statistics.
# The stack's top is drawn at random (kernel/exec.c), so only the report is checked.
guest memtest-guard "$platform" memtest "guard" "" 139 - \
	"memtest: guard: recursing" "stack: overflow into the guard page at 0x" \
	"user fault: store page fault" "exit=139"
# MAP_HUGETLB wherever mmap places it: 4 MiB written page by page.
if [ "$platform" = riscv64 ]; then
	# Two faults, one 2 MiB data tablet each.
	guest memtest-huge "$platform" memtest "huge 4" "" 0 - \
		"memtest: huge 4 MiB at 0x" "1024 pages written, ok" "stat:hugeheap_faults=2"
else
	guest memtest-huge "$platform" memtest "huge 4" "" 0 - \
		"memtest: huge 4 MiB at 0x" "1024 pages written, ok"
fi
# MAP_HUGETLB placed by the kernel and at a MAP_FIXED 2 MiB-aligned address (a 4 KiB-aligned one
# is EINVAL); munmap of half a huge mapping works at a 2 MiB boundary and is EINVAL at a 4 KiB one.
guest memtest-hugeplace "$platform" memtest "hugeplace" "" 0 - \
	"memtest: hugeplace: placed at a 2 MiB boundary and at fixed 0x3000000000, 4 MiB each, ok"
guest memtest-hugecut "$platform" memtest "hugecut" "" 0 - \
	"memtest: hugecut: 4 KiB cuts EINVAL, the 2 MiB cut works, ok"
# PROT_NONE over touched pages keeps them (held) and mprotect brings them back with their data;
# a read while they are PROT_NONE faults and ends the program with 139.
guest memtest-hold "$platform" memtest "hold" "" 0 - \
	"memtest: hold: 16 pages kept their data through PROT_NONE, ok"
guest memtest-holdtouch "$platform" memtest "holdtouch" "" 139 - \
	"memtest: holdtouch: reading a PROT_NONE page at 0x" "user fault: load page fault" "exit=139"

# Time, uname, sysinfo, signal bookkeeping and futexes, bad pointers included;
# the wall clock against the host's (the real-time clock read at boot).
guest systest "$platform" systest "$(date +%s)" "" 0 - "systest: 20 ms passed: ok" \
	"systest: clock_gettime into a bad pointer is EFAULT: ok" \
	"systest: CLOCK_REALTIME within 10 minutes of the host's: ok" \
	"systest: the year is 2025 or later: ok" "systest: all ok"

# 10,000 system calls with hostile arguments, each refused as Linux would; the kernel goes on.
guest abuse "$platform" abuse 10000 "" 0 - \
	"abuse: 10000 calls, 0 not refused as Linux would; kernel still serving"

# The comparison workloads, sized for the test run (their ARGS set the size):
# Threads on one hart (apps/threads): producers and consumers over a mutex
# and condition variables, a barrier, thread-local counters, timed waits,
# preemption of a thread that never makes a call, refusals; and a program
# whose threads all wait forever ends, reported, instead of hanging.
guest threads "$platform" threads "4 20000" "" 0 - \
	"threads: ok 4 producers, 4 consumers, 80000 items, sum 200800640000"
guest threads-deadlock "$platform" threads "deadlock" "" 137 - \
	"sched: every thread (2) waits, with no timeout"

# Signals (apps/signals): handlers for faults that repair the page and resume,
# a ucontext changed by the handler, kill/tgkill/raise, masks and pending
# signals, SA_NODEFER, SA_RESETHAND, SA_ONSTACK, SA_RESTART and EINTR,
# ITIMER_REAL and alarm, refusals; default termination; a forged
# rt_sigreturn frame and a handler in the kernel both end the program.
guest signals "$platform" signals "all" "" 0 - "signals: ok"
guest signals-default-term "$platform" signals "default-term" "" 143 - \
	"signal 15 is not handled: the program ends with 143"
guest signals-forged-return "$platform" signals "forged-return" "" 139 - \
	"rt_sigreturn's frame points into the kernel"
guest signals-bad-handler "$platform" signals "bad-handler" "" 139 - \
	"user fault: instruction page fault (scause 12) at pc 0xffff800080200000"

# Waiting (apps/waiting), to Linux's semantics (it passes natively on Linux):
# blocking pipes (readers and writers woken by other threads, EOF, EPIPE and
# SIGPIPE), poll/ppoll, select/pselect, epoll (refusals, an epoll loop,
# level/edge/one-shot, nesting, wake-ups), eventfd, and signals that
# interrupt a wait (EINTR) or restart a pipe read or write (SA_RESTART).
guest waiting "$platform" waiting "all" "" 0 - \
	"waiting: ok pipes" "waiting: ok interrupted-pipes" "waiting: ok poll" \
	"waiting: ok ppoll" "waiting: ok select" "waiting: ok epoll" \
	"waiting: ok epoll-events" "waiting: ok eventfd"
# The console as a file to poll, epoll and read; and a thread alone on an empty pipe.
GUEST_STDIN='hello\rsecond\r\004' guest waiting-console "$platform" waiting "console" "" 0 - \
	"waiting: ok console"
# The cost of a wait (make bench APP=waiting ARGS=bench prints it for the README).
guest waiting-bench "$platform" waiting "bench" "" 0 - "bench: pipe_handoff_instret="
guest waiting-deadlock "$platform" waiting "deadlock" "" 137 - \
	"sched: every thread (1) waits, with no timeout, for a futex, pipe"

# 128 MiB of heap used densely, random pages of a 4 GiB mapping, a key-value store.
guest dense "$platform" dense 128 "" 0 - "dense: 128 MiB, sum 13585499990528098304, ok"
guest sparse "$platform" sparse "4096 2048" "" 0 - "sparse: 2048 pages of 4096 MiB, ok"
guest kv "$platform" kv "50000 20000" "" 0 - "kv: 50000 ops," ", ok"

# Allocation churn: malloc/free, mmap/munmap, mremap growing, moving and shrinking.
guest churn "$platform" churn 5000 "" 0 - "churn: 5000 rounds, checksum"

# A real program: the unmodified Lua 5.4.4 interpreter running a self-checking script.
guest lua "$platform" lua "/test.lua" "" 0 - "lua: sum of the primes below 10000 ok" \
	"lua: io.lines ok" "lua: all ok"
# A real multi-threaded program: the unmodified zstd 1.5.4 (Debian's libzstd
# source, apps/zstd/build.sh) benchmarks itself on 10 MB of generated data at
# level 1 with 4 worker threads: it compresses (5 jobs of 2 MiB over the 4
# workers; the size 3152996 is the multi-threaded format's, the 1-thread run
# below gives 3154228), decompresses and compares the result's checksum with
# the original's.  A mismatch prints a warning ending in a newline just before
# the level's closing " 1#"; only a clean run has the progress line's carriage
# return right before it (the exit status stays 0 either way).
guest zstd-threads "$platform" zstd "-T4 -b1 -i1" "" 0 - \
	"10000000 ->   3152996 (x3.172)" $'\r 1#'
guest zstd-single "$platform" zstd "-T1 -b1 -i1" "" 0 - \
	"10000000 ->   3154228 (x3.170)" $'\r 1#'
# The same interpreter as an outside binary with an outside file tree (make ELF= ROOT=).
mkdir -p build/elf-test/scripts/data
# (With ONLY= the lua case may not have run, and then there is nothing to copy.)
[ -f "build/$platform/lua/lua.elf" ] && cp "build/$platform/lua/lua.elf" build/elf-test/lua-outside.elf
printf 'local f = assert(io.open("/data/n.txt"))\nlocal n = tonumber(f:read("l"))\nprint(("outside: %%d squared is %%d"):format(n, n * n))\n' \
	>build/elf-test/scripts/main.lua
echo 12 >build/elf-test/scripts/data/n.txt
# Console input to a real program: Lua reads its script from stdin, typed at the console.
GUEST_STDIN='print(6*7)\rprint("typed " .. "in")\r\004' guest lua-stdin "$platform" lua "-" "" 0 - \
	"42" "typed in"
GUEST_ELF=build/elf-test/lua-outside.elf GUEST_ROOT=build/elf-test/scripts \
	guest elf-root "$platform" lua-outside "/main.lua" "" 0 - "outside: 12 squared is 144"

# Kernel self-tests (kernel/selftest.h).
guest ktest-fault "$platform" hello "world" "ktest=fault" 1 - \
	"panic: kernel trap: load page fault (scause 0xd)" \
	"sepc  0xffff" "<selftest_kernel_fault+" "stval 0xffff800000000100"
guest ktest-timer "$platform" hello "world" "ktest=timer" 0 - \
	"ktest timer: 3 ticks" "Hello from hello world!"
if [ "$platform" = riscv64 ]; then
	# A rental of 20 ms: readable while it runs, gone within one tick after, then a fault.
	guest ktest-expiry "$platform" hello "world" "ktest=expiry" 0 - \
		"read 0x5e11ab1e5ca1ab1e (0)" "read then: -14" "ktest expiry: within one tick" \
		"ktest expiry: passed (0)" "stat:expired=1"
	# Two views of a space, each on its own root and ASID (segment/selftest.c).
	guest ktest-views "$platform" hello "world" "ktest=views" 0 - \
		"view 0 read 0x71e3500d71e3500d (0) store 0; view 1 read 0x71e3500d71e3500d (0) store -14" \
		"view 1 on view 0's page: read -14" "ktest views: passed (0)"
fi

# Files: /tmp and the working directory, the image's tree (apps/filetest/root), devices, pipes.
GUEST_STDIN='\004' guest filetest "$platform" filetest "" "" 0 - \
	"filetest: statx: fields, dirfd, AT_EMPTY_PATH, flags, EINVAL, EFAULT: ok" \
	"filetest: mmap of files: private, offset, shared read-only, EINVAL, ENODEV, EACCES: ok" \
	"filetest: all ok"

# Compartments and their policies (apps/isolation, cryptsrv, broker, kvsplit, compbench).
# shellcheck source=tests/guest/compartments.sh
. tests/guest/compartments.sh

# The attack suite (apps/attack): what a hostile program tries, one file per area.
for attack_cases in tests/guest/attacks/*.sh; do
	# shellcheck source=/dev/null
	. "$attack_cases"
done
