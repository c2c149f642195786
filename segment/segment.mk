# The Sv48 backend of vmm.h: tablets, segments and the built-in segprocs
# (linked by platform/riscv64; the host tests link it whatever the platform).
SV48_BACKEND_SRCS := tablet/siphash.c tablet/registry.c tablet/rental.c tablet/root.c tablet/range.c tablet/expiry.c \
                     segment/segment.c segment/reclaim.c segment/segproc_kernel.c \
                     segment/segproc_user.c \
                     segment/sv48_backend.c segment/sv48_views.c
