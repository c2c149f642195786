/*
 * The file and descriptor calls, over the RAM file system (kernel/fs.h) and
 * the descriptor table (kernel/fd.h).  Descriptors 0-2 start on
 * /dev/console: 0 reads end-of-file, 1 and 2 write to the console.
 *
 * Paths and buffers are copied through uaccess; file contents move through a
 * kernel bounce buffer.  The process runs as root: modes are recorded but
 * refuse nothing (faccessat only refuses X_OK on a file no one may execute).
 */
#include <stdio.h>
#include <string.h>

#include "kernel/console.h"
#include "kernel/error.h"
#include "kernel/fd.h"
#include "kernel/fs.h"
#include "kernel/panic.h"
#include "kernel/process.h"
#include "kernel/syscall.h"
#include "uaccess.h"

#define NR_getcwd 17
#define NR_dup 23
#define NR_dup3 24
#define NR_fcntl 25
#define NR_ioctl 29
#define NR_mkdirat 34
#define NR_unlinkat 35
#define NR_renameat 38
#define NR_truncate 45
#define NR_ftruncate 46
#define NR_faccessat 48
#define NR_chdir 49
#define NR_fchdir 50
#define NR_fchmod 52
#define NR_fchmodat 53
#define NR_fchownat 54
#define NR_fchown 55
#define NR_openat 56
#define NR_close 57
#define NR_pipe2 59
#define NR_getdents64 61
#define NR_lseek 62
#define NR_read 63
#define NR_write 64
#define NR_readv 65
#define NR_writev 66
#define NR_pread64 67
#define NR_pwrite64 68
#define NR_preadv 69
#define NR_pwritev 70
#define NR_readlinkat 78
#define NR_newfstatat 79
#define NR_fstat 80
#define NR_fsync 82
#define NR_fdatasync 83
#define NR_utimensat 88
#define NR_renameat2 276
#define NR_faccessat2 439

#define AT_FDCWD (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR 0x200
#define AT_EACCESS 0x200
#define AT_NO_AUTOMOUNT 0x800
#define AT_EMPTY_PATH 0x1000
#define RENAME_NOREPLACE 1
#define UTIME_NOW ((1l << 30) - 1)
#define UTIME_OMIT ((1l << 30) - 2)
#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#define F_DUPFD_CLOEXEC 1030
#define F_GETPIPE_SZ 1032
#define FD_CLOEXEC 1
#define F_UNLCK 2
#define FIONREAD 0x541b
#define FIONBIO 0x5421
#define FIONCLEX 0x5450
#define FIOCLEX 0x5451
#define X_OK 1
#define IOV_MAX 1024
#define RW_MAX 0x7ffff000ul /* Linux's cap on one read or write */
#define DIRENT_HEADER 19    /* struct linux_dirent64 up to d_name */

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

struct linux_iovec {
	uint64_t base, len;
};

struct linux_timespec {
	int64_t sec, nsec;
};

extern const char app_root_start[], app_root_end[];

static struct fs_node *cwd;
static char bounce[16384];
static char path_buf[FS_PATH_MAX], path_buf2[FS_PATH_MAX];
static struct linux_iovec iov_buf[IOV_MAX];

/* Descriptor arguments are C ints. */
static long fdarg(uint64_t v)
{
	return (long)(int32_t)v;
}

void fs_boot(void)
{
	int err = fs_init(app_root_start, (size_t)(app_root_end - app_root_start));
	if (err)
		panic("file system: the image's root archive is unusable (error %d)", err);
	err = fd_init();
	if (err)
		panic("file system: no console descriptors (error %d)", err);
	cwd = fs_root();
	fs_hold(cwd);
}

static int is_dir(const struct fs_node *n)
{
	return (n->mode & S_IFMT) == S_IFDIR;
}

/* Copy the application's path UPATH into BUF: 0, -EFAULT or -ENAMETOOLONG. */
static long get_path(char *buf, uint64_t upath)
{
	long len = strncpy_from_user(buf, upath, FS_PATH_MAX);
	return len < 0 ? len : 0;
}

/* The directory a path relative to DIRFD starts from. */
/* The open directory FD names: 0 and *OUT, -EBADF or -ENOTDIR. */
static int fd_dir(uint64_t fd, struct file **out)
{
	struct file *f = fd_get(fdarg(fd));
	if (!f)
		return -EBADF;
	if (!f->node || !is_dir(f->node))
		return -ENOTDIR;
	*out = f;
	return 0;
}

static int at_base(long dirfd, const char *path, struct fs_node **base)
{
	if (path[0] == '/' || dirfd == AT_FDCWD) {
		*base = cwd;
		return 0;
	}
	struct file *f;
	int err = fd_dir((uint64_t)dirfd, &f);
	if (!err)
		*base = f->node;
	return err;
}

/* Copy in the path and find its starting directory: 0 or an errno. */
static long at_path(uint64_t dirfd, uint64_t upath, char *buf, struct fs_node **base)
{
	long err = get_path(buf, upath);
	if (err)
		return err;
	return at_base(fdarg(dirfd), buf, base);
}

/* ------------------------------------------------------------- read/write --- */

static long do_read(struct file *f, uint64_t ubuf, uint64_t count, int64_t off)
{
	if ((f->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	if (f->node && is_dir(f->node))
		return -EISDIR;
	if (count > RW_MAX)
		count = RW_MAX;
	uint64_t done = 0;
	while (done < count) {
		size_t n = count - done < sizeof(bounce) ? count - done : sizeof(bounce);
		long got = file_read(f, bounce, n, off < 0 ? -1 : off + (int64_t)done);
		if (got < 0)
			return done ? (long)done : got;
		if (got == 0)
			break;
		if (copy_to_user(ubuf + done, bounce, (size_t)got) != 0) {
			if (off < 0)
				file_unadvance(f, (size_t)got);
			return done ? (long)done : -EFAULT;
		}
		done += (uint64_t)got;
		if ((size_t)got < n)
			break;
	}
	return (long)done;
}

static long do_write(struct file *f, uint64_t ubuf, uint64_t count, int64_t off)
{
	if ((f->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if (count > RW_MAX)
		count = RW_MAX;
	if (count == 0)
		return file_write(f, bounce, 0, off);
	uint64_t done = 0;
	while (done < count) {
		size_t n = count - done < sizeof(bounce) ? count - done : sizeof(bounce);
		if (copy_from_user(bounce, ubuf + done, n) != 0)
			return done ? (long)done : -EFAULT;
		long put = file_write(f, bounce, n, off < 0 ? -1 : off + (int64_t)done);
		if (put < 0)
			return done ? (long)done : put;
		done += (uint64_t)put;
		if ((size_t)put < n)
			break;
	}
	return (long)done;
}

static long sys_read(uint64_t fd, uint64_t buf, uint64_t count, uint64_t a3, uint64_t a4,
		     uint64_t a5)
{
	struct file *f = fd_get(fdarg(fd));
	return f ? do_read(f, buf, count, -1) : -EBADF;
}

static long sys_write(uint64_t fd, uint64_t buf, uint64_t count, uint64_t a3, uint64_t a4,
		      uint64_t a5)
{
	struct file *f = fd_get(fdarg(fd));
	return f ? do_write(f, buf, count, -1) : -EBADF;
}

static long positional(struct file *f, int64_t off)
{
	if (off < 0)
		return -EINVAL;
	if (!f->node || f->node->dev == FS_DEV_CONSOLE)
		return -ESPIPE;
	return 0;
}

static long sys_pread64(uint64_t fd, uint64_t buf, uint64_t count, uint64_t off, uint64_t a4,
			uint64_t a5)
{
	struct file *f = fd_get(fdarg(fd));
	if (!f)
		return -EBADF;
	long err = positional(f, (int64_t)off);
	return err ? err : do_read(f, buf, count, (int64_t)off);
}

static long sys_pwrite64(uint64_t fd, uint64_t buf, uint64_t count, uint64_t off, uint64_t a4,
			 uint64_t a5)
{
	struct file *f = fd_get(fdarg(fd));
	if (!f)
		return -EBADF;
	long err = positional(f, (int64_t)off);
	return err ? err : do_write(f, buf, count, (int64_t)off);
}

/* Fetch and check an iovec array: 0, -EINVAL or -EFAULT. */
static int fetch_iov(uint64_t uiov, uint64_t cnt)
{
	if (cnt > IOV_MAX)
		return -EINVAL;
	if (copy_from_user(iov_buf, uiov, cnt * sizeof(iov_buf[0])) != 0)
		return -EFAULT;
	uint64_t total = 0;
	for (uint64_t i = 0; i < cnt; i++) {
		if (iov_buf[i].len > RW_MAX || total + iov_buf[i].len > RW_MAX * 2)
			return -EINVAL;
		total += iov_buf[i].len;
	}
	return 0;
}

static long vector(uint64_t fd, uint64_t uiov, uint64_t cnt, int64_t off, int write)
{
	struct file *f = fd_get(fdarg(fd));
	if (!f)
		return -EBADF;
	if ((f->flags & O_ACCMODE) == (write ? O_RDONLY : O_WRONLY))
		return -EBADF;
	if (off != -1) {
		long err = positional(f, off);
		if (err)
			return err;
	}
	int err = fetch_iov(uiov, cnt);
	if (err)
		return err;
	long done = 0;
	for (uint64_t i = 0; i < cnt; i++) {
		int64_t at = off < 0 ? -1 : off + done;
		long n = write ? do_write(f, iov_buf[i].base, iov_buf[i].len, at)
			       : do_read(f, iov_buf[i].base, iov_buf[i].len, at);
		if (n < 0)
			return done ? done : n;
		done += n;
		if ((uint64_t)n < iov_buf[i].len)
			break;
	}
	return done;
}

static long sys_readv(uint64_t fd, uint64_t uiov, uint64_t cnt, uint64_t a3, uint64_t a4,
		      uint64_t a5)
{
	return vector(fd, uiov, cnt, -1, 0);
}

static long sys_writev(uint64_t fd, uint64_t uiov, uint64_t cnt, uint64_t a3, uint64_t a4,
		       uint64_t a5)
{
	return vector(fd, uiov, cnt, -1, 1);
}

static long sys_preadv(uint64_t fd, uint64_t uiov, uint64_t cnt, uint64_t off, uint64_t a4,
		       uint64_t a5)
{
	return (int64_t)off < 0 ? -EINVAL : vector(fd, uiov, cnt, (int64_t)off, 0);
}

static long sys_pwritev(uint64_t fd, uint64_t uiov, uint64_t cnt, uint64_t off, uint64_t a4,
			uint64_t a5)
{
	return (int64_t)off < 0 ? -EINVAL : vector(fd, uiov, cnt, (int64_t)off, 1);
}

static long sys_lseek(uint64_t fd, uint64_t off, uint64_t whence, uint64_t a3, uint64_t a4,
		      uint64_t a5)
{
	struct file *f = fd_get(fdarg(fd));
	return f ? file_lseek(f, (int64_t)off, (int)whence) : -EBADF;
}

/* ------------------------------------------------------- open and close --- */

#define KEPT_FLAGS                                                                          \
	(O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | O_DIRECT | O_LARGEFILE | O_NOATIME | \
	 O_SYNC | O_PATH | O_NOCTTY)

static long sys_openat(uint64_t dirfd, uint64_t upath, uint64_t flags, uint64_t mode,
		       uint64_t a4, uint64_t a5)
{
	struct fs_node *base, *node;
	int fl = (int)flags;
	if ((fl & O_ACCMODE) == 3)
		return -EINVAL;
	if ((fl & O_TMPFILE) == O_TMPFILE)
		return -ENOTSUP; /* no unnamed files */
	long err = at_path(dirfd, upath, path_buf, &base);
	if (err)
		return err;
	if (fl & O_PATH)
		fl &= O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW;
	err = fs_open(base, path_buf, fl, (uint32_t)mode, &node);
	if (err)
		return err;
	struct file *f = file_new(node, fl & KEPT_FLAGS);
	if (!f) {
		fs_release(node);
		return -ENOMEM;
	}
	long fd = fd_install(f, 0, fl & O_CLOEXEC);
	file_put(f);
	return fd;
}

static long sys_close(uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		      uint64_t a5)
{
	return fd_close(fdarg(fd));
}

static long sys_dup(uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct file *f = fd_get(fdarg(fd));
	return f ? fd_install(f, 0, 0) : -EBADF;
}

static long sys_dup3(uint64_t oldfd, uint64_t newfd, uint64_t flags, uint64_t a3, uint64_t a4,
		     uint64_t a5)
{
	if (flags & ~(uint64_t)O_CLOEXEC)
		return -EINVAL;
	if (fdarg(oldfd) == fdarg(newfd))
		return fd_get(fdarg(oldfd)) ? -EINVAL : -EBADF;
	return fd_dup_to(fdarg(oldfd), fdarg(newfd), !!(flags & O_CLOEXEC));
}

static long sys_pipe2(uint64_t ufds, uint64_t flags, uint64_t a2, uint64_t a3, uint64_t a4,
		      uint64_t a5)
{
	struct file *r, *w;
	if (flags & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	int err = file_pipe((int)flags, &r, &w);
	if (err)
		return err;
	long rfd = fd_install(r, 0, flags & O_CLOEXEC);
	long wfd = rfd < 0 ? rfd : fd_install(w, 0, flags & O_CLOEXEC);
	file_put(r);
	file_put(w);
	if (wfd < 0) {
		if (rfd >= 0)
			fd_close(rfd);
		return wfd;
	}
	int fds[2] = { (int)rfd, (int)wfd };
	if (copy_to_user(ufds, fds, sizeof(fds)) != 0) {
		fd_close(rfd);
		fd_close(wfd);
		return -EFAULT;
	}
	return 0;
}

static long sys_fcntl(uint64_t fd, uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4,
		      uint64_t a5)
{
	long n = fdarg(fd);
	struct file *f = fd_get(n);
	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if ((int64_t)arg < 0 || arg >= FD_MAX)
			return -EINVAL;
		return fd_install(f, (long)arg, cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return fd_cloexec(n) ? FD_CLOEXEC : 0;
	case F_SETFD:
		fd_set_cloexec(n, arg & FD_CLOEXEC);
		return 0;
	case F_GETFL:
		return f->flags;
	case F_SETFL: {
		int change = O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME;
		f->flags = (f->flags & ~change) | ((int)arg & change);
		return 0;
	}
	case F_GETLK: { /* one process: nothing else ever holds a lock */
		int16_t type = F_UNLCK;
		return copy_to_user(arg, &type, sizeof(type));
	}
	case F_SETLK:
	case F_SETLKW:
		return 0;
	case F_GETPIPE_SZ:
		return f->pipe ? PIPE_SIZE : -EBADF;
	default:
		return -EINVAL;
	}
}

static long sys_ioctl(uint64_t fd, uint64_t req, uint64_t arg, uint64_t a3, uint64_t a4,
		      uint64_t a5)
{
	long n = fdarg(fd);
	struct file *f = fd_get(n);
	if (!f)
		return -EBADF;
	switch ((uint32_t)req) {
	case FIOCLEX:
	case FIONCLEX:
		fd_set_cloexec(n, req == FIOCLEX);
		return 0;
	case FIONBIO: {
		int on;
		if (copy_from_user(&on, arg, sizeof(on)))
			return -EFAULT;
		f->flags = on ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
		return 0;
	}
	case FIONREAD: {
		int avail;
		if (f->pipe)
			avail = (int)f->pipe->len;
		else if ((f->node->mode & S_IFMT) == S_IFREG)
			avail = f->node->size > f->off ? (int)(f->node->size - f->off) : 0;
		else
			return -ENOTTY;
		return copy_to_user(arg, &avail, sizeof(avail));
	}
	default: /* no terminals: TCGETS and the rest */
		return -ENOTTY;
	}
}

/* --------------------------------------------------------------- status --- */

static void fill_stat(const struct file *f, const struct fs_node *n, struct linux_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->blksize = 4096;
	if (!n) { /* a pipe */
		st->dev = 12;
		st->ino = f->pipe->ino;
		st->mode = S_IFIFO | 0600;
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
		st->blocks = (int64_t)((n->size + 4095) / 4096 * 8);
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

/* The node DIRFD+UPATH names; AT_EMPTY_PATH allows "" for DIRFD itself. *F: its file, if so. */
static long at_node(uint64_t dirfd, uint64_t upath, uint64_t flags, struct fs_node **out,
		    struct file **fout)
{
	struct fs_node *base;
	long err = get_path(path_buf, upath);
	if (err)
		return err;
	*fout = NULL;
	if (path_buf[0] == 0 && (flags & AT_EMPTY_PATH)) {
		if (fdarg(dirfd) == AT_FDCWD) {
			*out = cwd;
			return 0;
		}
		struct file *f = fd_get(fdarg(dirfd));
		if (!f)
			return -EBADF;
		*fout = f;
		*out = f->node;
		return 0;
	}
	err = at_base(fdarg(dirfd), path_buf, &base);
	if (err)
		return err;
	int e = 0;
	*out = fs_lookup(base, path_buf, &e);
	return *out ? 0 : e;
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
	if ((mode & X_OK) && n && !is_dir(n) && !(n->mode & 0111))
		return -EACCES;
	return 0;
}

static long sys_faccessat(uint64_t dirfd, uint64_t upath, uint64_t mode, uint64_t a3,
			  uint64_t a4, uint64_t a5)
{
	return sys_faccessat2(dirfd, upath, mode, 0, 0, 0);
}

struct dirent_ctx {
	uint64_t ubuf;
	size_t count, pos;
	int err, full;
};

static int emit_dirent(void *p, const char *name, uint64_t ino, unsigned type, uint64_t next)
{
	struct dirent_ctx *c = p;
	char rec[DIRENT_HEADER + FS_NAME_MAX + 1 + 8];
	size_t len = strlen(name);
	size_t reclen = (DIRENT_HEADER + len + 1 + 7) & ~(size_t)7;
	if (c->pos + reclen > c->count) {
		c->full = 1;
		return 1;
	}
	memset(rec, 0, reclen);
	int64_t off = (int64_t)next;
	uint16_t rl = (uint16_t)reclen;
	memcpy(rec, &ino, 8);
	memcpy(rec + 8, &off, 8);
	memcpy(rec + 16, &rl, 2);
	rec[18] = (char)type;
	memcpy(rec + DIRENT_HEADER, name, len);
	if (copy_to_user(c->ubuf + c->pos, rec, reclen) != 0) {
		c->err = -EFAULT;
		return 1;
	}
	c->pos += reclen;
	return 0;
}

static long sys_getdents64(uint64_t fd, uint64_t ubuf, uint64_t count, uint64_t a3, uint64_t a4,
			   uint64_t a5)
{
	struct file *f;
	int err = fd_dir(fd, &f);
	if (err)
		return err;
	struct dirent_ctx c = { ubuf, count > RW_MAX ? RW_MAX : count, 0, 0, 0 };
	long n = fs_readdir(f->node, &f->off, emit_dirent, &c);
	if (n < 0)
		return n;
	if (c.pos == 0 && c.err)
		return c.err;
	if (c.pos == 0 && c.full)
		return -EINVAL; /* not even one entry fits */
	return (long)c.pos;
}

/* ------------------------------------------------------- names and dirs --- */

static long sys_mkdirat(uint64_t dirfd, uint64_t upath, uint64_t mode, uint64_t a3, uint64_t a4,
			uint64_t a5)
{
	struct fs_node *base;
	long err = at_path(dirfd, upath, path_buf, &base);
	return err ? err : fs_mkdir(base, path_buf, (uint32_t)mode);
}

static long sys_unlinkat(uint64_t dirfd, uint64_t upath, uint64_t flags, uint64_t a3,
			 uint64_t a4, uint64_t a5)
{
	struct fs_node *base;
	if (flags & ~(uint64_t)AT_REMOVEDIR)
		return -EINVAL;
	long err = at_path(dirfd, upath, path_buf, &base);
	return err ? err : fs_unlink(base, path_buf, !!(flags & AT_REMOVEDIR));
}

static long sys_renameat2(uint64_t olddirfd, uint64_t uold, uint64_t newdirfd, uint64_t unew,
			  uint64_t flags, uint64_t a5)
{
	struct fs_node *oldbase, *newbase;
	if (flags & ~(uint64_t)RENAME_NOREPLACE)
		return -EINVAL; /* RENAME_EXCHANGE and RENAME_WHITEOUT: not supported */
	long err = at_path(olddirfd, uold, path_buf, &oldbase);
	if (!err)
		err = at_path(newdirfd, unew, path_buf2, &newbase);
	if (err)
		return err;
	return fs_rename(oldbase, path_buf, newbase, path_buf2, flags & RENAME_NOREPLACE);
}

static long sys_renameat(uint64_t olddirfd, uint64_t uold, uint64_t newdirfd, uint64_t unew,
			 uint64_t a4, uint64_t a5)
{
	return sys_renameat2(olddirfd, uold, newdirfd, unew, 0, 0);
}

static long sys_getcwd(uint64_t ubuf, uint64_t size, uint64_t a2, uint64_t a3, uint64_t a4,
		       uint64_t a5)
{
	long len = fs_path(cwd, path_buf, sizeof(path_buf));
	if (len < 0)
		return len;
	if ((uint64_t)len + 1 > size)
		return -ERANGE;
	return copy_to_user(ubuf, path_buf, (size_t)len + 1) ? -EFAULT : len + 1;
}

static void set_cwd(struct fs_node *n)
{
	fs_hold(n);
	fs_release(cwd);
	cwd = n;
}

static long sys_chdir(uint64_t upath, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		      uint64_t a5)
{
	long err = get_path(path_buf, upath);
	if (err)
		return err;
	int e = 0;
	struct fs_node *n = fs_lookup(cwd, path_buf, &e);
	if (!n)
		return e;
	if (!is_dir(n))
		return -ENOTDIR;
	set_cwd(n);
	return 0;
}

static long sys_fchdir(uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		       uint64_t a5)
{
	struct file *f;
	int err = fd_dir(fd, &f);
	if (err)
		return err;
	set_cwd(f->node);
	return 0;
}

static long sys_readlinkat(uint64_t dirfd, uint64_t upath, uint64_t ubuf, uint64_t size,
			   uint64_t a4, uint64_t a5)
{
	char target[FS_NAME_MAX + 2];
	if ((int64_t)size <= 0)
		return -EINVAL;
	long err = get_path(path_buf, upath);
	if (err)
		return err;
	if (strcmp(path_buf, "/proc/self/exe") == 0) {
		/* The program was started as /NAME. */
		size_t n = (size_t)snprintf(target, sizeof(target), "/%s", current_process.name);
		if (n > size)
			n = size;
		return copy_to_user(ubuf, target, n) ? -EFAULT : (long)n;
	}
	struct fs_node *base;
	err = at_base(fdarg(dirfd), path_buf, &base);
	if (err)
		return err;
	int e = 0;
	return fs_lookup(base, path_buf, &e) ? -EINVAL : e; /* no symbolic links */
}

/* ----------------------------------------------------------- attributes --- */

static long sys_ftruncate(uint64_t fd, uint64_t len, uint64_t a2, uint64_t a3, uint64_t a4,
			  uint64_t a5)
{
	struct file *f = fd_get(fdarg(fd));
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
	struct fs_node *n = fs_lookup(cwd, path_buf, &e);
	if (!n)
		return e;
	if (is_dir(n))
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
	struct file *f = fd_get(fdarg(fd));
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
	struct file *f = fd_get(fdarg(fd));
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

static long sys_utimensat(uint64_t dirfd, uint64_t upath, uint64_t utimes, uint64_t flags,
			  uint64_t a4, uint64_t a5)
{
	struct linux_timespec t[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
	struct fs_node *n;
	struct file *f = NULL;
	long err;
	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (utimes && copy_from_user(t, utimes, sizeof(t)))
		return -EFAULT;
	if (upath == 0) { /* futimens */
		if (fdarg(dirfd) == AT_FDCWD)
			return -EFAULT;
		f = fd_get(fdarg(dirfd));
		if (!f)
			return -EBADF;
		n = f->node;
	} else {
		err = at_node(dirfd, upath, flags, &n, &f);
		if (err)
			return err;
	}
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

static long sys_fsync(uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		      uint64_t a5)
{
	struct file *f = fd_get(fdarg(fd));
	if (!f)
		return -EBADF;
	return f->pipe ? -EINVAL : 0; /* nothing to write back */
}

void sys_fs_register(syscall_fn *t)
{
	t[NR_getcwd] = sys_getcwd;
	t[NR_dup] = sys_dup;
	t[NR_dup3] = sys_dup3;
	t[NR_fcntl] = sys_fcntl;
	t[NR_ioctl] = sys_ioctl;
	t[NR_mkdirat] = sys_mkdirat;
	t[NR_unlinkat] = sys_unlinkat;
	t[NR_renameat] = sys_renameat;
	t[NR_truncate] = sys_truncate;
	t[NR_ftruncate] = sys_ftruncate;
	t[NR_faccessat] = sys_faccessat;
	t[NR_chdir] = sys_chdir;
	t[NR_fchdir] = sys_fchdir;
	t[NR_fchmod] = sys_fchmod;
	t[NR_fchmodat] = sys_fchmodat;
	t[NR_fchownat] = sys_fchownat;
	t[NR_fchown] = sys_fchown;
	t[NR_openat] = sys_openat;
	t[NR_close] = sys_close;
	t[NR_pipe2] = sys_pipe2;
	t[NR_getdents64] = sys_getdents64;
	t[NR_lseek] = sys_lseek;
	t[NR_read] = sys_read;
	t[NR_write] = sys_write;
	t[NR_readv] = sys_readv;
	t[NR_writev] = sys_writev;
	t[NR_pread64] = sys_pread64;
	t[NR_pwrite64] = sys_pwrite64;
	t[NR_preadv] = sys_preadv;
	t[NR_pwritev] = sys_pwritev;
	t[NR_readlinkat] = sys_readlinkat;
	t[NR_newfstatat] = sys_newfstatat;
	t[NR_fstat] = sys_fstat;
	t[NR_fsync] = sys_fsync;
	t[NR_fdatasync] = sys_fsync;
	t[NR_utimensat] = sys_utimensat;
	t[NR_renameat2] = sys_renameat2;
	t[NR_faccessat2] = sys_faccessat2;
}
