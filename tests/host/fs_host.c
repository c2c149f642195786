/* The kernel heap and commit limit for the file system on the host (tests/host/fs_host.h). */
#include "tests/host/fs_host.h"

#include <stdlib.h>
#include <string.h>

#include "kernel/error.h"
#include "kernel/heap.h"
#include "vmm/vmm.h"

static long allocs_left = -1;
static uint64_t committed, limit = UINT64_MAX;

void fs_host_fail_allocs_after(long n)
{
	allocs_left = n;
}

void fs_host_set_commit_limit(uint64_t bytes)
{
	limit = bytes;
}

uint64_t fs_host_committed(void)
{
	return committed;
}

struct fs_node *fs_host_init(void)
{
	allocs_left = -1;
	limit = UINT64_MAX;
	return fs_init(NULL, 0) == 0 ? fs_root() : NULL;
}

struct fs_node *fs_host_put(const char *path, const char *contents)
{
	struct fs_node *n = NULL;
	if (fs_open(fs_root(), path, O_CREAT | O_WRONLY | O_TRUNC, 0644, &n) != 0)
		return NULL;
	long put = fs_write(n, 0, contents, strlen(contents));
	fs_release(n);
	return put == (long)strlen(contents) ? n : NULL;
}

/* Whether this allocation is one that must fail. */
static int exhausted(void)
{
	if (allocs_left < 0)
		return 0;
	if (allocs_left == 0)
		return 1;
	allocs_left--;
	return 0;
}

void *kmalloc(size_t size)
{
	return size && !exhausted() ? malloc(size) : NULL;
}

void *kzalloc(size_t size)
{
	return size && !exhausted() ? calloc(1, size) : NULL;
}

void kfree(void *p)
{
	free(p);
}

int vmm_commit_charge(uint64_t bytes)
{
	if (bytes > limit || committed > limit - bytes)
		return -ENOMEM;
	committed += bytes;
	return 0;
}

void vmm_commit_release(uint64_t bytes)
{
	if (bytes > committed)
		abort(); /* more given back than taken: a bug the tests must see */
	committed -= bytes;
}
