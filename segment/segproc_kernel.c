/*
 * The kernel's segments (the upper half): the image with W^X and the direct
 * map, made by vmm_init through segment_map_fixed in the largest tablets
 * alignment allows.  The kernel never takes a fault it expects to be
 * resolved here, and nothing of it may be reclaimed.
 */
#include "kernel/error.h"
#include "segment/segment.h"

static int kernel_pagefault(struct segment *seg, const struct segment_fault *f)
{
	return -EFAULT;
}

const struct segproc segproc_kernel = {
	.name = "kernel",
	.pagefault = kernel_pagefault,
	.unreachable = segment_delete_unreachable,
};
