/*
 * The file system: one tree in RAM.
 *
 * At boot fs_init builds /, /tmp and /dev (null, zero, urandom, random,
 * console), then unpacks the image's root archive (apps/APP/root/, packed by
 * tools/mkroot.sh) into /.  Files from the archive are not copied: their
 * bytes stay in the kernel image until a write changes a page, which copies
 * that page alone (so the whole tree is writable).
 *
 * File data is kept in 4 KiB pages, only where written (holes read as
 * zero), up to Linux's largest offset; every page and index block is charged
 * to the commit limit (vmm_commit_charge), so running out is -ENOMEM, never
 * a fault later.
 *
 * Lifetimes: a node lives while it has a name (nlink) or a holder (refs):
 * an open description, the working directory, or a child, since every node
 * holds its parent.  So a removed directory still reaches the directory it
 * was removed from, as on Linux, and nothing ever points at a freed node.
 *
 * No symbolic or hard links: every file has one name.  Everything is owned
 * by root and the process runs as root, so modes are kept but never refuse.
 * Functions return 0 or a negated Linux errno (kernel/error.h).  Nothing here
 * touches application memory: the system calls (kernel/sys_fs_*.c) copy.
 */
#ifndef KERNEL_FS_H
#define KERNEL_FS_H

#include <stddef.h>
#include <stdint.h>

#define FS_PATH_MAX 4096 /* with its NUL */
#define FS_NAME_MAX 255
#define FS_SIZE_MAX INT64_MAX /* Linux's largest file (MAX_LFS_FILESIZE) */

/* Linux's mode bits. */
#define S_IFMT 0170000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFREG 0100000
#define S_IFIFO 0010000

/* Linux's open flags (riscv64 = asm-generic). */
#define O_ACCMODE 3
#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2
#define O_CREAT 0100
#define O_EXCL 0200
#define O_NOCTTY 0400
#define O_TRUNC 01000
#define O_APPEND 02000
#define O_NONBLOCK 04000
#define O_DSYNC 010000
#define O_DIRECT 040000
#define O_LARGEFILE 0100000
#define O_DIRECTORY 0200000
#define O_NOFOLLOW 0400000
#define O_NOATIME 01000000
#define O_CLOEXEC 02000000
#define O_SYNC 04010000
#define O_PATH 010000000
#define O_TMPFILE 020200000

/* The character devices, in fs_node.dev. */
enum fs_dev { FS_DEV_NONE, FS_DEV_NULL, FS_DEV_ZERO, FS_DEV_URANDOM, FS_DEV_CONSOLE };

struct fs_time {
	int64_t sec, nsec;
};

/* A regular file's bytes (kernel/fs_data.c). */
struct fs_data {
	void *top;	 /* the page tree: NULL, a page (HEIGHT 0) or an index block */
	unsigned height; /* index levels above the pages */
	uint64_t pages;	 /* data pages held ... */
	uint64_t index;	 /* ... and index blocks, each charged to the commit limit */
	const char *img; /* the image's bytes of [0, IMG_LEN), where no page is held */
	uint64_t img_len;
	uint64_t img_shadowed; /* held pages over the image's (below its last page) */
};

struct fs_node {
	uint64_t ino;
	uint32_t mode; /* type and permission bits */
	uint32_t uid, gid;
	uint32_t nlink;	 /* directories: 2 + subdirectories; others 1; 0 once removed */
	uint64_t refs;	 /* open descriptions, the working directory, children */
	enum fs_dev dev; /* S_IFCHR only */
	uint64_t size;
	struct fs_data data; /* S_IFREG only */
	struct fs_time atime, mtime, ctime;
	char *name;		/* NULL for / */
	struct fs_node *parent; /* held: the directory holding it, or that held it when removed */
	struct fs_node *next;	/* the next entry of PARENT, in the order of insertion */
	/* Directories: the entries, and the cookie the next inserted one gets (getdents). */
	struct fs_node *first, *last;
	uint64_t cookie, next_cookie;
};

static inline int fs_is_dir(const struct fs_node *n)
{
	return (n->mode & S_IFMT) == S_IFDIR;
}

static inline int fs_is_reg(const struct fs_node *n)
{
	return (n->mode & S_IFMT) == S_IFREG;
}

/* Build the tree and unpack the archive IMG (LEN bytes; LEN 0: none). 0, -EINVAL or -ENOMEM. */
int fs_init(const void *img, size_t len);
/* In the kernel: fs_init on the image's archive, descriptors 0-2, the working directory /.
 * Panics on an unusable archive (kernel/sys_fs_util.c). */
void fs_boot(void);
/* Free the whole tree (host tests, between cases); nothing may be held (fs_release first). */
void fs_reset(void);
struct fs_node *fs_root(void);
/* Nodes in existence: the tree's and those only held (tests check for leaks with it). */
uint64_t fs_node_count(void);
/* The node after N in a depth-first walk of the tree that starts at the root; NULL after the last. */
struct fs_node *fs_walk_next(struct fs_node *n);
/*
 * Check the tree's invariants (entries, links, counts of children, every
 * file's pages against its size): 0, or -EINVAL with the reason printed.
 * A walk of everything: for tests.
 */
int fs_check(void);

/* PATH from CWD (or from / when absolute); the node, or NULL with *ERR set. */
struct fs_node *fs_lookup(struct fs_node *cwd, const char *path, int *err);

/*
 * Open: look PATH up, creating a regular file (mode MODE & 07777) when
 * O_CREAT asks (-ENOENT in a removed directory); honours O_EXCL,
 * O_DIRECTORY, O_TRUNC; refuses writing a directory (-EISDIR).  On success
 * the caller holds *OUT (fs_release).
 */
int fs_open(struct fs_node *cwd, const char *path, int flags, uint32_t mode,
	    struct fs_node **out);
/* Take or drop a hold of NODE; it is freed when it has no name and this was its last. */
void fs_hold(struct fs_node *node);
void fs_release(struct fs_node *node);

int fs_mkdir(struct fs_node *cwd, const char *path, uint32_t mode);
/* unlink (DIR 0: not a directory, else -EISDIR) or rmdir (DIR 1: an empty directory). */
int fs_unlink(struct fs_node *cwd, const char *path, int dir);
/*
 * rename(2): replaces a file by a file or an empty directory by a directory
 * (the replaced node lives on while held). NOREPLACE: -EEXIST.  A directory
 * into its own subtree: -EINVAL; into a removed directory: -ENOENT.
 */
int fs_rename(struct fs_node *oldcwd, const char *oldpath, struct fs_node *newcwd,
	      const char *newpath, int noreplace);

/* Read up to N bytes at OFF: bytes read (0 at or past the end), or an errno. */
long fs_read(struct fs_node *node, uint64_t off, void *buf, size_t n);
/*
 * Write N bytes at OFF, growing the file: bytes written, or an errno
 * (-EISDIR, -EINVAL; -EFBIG at FS_SIZE_MAX, where a write past it is cut
 * short; -ENOMEM out of memory or past the commit limit, which cuts a write
 * short when part of it was done: what was written stays).
 */
long fs_write(struct fs_node *node, uint64_t off, const void *buf, size_t n);
/* Set the size (holes cost nothing, so growing never fails): 0, -EISDIR, -EINVAL or -EFBIG. */
int fs_truncate(struct fs_node *node, uint64_t size);
/*
 * lseek's SEEK_DATA (HOLE 0) or SEEK_HOLE (HOLE 1) from OFF in regular file
 * NODE, by 4 KiB pages (the end is a hole): the offset, or -ENXIO when OFF
 * is at or past the end or no data follows.
 */
int64_t fs_seek_data(struct fs_node *node, uint64_t off, int hole);
/* st_blocks: 512-byte units of a regular file's stored bytes (pages held, image pages). */
uint64_t fs_blocks(const struct fs_node *node);

/*
 * Directory entries from *COOKIE on: calls EMIT(ctx, name, ino, type, next
 * cookie) for each ("." and ".." first) until EMIT returns non-zero (that
 * entry is not consumed) or the entries end.  *COOKIE then names the next one.
 * TYPE is a Linux DT_* value.  Returns the number of entries consumed;
 * -ENOTDIR, or -ENOENT for a removed directory (as Linux's IS_DEADDIR).
 */
typedef int (*fs_emit_fn)(void *ctx, const char *name, uint64_t ino, unsigned type,
			  uint64_t next);
long fs_readdir(struct fs_node *dir, uint64_t *cookie, fs_emit_fn emit, void *ctx);

/*
 * The absolute path of directory NODE into BUF (SIZE bytes, NUL included):
 * its length; -ENOENT when NODE was removed; -ENAMETOOLONG when it does not fit.
 */
long fs_path(struct fs_node *node, char *buf, size_t size);

/* The current time as the file system stamps it (boot-relative). */
struct fs_time fs_now(void);
/* Mark a change of contents (mtime and ctime) or of attributes (ctime). */
void fs_touch(struct fs_node *node, int contents);

#define DT_UNKNOWN 0
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_REG 8

#endif
