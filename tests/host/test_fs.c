/*
 * Host tests of the RAM file system's names, directories and lifetimes
 * (kernel/fs.c, kernel/fs_tree.c); file contents are in test_fs_data.c,
 * descriptors in test_fd.c.  The kernel heap is malloc here
 * (tests/host/fs_host.c), so that ASan sees every node and buffer (use after
 * free, overflows, leaks at exit).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/error.h"
#include "kernel/fs.h"
#include "kernel/random.h"
#include "tests/host/check.h"
#include "tests/host/fs_host.h"

static struct fs_node *R;

static void setup(void)
{
	R = fs_host_init();
	CHECK(R != NULL);
}

static struct fs_node *look(const char *path, int *err)
{
	int e = 0;
	struct fs_node *n = fs_lookup(R, path, &e);
	if (err)
		*err = e;
	return n;
}

#define put fs_host_put

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
	CHECK_EQ(fs_path(b, buf, 4), -ENAMETOOLONG); /* getcwd's ERANGE is the caller's */
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

/*
 * Issue 9, item 4, as the attacker did it: mkdir /a /a/b, chdir /a/b, rmdir
 * /a/b, rmdir /a, refill the heap with files of node-sized contents, then
 * "..".  As on Linux, ".." is the removed /a (kept alive by /a/b's hold),
 * "../.." is /, nothing can be made there, getdents and getcwd say ENOENT;
 * both go once the working directory moves on.
 */
static void test_removed_cwd_parent(void)
{
	setup();
	uint64_t before = fs_node_count();
	int err;
	CHECK_EQ(fs_mkdir(R, "/a", 0755), 0);
	CHECK_EQ(fs_mkdir(R, "/a/b", 0755), 0);
	struct fs_node *b = look("/a/b", NULL);
	uint64_t a_ino = look("/a", NULL)->ino;
	fs_hold(b); /* chdir("/a/b") */
	CHECK_EQ(fs_unlink(R, "/a/b", 1), 0);
	CHECK_EQ(fs_unlink(R, "/a", 1), 0);
	char forged[256], name[32];
	memset(forged, 0x41, sizeof(forged));
	forged[sizeof(forged) - 1] = 0;
	for (int i = 0; i < 64; i++) {
		snprintf(name, sizeof(name), "/tmp/fill%d", i);
		CHECK(put(name, forged) != NULL);
	}
	struct fs_node *up = fs_lookup(b, "..", &err);
	CHECK(up != NULL && up->ino == a_ino && fs_is_dir(up) && up->nlink == 0);
	CHECK(fs_lookup(b, "../..", &err) == R);
	CHECK(fs_lookup(b, "../../tmp/fill3", &err) == look("/tmp/fill3", NULL));
	struct names c = { "", 0, 100 };
	uint64_t cookie = 0;
	CHECK_EQ(fs_readdir(b, &cookie, collect, &c), -ENOENT);
	CHECK_EQ(fs_readdir(up, &cookie, collect, &c), -ENOENT);
	struct fs_node *n;
	CHECK_EQ(fs_open(b, "x", O_CREAT | O_RDWR, 0644, &n), -ENOENT);
	CHECK_EQ(fs_open(b, "../x", O_CREAT | O_RDWR, 0644, &n), -ENOENT);
	CHECK_EQ(fs_mkdir(b, "../y", 0755), -ENOENT);
	CHECK_EQ(fs_rename(R, "/tmp/fill0", b, "../z", 0), -ENOENT);
	CHECK_EQ(fs_unlink(b, ".", 1), -EINVAL);
	CHECK_EQ(fs_unlink(b, "..", 1), -ENOTEMPTY);
	CHECK_EQ(fs_open(b, "..", O_RDONLY | O_DIRECTORY, 0, &n), 0);
	CHECK(n == up);
	fs_release(n);
	char buf[64];
	CHECK_EQ(fs_path(b, buf, sizeof(buf)), -ENOENT);
	CHECK_EQ(fs_path(up, buf, sizeof(buf)), -ENOENT);
	fs_hold(up); /* chdir(".."): b goes, a stays */
	fs_release(b);
	CHECK_EQ(fs_node_count(), before + 64 + 1);
	fs_release(up); /* chdir("..") again: a goes too */
	CHECK_EQ(fs_node_count(), before + 64);
	CHECK_EQ(fs_check(), 0);
	fs_reset();
}

/* A long chain of removed directories, each held only by the one inside it, goes in a loop. */
static void test_removed_chain(void)
{
	setup();
	uint64_t before = fs_node_count();
	int err;
	struct fs_node *d = R;
	for (int i = 0; i < 20000; i++) {
		CHECK_EQ(fs_mkdir(d, "d", 0755), 0);
		d = fs_lookup(d, "d", &err);
	}
	fs_hold(d);
	for (struct fs_node *cur = d; cur != R; cur = cur->parent)
		CHECK_EQ(fs_unlink(cur->parent, "d", 1), 0);
	CHECK(fs_lookup(d, "../../..", &err) == d->parent->parent->parent);
	CHECK_EQ(fs_node_count(), before + 20000);
	fs_release(d);
	CHECK_EQ(fs_node_count(), before);
	CHECK_EQ(R->refs, 2); /* dev and tmp */
	fs_reset();
}

/* Every other way a node can lose its name while something still holds it. */
static void test_held_nodes(void)
{
	setup();
	uint64_t before = fs_node_count();
	char buf[8];
	int err;
	struct fs_node *old, *cwd, *n;
	CHECK(put("/tmp/a", "new") && put("/tmp/b", "old"));
	CHECK_EQ(fs_open(R, "/tmp/b", O_RDONLY, 0, &old), 0);
	CHECK_EQ(fs_rename(R, "/tmp/a", R, "/tmp/b", 0), 0); /* over an open file */
	CHECK_EQ(old->nlink, 0);
	CHECK(fs_read(old, 0, buf, sizeof(buf)) == 3 && memcmp(buf, "old", 3) == 0);
	fs_release(old);
	/* Over an empty directory that is someone's working directory. */
	CHECK_EQ(fs_mkdir(R, "/tmp/d", 0755), 0);
	CHECK_EQ(fs_mkdir(R, "/tmp/e", 0755), 0);
	cwd = look("/tmp/e", NULL);
	fs_hold(cwd);
	CHECK_EQ(fs_rename(R, "/tmp/d", R, "/tmp/e", 0), 0);
	CHECK_EQ(cwd->nlink, 0);
	CHECK(fs_lookup(cwd, "..", &err) == look("/tmp", NULL));
	CHECK_EQ(fs_mkdir(cwd, "x", 0755), -ENOENT);
	CHECK_EQ(fs_path(cwd, buf, sizeof(buf)), -ENOENT);
	fs_release(cwd);
	/* Into its own subtree however deep: EINVAL; into a removed directory: ENOENT. */
	CHECK_EQ(fs_mkdir(R, "/tmp/e/f", 0755), 0);
	CHECK_EQ(fs_mkdir(R, "/tmp/e/f/g", 0755), 0);
	CHECK_EQ(fs_rename(R, "/tmp/e", R, "/tmp/e/f/g/h", 0), -EINVAL);
	CHECK_EQ(fs_rename(R, "/tmp/e", R, "/tmp/e/f", 0), -EINVAL);
	CHECK_EQ(fs_rename(R, "/tmp/e", R, "/tmp/e/f", 1), -EEXIST);
	CHECK_EQ(fs_rename(R, "/tmp/e/f", R, "/tmp/e", 0), -ENOTEMPTY);
	CHECK_EQ(fs_open(R, "/tmp/e/f/g", O_RDONLY | O_DIRECTORY, 0, &n), 0); /* a directory fd */
	CHECK_EQ(fs_unlink(R, "/tmp/e/f/g", 1), 0);
	CHECK_EQ(fs_rename(R, "/tmp/b", n, "moved", 0), -ENOENT);
	CHECK_EQ(fs_rename(R, "/tmp/b", n, "../moved", 0), 0);
	uint64_t cookie = 0;
	struct names c = { "", 0, 100 };
	CHECK_EQ(fs_readdir(n, &cookie, collect, &c), -ENOENT);
	/* The parent it was removed from moves on: ".." still follows it. */
	CHECK_EQ(fs_rename(R, "/tmp/e/f", R, "/f2", 0), 0);
	CHECK(fs_lookup(n, "../moved", &err) == look("/f2/moved", NULL));
	fs_release(n);
	CHECK_EQ(fs_check(), 0);
	CHECK_EQ(fs_unlink(R, "/f2/moved", 0), 0);
	CHECK_EQ(fs_unlink(R, "/f2", 1), 0);
	CHECK_EQ(fs_unlink(R, "/tmp/e", 1), 0);
	CHECK_EQ(fs_node_count(), before);
	fs_reset();
}

/* Issue 9, item 11: getcwd past PATH_MAX is ENAMETOOLONG (ERANGE is for a small buffer). */
static void test_path_too_long(void)
{
	setup();
	char name[256], *buf = malloc(8192);
	int err;
	memset(name, 'p', 255);
	name[255] = 0;
	struct fs_node *d = R;
	for (int i = 0; i < 15; i++) { /* 15 * 256 = 3840 bytes */
		CHECK_EQ(fs_mkdir(d, name, 0755), 0);
		d = fs_lookup(d, name, &err);
	}
	name[254] = 0; /* "/" and 254 more: 4095 bytes, the longest that fits with its NUL */
	CHECK_EQ(fs_mkdir(d, name, 0755), 0);
	struct fs_node *e = fs_lookup(d, name, &err);
	CHECK_EQ(fs_path(e, buf, FS_PATH_MAX), 4095);
	name[254] = 'p';
	CHECK_EQ(fs_mkdir(d, name, 0755), 0);
	e = fs_lookup(d, name, &err);
	CHECK_EQ(fs_path(e, buf, FS_PATH_MAX), -ENAMETOOLONG);
	for (int i = 0; i < 9; i++) { /* 6 KB */
		CHECK_EQ(fs_mkdir(e, "q", 0755), 0);
		e = fs_lookup(e, "q", &err);
	}
	CHECK_EQ(fs_path(e, buf, FS_PATH_MAX), -ENAMETOOLONG);
	CHECK_EQ(fs_path(e, buf, 8192), 4096 + 18);
	free(buf);
	fs_reset();
}


int main(void)
{
	RUN(test_initial_tree);
	RUN(test_paths);
	RUN(test_open_flags);
	RUN(test_devices);
	RUN(test_unlink_rmdir);
	RUN(test_rename);
	RUN(test_readdir);
	RUN(test_removed_cwd_parent);
	RUN(test_removed_chain);
	RUN(test_held_nodes);
	RUN(test_path_too_long);
	CHECK_EXIT();
}
