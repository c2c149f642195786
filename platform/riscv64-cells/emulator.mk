# The emulator PLATFORM=riscv64-cells runs on: QEMU 7.2 with SATP mode 15
# (qemu/build.sh builds it from Debian's source, about 5-10 minutes, and caches
# it outside the clone).  A make step, so that a build shows up as one: its
# target records the binary's path, and is remade when the patch or the script
# changes (they make the cache key) or the binary it names is gone.  Included
# whatever the platform, for `make qemu-cells`.
QEMU_CELLS_PATH   := build/qemu-cells.path
QEMU_CELLS_INPUTS := platform/riscv64-cells/qemu/build.sh platform/riscv64-cells/qemu/seccells.patch
QEMU_CELLS_GONE   := $(if $(wildcard $(file < $(QEMU_CELLS_PATH))),,FORCE)

# build.sh logs to stderr ("no cached binary" opens a real build) and prints
# the path last on stdout; stdout stays clean for `make -s run-cmd`.
$(QEMU_CELLS_PATH): $(QEMU_CELLS_INPUTS) $(QEMU_CELLS_GONE)
	@mkdir -p $(@D)
	@{ platform/riscv64-cells/qemu/build.sh 2>&1 >$@.new; } | \
	    awk '/no cached binary/ { print "building the SecureCells emulator (about 5-10 minutes)" } \
	         { print; fflush() }' >&2
	@bin=$$(tail -n 1 $@.new); rm -f $@.new; \
	    if [ -x "$$bin" ]; then printf '%s\n' "$$bin" > $@; \
	    else echo "the SecureCells emulator could not be built (see above)" >&2; exit 1; fi
