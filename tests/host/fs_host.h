/*
 * The kernel's allocator and commit limit as the file system's host tests
 * and fuzzer see them (tests/host/fs_host.c): the heap is malloc, so ASan
 * and LeakSanitizer watch every node, name and page; and both can be made
 * to run out on demand.
 */
#ifndef TESTS_HOST_FS_HOST_H
#define TESTS_HOST_FS_HOST_H

#include <stdint.h>

#include "kernel/fs.h"

/* A fresh tree without an archive, the allocator and limit unbounded: its root, or NULL. */
struct fs_node *fs_host_init(void);
/* Create or truncate PATH (from the root) holding CONTENTS: the node (not held), or NULL. */
struct fs_node *fs_host_put(const char *path, const char *contents);

/* kmalloc and kzalloc fail from the Nth call on (0: the next); -1: never (the default). */
void fs_host_fail_allocs_after(long n);
/* The commit limit vmm_commit_charge enforces (UINT64_MAX: none, the default). */
void fs_host_set_commit_limit(uint64_t bytes);
/* Bytes charged now. */
uint64_t fs_host_committed(void);

#endif
