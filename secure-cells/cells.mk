# The permission-table backend of vmm.h (linked by platform/riscv64-cells; the
# host tests link it whatever the platform).
CELLS_BACKEND_SRCS := secure-cells/table.c secure-cells/table_down.c secure-cells/table_size.c secure-cells/slack.c \
                      secure-cells/cells_edit.c secure-cells/cells_backend.c secure-cells/cells_views.c secure-cells/cells_fault.c \
                      secure-cells/cells_frames.c secure-cells/cells_selftest.c
