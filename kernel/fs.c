/*
 * The RAM file system's nodes (kernel/fs.h): their lifetimes, the tree's
 * construction at boot from the image's archive, its teardown and its check.
 * Names and directories are in fs_tree.c, file contents in fs_data.c.
 */
#include "kernel/fs.h"

#include <string.h>

#include "arch.h"
#include "kernel/console.h"
#include "kernel/error.h"
#include "kernel/fs_impl.h"
#include "kernel/heap.h"
#include "kernel/panic.h"

#define TIMEBASE_NS 100 /* QEMU virt's 10 MHz timebase */

static struct fs_node *root;
static uint64_t next_ino, live_nodes;

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

uint64_t fs_node_count(void)
{
	return live_nodes;
}

struct fs_node *fs_node_new(uint32_t mode)
{
	struct fs_node *n = kzalloc(sizeof(*n));
	if (!n)
		return NULL;
	live_nodes++;
	n->ino = next_ino++;
	n->mode = mode;
	n->nlink = fs_is_dir(n) ? 2 : 1;
	n->next_cookie = FS_FIRST_COOKIE;
	n->atime = n->mtime = n->ctime = fs_now();
	return n;
}

/* Free N's memory alone: its holds on others are the caller's business. */
static void node_free(struct fs_node *n)
{
	if (fs_is_reg(n))
		fs_data_free(n);
	kfree(n->name);
	kfree(n);
	live_nodes--;
}

/*
 * A loop, not recursion: a chain of removed directories, each held only by
 * the one removed inside it, can be as long as the program made it.
 */
void fs_reap(struct fs_node *n)
{
	while (n->nlink == 0 && n->refs == 0) {
		struct fs_node *parent = n->parent;
		node_free(n);
		n = parent;
		n->refs--;
	}
}

void fs_hold(struct fs_node *node)
{
	node->refs++;
}

void fs_release(struct fs_node *node)
{
	if (node->refs == 0)
		panic("fs: node %llu released more often than held", (unsigned long long)node->ino);
	node->refs--;
	fs_reap(node);
}

/*
 * Free the tree from ROOT, each node once its entries are gone: always the
 * first entry of its directory, so a loop needs no stack.
 */
static void free_tree(void)
{
	struct fs_node *n = root;
	while (n) {
		if (n->first) {
			n = n->first;
			continue;
		}
		struct fs_node *up = n == root ? NULL : n->parent;
		if (up)
			up->first = n->next;
		node_free(n);
		n = up;
	}
}

void fs_reset(void)
{
	if (root)
		free_tree();
	root = NULL;
}

int fs_bad(const struct fs_node *n, const char *why)
{
	kprintf("fs_check: node %llu: %s\n", (unsigned long long)n->ino, why);
	return -EINVAL;
}

/* DIR's entries: parents, links, unique names, cookies in order, the list's last, holds. */
static int check_entries(struct fs_node *dir)
{
	uint64_t entries = 0, cookie = 0;
	uint32_t subdirs = 0;
	struct fs_node *last = NULL;
	for (struct fs_node *c = dir->first; c; last = c, c = c->next) {
		if (c->parent != dir || c->nlink == 0 || !c->name)
			return fs_bad(c, "entry with a wrong parent, no link or no name");
		if (c->cookie <= cookie || c->cookie >= dir->next_cookie)
			return fs_bad(c, "cookie out of order");
		if (fs_dir_find(dir, c->name, strlen(c->name)) != c)
			return fs_bad(c, "name twice in one directory");
		cookie = c->cookie;
		subdirs += fs_is_dir(c);
		entries++;
	}
	if (dir->last != last)
		return fs_bad(dir, "the list's last entry is wrong");
	if (dir->nlink != 2 + subdirs)
		return fs_bad(dir, "nlink is not 2 + subdirectories");
	if (dir->refs < entries)
		return fs_bad(dir, "held less often than it has entries");
	return 0;
}

struct fs_node *fs_walk_next(struct fs_node *n)
{
	if (n->first)
		return n->first;
	while (n != root && !n->next)
		n = n->parent;
	return n == root ? NULL : n->next;
}

int fs_check(void)
{
	if (root && root->parent != root)
		return fs_bad(root, "the root is not its own parent");
	for (struct fs_node *n = root; n; n = fs_walk_next(n)) {
		int err = fs_is_dir(n) ? check_entries(n) : fs_is_reg(n) ? fs_data_check(n) : 0;
		if (err)
			return err;
	}
	return 0;
}

static struct fs_node *add(struct fs_node *dir, const char *name, uint32_t mode, enum fs_dev dev)
{
	struct fs_node *n = fs_create(dir, name, strlen(name), mode);
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

/* Parse an octal or decimal number at *S, followed by one space; -EINVAL past 2^60. */
static int take_number(char **s, unsigned base, uint64_t *out)
{
	uint64_t v = 0;
	char *c = *s;
	if (*c < '0' || *c > '0' + (int)base - 1)
		return -EINVAL;
	for (; *c >= '0' && *c <= '0' + (int)base - 1; c++) {
		if (v > (1ull << 60) / base)
			return -EINVAL;
		v = v * base + (uint64_t)(*c - '0');
	}
	if (*c != ' ')
		return -EINVAL;
	*s = c + 1;
	*out = v;
	return 0;
}

/* An archive line "d MODE PATH": the directory, or one already there. */
static int unpack_dir(const char *path, uint32_t mode)
{
	int err = fs_mkdir(root, path, mode);
	if (err == -EEXIST) {
		int e2;
		struct fs_node *d = fs_lookup(root, path, &e2);
		err = d && fs_is_dir(d) ? 0 : -EINVAL;
	}
	return err;
}

/* An archive line "f MODE SIZE PATH", its SIZE bytes at DATA: a new file reading them in place. */
static int unpack_file(const char *path, uint32_t mode, const char *data, uint64_t size)
{
	struct fs_parent par;
	int err = fs_walk_parent(root, path, &par);
	if (err)
		return err;
	if (par.len == 0 || fs_is_dot(&par) || fs_dir_find(par.dir, par.name, par.len))
		return -EINVAL;
	struct fs_node *n = fs_create(par.dir, par.name, par.len, S_IFREG | (mode & 07777));
	if (!n)
		return -ENOMEM;
	fs_data_use_image(n, data, size);
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
		if (line[0] == 'f' && size > (uint64_t)(end - p))
			return -EINVAL;
		int err = line[0] == 'd' ? unpack_dir(s, (uint32_t)mode)
					 : unpack_file(s, (uint32_t)mode, p, size);
		if (err)
			return err;
		if (line[0] == 'f')
			p += size;
	}
}

int fs_init(const void *img, size_t len)
{
	fs_reset();
	next_ino = 2; /* the root's number on Linux file systems */
	root = fs_node_new(S_IFDIR | 0755);
	if (!root)
		return -ENOMEM;
	root->parent = root; /* its own parent, without a hold: never freed but by fs_reset */
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
