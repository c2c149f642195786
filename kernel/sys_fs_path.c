/*
 * Calls on names: openat, mkdirat, unlinkat, renameat(2), readlinkat, and
 * the working directory (getcwd, chdir, fchdir).  There are no symbolic
 * links; /proc/self/exe is the one name readlinkat answers.
 */
#include <stdio.h>
#include <string.h>

#include "kernel/error.h"
#include "kernel/process.h"
#include "kernel/syscall.h"
#include "kernel/sys_fs_util.h"
#include "uaccess.h"

#define NR_getcwd 17
#define NR_mkdirat 34
#define NR_unlinkat 35
#define NR_renameat 38
#define NR_chdir 49
#define NR_fchdir 50
#define NR_openat 56
#define NR_readlinkat 78
#define NR_renameat2 276

#define AT_REMOVEDIR 0x200
#define RENAME_NOREPLACE 1

/* The status flags a description keeps (the rest act only at open). */
#define KEPT_FLAGS                                                                          \
	(O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | O_DIRECT | O_LARGEFILE | O_NOATIME | \
	 O_SYNC | O_PATH | O_NOCTTY)

static char path_buf2[FS_PATH_MAX]; /* rename's second path */

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

/* As Linux: -ENOENT once removed, -ENAMETOOLONG past PATH_MAX, and only then -ERANGE for SIZE. */
static long sys_getcwd(uint64_t ubuf, uint64_t size, uint64_t a2, uint64_t a3, uint64_t a4,
		       uint64_t a5)
{
	long len = fs_path(working_dir(), path_buf, sizeof(path_buf));
	if (len < 0)
		return len;
	if ((uint64_t)len + 1 > size)
		return -ERANGE;
	return copy_to_user(ubuf, path_buf, (size_t)len + 1) ? -EFAULT : len + 1;
}

static long sys_chdir(uint64_t upath, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		      uint64_t a5)
{
	struct fs_node *n;
	struct file *f;
	long err = at_node((uint64_t)AT_FDCWD, upath, 0, &n, &f);
	if (err)
		return err;
	if (!fs_is_dir(n))
		return -ENOTDIR;
	set_working_dir(n);
	return 0;
}

static long sys_fchdir(uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		       uint64_t a5)
{
	struct file *f;
	int err = fd_dir(fd, &f);
	if (err)
		return err;
	set_working_dir(f->node);
	return 0;
}

/* No symbolic links: every existing name but /proc/self/exe answers -EINVAL. */
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
	return fs_lookup(base, path_buf, &e) ? -EINVAL : e;
}

void sys_fs_path_register(syscall_fn *t)
{
	t[NR_getcwd] = sys_getcwd;
	t[NR_mkdirat] = sys_mkdirat;
	t[NR_unlinkat] = sys_unlinkat;
	t[NR_renameat] = sys_renameat;
	t[NR_chdir] = sys_chdir;
	t[NR_fchdir] = sys_fchdir;
	t[NR_openat] = sys_openat;
	t[NR_readlinkat] = sys_readlinkat;
	t[NR_renameat2] = sys_renameat2;
}
