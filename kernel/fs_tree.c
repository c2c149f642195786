/*
 * Names and directories of the RAM file system (kernel/fs.h): lookup, open,
 * mkdir, unlink, rename, readdir and the path of a directory.  A directory
 * holds its entries in a list in the order of insertion; every entry gets a
 * cookie from its directory's counter when it is inserted, so a getdents
 * position stays valid while entries before it are removed.  Every entry
 * holds its parent (fs_hold) from its creation until it is freed, removed
 * or not: that is what keeps ".." of a removed directory a live node.
 */
#include <string.h>

#include "kernel/error.h"
#include "kernel/fs_impl.h"
#include "kernel/heap.h"

/* N becomes the last entry of DIR, which it holds from now on. */
static void dir_insert(struct fs_node *dir, struct fs_node *n)
{
	fs_hold(dir);
	n->parent = dir;
	n->next = NULL;
	n->cookie = dir->next_cookie++;
	if (dir->last)
		dir->last->next = n;
	else
		dir->first = n;
	dir->last = n;
	if (fs_is_dir(n))
		dir->nlink++;
	fs_touch(dir, 1);
}

/* Take N out of DIR's list; N keeps its hold on DIR (its parent pointer). */
static void dir_remove(struct fs_node *dir, struct fs_node *n)
{
	struct fs_node *prev = NULL;
	for (struct fs_node *c = dir->first; c; prev = c, c = c->next) {
		if (c != n)
			continue;
		if (prev)
			prev->next = c->next;
		else
			dir->first = c->next;
		if (dir->last == c)
			dir->last = prev;
		break;
	}
	n->next = NULL;
	if (fs_is_dir(n))
		dir->nlink--;
	fs_touch(dir, 1);
}

struct fs_node *fs_dir_find(struct fs_node *dir, const char *name, size_t len)
{
	for (struct fs_node *c = dir->first; c; c = c->next)
		if (strlen(c->name) == len && memcmp(c->name, name, len) == 0)
			return c;
	return NULL;
}

struct fs_node *fs_create(struct fs_node *dir, const char *name, size_t len, uint32_t mode)
{
	char *copy = kmalloc(len + 1);
	if (!copy)
		return NULL;
	struct fs_node *n = fs_node_new(mode);
	if (!n) {
		kfree(copy);
		return NULL;
	}
	memcpy(copy, name, len);
	copy[len] = 0;
	n->name = copy;
	dir_insert(dir, n);
	return n;
}

/* Look up the first LEN bytes of PATH.  Trailing slashes demand a directory. */
static struct fs_node *lookup_n(struct fs_node *cwd, const char *path, size_t len, int *err)
{
	struct fs_node *n = len && path[0] == '/' ? fs_root() : cwd;
	size_t i = 0;
	if (len == 0) {
		*err = -ENOENT;
		return NULL;
	}
	while (i < len) {
		while (i < len && path[i] == '/')
			i++;
		size_t start = i;
		while (i < len && path[i] != '/')
			i++;
		size_t clen = i - start;
		if (clen == 0)
			break;
		if (!fs_is_dir(n)) {
			*err = -ENOTDIR;
			return NULL;
		}
		if (clen > FS_NAME_MAX) {
			*err = -ENAMETOOLONG;
			return NULL;
		}
		const char *c = path + start;
		if (clen == 1 && c[0] == '.')
			continue;
		if (clen == 2 && c[0] == '.' && c[1] == '.') {
			n = n->parent; /* held by N, even when N was removed */
			continue;
		}
		struct fs_node *next = fs_dir_find(n, c, clen);
		if (!next) {
			*err = -ENOENT;
			return NULL;
		}
		n = next;
	}
	if (path[len - 1] == '/' && !fs_is_dir(n)) {
		*err = -ENOTDIR;
		return NULL;
	}
	return n;
}

struct fs_node *fs_lookup(struct fs_node *cwd, const char *path, int *err)
{
	return lookup_n(cwd, path, strlen(path), err);
}

int fs_walk_parent(struct fs_node *cwd, const char *path, struct fs_parent *p)
{
	size_t end = strlen(path);
	int err = 0;
	if (end == 0)
		return -ENOENT;
	p->slash = 0;
	while (end > 0 && path[end - 1] == '/') {
		end--;
		p->slash = 1;
	}
	size_t start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	p->name = path + start;
	p->len = end - start;
	if (p->len > FS_NAME_MAX)
		return -ENAMETOOLONG;
	if (start == 0)
		p->dir = path[0] == '/' ? fs_root() : cwd;
	else
		p->dir = lookup_n(cwd, path, start, &err);
	if (!p->dir)
		return err;
	if (!fs_is_dir(p->dir))
		return -ENOTDIR;
	return 0;
}

int fs_is_dot(const struct fs_parent *p)
{
	return (p->len == 1 && p->name[0] == '.') ||
	       (p->len == 2 && p->name[0] == '.' && p->name[1] == '.');
}

/* open's O_CREAT half: the existing node or a new regular file, in *OUT. */
static int open_create(struct fs_node *cwd, const char *path, int flags, uint32_t mode,
		       struct fs_node **out)
{
	struct fs_parent p;
	int err = fs_walk_parent(cwd, path, &p);
	if (err)
		return err;
	if (p.len == 0 || fs_is_dot(&p)) /* "/", "." or "..": a directory */
		return (flags & O_EXCL) ? -EEXIST : -EISDIR;
	struct fs_node *n = fs_dir_find(p.dir, p.name, p.len);
	if (n && (flags & O_EXCL))
		return -EEXIST;
	if (n && fs_is_dir(n))
		return -EISDIR;
	if (n && p.slash)
		return -ENOTDIR;
	if (!n) {
		if (p.slash)
			return -EISDIR;
		if (p.dir->nlink == 0)
			return -ENOENT; /* a removed directory */
		n = fs_create(p.dir, p.name, p.len, S_IFREG | (mode & 07777));
		if (!n)
			return -ENOMEM;
	}
	*out = n;
	return 0;
}

int fs_open(struct fs_node *cwd, const char *path, int flags, uint32_t mode,
	    struct fs_node **out)
{
	struct fs_node *n;
	int err = 0;
	int acc = flags & O_ACCMODE;
	if (flags & O_CREAT) {
		err = open_create(cwd, path, flags, mode, &n);
		if (err)
			return err;
	} else {
		n = fs_lookup(cwd, path, &err);
		if (!n)
			return err;
	}
	if ((flags & O_DIRECTORY) && !fs_is_dir(n))
		return -ENOTDIR;
	if (fs_is_dir(n) && (acc != O_RDONLY || (flags & O_TRUNC)))
		return -EISDIR;
	if ((flags & O_TRUNC) && fs_is_reg(n) && n->size) {
		err = fs_truncate(n, 0);
		if (err)
			return err;
	}
	fs_hold(n);
	*out = n;
	return 0;
}

int fs_mkdir(struct fs_node *cwd, const char *path, uint32_t mode)
{
	struct fs_parent p;
	int err = fs_walk_parent(cwd, path, &p);
	if (err)
		return err;
	if (p.len == 0 || fs_is_dot(&p) || fs_dir_find(p.dir, p.name, p.len))
		return -EEXIST;
	if (p.dir->nlink == 0)
		return -ENOENT;
	return fs_create(p.dir, p.name, p.len, S_IFDIR | (mode & 07777)) ? 0 : -ENOMEM;
}

/* Take N out of its directory: freed now unless something holds it. */
static void unlink_node(struct fs_node *n)
{
	dir_remove(n->parent, n);
	n->nlink = 0;
	fs_touch(n, 0);
	fs_reap(n);
}

int fs_unlink(struct fs_node *cwd, const char *path, int dir)
{
	struct fs_parent p;
	int err = fs_walk_parent(cwd, path, &p);
	if (err)
		return err;
	if (p.len == 0)
		return dir ? -EBUSY : -EISDIR;
	if (fs_is_dot(&p))
		return !dir ? -EISDIR : p.len == 1 ? -EINVAL : -ENOTEMPTY;
	struct fs_node *n = fs_dir_find(p.dir, p.name, p.len);
	if (!n)
		return -ENOENT;
	if (!dir && fs_is_dir(n))
		return -EISDIR;
	if (dir && !fs_is_dir(n))
		return -ENOTDIR;
	if (!dir && p.slash)
		return -ENOTDIR;
	if (dir && n->first)
		return -ENOTEMPTY;
	unlink_node(n);
	return 0;
}

/* Whether directory DIR is ANC or lies under it (parents lead up to the root). */
static int is_within(struct fs_node *dir, struct fs_node *anc)
{
	for (struct fs_node *d = dir;; d = d->parent) {
		if (d == anc)
			return 1;
		if (d == fs_root())
			return 0;
	}
}

/* Whether OLD, the entry a rename would replace by N, may be: 0 or Linux's errno. */
static int may_replace(const struct fs_node *n, const struct fs_node *old)
{
	if (fs_is_dir(n) && !fs_is_dir(old))
		return -ENOTDIR;
	if (!fs_is_dir(n) && fs_is_dir(old))
		return -EISDIR;
	if (fs_is_dir(old) && old->first)
		return -ENOTEMPTY;
	return 0;
}

/* N (an entry of OLDDIR) becomes NAME (LEN bytes) in NEWDIR, replacing OLD if any: 0 or -ENOMEM. */
static int move(struct fs_node *n, struct fs_node *olddir, struct fs_node *newdir,
		const char *name, size_t len, struct fs_node *old)
{
	char *copy = kmalloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, name, len);
	copy[len] = 0;
	if (old)
		unlink_node(old);
	dir_remove(olddir, n);
	kfree(n->name);
	n->name = copy;
	dir_insert(newdir, n);
	fs_release(olddir); /* N's hold moved to NEWDIR; OLDDIR is in the tree, so it stays */
	fs_touch(n, 0);
	return 0;
}

/* The checks in Linux's order (do_renameat2, then vfs_rename). */
int fs_rename(struct fs_node *oldcwd, const char *oldpath, struct fs_node *newcwd,
	      const char *newpath, int noreplace)
{
	struct fs_parent op, np;
	int err = fs_walk_parent(oldcwd, oldpath, &op);
	if (!err)
		err = fs_walk_parent(newcwd, newpath, &np);
	if (err)
		return err;
	if (op.len == 0 || np.len == 0 || fs_is_dot(&op) || fs_is_dot(&np))
		return -EBUSY;
	struct fs_node *n = fs_dir_find(op.dir, op.name, op.len);
	if (!n)
		return -ENOENT;
	if (np.dir->nlink == 0)
		return -ENOENT; /* nothing is made in a removed directory */
	struct fs_node *old = fs_dir_find(np.dir, np.name, np.len);
	if (old && noreplace)
		return -EEXIST;
	if (!fs_is_dir(n) && (op.slash || np.slash))
		return -ENOTDIR;
	if (fs_is_dir(n) && is_within(np.dir, n))
		return -EINVAL; /* into itself: it would leave the tree */
	if (old == n)
		return 0;
	if (old && (err = may_replace(n, old)) != 0)
		return err;
	return move(n, op.dir, np.dir, np.name, np.len, old);
}

static unsigned dtype(const struct fs_node *n)
{
	switch (n->mode & S_IFMT) {
	case S_IFDIR:
		return DT_DIR;
	case S_IFREG:
		return DT_REG;
	case S_IFCHR:
		return DT_CHR;
	case S_IFIFO:
		return DT_FIFO;
	}
	return DT_UNKNOWN;
}

long fs_readdir(struct fs_node *dir, uint64_t *cookie, fs_emit_fn emit, void *ctx)
{
	long count = 0;
	if (!fs_is_dir(dir))
		return -ENOTDIR;
	if (dir->nlink == 0)
		return -ENOENT;
	if (*cookie == 0) {
		if (emit(ctx, ".", dir->ino, DT_DIR, 1))
			return count;
		*cookie = 1;
		count++;
	}
	if (*cookie == 1) {
		if (emit(ctx, "..", dir->parent->ino, DT_DIR, FS_FIRST_COOKIE))
			return count;
		*cookie = FS_FIRST_COOKIE;
		count++;
	}
	for (struct fs_node *c = dir->first; c; c = c->next) {
		if (c->cookie < *cookie)
			continue;
		if (emit(ctx, c->name, c->ino, dtype(c), c->cookie + 1))
			break;
		*cookie = c->cookie + 1;
		count++;
	}
	dir->atime = fs_now();
	return count;
}

long fs_path(struct fs_node *n, char *buf, size_t size)
{
	if (n->nlink == 0)
		return -ENOENT;
	if (size < 2)
		return -ENAMETOOLONG;
	size_t pos = size - 1;
	buf[pos] = 0;
	for (; n != fs_root(); n = n->parent) {
		size_t len = strlen(n->name);
		if (len + 1 > pos)
			return -ENAMETOOLONG;
		pos -= len;
		memcpy(buf + pos, n->name, len);
		buf[--pos] = '/';
	}
	if (pos == size - 1)
		buf[--pos] = '/';
	size_t len = size - 1 - pos;
	memmove(buf, buf + pos, len + 1);
	return (long)len;
}
