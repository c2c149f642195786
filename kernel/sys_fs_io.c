/*
 * Moving bytes through descriptors: read, write, their positional and
 * vector forms, lseek, getdents64 and fsync.  File contents pass through a
 * kernel bounce buffer; a fault on the application's buffer part way ends
 * the call with what was done, as Linux does.
 */
#include <string.h>

#include "arch.h"
#include "kernel/error.h"
#include "kernel/poll.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "kernel/syscall.h"
#include "kernel/sys_fs_util.h"
#include "uaccess.h"

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
#define NR_fsync 82
#define NR_fdatasync 83

#define IOV_MAX 1024
#define RW_MAX 0x7ffff000ul /* Linux's cap on one read or write */
#define DIRENT_HEADER 19    /* struct linux_dirent64 up to d_name */

struct linux_iovec {
	uint64_t base, len;
};

static char bounce[16384];
static struct linux_iovec iov_buf[IOV_MAX];

/*
 * Linux's rw_verify_area: a transfer of COUNT bytes at OFF (-1: the file's
 * offset) that would end past the largest offset is -EINVAL.  Pipes and the
 * console have no offset.
 */
static long verify_pos(const struct file *f, uint64_t count, int64_t off)
{
	if (!f->node || f->node->dev == FS_DEV_CONSOLE)
		return 0;
	uint64_t pos = off < 0 ? f->off : (uint64_t)off;
	return count > (uint64_t)INT64_MAX - pos ? -EINVAL : 0;
}

/* Linux's checks of a transfer after the descriptor's: access_ok (-EFAULT), then verify_pos. */
static long verify_area(const struct file *f, uint64_t ubuf, uint64_t count, int64_t off)
{
	if (count > USER_TOP || ubuf > USER_TOP - count)
		return -EFAULT;
	return verify_pos(f, count, off);
}

/*
 * Read at OFF (-1: the file's offset) into the application's UBUF: bytes
 * read or an errno.  BEFORE: bytes the call already read (readv's earlier
 * vectors); only a call that has read nothing waits (kernel/poll.h).
 */
static long do_read(struct file *f, uint64_t ubuf, uint64_t count, int64_t off, uint64_t before)
{
	if ((f->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	long err = verify_area(f, ubuf, count, off);
	if (err)
		return err;
	if (f->node && fs_is_dir(f->node))
		return -EISDIR;
	if (count > RW_MAX)
		count = RW_MAX;
	uint64_t done = 0;
	while (done < count) {
		size_t n = count - done < sizeof(bounce) ? count - done : sizeof(bounce);
		long got = file_read(f, bounce, n, off < 0 ? -1 : off + (int64_t)done);
		if (got == -EAGAIN && !done && !before && !(f->flags & O_NONBLOCK))
			file_wait(f, 0); /* made again when F changes */
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

/*
 * Write the application's UBUF at OFF (-1: the file's offset): bytes
 * written or an errno.  BEFORE: bytes the call already wrote (writev's
 * earlier vectors, earlier rounds of a write that waited).  A write that
 * must wait for room, unless O_NONBLOCK, waits with what it wrote as its
 * progress and returns -EAGAIN (its result is the waker's): made again, it
 * goes on from there (sched_call_progress), as Linux's pipe_write writes
 * everything; a signal ends it with the bytes written, if any.
 */
static long do_write(struct file *f, uint64_t ubuf, uint64_t count, int64_t off, uint64_t before)
{
	if ((f->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	long err = verify_area(f, ubuf, count, off);
	if (err)
		return err;
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
		if (put == -EAGAIN && !(f->flags & O_NONBLOCK)) {
			file_wait(f, (long)(before + done));
			return -EAGAIN;
		}
		if (put == -EPIPE) /* as Linux's pipe_write: the signal, and the errno if it is survived */
			signal_send_thread(thread_current(), SIGPIPE, SI_USER);
		if (put < 0)
			return done ? (long)done : put;
		done += (uint64_t)put;
		if ((size_t)put < n && f->kind != FILE_PIPE)
			break; /* a file cut short (its limit): a pipe goes on until it must wait */
	}
	return (long)done;
}

/* What earlier rounds of the running write of TOTAL bytes wrote, when it is made again after a wait. */
static uint64_t written_before(uint64_t total)
{
	uint64_t skip = sched_call_progress();
	return skip > total ? 0 : skip; /* more than it asks: not this call's */
}

/*
 * A write of COUNT bytes at UBUF made again after it waited: the bytes its
 * earlier rounds wrote are skipped and counted in.
 */
static long write_resumed(struct file *f, uint64_t ubuf, uint64_t count, int64_t off)
{
	uint64_t skip = written_before(count);
	long n = do_write(f, ubuf + skip, count - skip, off, skip);
	return n < 0 ? (skip ? (long)skip : n) : (long)skip + n;
}

static long sys_read(uint64_t fd, uint64_t buf, uint64_t count, uint64_t a3, uint64_t a4,
		     uint64_t a5)
{
	struct file *f = fd_get_io(fdarg(fd));
	return f ? do_read(f, buf, count, -1, 0) : -EBADF;
}

static long sys_write(uint64_t fd, uint64_t buf, uint64_t count, uint64_t a3, uint64_t a4,
		      uint64_t a5)
{
	struct file *f = fd_get_io(fdarg(fd));
	return f ? write_resumed(f, buf, count, -1) : -EBADF;
}

/* Whether F can be read or written at OFF: pipes and the console have no positions. */
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
	struct file *f = fd_get_io(fdarg(fd));
	if (!f)
		return -EBADF;
	long err = positional(f, (int64_t)off);
	return err ? err : do_read(f, buf, count, (int64_t)off, 0);
}

static long sys_pwrite64(uint64_t fd, uint64_t buf, uint64_t count, uint64_t off, uint64_t a4,
			 uint64_t a5)
{
	struct file *f = fd_get_io(fdarg(fd));
	if (!f)
		return -EBADF;
	long err = positional(f, (int64_t)off);
	return err ? err : do_write(f, buf, count, (int64_t)off, 0);
}

/* Fetch and check an iovec array: 0 and *TOTAL its bytes, -EINVAL or -EFAULT. */
static int fetch_iov(uint64_t uiov, uint64_t cnt, uint64_t *total_out)
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
	*total_out = total;
	return 0;
}

/* readv and writev, at OFF or (-1) the file's offset: stops at the first short transfer. */
static long vector(uint64_t fd, uint64_t uiov, uint64_t cnt, int64_t off, int write)
{
	struct file *f = fd_get_io(fdarg(fd));
	if (!f)
		return -EBADF;
	if ((f->flags & O_ACCMODE) == (write ? O_RDONLY : O_WRONLY))
		return -EBADF;
	if (off != -1) {
		long err = positional(f, off);
		if (err)
			return err;
	}
	uint64_t total;
	int err = fetch_iov(uiov, cnt, &total);
	if (err)
		return err;
	err = (int)verify_pos(f, total, off); /* over the whole vector */
	if (err)
		return err;
	/* A writev made again after it waited skips what its earlier rounds wrote. */
	uint64_t skip = write ? written_before(total) : 0;
	long done = 0;
	for (uint64_t i = 0; i < cnt; i++) {
		uint64_t base = iov_buf[i].base, len = iov_buf[i].len;
		uint64_t skipped = skip < len ? skip : len;
		skip -= skipped;
		done += (long)skipped;
		if (skipped == len && len)
			continue;
		int64_t at = off < 0 ? -1 : off + done;
		long n = write ? do_write(f, base + skipped, len - skipped, at, (uint64_t)done)
			       : do_read(f, base, len, at, (uint64_t)done);
		if (n < 0)
			return done ? done : n; /* a wait's result is the waker's */
		done += n;
		if ((uint64_t)n < len - skipped)
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
	struct file *f = fd_get_io(fdarg(fd));
	return f ? file_lseek(f, (int64_t)off, (int)whence) : -EBADF;
}

struct dirent_ctx {
	uint64_t ubuf;
	size_t count, pos;
	int err, full;
};

/* fs_readdir's callback: one struct linux_dirent64 into the application's buffer, if it fits. */
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
	if (!fd_get_io(fdarg(fd)))
		return -EBADF; /* O_PATH */
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

static long sys_fsync(uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		      uint64_t a5)
{
	struct file *f = fd_get_io(fdarg(fd));
	if (!f)
		return -EBADF;
	return f->node ? 0 : -EINVAL; /* nothing to write back; pipes, eventfds and epolls cannot */
}

void sys_fs_io_register(syscall_fn *t)
{
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
	t[NR_fsync] = sys_fsync;
	t[NR_fdatasync] = sys_fsync;
}
