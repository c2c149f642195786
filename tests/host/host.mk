# Host unit tests: native gcc with AddressSanitizer and UBSan.
#
# To add a test NAME: list it in HOST_TESTS and set host_NAME_SRCS to its
# sources (the test file, the kernel files under test, and host_env.c).

HOST_CC     := gcc
HOST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter \
               -fsanitize=address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer -I. -Iplatform/riscv64 -DHOST_TEST

HOST_TESTS :=

# Each binary's dependency file (build/host/BINARY.d, included below) names
# every header its sources include: gcc -MM -MP writes one rule per source,
# each for the binary, and an empty rule per header so that a header removed
# does not stop the build.  A pass of its own because a compile that also
# links several sources keeps only the last one's -MMD output.
#   $(call host_deps,COMPILER AND FLAGS,SOURCES)
host_deps = $(1) -MM -MP -MT $@ $(2) > $@.d
# A prerequisite that remakes a binary built before it had its .d file.
host_deps_known = $$(if $$(wildcard $$@.d),,FORCE)

HOST_TESTS += fdt
host_fdt_SRCS := tests/host/test_fdt.c kernel/fdt.c kernel/fdt_format.c kernel/fdt_stdout.c tests/host/host_env.c
# test_fdt reads its blobs from the directory given as argv[1] (build/host):
# the tree QEMU's virt machine hands the firmware, and fixtures compiled by dtc
# (-q: some are malformed on purpose).
host_fdt_DTBS := $(HOSTBUILD)/virt.dtb \
                 $(patsubst tests/host/fdt/%.dts,$(HOSTBUILD)/fdt_%.dtb,$(wildcard tests/host/fdt/*.dts))
$(HOSTBUILD)/test_fdt: $(host_fdt_DTBS)
$(HOSTBUILD)/virt.dtb:
	@mkdir -p $(@D)
	qemu-system-riscv64 -machine virt,dumpdtb=$@ -m 512M -nographic -bios default </dev/null
$(HOSTBUILD)/fdt_%.dtb: tests/host/fdt/%.dts
	@mkdir -p $(@D)
	dtc -q -I dts -O dtb -o $@ $<

HOST_TESTS += frame
host_frame_SRCS := tests/host/test_frame.c kernel/frame.c kernel/frame_layout.c tests/host/host_env.c

HOST_TESTS += heap
host_heap_SRCS := tests/host/test_heap.c kernel/heap.c kernel/frame.c kernel/frame_layout.c tests/host/host_env.c

HOST_TESTS += random
host_random_SRCS := tests/host/test_random.c kernel/random.c tests/host/host_env.c

# The vmm suite's files, and the countdown that fails one allocation (alloc_fail.h).
VMM_SUITE_SRCS := tests/host/test_vmm.c tests/vmm-suite/vmm_suite.c tests/vmm-suite/regions.c \
                  tests/vmm-suite/contract.c tests/vmm-suite/all_or_nothing.c \
                  tests/vmm-suite/all_or_nothing_ops.c tests/vmm-suite/views.c \
                  tests/host/alloc_fail.c
ALLOC_FAIL_LDFLAGS := -Wl,--wrap=frame_alloc,--wrap=frame_alloc_tagged,--wrap=kmalloc,--wrap=kzalloc

HOST_TESTS += vmm
host_vmm_LDFLAGS := $(ALLOC_FAIL_LDFLAGS)
host_vmm_SRCS := $(VMM_SUITE_SRCS) \
                 vmm/vmm.c vmm/region.c vmm/region_view.c vmm/fault.c vmm/place.c \
                 $(SV48_BACKEND_SRCS) kernel/u64map.c kernel/frame.c kernel/frame_layout.c kernel/heap.c kernel/random.c \
                 tests/host/host_env.c

# The file system with malloc for its heap (tests/host/fs_host.c); the fuzzer uses the same.
FS_HOST_SRCS := kernel/fs.c kernel/fs_tree.c kernel/fs_data.c kernel/fd.c kernel/random.c \
                kernel/pipe.c kernel/eventfd.c kernel/epoll.c kernel/waitable.c kernel/file_ready.c \
                tests/host/fs_host.c tests/host/wait_host.c tests/host/host_env.c
HOST_TESTS += fs
host_fs_SRCS := tests/host/test_fs.c $(FS_HOST_SRCS)
HOST_TESTS += fs_data
host_fs_data_SRCS := tests/host/test_fs_data.c $(FS_HOST_SRCS)
HOST_TESTS += fd
host_fd_SRCS := tests/host/test_fd.c $(FS_HOST_SRCS)
# epoll and eventfd (tests/host/epoll_host.h: what the three share).
HOST_TESTS += epoll epoll_nest eventfd
host_epoll_SRCS := tests/host/test_epoll.c $(FS_HOST_SRCS)
host_epoll_nest_SRCS := tests/host/test_epoll_nest.c $(FS_HOST_SRCS)
host_eventfd_SRCS := tests/host/test_eventfd.c $(FS_HOST_SRCS)

# The console's line discipline, byte by byte.
HOST_TESTS += tty
host_tty_SRCS := tests/host/test_tty.c kernel/tty_line.c

HOST_TESTS += siphash
host_siphash_SRCS := tests/host/test_siphash.c tablet/siphash.c

HOST_TESTS += u64map
host_u64map_SRCS := tests/host/test_u64map.c kernel/u64map.c kernel/frame.c kernel/frame_layout.c kernel/heap.c \
                    tests/host/host_env.c

HOST_TESTS += tablet
host_tablet_SRCS := tests/host/test_tablet.c tablet/registry.c tablet/rental.c tablet/root.c tablet/range.c tablet/expiry.c \
                    tablet/siphash.c kernel/u64map.c kernel/frame.c kernel/frame_layout.c kernel/heap.c kernel/random.c \
                    tests/host/host_env.c

# The Sv48 backend fails each allocation in turn and must change nothing (its allocator calls wrapped).
HOST_TESTS += sv48_atomic
host_sv48_atomic_SRCS := tests/host/test_sv48_atomic.c tests/host/alloc_fail.c $(SV48_BACKEND_SRCS) kernel/u64map.c \
                         kernel/frame.c kernel/frame_layout.c kernel/heap.c kernel/random.c tests/host/host_env.c
host_sv48_atomic_LDFLAGS := $(ALLOC_FAIL_LDFLAGS)

# Views on the Sv48 backend: roots, ASIDs, caches, all or nothing.
HOST_TESTS += sv48_views
host_sv48_views_SRCS := tests/host/test_sv48_views.c tests/host/alloc_fail.c $(SV48_BACKEND_SRCS) kernel/u64map.c \
                        kernel/frame.c kernel/frame_layout.c kernel/heap.c kernel/random.c tests/host/host_env.c
host_sv48_views_LDFLAGS := $(ALLOC_FAIL_LDFLAGS)
HOST_TESTS += sv48_views_atomic
host_sv48_views_atomic_SRCS := $(subst test_sv48_views.c,test_sv48_views_atomic.c,$(host_sv48_views_SRCS))
host_sv48_views_atomic_LDFLAGS := $(ALLOC_FAIL_LDFLAGS)

HOST_TESTS += cells
host_cells_SRCS := tests/host/test_cells.c $(CELLS_BACKEND_SRCS) kernel/frame.c kernel/frame_layout.c kernel/heap.c \
                   tests/host/host_env.c

# The translation model of make compare (tools/tlbmodel), on hand-made tables.
HOST_TESTS += tlbmodel
host_tlbmodel_SRCS := tests/host/test_tlbmodel.c $(TLBMODEL_SRCS)

# Views (compartments) on the permission-table backend: rows per view, all or nothing.
HOST_TESTS += cells_views
host_cells_views_SRCS := tests/host/test_cells_views.c tests/host/alloc_fail.c $(CELLS_BACKEND_SRCS) kernel/frame.c \
                         kernel/frame_layout.c kernel/heap.c tests/host/host_env.c
host_cells_views_LDFLAGS := $(ALLOC_FAIL_LDFLAGS)

# The same suite and driver against the permission-table backend.
HOST_TESTS += vmm_cells
host_vmm_cells_LDFLAGS := $(ALLOC_FAIL_LDFLAGS)
host_vmm_cells_SRCS := $(VMM_SUITE_SRCS) \
                       vmm/vmm.c vmm/region.c vmm/region_view.c vmm/fault.c vmm/place.c $(CELLS_BACKEND_SRCS) \
                       kernel/u64map.c kernel/frame.c kernel/frame_layout.c kernel/heap.c kernel/random.c \
                       tests/host/host_env.c

# Every policy and the registry; POLICY_NAMES is the build's own list of
# policies (policies/policies.mk), which the test checks are all registered.
HOST_TESTS += policies
host_policies_SRCS := tests/host/test_policies.c $(POLICY_SRCS)
$(HOSTBUILD)/test_policies: HOST_CFLAGS += -DPOLICY_NAMES='"$(POLICIES)"'

# compart/image.c, the compartment-table reader, on fixture ELFs built with
# the Linux cross compiler (tests/host/compart/NAME.c, each linked with
# libcompart/compart.c as an app would be; no C library, they are never run).
# good_nolib lacks libcompart's closing sections, so its last compartment
# shares a page; pie is a static-PIE.  test_compart_image reads them from
# build/host/compart/.
COMPART_FIXTURE_CC    := riscv64-linux-gnu-gcc
COMPART_FIXTURE_FLAGS := -nostdlib -nostartfiles -ffreestanding -O2 -Wall -Wextra -Werror \
                         -Ilibcompart -Itests/host/compart
COMPART_FIXTURE_DEPS  := tests/host/compart/fixture.h libcompart/compart.h libcompart/compart_abi.h \
                         libcompart/compart.c
COMPART_FIXTURES := $(patsubst tests/host/compart/%.c,$(HOSTBUILD)/compart/%.elf,$(wildcard tests/host/compart/*.c)) \
                    $(HOSTBUILD)/compart/good_nolib.elf $(HOSTBUILD)/compart/isolation.elf
$(HOSTBUILD)/compart/%.elf: tests/host/compart/%.c $(COMPART_FIXTURE_DEPS)
	@mkdir -p $(@D)
	$(COMPART_FIXTURE_CC) -static $(COMPART_FIXTURE_FLAGS) $< libcompart/compart.c -o $@
$(HOSTBUILD)/compart/good_nolib.elf: tests/host/compart/good.c $(COMPART_FIXTURE_DEPS)
	@mkdir -p $(@D)
	$(COMPART_FIXTURE_CC) -static $(COMPART_FIXTURE_FLAGS) $< -o $@
$(HOSTBUILD)/compart/pie.elf: tests/host/compart/pie.c $(COMPART_FIXTURE_DEPS)
	@mkdir -p $(@D)
	$(COMPART_FIXTURE_CC) -static-pie -fPIE -Wl,--no-dynamic-linker $(COMPART_FIXTURE_FLAGS) \
		$< libcompart/compart.c -o $@

# A real program too: the isolation app, built as apps/apps.mk builds apps.
$(HOSTBUILD)/compart/isolation.elf: $(wildcard apps/isolation/*.c apps/include/*.h) $(COMPART_FIXTURE_DEPS)
	@mkdir -p $(@D)
	$(LINUX_CC) -static $(LINUX_CFLAGS) -Ilibcompart apps/isolation/isolation.c libcompart/compart.c -o $@

HOST_TESTS += compart_image
# (no host_env.c: the test's own kprintf keeps the reasons the reader gives)
host_compart_image_SRCS := tests/host/test_compart_image.c compart/image.c
$(HOSTBUILD)/test_compart_image: $(COMPART_FIXTURES)

HOST_TEST_BINS := $(patsubst %,$(HOSTBUILD)/test_%,$(HOST_TESTS))

$(HOSTBUILD)/test_%: $$(host_$$*_SRCS) $(host_deps_known)
	@mkdir -p $(@D)
	@$(call host_deps,$(HOST_CC) $(HOST_CFLAGS),$(host_$*_SRCS))
	$(HOST_CC) $(HOST_CFLAGS) $(host_$*_SRCS) $(host_$*_LDFLAGS) -o $@

# ------------------------------------------------------------- fuzzing ---
# tests/fuzz/run.sh FUZZER [SECONDS] builds and runs one libFuzzer fuzzer (clang);
# they are not host test binaries.  make fuzz runs every one of FUZZERS.
FUZZERS     := rental_fuzz fs_fuzz vmm_fuzz_sv48 vmm_fuzz_cells compart_fuzz epoll_fuzz
FUZZ_CC     := clang
FUZZ_SAN    := address,undefined
FUZZ_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter \
               -fno-sanitize-recover=all -fno-omit-frame-pointer \
               -I. -Iplatform/riscv64 -DHOST_TEST
rental_fuzz_SRCS := tests/fuzz/rental_fuzz.c tablet/registry.c tablet/root.c tablet/range.c tablet/expiry.c tablet/siphash.c \
                    kernel/u64map.c kernel/frame.c kernel/frame_layout.c kernel/heap.c kernel/random.c tests/host/host_env.c

# tablet/rental.c without comparison tracing: libFuzzer would otherwise read
# the expected MAC off the MAC check and copy it into a forged rental.
$(HOSTBUILD)/rental_fuzz_rental.o: tablet/rental.c $(host_deps_known)
	@mkdir -p $(@D)
	@$(call host_deps,$(FUZZ_CC) $(FUZZ_CFLAGS),$<)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) \
		-fno-sanitize-coverage=trace-cmp -c $< -o $@

$(HOSTBUILD)/rental_fuzz: $(rental_fuzz_SRCS) $(HOSTBUILD)/rental_fuzz_rental.o $(host_deps_known)
	@mkdir -p $(@D)
	@$(call host_deps,$(FUZZ_CC) $(FUZZ_CFLAGS),$(rental_fuzz_SRCS))
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,$(FUZZ_SAN) $(rental_fuzz_SRCS) \
		$(HOSTBUILD)/rental_fuzz_rental.o -o $@

# The file-system fuzzer: kernel/fs*.c and kernel/fd.c on malloc (LeakSanitizer comes with ASan).
fs_fuzz_SRCS := tests/fuzz/fs_fuzz.c tests/fuzz/fs_fuzz_model.c $(FS_HOST_SRCS)
$(HOSTBUILD)/fs_fuzz: $(fs_fuzz_SRCS) $(host_deps_known)
	@mkdir -p $(@D)
	@$(call host_deps,$(FUZZ_CC) $(FUZZ_CFLAGS),$(fs_fuzz_SRCS))
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,$(FUZZ_SAN) $(fs_fuzz_SRCS) -o $@

# epoll, pipes and eventfds against the fuzzer's record of items (no loop, no chain too deep).
epoll_fuzz_SRCS := tests/fuzz/epoll_fuzz.c tests/fuzz/epoll_fuzz_model.c $(FS_HOST_SRCS)
$(HOSTBUILD)/epoll_fuzz: $(epoll_fuzz_SRCS) $(host_deps_known)
	@mkdir -p $(@D)
	@$(call host_deps,$(FUZZ_CC) $(FUZZ_CFLAGS),$(epoll_fuzz_SRCS))
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,$(FUZZ_SAN) $(epoll_fuzz_SRCS) -o $@

# The differential vmm fuzzer, once per backend (both define the backend's symbols),
# with the allocation countdown of tests/host/alloc_fail.c.
VMM_FUZZ_SRCS := tests/fuzz/vmm_fuzz.c tests/fuzz/vmm_fuzz_model.c tests/host/alloc_fail.c \
                 vmm/vmm.c vmm/region.c vmm/region_view.c vmm/fault.c vmm/place.c kernel/u64map.c kernel/frame.c \
                 kernel/frame_layout.c kernel/heap.c kernel/random.c tests/host/host_env.c
vmm_fuzz_sv48_SRCS  := $(VMM_FUZZ_SRCS) $(SV48_BACKEND_SRCS)
vmm_fuzz_cells_SRCS := $(VMM_FUZZ_SRCS) $(CELLS_BACKEND_SRCS)
$(HOSTBUILD)/vmm_fuzz_%: $$(vmm_fuzz_$$*_SRCS) $(host_deps_known)
	@mkdir -p $(@D)
	@$(call host_deps,$(FUZZ_CC) $(FUZZ_CFLAGS),$(vmm_fuzz_$*_SRCS))
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,$(FUZZ_SAN) $(vmm_fuzz_$*_SRCS) \
		$(ALLOC_FAIL_LDFLAGS) -o $@

# The compartment-table reader on hostile images: it edits the good fixture,
# and its corpus is seeded with every fixture (tests/fuzz/run.sh).
compart_fuzz_SRCS := tests/fuzz/compart_fuzz.c compart/image.c
$(HOSTBUILD)/compart_fuzz: $(compart_fuzz_SRCS) $(COMPART_FIXTURES) $(host_deps_known)
	@mkdir -p $(@D)
	@$(call host_deps,$(FUZZ_CC) $(FUZZ_CFLAGS),$(compart_fuzz_SRCS))
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,$(FUZZ_SAN) $(compart_fuzz_SRCS) -o $@

# Read, never made: without its empty rule a .d would match test_% above.
HOST_DEP_FILES := $(wildcard $(HOSTBUILD)/*.d)
$(HOST_DEP_FILES): ;
-include $(HOST_DEP_FILES)
