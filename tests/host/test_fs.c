/*
 * Host tests of the RAM file system (kernel/fs.c) and the descriptor layer
 * (kernel/fd.c).  The kernel heap is replaced by malloc here, so that ASan
 * sees every node and buffer (use after free, overflows, leaks at exit).
 */
#include <stdlib.h>
#include <string.h>

#include "kernel/error.h"
#include "kernel/fd.h"
#include "kernel/fs.h"
#include "kernel/heap.h"
#include "kernel/random.h"
#include "tests/host/check.h"

void *kmalloc(size_t size)
{
	return size ? malloc(size) : NULL;
}

void *kzalloc(size_t size)
{
	return size ? calloc(1, size) : NULL;
}

void kfree(void *p)
{
	free(p);
}

static struct fs_node *R;

static void setup(void)
{
	CHECK_EQ(fs_init(NULL, 0), 0);
	R = fs_root();
}

static struct fs_node *look(const char *path, int *err)
{
	int e = 0;
	struct fs_node *n = fs_lookup(R, path, &e);
	if (err)
		*err = e;
	return n;
}

/* Create PATH with CONTENTS through fs_open and fs_write. */
static struct fs_node *put(const char *path, const char *contents)
{
	struct fs_node *n = NULL;
	if (fs_open(R, path, O_CREAT | O_WRONLY | O_TRUNC, 0644, &n) != 0)
		return NULL;
	fs_write(n, 0, contents, strlen(contents));
	fs_release(n);
	return n;
}

static void test_initial_tree(void)
{
	setup();
	int err;
	CHECK(look("/", NULL) == R);
	CHECK(look("/tmp", NULL) != NULL);
	CHECK((look("/tmp", NULL)->mode & 07777) == 01777);
	CHECK(look("/dev/null", NULL) != NULL);
	CHECK((look("/dev/urandom", NULL)->mode & S_IFMT) == S_IFCHR);
	CHECK(look("/nope", &err) == NULL && err == -ENOENT);
	CHECK(look("", &err) == NULL && err == -ENOENT);
	CHECK(R->ino == 2);
	fs_reset();
}

static void test_paths(void)
{
	setup();
	int err;
	CHECK_EQ(fs_mkdir(R, "/a", 0755), 0);
	CHECK_EQ(fs_mkdir(R, "a/b", 0755), 0);
	struct fs_node *b = look("/a/b", NULL);
	CHECK(b != NULL);
	CHECK(look("//a///b//", NULL) == b);
	CHECK(look("/a/./b/../b", NULL) == b);
	CHECK(look("/..", NULL) == R);
	CHECK(look("/../../a/..", NULL) == R);
	CHECK(fs_lookup(b, "..", &err) == look("/a", NULL));
	CHECK(fs_lookup(b, ".", &err) == b);
	CHECK(put("/a/f", "x") != NULL);
	CHECK(look("/a/f/", &err) == NULL && err == -ENOTDIR);
	CHECK(look("/a/f/g", &err) == NULL && err == -ENOTDIR);
	CHECK(look("/a/f/..", &err) == NULL && err == -ENOTDIR);
	char name[300];
	memset(name, 'n', sizeof(name));
	name[256] = 0; /* 256 bytes: one too many */
	CHECK(look(name, &err) == NULL && err == -ENAMETOOLONG);
	CHECK_EQ(fs_mkdir(R, name, 0755), -ENAMETOOLONG);
	name[255] = 0;
	CHECK_EQ(fs_mkdir(R, name, 0755), 0);
	CHECK(look(name, NULL) != NULL);
	char buf[64];
	CHECK_EQ(fs_path(b, buf, sizeof(buf)), 4);
	CHECK(strcmp(buf, "/a/b") == 0);
	CHECK_EQ(fs_path(R, buf, sizeof(buf)), 1);
	CHECK(strcmp(buf, "/") == 0);
	CHECK_EQ(fs_path(b, buf, 4), -ERANGE);
	fs_reset();
}

static void test_open_flags(void)
{
	setup();
	struct fs_node *n;
	CHECK_EQ(fs_open(R, "/tmp/x", O_RDONLY, 0, &n), -ENOENT);
	CHECK_EQ(fs_open(R, "/tmp/x", O_CREAT | O_RDWR, 0600, &n), 0);
	CHECK((n->mode & 07777) == 0600 && (n->mode & S_IFMT) == S_IFREG);
	CHECK_EQ(fs_write(n, 0, "hello", 5), 5);
	fs_release(n);
	CHECK_EQ(fs_open(R, "/tmp/x", O_CREAT | O_EXCL | O_RDWR, 0600, &n), -EEXIST);
	CHECK_EQ(fs_open(R, "/tmp/x", O_RDONLY | O_DIRECTORY, 0, &n), -ENOTDIR);
	CHECK_EQ(fs_open(R, "/tmp", O_WRONLY, 0, &n), -EISDIR);
	CHECK_EQ(fs_open(R, "/tmp", O_CREAT | O_RDWR, 0, &n), -EISDIR);
	CHECK_EQ(fs_open(R, "/tmp/y/", O_CREAT | O_RDWR, 0, &n), -EISDIR);
	CHECK_EQ(fs_open(R, "/nodir/y", O_CREAT | O_RDWR, 0, &n), -ENOENT);
	CHECK_EQ(fs_open(R, "/tmp/x/y", O_CREAT | O_RDWR, 0, &n), -ENOTDIR);
	CHECK_EQ(fs_open(R, "/tmp", O_RDONLY | O_DIRECTORY, 0, &n), 0);
	fs_release(n);
	CHECK_EQ(fs_open(R, "/tmp/x", O_WRONLY | O_TRUNC, 0, &n), 0);
	CHECK_EQ(n->size, 0);
	fs_release(n);
	fs_reset();
}

static void test_read_write(void)
{
	setup();
	struct fs_node *n;
	char buf[256];
	CHECK_EQ(fs_open(R, "/f", O_CREAT | O_RDWR, 0644, &n), 0);
	CHECK_EQ(fs_read(n, 0, buf, sizeof(buf)), 0);
	CHECK_EQ(fs_write(n, 10, "abc", 3), 3); /* a hole of zeros first */
	CHECK_EQ(n->size, 13);
	CHECK_EQ(fs_read(n, 0, buf, sizeof(buf)), 13);
	CHECK(memcmp(buf, "\0\0\0\0\0\0\0\0\0\0abc", 13) == 0);
	CHECK_EQ(fs_read(n, 11, buf, 1), 1);
	CHECK(buf[0] == 'b');
	CHECK_EQ(fs_read(n, 13, buf, 5), 0);
	CHECK_EQ(fs_read(n, 1000, buf, 5), 0);
	/* Growth by doubling across many writes. */
	for (int i = 0; i < 10000; i++) {
		char c = (char)('a' + i % 26);
		CHECK_EQ(fs_write(n, 13 + (uint64_t)i, &c, 1), 1);
	}
	CHECK_EQ(n->size, 10013);
	CHECK_EQ(fs_read(n, 13 + 9999, buf, 10), 1);
	CHECK(buf[0] == (char)('a' + 9999 % 26));
	CHECK_EQ(fs_truncate(n, 5), 0);
	CHECK_EQ(n->size, 5);
	CHECK_EQ(fs_truncate(n, 20), 0); /* grows with zeros, not the old bytes */
	CHECK_EQ(fs_read(n, 0, buf, sizeof(buf)), 20);
	int zeros = 1;
	for (int i = 0; i < 20; i++)
		zeros &= buf[i] == 0;
	CHECK(zeros);
	CHECK_EQ(fs_write(n, 1ull << 41, "x", 1), -EFBIG);
	CHECK_EQ(fs_truncate(n, 1ull << 41), -EFBIG);
	CHECK_EQ(fs_read(R, 0, buf, 1), -EISDIR);
	CHECK_EQ(fs_write(R, 0, buf, 1), -EISDIR);
	CHECK_EQ(fs_truncate(R, 0), -EISDIR);
	fs_release(n);
	fs_reset();
}

static void test_devices(void)
{
	setup();
	char buf[64];
	struct fs_node *null = look("/dev/null", NULL), *urandom = look("/dev/urandom", NULL);
	struct fs_node *zero = look("/dev/zero", NULL);
	CHECK_EQ(fs_read(null, 0, buf, sizeof(buf)), 0);
	CHECK_EQ(fs_write(null, 0, "gone", 4), 4);
	memset(buf, 1, sizeof(buf));
	CHECK_EQ(fs_read(zero, 0, buf, sizeof(buf)), 64);
	CHECK(buf[0] == 0 && buf[63] == 0);
	uint8_t seed[32] = { 1 };
	random_init(seed, sizeof(seed));
	memset(buf, 0, sizeof(buf));
	CHECK_EQ(fs_read(urandom, 0, buf, sizeof(buf)), 64);
	int nonzero = 0;
	for (int i = 0; i < 64; i++)
		nonzero += buf[i] != 0;
	CHECK(nonzero > 32);
	CHECK_EQ(fs_truncate(null, 0), -EINVAL);
	fs_reset();
}

static void test_unlink_rmdir(void)
{
	setup();
	CHECK(put("/tmp/f", "data") != NULL);
	CHECK_EQ(fs_mkdir(R, "/tmp/d", 0755), 0);
	CHECK_EQ(fs_mkdir(R, "/tmp/d", 0755), -EEXIST);
	CHECK_EQ(fs_mkdir(R, "/tmp/f", 0755), -EEXIST);
	CHECK_EQ(fs_mkdir(R, "/", 0755), -EEXIST);
	CHECK_EQ(fs_mkdir(R, "/tmp/f/x", 0755), -ENOTDIR);
	CHECK_EQ(fs_mkdir(R, "/none/x", 0755), -ENOENT);
	CHECK(put("/tmp/d/inner", "i") != NULL);
	CHECK_EQ(look("/tmp", NULL)->nlink, 3);
	CHECK_EQ(fs_unlink(R, "/tmp/d", 0), -EISDIR);
	CHECK_EQ(fs_unlink(R, "/tmp/f", 1), -ENOTDIR);
	CHECK_EQ(fs_unlink(R, "/tmp/d", 1), -ENOTEMPTY);
	CHECK_EQ(fs_unlink(R, "/tmp/f/", 0), -ENOTDIR);
	CHECK_EQ(fs_unlink(R, "/tmp/none", 0), -ENOENT);
	CHECK_EQ(fs_unlink(R, "/tmp/d/.", 1), -EINVAL);
	CHECK_EQ(fs_unlink(R, "/", 1), -EBUSY);
	CHECK_EQ(fs_unlink(R, "/tmp/d/inner", 0), 0);
	CHECK_EQ(fs_unlink(R, "/tmp/d/", 1), 0);
	CHECK_EQ(look("/tmp", NULL)->nlink, 2);
	/* An open file lives on after its unlink. */
	struct fs_node *n;
	char buf[8];
	CHECK_EQ(fs_open(R, "/tmp/f", O_RDONLY, 0, &n), 0);
	CHECK_EQ(fs_unlink(R, "/tmp/f", 0), 0);
	CHECK(look("/tmp/f", NULL) == NULL);
	CHECK_EQ(n->nlink, 0);
	CHECK_EQ(fs_read(n, 0, buf, sizeof(buf)), 4);
	CHECK(memcmp(buf, "data", 4) == 0);
	fs_release(n); /* freed here: ASan would see a later use */
	/* Nothing can be made in a removed directory held as a working directory. */
	struct fs_node *d;
	CHECK_EQ(fs_mkdir(R, "/tmp/gone", 0755), 0);
	d = look("/tmp/gone", NULL);
	fs_hold(d);
	CHECK_EQ(fs_unlink(R, "/tmp/gone", 1), 0);
	CHECK_EQ(fs_open(d, "x", O_CREAT | O_RDWR, 0644, &n), -ENOENT);
	CHECK_EQ(fs_mkdir(d, "x", 0755), -ENOENT);
	CHECK_EQ(fs_path(d, (char *)buf, sizeof(buf)), -ENOENT);
	fs_release(d);
	fs_reset();
}

static void test_rename(void)
{
	setup();
	char buf[16];
	CHECK(put("/tmp/a", "A") != NULL);
	CHECK(put("/tmp/b", "B") != NULL);
	CHECK_EQ(fs_mkdir(R, "/tmp/d", 0755), 0);
	CHECK_EQ(fs_mkdir(R, "/tmp/e", 0755), 0);
	CHECK(put("/tmp/e/x", "x") != NULL);
	CHECK_EQ(fs_rename(R, "/tmp/a", R, "/tmp/b", 1), -EEXIST);
	CHECK_EQ(fs_rename(R, "/tmp/a", R, "/tmp/b", 0), 0); /* replaces b */
	CHECK(look("/tmp/a", NULL) == NULL);
	struct fs_node *b = look("/tmp/b", NULL);
	CHECK(b != NULL && fs_read(b, 0, buf, sizeof(buf)) == 1 && buf[0] == 'A');
	CHECK_EQ(fs_rename(R, "/tmp/b", R, "/tmp/b", 0), 0);
	CHECK_EQ(fs_rename(R, "/tmp/none", R, "/tmp/c", 0), -ENOENT);
	CHECK_EQ(fs_rename(R, "/tmp/b", R, "/tmp/d", 0), -EISDIR);
	CHECK_EQ(fs_rename(R, "/tmp/d", R, "/tmp/b", 0), -ENOTDIR);
	CHECK_EQ(fs_rename(R, "/tmp/d", R, "/tmp/e", 0), -ENOTEMPTY);
	CHECK_EQ(fs_rename(R, "/tmp/d", R, "/tmp/d/sub", 0), -EINVAL);
	CHECK_EQ(fs_rename(R, "/tmp/b/", R, "/tmp/c", 0), -ENOTDIR);
	CHECK_EQ(fs_rename(R, "/tmp/.", R, "/tmp/c", 0), -EBUSY);
	/* A directory moves with its contents; nlink follows. */
	CHECK_EQ(fs_rename(R, "/tmp/e", R, "/tmp/d/e2", 0), 0);
	CHECK(look("/tmp/d/e2/x", NULL) != NULL);
	CHECK_EQ(look("/tmp", NULL)->nlink, 3);
	CHECK_EQ(look("/tmp/d", NULL)->nlink, 3);
	/* An empty directory may be replaced by a directory. */
	CHECK_EQ(fs_mkdir(R, "/tmp/empty", 0755), 0);
	CHECK_EQ(fs_rename(R, "/tmp/d", R, "/tmp/empty", 0), 0);
	CHECK(look("/tmp/empty/e2/x", NULL) != NULL);
	CHECK(look("/tmp/d", NULL) == NULL);
	fs_reset();
}

struct names {
	char all[512];
	int count, limit;
};

static int collect(void *p, const char *name, uint64_t ino, unsigned type, uint64_t next)
{
	struct names *c = p;
	if (c->count == c->limit)
		return 1;
	strcat(c->all, name);
	strcat(c->all, type == DT_DIR ? "/ " : " ");
	c->count++;
	return 0;
}

static void test_readdir(void)
{
	setup();
	CHECK(put("/tmp/one", "1") != NULL);
	CHECK_EQ(fs_mkdir(R, "/tmp/two", 0755), 0);
	CHECK(put("/tmp/three", "3") != NULL);
	struct names c = { "", 0, 100 };
	uint64_t cookie = 0;
	CHECK_EQ(fs_readdir(look("/tmp", NULL), &cookie, collect, &c), 5);
	CHECK(strcmp(c.all, "./ ../ one two/ three ") == 0);
	/* Two at a time, with the entry just read removed in between: nothing skipped. */
	struct names d = { "", 0, 2 };
	cookie = 0;
	CHECK_EQ(fs_readdir(look("/tmp", NULL), &cookie, collect, &d), 2);
	d.limit = 4;
	CHECK_EQ(fs_readdir(look("/tmp", NULL), &cookie, collect, &d), 2);
	CHECK_EQ(fs_unlink(R, "/tmp/one", 0), 0);
	CHECK_EQ(fs_unlink(R, "/tmp/two", 1), 0);
	d.limit = 100;
	CHECK_EQ(fs_readdir(look("/tmp", NULL), &cookie, collect, &d), 1);
	CHECK(strcmp(d.all, "./ ../ one two/ three ") == 0);
	CHECK_EQ(fs_readdir(look("/tmp", NULL), &cookie, collect, &d), 0);
	CHECK_EQ(fs_readdir(look("/tmp/three", NULL), &cookie, collect, &d), -ENOTDIR);
	fs_reset();
}

static void test_archive(void)
{
	static const char img[] = "slate-root 1\n"
				  "d 755 etc\n"
				  "f 644 6 etc/motd\nhello\n"
				  "f 755 0 empty\n"
				  "d 1777 tmp\n"
				  "end\n";
	CHECK_EQ(fs_init(img, sizeof(img) - 1), 0);
	R = fs_root();
	struct fs_node *m = look("/etc/motd", NULL);
	char buf[16];
	CHECK(m != NULL && m->size == 6 && (m->mode & 07777) == 0644);
	CHECK_EQ(fs_read(m, 0, buf, sizeof(buf)), 6);
	CHECK(memcmp(buf, "hello\n", 6) == 0);
	CHECK(m->cap == 0); /* still the image's bytes */
	CHECK_EQ(fs_write(m, 5, "!\n", 2), 2); /* copied out, then changed */
	CHECK(m->cap != 0);
	CHECK_EQ(fs_read(m, 0, buf, sizeof(buf)), 7);
	CHECK(memcmp(buf, "hello!\n", 7) == 0);
	CHECK(memcmp(img + 13 + 10 + 17, "hello\n", 6) == 0); /* the image is untouched */
	CHECK(look("/empty", NULL) != NULL && look("/empty", NULL)->size == 0);
	struct fs_node *e = look("/empty", NULL);
	CHECK_EQ(fs_truncate(e, 3), 0);
	CHECK_EQ(e->size, 3);
	fs_reset();
	static const char bad1[] = "slate-root 2\nend\n";
	static const char bad2[] = "slate-root 1\nf 644 100 x\nshort\nend\n";
	static const char bad3[] = "slate-root 1\nd 755 a\n"; /* no end */
	static const char bad4[] = "slate-root 1\nf 644 1 dev/null\nx\nend\n";
	CHECK_EQ(fs_init(bad1, sizeof(bad1) - 1), -EINVAL);
	CHECK_EQ(fs_init(bad2, sizeof(bad2) - 1), -EINVAL);
	CHECK_EQ(fs_init(bad3, sizeof(bad3) - 1), -EINVAL);
	CHECK_EQ(fs_init(bad4, sizeof(bad4) - 1), -EINVAL);
	fs_reset();
}

static void test_fds(void)
{
	setup();
	CHECK_EQ(fd_init(), 0);
	struct file *f0 = fd_get(0), *f1 = fd_get(1);
	CHECK(f0 && f1 && fd_get(2) && !fd_get(3) && !fd_get(-1) && !fd_get(FD_MAX));
	char buf[8];
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
	CHECK_EQ(n->opens, 0);

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
	CHECK_EQ(n->opens, 0);
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
	CHECK_EQ(file_read(r, buf, sizeof(buf), -1), -EAGAIN); /* empty, writer open */
	CHECK_EQ(file_write(w, "ping", 4, -1), 4);
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
	static char back[PIPE_SIZE + 10];
	CHECK_EQ(file_read(r, back, 1000, -1), 1000);
	CHECK_EQ(file_write(w, big + PIPE_SIZE, 10, -1), 10);
	CHECK_EQ(file_read(r, back + 1000, PIPE_SIZE, -1), PIPE_SIZE - 1000 + 10);
	CHECK(memcmp(back, big, sizeof(big)) == 0);
	file_put(w); /* writer gone: end of file */
	CHECK_EQ(file_read(r, buf, 1, -1), 0);
	file_put(r);
	CHECK_EQ(file_pipe(0, &r, &w), 0);
	file_put(r); /* reader gone: EPIPE */
	CHECK_EQ(file_write(w, "x", 1, -1), -EPIPE);
	file_put(w);
	fs_reset();
}

int main(void)
{
	RUN(test_initial_tree);
	RUN(test_paths);
	RUN(test_open_flags);
	RUN(test_read_write);
	RUN(test_devices);
	RUN(test_unlink_rmdir);
	RUN(test_rename);
	RUN(test_readdir);
	RUN(test_archive);
	RUN(test_fds);
	RUN(test_pipes);
	CHECK_EXIT();
}
