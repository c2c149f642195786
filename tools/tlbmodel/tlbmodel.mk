# The translation model of `make compare` (docs/compare.md): a library the
# host tests drive on hand-made tables, and the same library as a TCG
# plugin of our emulator (its patch adds the calls the plugin needs, and
# its build keeps qemu-plugin.h beside the binary).
TLBMODEL_SRCS   := tools/tlbmodel/tlbmodel.c tools/tlbmodel/tlb.c tools/tlbmodel/walk_sv48.c \
                   tools/tlbmodel/walk_cells.c
TLBMODEL_PLUGIN := build/tlbmodel/tlbmodel.so

$(TLBMODEL_PLUGIN): tools/tlbmodel/plugin.c $(TLBMODEL_SRCS) $(wildcard tools/tlbmodel/*.h) \
                    platform/riscv64/arch.h platform/riscv64/sv48.h secure-cells/layout.h $(QEMU_CELLS_PATH)
	@mkdir -p $(@D)
	gcc -std=gnu11 -O2 -Wall -Wextra -Werror -Wno-unused-parameter -fPIC -shared -DHOST_TEST \
	    -I. -Iplatform/riscv64 -I"$$(dirname "$$(cat $(QEMU_CELLS_PATH))")" \
	    tools/tlbmodel/plugin.c $(TLBMODEL_SRCS) -o $@
