/*
 * File-descriptor calls over the console.  Until the file system arrives,
 * descriptors 0-2 are the only ones: 0 reads as end-of-file, 1 and 2 write
 * to the console.  All three report themselves as character devices.
 */
#include <stdio.h>
#include <string.h>

#include "kernel/console.h"
#include "kernel/error.h"
#include "kernel/process.h"
#include "kernel/syscall.h"
#include "uaccess.h"

#define NR_ioctl 29
#define NR_close 57
#define NR_read 63
#define NR_write 64
#define NR_readv 65
#define NR_writev 66
#define NR_readlinkat 78
#define NR_newfstatat 79
#define NR_fstat 80

#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_NO_AUTOMOUNT 0x800
#define AT_EMPTY_PATH 0x1000
#define S_IFCHR 0020000
#define IOV_MAX 1024
#define PATH_MAX 4096
#define RW_MAX 0x7ffff000ul /* Linux's cap on one read or write */

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

static uint8_t fd_closed[3];

static int fd_open(uint64_t fd)
{
	return fd < 3 && !fd_closed[fd];
}

/* Copy COUNT bytes from user BUF to the console: bytes written, or -EFAULT if none were. */
static long console_write_user(uint64_t buf, uint64_t count)
{
	char chunk[256];
	uint64_t done = 0;
	if (count > RW_MAX)
		count = RW_MAX;
	while (done < count) {
		uint64_t n = count - done < sizeof(chunk) ? count - done : sizeof(chunk);
		if (copy_from_user(chunk, buf + done, n) != 0)
			return done ? (long)done : -EFAULT;
		console_write(chunk, n);
		done += n;
	}
	return (long)done;
}

static long sys_write(uint64_t fd, uint64_t buf, uint64_t count, uint64_t a3, uint64_t a4,
		      uint64_t a5)
{
	if (!fd_open(fd) || fd == 0)
		return -EBADF;
	return console_write_user(buf, count);
}

static long sys_read(uint64_t fd, uint64_t buf, uint64_t count, uint64_t a3, uint64_t a4,
		     uint64_t a5)
{
	if (!fd_open(fd) || fd != 0)
		return -EBADF;
	return 0; /* no console input: end of file */
}

/* Fetch and check an iovec array: 0, -EINVAL or -EFAULT. */
static int fetch_iov(uint64_t uiov, uint64_t cnt, struct linux_iovec *iov)
{
	if (cnt > IOV_MAX)
		return -EINVAL;
	if (copy_from_user(iov, uiov, cnt * sizeof(*iov)) != 0)
		return -EFAULT;
	uint64_t total = 0;
	for (uint64_t i = 0; i < cnt; i++) {
		if (iov[i].len > RW_MAX || total + iov[i].len > RW_MAX * 2)
			return -EINVAL;
		total += iov[i].len;
	}
	return 0;
}

static long sys_writev(uint64_t fd, uint64_t uiov, uint64_t cnt, uint64_t a3, uint64_t a4,
		       uint64_t a5)
{
	static struct linux_iovec iov[IOV_MAX];
	if (!fd_open(fd) || fd == 0)
		return -EBADF;
	int err = fetch_iov(uiov, cnt, iov);
	if (err)
		return err;
	long done = 0;
	for (uint64_t i = 0; i < cnt; i++) {
		long n = console_write_user(iov[i].base, iov[i].len);
		if (n < 0)
			return done ? done : n;
		done += n;
	}
	return done;
}

static long sys_readv(uint64_t fd, uint64_t uiov, uint64_t cnt, uint64_t a3, uint64_t a4,
		      uint64_t a5)
{
	static struct linux_iovec iov[IOV_MAX];
	if (!fd_open(fd) || fd != 0)
		return -EBADF;
	int err = fetch_iov(uiov, cnt, iov);
	return err ? err : 0;
}

static long sys_close(uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		      uint64_t a5)
{
	if (!fd_open(fd))
		return -EBADF;
	fd_closed[fd] = 1;
	return 0;
}

/* The console's stat: a character device owned by root. */
static long stat_console(uint64_t ubuf)
{
	struct linux_stat st;
	memset(&st, 0, sizeof(st));
	st.dev = 5;
	st.ino = 1;
	st.mode = S_IFCHR | 0620;
	st.nlink = 1;
	st.rdev = (5u << 8) | 1; /* like /dev/console */
	st.blksize = 1024;
	return copy_to_user(ubuf, &st, sizeof(st));
}

static long sys_fstat(uint64_t fd, uint64_t ubuf, uint64_t a2, uint64_t a3, uint64_t a4,
		      uint64_t a5)
{
	if (!fd_open(fd))
		return -EBADF;
	return stat_console(ubuf);
}

static long sys_newfstatat(uint64_t dirfd, uint64_t upath, uint64_t ubuf, uint64_t flags,
			   uint64_t a4, uint64_t a5)
{
	char path[PATH_MAX];
	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH))
		return -EINVAL;
	long len = strncpy_from_user(path, upath, sizeof(path));
	if (len < 0)
		return len;
	if (len == 0 && (flags & AT_EMPTY_PATH))
		return sys_fstat(dirfd, ubuf, 0, 0, 0, 0);
	return -ENOENT; /* no file system yet */
}

static long sys_ioctl(uint64_t fd, uint64_t req, uint64_t arg, uint64_t a3, uint64_t a4,
		      uint64_t a5)
{
	if (!fd_open(fd))
		return -EBADF;
	return -ENOTTY; /* the console takes no terminal requests (TCGETS included) */
}

static long sys_readlinkat(uint64_t dirfd, uint64_t upath, uint64_t ubuf, uint64_t size,
			   uint64_t a4, uint64_t a5)
{
	char path[PATH_MAX], target[PATH_MAX];
	if ((int64_t)size <= 0)
		return -EINVAL;
	long len = strncpy_from_user(path, upath, sizeof(path));
	if (len < 0)
		return len;
	if (strcmp(path, "/proc/self/exe") != 0)
		return -ENOENT;
	/* The program was started as /NAME: the image root holds nothing else yet. */
	size_t n = (size_t)snprintf(target, sizeof(target), "/%s", current_process.name);
	if (n > size)
		n = size;
	return copy_to_user(ubuf, target, n) ? -EFAULT : (long)n;
}

void sys_io_register(syscall_fn *t)
{
	t[NR_ioctl] = sys_ioctl;
	t[NR_close] = sys_close;
	t[NR_read] = sys_read;
	t[NR_write] = sys_write;
	t[NR_readv] = sys_readv;
	t[NR_writev] = sys_writev;
	t[NR_readlinkat] = sys_readlinkat;
	t[NR_newfstatat] = sys_newfstatat;
	t[NR_fstat] = sys_fstat;
}
