/*
 * Metadata: fstat, newfstatat, statx, faccessat(2), utimensat, chmod,
 * chown and truncate.  Everything is root's and the process is root, so
 * modes and owners are recorded but never refuse (faccessat only refuses
 * X_OK on a file no one may execute).  There are no symbolic links, so
 * AT_SYMLINK_NOFOLLOW changes nothing.
 */
#include <stddef.h>
#include <string.h>

#include "kernel/error.h"
#include "kernel/syscall.h"
#include "kernel/sys_fs_util.h"
#include "kernel/timeout.h"
#include "uaccess.h"

#define NR_truncate 45
#define NR_ftruncate 46
#define NR_faccessat 48
#define NR_fchmod 52
#define NR_fchmodat 53
#define NR_fchownat 54
#define NR_fchown 55
#define NR_newfstatat 79
#define NR_fstat 80
#define NR_utimensat 88
#define NR_statx 291
#define NR_faccessat2 439

#define AT_EACCESS 0x200
#define AT_STATX_SYNC_TYPE 0x6000 /* FORCE_SYNC 0x2000 | DONT_SYNC 0x4000: not both */
#define STATX_BASIC_STATS 0x7ffu  /* type, mode, nlink, uid, gid, times, ino, size, blocks */
#define STATX__RESERVED 0x80000000u
#define UTIME_NOW ((1l << 30) - 1)
#define UTIME_OMIT ((1l << 30) - 2)
#define X_OK 1

/* The riscv64 (asm-generic) struct stat. */
struct linux_stat {
	uint64_t dev, ino;
	uint32_t mode, nlink, uid, gid;
	uint64_t rdev, pad1;
	int64_t size;
	int32_t blksize, pad2;
	int64_t blocks;
	int64_t atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns;
	uint32_t unused[2];
};
_Static_assert(sizeof(struct linux_stat) == 128, "struct stat layout");

/* Linux's struct statx (include/uapi/linux/stat.h). */
struct statx_timestamp {
	int64_t sec;
	uint32_t nsec;
	int32_t reserved;
};

struct linux_statx {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, spare0;
	uint64_t ino, size, blocks, attributes_mask;
	struct statx_timestamp atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t mnt_id;
	uint32_t dio_mem_align, dio_offset_align;
	uint64_t spare3[12];
};
_Static_assert(sizeof(struct linux_statx) == 256, "struct statx layout");
_Static_assert(offsetof(struct linux_statx, atime) == 64, "struct statx layout");
_Static_assert(offsetof(struct linux_statx, rdev_major) == 128, "struct statx layout");
_Static_assert(offsetof(struct linux_statx, mnt_id) == 144, "struct statx layout");

static void fill_stat(const struct file *f, const struct fs_node *n, struct linux_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->blksize = 4096;
	if (!n && f->kind == FILE_PIPE) {
		st->dev = 12;
		st->ino = f->pipe->ino;
		st->mode = S_IFIFO | 0600;
		st->nlink = 1;
		return;
	}
	if (!n) { /* an eventfd or epoll: Linux's one anonymous inode, of no file type */
		st->dev = 13;
		st->ino = 1;
		st->mode = 0600;
		st->nlink = 1;
		return;
	}
	st->dev = 1;
	st->ino = n->ino;
	st->mode = n->mode;
	st->nlink = n->nlink;
	st->uid = n->uid;
	st->gid = n->gid;
	static const uint16_t rdev[] = { [FS_DEV_NULL] = 1 << 8 | 3, [FS_DEV_ZERO] = 1 << 8 | 5,
					 [FS_DEV_URANDOM] = 1 << 8 | 9,
					 [FS_DEV_CONSOLE] = 5 << 8 | 1 };
	if ((n->mode & S_IFMT) == S_IFCHR) {
		st->rdev = rdev[n->dev];
		st->dev = 5;
	} else if ((n->mode & S_IFMT) == S_IFDIR) {
		st->size = 4096;
	} else {
		st->size = (int64_t)n->size;
		st->blocks = (int64_t)fs_blocks(n);
	}
	st->atime = n->atime.sec;
	st->atime_ns = n->atime.nsec;
	st->mtime = n->mtime.sec;
	st->mtime_ns = n->mtime.nsec;
	st->ctime = n->ctime.sec;
	st->ctime_ns = n->ctime.nsec;
}

static long sys_fstat(uint64_t fd, uint64_t ubuf, uint64_t a2, uint64_t a3, uint64_t a4,
		      uint64_t a5)
{
	struct linux_stat st;
	struct file *f = fd_get(fdarg(fd));
	if (!f)
		return -EBADF;
	fill_stat(f, f->node, &st);
	return copy_to_user(ubuf, &st, sizeof(st));
}

static long sys_newfstatat(uint64_t dirfd, uint64_t upath, uint64_t ubuf, uint64_t flags,
			   uint64_t a4, uint64_t a5)
{
	struct linux_stat st;
	struct fs_node *n;
	struct file *f;
	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH))
		return -EINVAL;
	long err = at_node(dirfd, upath, flags, &n, &f);
	if (err)
		return err;
	fill_stat(f, n, &st);
	return copy_to_user(ubuf, &st, sizeof(st));
}

/* Split a device number as stat encodes it (new_encode_dev) into major and minor. */
static void split_dev(uint64_t dev, uint32_t *major, uint32_t *minor)
{
	*major = (uint32_t)((dev & 0xfff00) >> 8);
	*minor = (uint32_t)((dev & 0xff) | ((dev >> 12) & 0xfff00));
}

static struct statx_timestamp statx_time(int64_t sec, int64_t nsec)
{
	return (struct statx_timestamp){ sec, (uint32_t)nsec, 0 };
}

/* statx from stat, so both calls always agree; btime is unknown and left out of the mask. */
static void statx_from_stat(const struct linux_stat *st, struct linux_statx *sx)
{
	memset(sx, 0, sizeof(*sx));
	sx->mask = STATX_BASIC_STATS;
	sx->blksize = (uint32_t)st->blksize;
	sx->nlink = st->nlink;
	sx->uid = st->uid;
	sx->gid = st->gid;
	sx->mode = (uint16_t)st->mode;
	sx->ino = st->ino;
	sx->size = (uint64_t)st->size;
	sx->blocks = (uint64_t)st->blocks;
	sx->atime = statx_time(st->atime, st->atime_ns);
	sx->mtime = statx_time(st->mtime, st->mtime_ns);
	sx->ctime = statx_time(st->ctime, st->ctime_ns);
	split_dev(st->rdev, &sx->rdev_major, &sx->rdev_minor);
	split_dev(st->dev, &sx->dev_major, &sx->dev_minor);
}

/*
 * statx: every basic field, whatever MASK asks (it is a hint; stx_mask says
 * what was filled).  Flags and mask are checked before the path, as Linux does.
 */
static long sys_statx(uint64_t dirfd, uint64_t upath, uint64_t flags, uint64_t mask,
		      uint64_t ubuf, uint64_t a5)
{
	struct linux_stat st;
	struct linux_statx sx;
	struct fs_node *n;
	struct file *f;
	uint64_t known = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE;
	if ((uint32_t)mask & STATX__RESERVED)
		return -EINVAL;
	if ((flags & ~known) || (flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	long err = at_node(dirfd, upath, flags, &n, &f);
	if (err)
		return err;
	fill_stat(f, n, &st);
	statx_from_stat(&st, &sx);
	return copy_to_user(ubuf, &sx, sizeof(sx));
}

static long sys_faccessat2(uint64_t dirfd, uint64_t upath, uint64_t mode, uint64_t flags,
			   uint64_t a4, uint64_t a5)
{
	struct fs_node *n;
	struct file *f;
	if (mode & ~7ul)
		return -EINVAL;
	if (flags & ~(uint64_t)(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	long err = at_node(dirfd, upath, flags, &n, &f);
	if (err)
		return err;
	/* root may read and write anything, and execute what anyone may */
	if ((mode & X_OK) && n && !fs_is_dir(n) && !(n->mode & 0111))
		return -EACCES;
	return 0;
}

static long sys_faccessat(uint64_t dirfd, uint64_t upath, uint64_t mode, uint64_t a3,
			  uint64_t a4, uint64_t a5)
{
	return sys_faccessat2(dirfd, upath, mode, 0, 0, 0);
}

static long sys_ftruncate(uint64_t fd, uint64_t len, uint64_t a2, uint64_t a3, uint64_t a4,
			  uint64_t a5)
{
	struct file *f = fd_get_io(fdarg(fd));
	if (!f)
		return -EBADF;
	if ((int64_t)len < 0 || !f->node || (f->node->mode & S_IFMT) != S_IFREG ||
	    (f->flags & O_ACCMODE) == O_RDONLY)
		return -EINVAL;
	return fs_truncate(f->node, len);
}

static long sys_truncate(uint64_t upath, uint64_t len, uint64_t a2, uint64_t a3, uint64_t a4,
			 uint64_t a5)
{
	long err = get_path(path_buf, upath);
	if (err)
		return err;
	if ((int64_t)len < 0)
		return -EINVAL;
	int e = 0;
	struct fs_node *n = fs_lookup(working_dir(), path_buf, &e);
	if (!n)
		return e;
	if (fs_is_dir(n))
		return -EISDIR;
	if ((n->mode & S_IFMT) != S_IFREG)
		return -EINVAL;
	return fs_truncate(n, len);
}

static long chmod_node(struct fs_node *n, uint64_t mode)
{
	n->mode = (n->mode & S_IFMT) | ((uint32_t)mode & 07777);
	fs_touch(n, 0);
	return 0;
}

static long chown_node(struct fs_node *n, uint64_t uid, uint64_t gid)
{
	if ((uint32_t)uid != (uint32_t)-1)
		n->uid = (uint32_t)uid;
	if ((uint32_t)gid != (uint32_t)-1)
		n->gid = (uint32_t)gid;
	fs_touch(n, 0);
	return 0;
}

static long sys_fchmod(uint64_t fd, uint64_t mode, uint64_t a2, uint64_t a3, uint64_t a4,
		       uint64_t a5)
{
	struct file *f = fd_get_io(fdarg(fd));
	if (!f)
		return -EBADF;
	return f->node ? chmod_node(f->node, mode) : 0;
}

static long sys_fchmodat(uint64_t dirfd, uint64_t upath, uint64_t mode, uint64_t a3,
			 uint64_t a4, uint64_t a5)
{
	struct fs_node *n;
	struct file *f;
	long err = at_node(dirfd, upath, 0, &n, &f);
	return err ? err : chmod_node(n, mode);
}

static long sys_fchown(uint64_t fd, uint64_t uid, uint64_t gid, uint64_t a3, uint64_t a4,
		       uint64_t a5)
{
	struct file *f = fd_get_io(fdarg(fd));
	if (!f)
		return -EBADF;
	return f->node ? chown_node(f->node, uid, gid) : 0;
}

static long sys_fchownat(uint64_t dirfd, uint64_t upath, uint64_t uid, uint64_t gid,
			 uint64_t flags, uint64_t a5)
{
	struct fs_node *n;
	struct file *f;
	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	long err = at_node(dirfd, upath, flags, &n, &f);
	if (err)
		return err;
	return n ? chown_node(n, uid, gid) : 0;
}

/* One utimensat time: OUT unchanged for UTIME_OMIT; 0 or -EINVAL. */
static int time_arg(const struct linux_timespec *t, struct fs_time *out)
{
	if (t->nsec == UTIME_OMIT)
		return 0;
	if (t->nsec == UTIME_NOW) {
		*out = fs_now();
		return 0;
	}
	if (t->nsec < 0 || t->nsec >= 1000000000)
		return -EINVAL;
	*out = (struct fs_time){ t->sec, t->nsec };
	return 0;
}

/* The node utimensat names: a NULL path is futimens (DIRFD itself). */
static long utimens_node(uint64_t dirfd, uint64_t upath, uint64_t flags, struct fs_node **n)
{
	struct file *f;
	if (upath)
		return at_node(dirfd, upath, flags, n, &f);
	if (fdarg(dirfd) == AT_FDCWD)
		return -EFAULT;
	f = fd_get_io(fdarg(dirfd));
	if (!f)
		return -EBADF;
	*n = f->node;
	return 0;
}

static long sys_utimensat(uint64_t dirfd, uint64_t upath, uint64_t utimes, uint64_t flags,
			  uint64_t a4, uint64_t a5)
{
	struct linux_timespec t[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
	struct fs_node *n;
	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (utimes && copy_from_user(t, utimes, sizeof(t)))
		return -EFAULT;
	long err = utimens_node(dirfd, upath, flags, &n);
	if (err)
		return err;
	if (!n)
		return 0; /* a pipe: nothing kept */
	struct fs_time at = n->atime, mt = n->mtime;
	err = time_arg(&t[0], &at);
	if (!err)
		err = time_arg(&t[1], &mt);
	if (err)
		return err;
	n->atime = at;
	n->mtime = mt;
	fs_touch(n, 0);
	return 0;
}

void sys_fs_stat_register(syscall_fn *t)
{
	t[NR_truncate] = sys_truncate;
	t[NR_ftruncate] = sys_ftruncate;
	t[NR_faccessat] = sys_faccessat;
	t[NR_fchmod] = sys_fchmod;
	t[NR_fchmodat] = sys_fchmodat;
	t[NR_fchownat] = sys_fchownat;
	t[NR_fchown] = sys_fchown;
	t[NR_newfstatat] = sys_newfstatat;
	t[NR_fstat] = sys_fstat;
	t[NR_utimensat] = sys_utimensat;
	t[NR_statx] = sys_statx;
	t[NR_faccessat2] = sys_faccessat2;
}
