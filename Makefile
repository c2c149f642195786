# Build, run and test the unikernel.  `make help` lists the targets.
#
# PLATFORM selects the MMU backend that is linked (and so the SATP mode);
# APP selects the application embedded in the image.  The kernel's objects are
# compiled once per platform, under build/PLATFORM/obj/, and shared by every
# application; what is the application's own (its ELF, the blob that carries
# it, the symbol table and the links) goes under build/PLATFORM/APP/.  Host
# tests go under build/host/.

PLATFORM ?= riscv64
APP      ?= hello
# ELF=/path/to/binary packs a static binary that has no folder under apps/
# (ROOT=/path/to/files gives it a file tree); the build directory is named
# after the binary.
ifneq ($(ELF),)
  APP := $(basename $(notdir $(ELF)))
endif
MEM      ?= 512M

PLATFORMS := riscv64 riscv64-cells
BUILD     := build/$(PLATFORM)/$(APP)
KOBJ      := build/$(PLATFORM)/obj
HOSTBUILD := build/host

ifeq ($(filter $(PLATFORM),$(PLATFORMS)),)
  $(error unknown PLATFORM '$(PLATFORM)'; choose one of: $(PLATFORMS))
endif
ifeq ($(APP),obj)
  $(error APP=obj: build/$(PLATFORM)/obj holds the kernel's shared objects; rename the application)
endif

.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
.SECONDEXPANSION:

include segment/segment.mk secure-cells/cells.mk platform/riscv64-cells/emulator.mk
include platform/$(PLATFORM)/platform.mk
QEMU ?= qemu-system-riscv64
include kernel/kernel.mk
include vmm/vmm.mk
include compart/compart.mk
include apps/apps.mk
include policies/policies.mk
include tools/tlbmodel/tlbmodel.mk
include tests/host/host.mk

# ---------------------------------------------------------------- kernel ---
CROSS    := riscv64-unknown-elf-
KCC      := $(CROSS)gcc
# picolibc's release build: its default one is size-optimised (byte-wise memset).
# Compile with the CSR extensions named (GCC 12 needs them); link with plain
# rv64imac so that picolibc's soft-float lp64 multilib is the one chosen.
KCFLAGS  := --specs=picolibc.specs --picolibc-buildtype=release -march=rv64imac_zicsr_zifencei -mabi=lp64 \
            -mcmodel=medany -std=gnu11 -O2 -g -ffreestanding -fno-common \
            -fno-omit-frame-pointer -ffunction-sections -fdata-sections \
            -fno-strict-aliasing -Wall -Wextra -Werror -Wno-unused-parameter \
            -I. $(PLATFORM_INCLUDES) -MMD -MP
KLDFLAGS := --specs=picolibc.specs --picolibc-buildtype=release -march=rv64imac -mabi=lp64 -nostartfiles \
            -DPICOLIBC_INTEGER_PRINTF_SCANF -T $(PLATFORM_LDSCRIPT) \
            -Wl,--gc-sections -Wl,--no-warn-rwx-segments

# Files a platform builds with extra flags (PLATFORM_CFLAGS_path/to/file.c).
$(KOBJ)/%.c.o: KCFLAGS += $(PLATFORM_CFLAGS_$*.c)

# The kernel: compiled once per platform, whatever the application.
KSRCS := $(PLATFORM_SRCS) $(KERNEL_SRCS) $(VMM_SRCS) $(COMPART_SRCS) $(POLICY_SRCS)
KOBJS := $(patsubst %,$(KOBJ)/%.o,$(KSRCS))

$(KOBJ)/%.c.o: %.c
	@mkdir -p $(@D)
	$(KCC) $(KCFLAGS) -c $< -o $@

$(KOBJ)/%.S.o: %.S
	@mkdir -p $(@D)
	$(KCC) $(KCFLAGS) -D__ASSEMBLY__ -c $< -o $@

# The application rides in the image as a blob, with its command line and
# the archive of apps/APP/root/ (empty without that folder).
$(BUILD)/app_blob.o: kernel/app_blob.S $(APP_ELF) $(BUILD)/app_args.txt $(BUILD)/app_elf.txt \
                     $(BUILD)/root.img
	@mkdir -p $(@D)
	$(KCC) $(KCFLAGS) -D__ASSEMBLY__ -DAPP_ELF_PATH='"$(APP_ELF)"' \
	    -DAPP_ARGS_PATH='"$(BUILD)/app_args.txt"' -DAPP_ROOT_PATH='"$(BUILD)/root.img"' -c $< -o $@

# The name of the image's policy (policies/policies.mk), beside the blob.
$(BUILD)/image_policy.o: policies/image_name.S $(BUILD)/policy.txt
	@mkdir -p $(@D)
	$(KCC) $(KCFLAGS) -D__ASSEMBLY__ -DIMAGE_POLICY_NAME='"$(POLICY)"' -c $< -o $@

# Rewritten (by the script) only when the tree's contents change.
$(BUILD)/root.img: tools/mkroot.sh FORCE
	@tools/mkroot.sh $(APP_ROOT) $@

# Each rewritten only when its value changes, so the image is rebuilt exactly then.
# app_args.txt: the command line, then on a second line the environment (ENV).
$(BUILD)/app_args.txt: FORCE
	@mkdir -p $(@D)
	@printf '%s\n%s' '$(APP_NAME) $(ARGS)' '$(ENV)' | cmp -s - $@ || \
	    printf '%s\n%s' '$(APP_NAME) $(ARGS)' '$(ENV)' > $@
$(BUILD)/app_elf.txt: FORCE
	@mkdir -p $(@D)
	@printf '%s' '$(APP_ELF)' | cmp -s - $@ || printf '%s' '$(APP_ELF)' > $@
$(BUILD)/policy.txt: FORCE
	@mkdir -p $(@D)
	@printf '%s' '$(POLICY)' | cmp -s - $@ || printf '%s' '$(POLICY)' > $@

# Two links: the first fixes every address, the second adds the symbol table
# (placed last, so nothing before it moves) that panic reports use.  Both are
# the application's own: its blob sits inside the image.
$(BUILD)/kernel.pass1.elf: $(KOBJS) $(BUILD)/app_blob.o $(BUILD)/image_policy.o $(KOBJ)/ksyms.empty.o \
                          $(PLATFORM_LDSCRIPT)
	$(KCC) $(KLDFLAGS) $(KOBJS) $(BUILD)/app_blob.o $(BUILD)/image_policy.o $(KOBJ)/ksyms.empty.o -o $@

$(KOBJ)/ksyms.empty.o: tools/ksyms-empty.S
	@mkdir -p $(@D)
	$(KCC) $(KCFLAGS) -c $< -o $@

$(BUILD)/ksyms.S: $(BUILD)/kernel.pass1.elf tools/mksyms.sh
	tools/mksyms.sh $(CROSS)nm $< > $@

$(BUILD)/ksyms.o: $(BUILD)/ksyms.S
	$(KCC) $(KCFLAGS) -c $< -o $@

$(BUILD)/kernel.elf: $(BUILD)/kernel.pass1.elf $(BUILD)/ksyms.o
	$(KCC) $(KLDFLAGS) $(KOBJS) $(BUILD)/app_blob.o $(BUILD)/image_policy.o $(BUILD)/ksyms.o -o $@
	tools/check-same-layout.sh $(CROSS)nm $(BUILD)/kernel.pass1.elf $@

$(BUILD)/Image: $(BUILD)/kernel.elf
	$(CROSS)objcopy -O binary $< $@

# A disk image U-Boot boots: MBR, FAT, extlinux.conf and the Image above.
$(BUILD)/$(APP).img: $(BUILD)/Image tools/mkimage.sh
	tools/mkimage.sh $< $(APP) $@

-include $(wildcard $(BUILD)/*.d) $(shell find $(KOBJ) -name '*.d' 2>/dev/null)

# ------------------------------------------------------------------- run ---
# CPU: QEMU's -cpu; rv64,x-seccells-user-csrs=on gives our emulator the
# reference emulator's U-mode access to the division registers (tests).
CPU        ?= rv64
QEMU_FLAGS := -machine virt -cpu $(CPU) -smp 1 -m $(MEM) -nographic -bios default \
              -icount shift=0,sleep=off -no-reboot $(PLATFORM_QEMU_FLAGS)

.PHONY: help deps image run debug run-image run-image-cmd run-cmd print-platforms print-fuzzers bench bench-scale compare compare-sweep qemu-cells test test-host host-test-bins fuzz clean FORCE

help:
	@echo "make run       [PLATFORM=$(PLATFORM)] [APP=$(APP)] [ARGS=...] [MEM=$(MEM)]  boot APP under QEMU; exits with its status"
	@echo "make test      host unit tests and in-QEMU tests; ends with 'N passed, N failed'"
	@echo "make bench     [APP=... | ELF=...] [ARGS=...] [PLATFORM=...]  one application on both backends,"
	@echo "               its instruction counts side by side (default: the vmm microbenchmark)"
	@echo "make bench-scale [PLATFORM=...]  map/fault/protect/unmap cost at 16 to 16,384 live mappings"
	@echo "make compare   [APPS=\"kv lua\" | ELF=...] [PLATFORM=...] [TLB_ENTRIES=32 TLB_WAYS=32 PWC_ENTRIES=8]"
	@echo "               [SCALE=no]  workloads on both backends with a model of the TLB and walks:"
	@echo "               build/compare/results.csv, results.md, plots (docs/compare.md)"
	@echo "make compare-sweep [APPS=...] [SIZES=\"8 16 32 64 128 256\"]  the same at each TLB size:"
	@echo "               build/compare/sweep/sweep.csv and sweep.png"
	@echo "make image     build $(BUILD)/Image (kernel + application, RISC-V Linux image header)"
	@echo "               and $(BUILD)/$(APP).img (a disk image U-Boot boots); the kernel's objects,"
	@echo "               in $(KOBJ)/, are compiled once per platform and shared by every APP"
	@echo "make run-image boot that disk image through OpenSBI and U-Boot"
	@echo "make debug     [PLATFORM=...] [APP=... | ELF=...] [ARGS=...]  boot under QEMU's gdb stub, stopped at"
	@echo "               the first instruction, and attach gdb-multiarch with the kernel's and APP's symbols"
	@echo "make test-host only the host unit tests (gcc, ASan/UBSan)"
	@echo "make fuzz      [SECONDS=300]  every libFuzzer fuzzer ($(FUZZERS)) for SECONDS each"
	@echo "make deps      install the Debian packages the build needs (no-op when present)"
	@echo "make qemu-cells  build (about 5-10 minutes, once) or find in ~/.cache/slate the SecureCells QEMU;"
	@echo "               prints its path (runs on riscv64-cells depend on it; QEMU=/path runs another)"
	@echo "make clean     remove build/"
	@echo "POLICY=name   (run, debug, image, run-image, bench) the compartment policy the image runs;"
	@echo "               default: the application's APP_POLICY, else flat (docs/policies.md)"
	@echo "platforms: $(PLATFORMS)   applications: $(APPS)"
	@echo "policies:"
	@for p in $(POLICIES); do printf '  %-16s %s\n' "$$p" "$$(sed -n '$(POLICY_SUMMARY_SED)' policies/$$p.c)"; done

deps:
	@tools/deps.sh

image: $(BUILD)/Image $(BUILD)/$(APP).img

# BOOTARGS reaches the kernel as /chosen/bootargs (ktest=... runs a kernel self-test).
# SEED makes the guest's entropy (/chosen/rng-seed) fixed, so that instruction
# counts repeat exactly (tablet IDs steer hash probes); without it every boot
# draws fresh entropy, as the unguessable IDs and MAC key need.
# RTC_BASE=YYYY-MM-DDTHH:MM:SS starts the wall clock (the RTC the kernel reads
# at boot) there and runs it on the instruction clock, so that a program
# that reads the date counts the same instructions on every run; the
# benchmarks and make compare set BENCH_RTC_BASE.  Without it the guest sees
# the host's date.
comma := ,
BENCH_RTC_BASE := 2026-01-01T00:00:00
QEMU_CMD = $(QEMU) $(QEMU_FLAGS) $(if $(SEED),-seed $(SEED)) $(if $(RTC_BASE),-rtc base=$(RTC_BASE)$(comma)clock=vm) \
            -kernel $(BUILD)/Image \
            $(if $(BOOTARGS),-append '$(BOOTARGS)')

run: deps $(PLATFORM_QEMU)
	@$(MAKE) --no-print-directory image
	$(QEMU_CMD)

print-platforms:
	@echo $(PLATFORMS)

# Through the firmware and boot loader a board would use: OpenSBI (fw_jump),
# U-Boot, its distro boot of the disk image.
UBOOT_FLAGS := -bios /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf \
               -kernel /usr/lib/u-boot/qemu-riscv64_smode/uboot.elf \
               -drive if=none,file=$(BUILD)/$(APP).img,format=raw,id=hd0 \
               -device virtio-blk-device,drive=hd0
QEMU_IMAGE_CMD = $(QEMU) $(filter-out -bios default,$(QEMU_FLAGS)) $(if $(SEED),-seed $(SEED)) \
                  $(UBOOT_FLAGS)

# `make run`'s QEMU under its gdb stub, gdb-multiarch attached (tools/debug.sh).
debug: deps $(PLATFORM_QEMU)
	@$(MAKE) --no-print-directory image
	@tools/debug.sh "$(QEMU_CMD)" $(BUILD)/kernel.elf $(APP_ELF)

run-image: deps $(PLATFORM_QEMU)
	@$(MAKE) --no-print-directory image
	$(QEMU_IMAGE_CMD)

run-image-cmd: $(PLATFORM_QEMU)
	@echo "$(QEMU_IMAGE_CMD)"

# The exact command `make run` uses, for tests/run.
run-cmd: $(PLATFORM_QEMU)
	@echo "$(QEMU_CMD)"

# The emulator for PLATFORM=riscv64-cells (platform/riscv64-cells/emulator.mk);
# prints its path.
qemu-cells: deps $(QEMU_CELLS_PATH)
	@cat $(QEMU_CELLS_PATH)

# One application on each backend, its costs of translation side by side:
# APP= or ELF= when given, else apps/bench with the vmm microbenchmark.
# PLATFORM= on the command line measures that backend alone.
BENCH_APP       := $(if $(or $(ELF),$(filter command line,$(origin APP))),$(APP),bench)
BENCH_PLATFORMS := $(if $(filter command line,$(origin PLATFORM)),$(PLATFORM),$(PLATFORMS))
bench: deps
	@RTC_BASE=$(BENCH_RTC_BASE) tools/bench.sh $(BENCH_APP) "$(BENCH_PLATFORMS)"

# The workloads of tools/compare/workloads (or APPS=, ELF=) on each backend
# with the translation model plugged in: build/compare/results.csv,
# results.md and the plots, then the scaling study (SCALE=no skips it).
# docs/compare.md says what each figure is.  COMPARE_OUT= writes elsewhere.
COMPARE_OUT ?= build/compare
compare: deps $(QEMU_CELLS_PATH) $(TLBMODEL_PLUGIN)
	@RTC_BASE=$(BENCH_RTC_BASE) tools/compare/compare.sh $(COMPARE_OUT) "$(BENCH_PLATFORMS)"

# make compare's workloads (default kv lua sparse) under TLBs of each size in SIZES.
SIZES ?= 8 16 32 64 128 256
compare-sweep: deps $(QEMU_CELLS_PATH) $(TLBMODEL_PLUGIN)
	@RTC_BASE=$(BENCH_RTC_BASE) tools/compare/sweep.sh $(COMPARE_OUT)/sweep "$(BENCH_PLATFORMS)" "$(SIZES)"

# map, fault, protect and unmap at 16 to 16,384 live scattered mappings, per backend (apps/scale).
bench-scale: deps
	@RTC_BASE=$(BENCH_RTC_BASE) tools/bench-scale.sh "$(BENCH_PLATFORMS)"

test: deps
	@tests/run

host-test-bins: $(HOST_TEST_BINS)

test-host: deps
	@tests/run --host-only

# Every fuzzer for SECONDS each (make test runs them for 10); all run, then
# the status says whether any failed.
SECONDS ?= 300
fuzz: deps
	@status=0; for f in $(FUZZERS); do tests/fuzz/run.sh $$f $(SECONDS) || status=1; done; exit $$status

print-fuzzers:
	@echo $(FUZZERS)

clean:
	rm -rf build

FORCE:
