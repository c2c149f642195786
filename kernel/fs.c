/*
 * The RAM file system (kernel/fs.h): a tree of fs_node, directories holding
 * their entries in a list in the order of insertion.  Every entry gets a
 * cookie from its directory's counter when it is inserted, so a getdents
 * position stays valid while entries before it are removed.
 */
#include "kernel/fs.h"

#include <string.h>

#include "arch.h"
#include "kernel/console.h"
#include "kernel/error.h"
#include "kernel/heap.h"
#include "kernel/random.h"

#define FS_FILE_MAX (1ull << 40) /* larger writes and truncates: -EFBIG */
#define FIRST_COOKIE 2		 /* 0 and 1 are "." and ".." */
#define TIMEBASE_NS 100		 /* QEMU virt's 10 MHz timebase */

static struct fs_node *root;
static uint64_t next_ino;

struct fs_time fs_now(void)
{
	uint64_t ns = read_time() * TIMEBASE_NS;
	return (struct fs_time){ (int64_t)(ns / 1000000000u), (int64_t)(ns % 1000000000u) };
}

void fs_touch(struct fs_node *node, int contents)
{
	struct fs_time t = fs_now();
	node->ctime = t;
	if (contents)
		node->mtime = t;
}

struct fs_node *fs_root(void)
{
	return root;
}

static int is_dir(const struct fs_node *n)
{
	return (n->mode & S_IFMT) == S_IFDIR;
}

static int is_reg(const struct fs_node *n)
{
	return (n->mode & S_IFMT) == S_IFREG;
}

static void node_free(struct fs_node *n)
{
	if (n->cap)
		kfree(n->data);
	kfree(n->name);
	kfree(n);
}

/* Free N when nothing names it and nothing holds it open. */
static void maybe_free(struct fs_node *n)
{
	if (n->nlink == 0 && n->opens == 0)
		node_free(n);
}

void fs_hold(struct fs_node *node)
{
	node->opens++;
}

void fs_release(struct fs_node *node)
{
	if (node->opens)
		node->opens--;
	maybe_free(node);
}

static struct fs_node *node_new(uint32_t mode)
{
	struct fs_node *n = kzalloc(sizeof(*n));
	if (!n)
		return NULL;
	n->ino = next_ino++;
	n->mode = mode;
	n->nlink = is_dir(n) ? 2 : 1;
	n->next_cookie = FIRST_COOKIE;
	n->atime = n->mtime = n->ctime = fs_now();
	return n;
}

static void dir_insert(struct fs_node *dir, struct fs_node *n)
{
	n->parent = dir;
	n->next = NULL;
	n->cookie = dir->next_cookie++;
	if (dir->last)
		dir->last->next = n;
	else
		dir->first = n;
	dir->last = n;
	if (is_dir(n))
		dir->nlink++;
	fs_touch(dir, 1);
}

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
	if (is_dir(n))
		dir->nlink--;
	fs_touch(dir, 1);
}

static struct fs_node *dir_find(struct fs_node *dir, const char *name, size_t len)
{
	for (struct fs_node *c = dir->first; c; c = c->next)
		if (strlen(c->name) == len && memcmp(c->name, name, len) == 0)
			return c;
	return NULL;
}

/* A new entry NAME (LEN bytes) of DIR; NULL when out of memory. */
static struct fs_node *create(struct fs_node *dir, const char *name, size_t len, uint32_t mode)
{
	struct fs_node *n = node_new(mode);
	char *copy = kmalloc(len + 1);
	if (!n || !copy) {
		kfree(n);
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
	struct fs_node *n = len && path[0] == '/' ? root : cwd;
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
		if (!is_dir(n)) {
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
			n = n->parent;
			continue;
		}
		struct fs_node *next = dir_find(n, c, clen);
		if (!next) {
			*err = -ENOENT;
			return NULL;
		}
		n = next;
	}
	if (path[len - 1] == '/' && !is_dir(n)) {
		*err = -ENOTDIR;
		return NULL;
	}
	return n;
}

struct fs_node *fs_lookup(struct fs_node *cwd, const char *path, int *err)
{
	return lookup_n(cwd, path, strlen(path), err);
}

/*
 * Split PATH into its directory (looked up) and last component (*NAME,
 * *NAMELEN; length 0 for "/").  *SLASH says a slash followed the component.
 */
struct parent {
	struct fs_node *dir;
	const char *name;
	size_t len;
	int slash;
};

static int walk_parent(struct fs_node *cwd, const char *path, struct parent *p)
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
		p->dir = path[0] == '/' ? root : cwd;
	else
		p->dir = lookup_n(cwd, path, start, &err);
	if (!p->dir)
		return err;
	if (!is_dir(p->dir))
		return -ENOTDIR;
	return 0;
}

static int is_dot(const struct parent *p)
{
	return (p->len == 1 && p->name[0] == '.') ||
	       (p->len == 2 && p->name[0] == '.' && p->name[1] == '.');
}

int fs_open(struct fs_node *cwd, const char *path, int flags, uint32_t mode,
	    struct fs_node **out)
{
	struct fs_node *n;
	int err = 0;
	int acc = flags & O_ACCMODE;
	if (flags & O_CREAT) {
		struct parent p;
		err = walk_parent(cwd, path, &p);
		if (err)
			return err;
		if (p.len == 0 || is_dot(&p)) /* "/", "." or "..": a directory */
			return (flags & O_EXCL) ? -EEXIST : -EISDIR;
		n = dir_find(p.dir, p.name, p.len);
		if (n && (flags & O_EXCL))
			return -EEXIST;
		if (n && is_dir(n))
			return -EISDIR;
		if (!n) {
			if (p.slash)
				return -EISDIR;
			if (p.dir->nlink == 0)
				return -ENOENT; /* a removed directory */
			n = create(p.dir, p.name, p.len, S_IFREG | (mode & 07777));
			if (!n)
				return -ENOMEM;
		} else if (p.slash) {
			return -ENOTDIR;
		}
	} else {
		n = fs_lookup(cwd, path, &err);
		if (!n)
			return err;
	}
	if ((flags & O_DIRECTORY) && !is_dir(n))
		return -ENOTDIR;
	if (is_dir(n) && (acc != O_RDONLY || (flags & O_TRUNC)))
		return -EISDIR;
	if ((flags & O_TRUNC) && is_reg(n) && n->size) {
		err = fs_truncate(n, 0);
		if (err)
			return err;
	}
	n->opens++;
	*out = n;
	return 0;
}

int fs_mkdir(struct fs_node *cwd, const char *path, uint32_t mode)
{
	struct parent p;
	int err = walk_parent(cwd, path, &p);
	if (err)
		return err;
	if (p.len == 0 || is_dot(&p) || dir_find(p.dir, p.name, p.len))
		return -EEXIST;
	if (p.dir->nlink == 0)
		return -ENOENT;
	return create(p.dir, p.name, p.len, S_IFDIR | (mode & 07777)) ? 0 : -ENOMEM;
}

/* Take N out of its directory; it lives on while open. */
static void unlink_node(struct fs_node *n)
{
	dir_remove(n->parent, n);
	n->nlink = 0;
	fs_touch(n, 0);
	maybe_free(n);
}

int fs_unlink(struct fs_node *cwd, const char *path, int dir)
{
	struct parent p;
	int err = walk_parent(cwd, path, &p);
	if (err)
		return err;
	if (p.len == 0)
		return dir ? -EBUSY : -EISDIR;
	if (is_dot(&p))
		return !dir ? -EISDIR : p.len == 1 ? -EINVAL : -ENOTEMPTY;
	struct fs_node *n = dir_find(p.dir, p.name, p.len);
	if (!n)
		return -ENOENT;
	if (!dir && is_dir(n))
		return -EISDIR;
	if (dir && !is_dir(n))
		return -ENOTDIR;
	if (!dir && p.slash)
		return -ENOTDIR;
	if (dir && n->first)
		return -ENOTEMPTY;
	unlink_node(n);
	return 0;
}

int fs_rename(struct fs_node *oldcwd, const char *oldpath, struct fs_node *newcwd,
	      const char *newpath, int noreplace)
{
	struct parent op, np;
	int err = walk_parent(oldcwd, oldpath, &op);
	if (!err)
		err = walk_parent(newcwd, newpath, &np);
	if (err)
		return err;
	if (op.len == 0 || np.len == 0 || is_dot(&op) || is_dot(&np))
		return -EBUSY;
	struct fs_node *n = dir_find(op.dir, op.name, op.len);
	if (!n)
		return -ENOENT;
	if (!is_dir(n) && (op.slash || np.slash))
		return -ENOTDIR;
	if (is_dir(n))
		for (struct fs_node *d = np.dir;; d = d->parent) {
			if (d == n)
				return -EINVAL; /* into itself */
			if (d == root)
				break;
		}
	if (np.dir->nlink == 0)
		return -ENOENT;
	struct fs_node *old = dir_find(np.dir, np.name, np.len);
	if (old == n)
		return 0;
	if (old) {
		if (noreplace)
			return -EEXIST;
		if (is_dir(n) && !is_dir(old))
			return -ENOTDIR;
		if (!is_dir(n) && is_dir(old))
			return -EISDIR;
		if (is_dir(old) && old->first)
			return -ENOTEMPTY;
	}
	char *name = kmalloc(np.len + 1);
	if (!name)
		return -ENOMEM;
	memcpy(name, np.name, np.len);
	name[np.len] = 0;
	if (old)
		unlink_node(old);
	dir_remove(op.dir, n);
	kfree(n->name);
	n->name = name;
	dir_insert(np.dir, n);
	fs_touch(n, 0);
	return 0;
}

/* Make room for SIZE bytes in a heap buffer (copying image contents out). */
static int reserve(struct fs_node *n, uint64_t size)
{
	if (n->cap && size <= n->cap)
		return 0;
	if (size > FS_FILE_MAX)
		return -EFBIG;
	uint64_t cap = n->cap ? n->cap : 64;
	while (cap < size)
		cap *= 2;
	char *data = kmalloc(cap);
	if (!data)
		return -ENOMEM;
	if (n->size)
		memcpy(data, n->data, n->size);
	if (n->cap)
		kfree(n->data);
	n->data = data;
	n->cap = cap;
	return 0;
}

long fs_read(struct fs_node *n, uint64_t off, void *buf, size_t len)
{
	if (is_dir(n))
		return -EISDIR;
	if ((n->mode & S_IFMT) == S_IFCHR) {
		switch (n->dev) {
		case FS_DEV_ZERO:
			memset(buf, 0, len);
			return (long)len;
		case FS_DEV_URANDOM:
			random_bytes(buf, len);
			return (long)len;
		default: /* null, and the console, which has no input */
			return 0;
		}
	}
	if (!is_reg(n))
		return -EINVAL;
	if (off >= n->size)
		return 0;
	if (len > n->size - off)
		len = n->size - off;
	memcpy(buf, n->data + off, len);
	n->atime = fs_now();
	return (long)len;
}

const char *fs_contents(struct fs_node *n, uint64_t off, uint64_t *len)
{
	if (!is_reg(n) || off >= n->size) {
		*len = 0;
		return NULL;
	}
	n->atime = fs_now();
	*len = n->size - off;
	return n->data + off;
}

long fs_write(struct fs_node *n, uint64_t off, const void *buf, size_t len)
{
	if (is_dir(n))
		return -EISDIR;
	if ((n->mode & S_IFMT) == S_IFCHR) {
		if (n->dev == FS_DEV_CONSOLE)
			console_write(buf, len);
		return (long)len;
	}
	if (!is_reg(n))
		return -EINVAL;
	if (len == 0)
		return 0;
	if (off > FS_FILE_MAX || len > FS_FILE_MAX - off)
		return -EFBIG;
	int err = reserve(n, off + len);
	if (err)
		return err;
	if (off > n->size)
		memset(n->data + n->size, 0, off - n->size);
	memcpy(n->data + off, buf, len);
	if (off + len > n->size)
		n->size = off + len;
	fs_touch(n, 1);
	return (long)len;
}

int fs_truncate(struct fs_node *n, uint64_t size)
{
	if (is_dir(n))
		return -EISDIR;
	if (!is_reg(n))
		return -EINVAL;
	if (size > FS_FILE_MAX)
		return -EFBIG;
	if (size > n->size) {
		int err = reserve(n, size);
		if (err)
			return err;
		memset(n->data + n->size, 0, size - n->size);
	} else if (!n->cap) {
		if (size == 0)
			n->data = NULL; /* forget the image's contents */
		else if (size < n->size) {
			n->size = size; /* copy only what stays */
			int err = reserve(n, size);
			if (err)
				return err;
		}
	}
	n->size = size;
	fs_touch(n, 1);
	return 0;
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
	if (!is_dir(dir))
		return -ENOTDIR;
	if (*cookie == 0) {
		if (emit(ctx, ".", dir->ino, DT_DIR, 1))
			return count;
		*cookie = 1;
		count++;
	}
	if (*cookie == 1) {
		if (emit(ctx, "..", dir->parent->ino, DT_DIR, FIRST_COOKIE))
			return count;
		*cookie = FIRST_COOKIE;
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
		return -ERANGE;
	size_t pos = size - 1;
	buf[pos] = 0;
	for (; n != root; n = n->parent) {
		size_t len = strlen(n->name);
		if (len + 1 > pos)
			return -ERANGE;
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

static void free_tree(struct fs_node *n)
{
	struct fs_node *c = n->first;
	while (c) {
		struct fs_node *next = c->next;
		free_tree(c);
		c = next;
	}
	node_free(n);
}

void fs_reset(void)
{
	if (root)
		free_tree(root);
	root = NULL;
}

static struct fs_node *add(struct fs_node *dir, const char *name, uint32_t mode, enum fs_dev dev)
{
	struct fs_node *n = create(dir, name, strlen(name), mode);
	if (n)
		n->dev = dev;
	return n;
}

/* Copy the archive's next line from *P (before END) into LINE (SIZE bytes), without its
 * newline: 0, or -EINVAL when there is none or it is too long. */
static int take_line(const char **p, const char *end, char *line, size_t size)
{
	const char *s = *p;
	size_t n = 0;
	while (s + n < end && s[n] != '\n')
		n++;
	if (s + n >= end || n >= size)
		return -EINVAL;
	memcpy(line, s, n);
	line[n] = 0;
	*p = s + n + 1;
	return 0;
}

/* Parse an octal or decimal number at *S, followed by one space. */
static int take_number(char **s, unsigned base, uint64_t *out)
{
	uint64_t v = 0;
	char *c = *s;
	if (*c < '0' || *c > '0' + (int)base - 1)
		return -EINVAL;
	for (; *c >= '0' && *c <= '0' + (int)base - 1; c++) {
		if (v > (FS_FILE_MAX * 16) / base)
			return -EINVAL;
		v = v * base + (uint64_t)(*c - '0');
	}
	if (*c != ' ')
		return -EINVAL;
	*s = c + 1;
	*out = v;
	return 0;
}

static int unpack(const char *img, size_t len)
{
	static char line[FS_PATH_MAX + 64];
	const char *p = img, *end = img + len;
	if (take_line(&p, end, line, sizeof(line)) || strcmp(line, "slate-root 1") != 0)
		return -EINVAL;
	for (;;) {
		if (take_line(&p, end, line, sizeof(line)))
			return -EINVAL;
		if (strcmp(line, "end") == 0)
			return 0;
		char *s = line + 2;
		uint64_t mode, size = 0;
		if ((line[0] != 'd' && line[0] != 'f') || line[1] != ' ' ||
		    take_number(&s, 8, &mode) || (line[0] == 'f' && take_number(&s, 10, &size)) ||
		    !*s)
			return -EINVAL;
		if (line[0] == 'd') {
			int err = fs_mkdir(root, s, (uint32_t)mode);
			int e2;
			if (err == -EEXIST) {
				struct fs_node *d = fs_lookup(root, s, &e2);
				err = d && is_dir(d) ? 0 : -EINVAL;
			}
			if (err)
				return err;
			continue;
		}
		if (size > (uint64_t)(end - p))
			return -EINVAL;
		struct parent par;
		int err = walk_parent(root, s, &par);
		if (err)
			return err;
		if (par.len == 0 || is_dot(&par) || dir_find(par.dir, par.name, par.len))
			return -EINVAL;
		struct fs_node *n = create(par.dir, par.name, par.len, S_IFREG | (mode & 07777));
		if (!n)
			return -ENOMEM;
		n->data = (char *)p; /* read in place; copied out on the first change */
		n->size = size;
		p += size;
	}
}

int fs_init(const void *img, size_t len)
{
	fs_reset();
	next_ino = 2; /* the root's number on Linux file systems */
	root = node_new(S_IFDIR | 0755);
	if (!root)
		return -ENOMEM;
	root->parent = root;
	struct fs_node *dev = add(root, "dev", S_IFDIR | 0755, FS_DEV_NONE);
	if (!dev || !add(root, "tmp", S_IFDIR | 01777, FS_DEV_NONE) ||
	    !add(dev, "null", S_IFCHR | 0666, FS_DEV_NULL) ||
	    !add(dev, "zero", S_IFCHR | 0666, FS_DEV_ZERO) ||
	    !add(dev, "urandom", S_IFCHR | 0666, FS_DEV_URANDOM) ||
	    !add(dev, "random", S_IFCHR | 0666, FS_DEV_URANDOM) ||
	    !add(dev, "console", S_IFCHR | 0620, FS_DEV_CONSOLE))
		return -ENOMEM;
	if (len == 0)
		return 0;
	return unpack(img, len);
}
