/*
 * What the pieces of the file system share, and nothing outside them sees:
 * kernel/fs.c (nodes, lifetimes, the archive), kernel/fs_tree.c (names and
 * directories), kernel/fs_data.c (file contents).
 */
#ifndef KERNEL_FS_IMPL_H
#define KERNEL_FS_IMPL_H

#include "kernel/fs.h"

#define FS_FIRST_COOKIE 2 /* getdents: 0 and 1 are "." and ".." */

/* A new unnamed node with no holder (the caller names it at once): NULL when out of memory. */
struct fs_node *fs_node_new(uint32_t mode);
/* Free N, which nothing names or holds, and then whatever that leaves unheld up its parents. */
void fs_reap(struct fs_node *n);

/*
 * PATH split into its directory (looked up) and its last component NAME
 * (LEN bytes; 0 for "/"); SLASH: a slash followed the component.
 */
struct fs_parent {
	struct fs_node *dir;
	const char *name;
	size_t len;
	int slash;
};
int fs_walk_parent(struct fs_node *cwd, const char *path, struct fs_parent *p);
/* Whether the last component is "." or "..". */
int fs_is_dot(const struct fs_parent *p);
struct fs_node *fs_dir_find(struct fs_node *dir, const char *name, size_t len);
/* A new entry NAME (LEN bytes) of directory DIR, which it holds; NULL when out of memory. */
struct fs_node *fs_create(struct fs_node *dir, const char *name, size_t len, uint32_t mode);

/* Make regular file N (empty) read LEN bytes at IMG in place until they change. */
void fs_data_use_image(struct fs_node *n, const char *img, uint64_t len);
/* Give back every page of N (freeing it). */
void fs_data_free(struct fs_node *n);
/* Report that node N breaks an invariant (WHY): -EINVAL. */
int fs_bad(const struct fs_node *n, const char *why);
/* Check N's pages against its size and counts: 0 or -EINVAL (printed). */
int fs_data_check(const struct fs_node *n);

#endif
