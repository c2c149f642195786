/*
 * Host tests of open files, pipes, the console as a file and the
 * descriptor table (kernel/fd.c, kernel/pipe.c, kernel/file_ready.c),
 * on the RAM file system with malloc for its heap (tests/host/fs_host.c).
 */
#include <stdint.h>
#include <string.h>

#include "kernel/error.h"
#include "kernel/fd.h"
#include "kernel/fs.h"
#include "tests/host/check.h"
#include "kernel/file_ready.h"
#include "kernel/sched.h"
#include "tests/host/fs_host.h"
#include "tests/host/wait_host.h"

static struct fs_node *R;

static void setup(void)
{
	R = fs_host_init();
	CHECK(R != NULL);
}

static void test_fds(void)
{
	setup();
	CHECK_EQ(fd_init(), 0);
	struct file *f0 = fd_get(0), *f1 = fd_get(1);
	CHECK(f0 && f1 && fd_get(2) && !fd_get(3) && !fd_get(-1) && !fd_get(FD_MAX));
	char buf[8];
	/* The console: nothing typed yet is -EAGAIN (the call waits); a line; ^D, end of input. */
	wait_host_reset();
	CHECK_EQ(file_read(f0, buf, sizeof(buf), -1), -EAGAIN);
	CHECK_EQ(file_poll(f0, 0), POLLOUT | POLLWRNORM);
	wait_host_console_line("hi\n");
	CHECK_EQ(file_poll(f0, 0), POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM);
	CHECK_EQ(file_read(f0, buf, sizeof(buf), -1), 3);
	wait_host_console_line(NULL);
	CHECK_EQ(file_read(f0, buf, sizeof(buf), -1), 0);
	CHECK_EQ(file_write(f0, "x", 1, -1), -EBADF);
	CHECK_EQ(file_read(f1, buf, 1, -1), -EBADF);
	CHECK_EQ(file_lseek(f1, 0, SEEK_SET), -ESPIPE);

	struct fs_node *n;
	CHECK_EQ(fs_open(R, "/tmp/f", O_CREAT | O_RDWR, 0644, &n), 0);
	struct file *f = file_new(n, O_RDWR | O_APPEND);
	long fd = fd_install(f, 0, 1);
	file_put(f);
	CHECK_EQ(fd, 3);
	CHECK_EQ(fd_cloexec(3), 1);
	CHECK_EQ(file_write(f, "abc", 3, -1), 3);
	CHECK_EQ(file_lseek(f, 0, SEEK_SET), 0);
	CHECK_EQ(file_write(f, "de", 2, -1), 2); /* O_APPEND: at the end */
	CHECK_EQ(f->off, 5);
	CHECK_EQ(file_read(f, buf, 8, 0), 5);
	CHECK(memcmp(buf, "abcde", 5) == 0);
	CHECK_EQ(file_lseek(f, -2, SEEK_END), 3);
	CHECK_EQ(file_read(f, buf, 8, -1), 2);
	CHECK_EQ(file_lseek(f, -10, SEEK_CUR), -EINVAL);
	CHECK_EQ(file_lseek(f, 0, 9), -EINVAL);
	CHECK_EQ(file_lseek(f, 1, SEEK_DATA), 1);
	CHECK_EQ(file_lseek(f, 1, SEEK_HOLE), 5);
	CHECK_EQ(file_lseek(f, 5, SEEK_DATA), -ENXIO);
	/* dup shares the offset. */
	CHECK_EQ(fd_dup_to(3, 10, 0), 10);
	CHECK(fd_get(10) == f && fd_cloexec(10) == 0);
	CHECK_EQ(fd_install(f, 4, 0), 4);
	CHECK_EQ(fd_close(3), 0);
	CHECK_EQ(fd_close(3), -EBADF);
	CHECK_EQ(fd_dup_to(3, 5, 0), -EBADF);
	CHECK_EQ(fd_dup_to(4, FD_MAX, 0), -EBADF);
	CHECK_EQ(fd_close(4), 0);
	CHECK_EQ(fd_close(10), 0); /* the last: the file and its node's open go */
	CHECK_EQ(n->refs, 0);

	/* Until the table is full. */
	CHECK_EQ(fs_open(R, "/tmp/f", O_RDONLY, 0, &n), 0);
	f = file_new(n, O_RDONLY);
	long last = 0;
	for (int i = 3; i < FD_MAX; i++)
		last = fd_install(f, 0, 0);
	CHECK_EQ(last, FD_MAX - 1);
	CHECK_EQ(fd_install(f, 0, 0), -EMFILE);
	file_put(f);
	CHECK_EQ(fd_init(), 0); /* closes them all */
	CHECK_EQ(n->refs, 0);
	for (long i = 0; i < 3; i++)
		fd_close(i);
	fs_reset();
}

static void test_pipes(void)
{
	setup();
	struct file *r, *w;
	char buf[100];
	CHECK_EQ(file_pipe(0, &r, &w), 0);
	wait_host_reset();
	uint64_t ch = file_channel(r);
	CHECK(ch == file_channel(w) && ch != WAIT_CHANNEL_CONSOLE && ch != WAIT_CHANNEL_ANY);
	CHECK_EQ(file_read(r, buf, sizeof(buf), -1), -EAGAIN); /* empty, writer open */
	CHECK_EQ(file_read(r, buf, 0, -1), 0);                /* as Linux: 0 bytes at once */
	CHECK_EQ(file_poll(r, 0), 0);
	CHECK_EQ(file_poll(w, 0), POLLOUT | POLLWRNORM);
	CHECK_EQ(wait_host_wakes(ch), 0);
	CHECK_EQ(file_write(w, "ping", 4, -1), 4);
	CHECK_EQ(wait_host_wakes(ch), 1); /* the reader may go on */
	CHECK_EQ(file_poll(r, 0), POLLIN | POLLRDNORM);
	CHECK_EQ(file_write(r, "x", 1, -1), -EBADF);
	CHECK_EQ(file_read(w, buf, 1, -1), -EBADF);
	CHECK_EQ(file_read(r, buf, 2, -1), 2);
	CHECK_EQ(file_read(r, buf + 2, sizeof(buf), -1), 2);
	CHECK(memcmp(buf, "ping", 4) == 0);
	CHECK_EQ(file_lseek(r, 0, SEEK_SET), -ESPIPE);
	CHECK_EQ(file_read(r, buf, 4, 0), -ESPIPE);
	/* Fill it: what fits, then -EAGAIN; the ring wraps. */
	static char big[PIPE_SIZE + 10];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)i;
	CHECK_EQ(file_write(w, big, sizeof(big), -1), PIPE_SIZE);
	CHECK_EQ(file_write(w, big, 1, -1), -EAGAIN);
	CHECK_EQ(file_poll(w, 0), 0);
	static char back[PIPE_SIZE + 10];
	CHECK_EQ(file_read(r, back, 1000, -1), 1000);
	/* POSIX: a write of up to PIPE_BUF bytes goes in whole or not at all. */
	CHECK_EQ(file_write(w, big, 1001, -1), -EAGAIN);
	CHECK_EQ(file_write(w, big + PIPE_SIZE, 10, -1), 10);
	CHECK_EQ(file_read(r, back + 1000, PIPE_SIZE, -1), PIPE_SIZE - 1000 + 10);
	CHECK(memcmp(back, big, sizeof(big)) == 0);
	unsigned before = wait_host_wakes(ch);
	file_put(w); /* writer gone: end of file, and the readers told */
	CHECK_EQ(wait_host_wakes(ch), before + 1);
	CHECK_EQ(file_poll(r, 0), POLLHUP);
	CHECK_EQ(file_read(r, buf, 1, -1), 0);
	file_put(r);
	CHECK_EQ(file_pipe(0, &r, &w), 0);
	file_put(r); /* reader gone: EPIPE */
	CHECK_EQ(file_poll(w, 0), POLLOUT | POLLWRNORM | POLLERR);
	CHECK_EQ(file_write(w, "x", 1, -1), -EPIPE);
	file_put(w);
	fs_reset();
}

/* Issue 9, item 11: lseek to a negative or overflowing position is EINVAL, as on Linux. */
static void test_lseek_limits(void)
{
	setup();
	struct fs_node *n;
	CHECK_EQ(fs_open(R, "/tmp/s", O_CREAT | O_RDWR, 0644, &n), 0);
	struct file *f = file_new(n, O_RDWR);
	CHECK_EQ(fs_truncate(n, 100), 0);
	CHECK_EQ(file_lseek(f, INT64_MAX, SEEK_SET), INT64_MAX);
	CHECK_EQ(file_lseek(f, 1, SEEK_CUR), -EINVAL);
	CHECK_EQ(file_lseek(f, 0, SEEK_CUR), INT64_MAX);
	CHECK_EQ(file_lseek(f, INT64_MAX, SEEK_END), -EINVAL);
	CHECK_EQ(file_lseek(f, -101, SEEK_END), -EINVAL);
	CHECK_EQ(file_lseek(f, INT64_MIN, SEEK_SET), -EINVAL);
	CHECK_EQ(file_lseek(f, -1, SEEK_DATA), -ENXIO);
	CHECK_EQ(file_lseek(f, 100, SEEK_HOLE), -ENXIO);
	CHECK_EQ(file_lseek(f, 0, 5), -EINVAL);
	CHECK_EQ(f->off, INT64_MAX); /* a refused seek keeps the offset */
	CHECK_EQ(file_lseek(f, INT64_MAX - 100, SEEK_END), INT64_MAX);
	CHECK_EQ(file_lseek(f, INT64_MIN, SEEK_CUR), -EINVAL);
	file_put(f);
	CHECK_EQ(fs_open(R, "/tmp", O_RDONLY, 0, &n), 0);
	f = file_new(n, O_RDONLY);
	CHECK_EQ(file_lseek(f, 3, SEEK_SET), 3);
	CHECK_EQ(file_lseek(f, -4, SEEK_CUR), -EINVAL);
	CHECK_EQ(file_lseek(f, 0, SEEK_END), -EINVAL);
	CHECK_EQ(file_lseek(f, 0, SEEK_DATA), -EINVAL);
	file_put(f);
	/* /dev/zero: any seek is position 0, as Linux's null_lseek. */
	char buf[10];
	CHECK_EQ(fs_open(R, "/dev/zero", O_RDONLY, 0, &n), 0);
	f = file_new(n, O_RDONLY);
	CHECK_EQ(file_read(f, buf, sizeof(buf), -1), 10);
	CHECK_EQ(file_lseek(f, 5, SEEK_CUR), 0);
	CHECK_EQ(f->off, 0);
	file_put(f);
	fs_reset();
}

/* An O_PATH descriptor names its node (fstat, fchdir, *at) but is no open file (EBADF). */
static void test_o_path(void)
{
	setup();
	struct fs_node *n;
	CHECK_EQ(fs_open(R, "/tmp", O_PATH, 0, &n), 0);
	struct file *f = file_new(n, O_PATH);
	long fd = fd_install(f, 0, 0);
	file_put(f);
	CHECK(fd >= 0 && fd_get(fd) == f && fd_get_io(fd) == NULL);
	uint64_t nodes = fs_node_count();
	CHECK_EQ(fs_unlink(R, "/tmp", 1), 0); /* it lives on while the descriptor names it */
	CHECK(fd_get(fd)->node->nlink == 0 && fs_node_count() == nodes);
	CHECK_EQ(fd_close(fd), 0);
	CHECK_EQ(fs_node_count(), nodes - 1);
	fs_reset();
}

int main(void)
{
	RUN(test_fds);
	RUN(test_pipes);
	RUN(test_lseek_limits);
	RUN(test_o_path);
	CHECK_EXIT();
}
