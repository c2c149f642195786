/*
 * libFuzzer: the RAM file system (kernel/fs*.c, kernel/fd.c) under a random
 * sequence of path and descriptor operations, as a hostile program would
 * issue them through the system calls: open (any flags, O_CREAT, O_TRUNC,
 * O_APPEND, O_DIRECTORY, O_PATH), close, read, pread, write, pwrite, lseek
 * (SEEK_DATA/SEEK_HOLE too), ftruncate, mkdir, rmdir, unlink, rename,
 * chdir, fchdir, getcwd, getdents, stat and dup, on paths made of a few
 * names, ".", "..", and names too long; offsets near pages, 2^39, 2^40 and
 * INT64_MAX; with the allocator made to fail at any point and the commit
 * limit lowered.  The kernel heap is malloc (tests/host/fs_host.c), so ASan
 * sees every use after free or overflow and LeakSanitizer every leak.
 *
 * After each operation the invariants are checked, any violation aborts:
 *  - fs_check: entries, links, cookies, pages against sizes;
 *  - every node in existence (fs_node_count) is in the tree or held: by a
 *    descriptor, the working directory, or a removed child (the parent
 *    chain of what is held), and each node's refs is exactly that count;
 *  - the commit charge equals the pages and index blocks files hold;
 *  - a file's size, st_blocks and bytes equal a model (pages written);
 *    lseek's SEEK_DATA/SEEK_HOLE agree with it; getcwd names the working
 *    directory (or ENOENT once removed), getdents entries are real.
 * After each input every descriptor and the working directory are let go,
 * nothing may be left but the tree, and fs_reset frees it: a leak is found.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/error.h"
#include "kernel/fd.h"
#include "kernel/fs.h"
#include "tests/fuzz/fs_fuzz_model.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/host/fs_host.h"

#define MAX_FDS 16
#define PATH_BUF (FS_PATH_MAX + 4 * 257 + 2) /* a node's path, four names and their slashes */


static struct fs_node *cwd;
static const struct fs_node *touched; /* the regular file the last operation used */

void fuzz_fail(const char *what)
{
	fprintf(stderr, "fs_fuzz: %s\n", what);
	abort();
}

/* The path of the Kth node of a depth-first walk (the last if fewer) into BUF: its length. */
static size_t known_path(unsigned k, char *buf)
{
	struct fs_node *pick = fs_root();
	for (struct fs_node *n = pick; n; n = fs_walk_next(n)) {
		pick = n;
		if (!k--)
			break;
	}
	long len = fs_path(pick, buf, FS_PATH_MAX);
	if (len < 0)
		len = (long)strlen(strcpy(buf, "/"));
	return (size_t)len;
}

/*
 * A path: a node of the tree by its absolute path, or up to four names,
 * absolute or not; either maybe followed by names and a trailing slash.
 * Names are mostly "a", "b", "." and "..", so that they meet (nested
 * directories, a working directory inside them, its parent removed);
 * sometimes others (the archive's among them), or 255 bytes or one too many.
 */
static const char *path_of(struct input *in)
{
	static const char *const names[] = { "a", "b", ".", "..", "c", "etc", "data", "tmp" };
	static char buf[PATH_BUF];
	uint8_t shape = next8(in);
	size_t len = 0;
	if ((shape & 0x30) == 0x30)
		len = known_path(next8(in), buf);
	else if (shape & 0x80)
		buf[len++] = '/';
	unsigned count = (shape & 0x30) == 0x30 ? shape & 1 : (shape & 3) + 1;
	for (unsigned i = 0; i < count; i++) {
		uint8_t pick = next8(in);
		if (len && buf[len - 1] != '/')
			buf[len++] = '/';
		if (pick >= 250) {
			size_t n = pick & 1 ? 256 : 255;
			memset(buf + len, 'L', n);
			len += n;
		} else {
			const char *s = names[pick < 200 ? pick % 4 : 4 + pick % 4];
			memcpy(buf + len, s, strlen(s));
			len += strlen(s);
		}
	}
	if (shape & 0x40)
		buf[len++] = '/';
	buf[len] = 0;
	return buf;
}

static uint64_t offset_of(struct input *in)
{
	static const uint64_t marks[] = {
		0, 1, 4095, 4096, 4097, 8191, 3 * 4096 + 7, 1u << 20, (1ull << 39) - 1, 1ull << 39,
		1ull << 40, INT64_MAX - 4096, INT64_MAX - 10, INT64_MAX - 1, INT64_MAX,
	};
	uint8_t b = next8(in);
	if (b < 128)
		return marks[b % (sizeof(marks) / sizeof(marks[0]))] + (next8(in) & 3);
	return (uint64_t)(b - 128) * 613;
}

static size_t length_of(struct input *in)
{
	static const size_t lens[] = { 0, 1, 7, 100, 4096, 5000, 9000, 3 };
	return lens[next8(in) % (sizeof(lens) / sizeof(lens[0]))];
}

static struct file *file_of(struct input *in)
{
	return fd_get(next8(in) % MAX_FDS);
}

static void op_open(struct input *in)
{
	static const int accs[] = { O_RDONLY, O_WRONLY, O_RDWR, O_PATH };
	uint8_t f = next8(in);
	int flags = accs[f & 3] | (f & 4 ? O_CREAT : 0) | (f & 8 ? O_EXCL : 0) |
		    (f & 16 ? O_TRUNC : 0) | (f & 32 ? O_APPEND : 0) | (f & 64 ? O_DIRECTORY : 0);
	struct fs_node *n;
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY; /* as sys_openat */
	if (fs_open(cwd, path_of(in), flags, 0644, &n) != 0)
		return;
	if (fs_is_reg(n)) {
		struct fuzz_model *m = model_of(n);
		if (flags & O_TRUNC)
			model_truncate(m, 0);
		touched = n;
	}
	struct file *file = file_new(n, flags);
	if (!file) {
		fs_release(n);
		return;
	}
	long fd = fd_install(file, 0, 0);
	file_put(file);
	REQUIRE(fd >= 0);
	if (fd >= MAX_FDS)
		fd_close(fd); /* the checks look at MAX_FDS descriptors: keep to them */
}

/* read and pread: what comes back is the model's bytes. */
static void op_read(struct input *in, int positional)
{
	static uint8_t buf[9000], want[9000];
	struct file *f = file_of(in);
	uint64_t off = positional ? offset_of(in) & INT64_MAX : 0;
	size_t len = length_of(in);
	if (!f)
		return;
	uint64_t at = positional ? off : f->off;
	long got = file_read(f, buf, len, positional ? (int64_t)off : -1);
	if (got < 0 || !f->node || !fs_is_reg(f->node))
		return;
	const struct fuzz_model *m = model_of(f->node);
	uint64_t avail = at < m->size ? m->size - at : 0;
	REQUIRE((uint64_t)got == (len < avail ? len : avail));
	model_read(m, at, want, (size_t)got);
	REQUIRE(memcmp(buf, want, (size_t)got) == 0);
	touched = f->node;
}

/* write and pwrite: the model takes the bytes the call says it wrote. */
static void op_write(struct input *in, int positional)
{
	static uint8_t buf[9000];
	static uint8_t seq;
	struct file *f = file_of(in);
	uint64_t off = positional ? offset_of(in) & INT64_MAX : 0;
	size_t len = length_of(in);
	if (!f || (f->node && f->node->dev == FS_DEV_CONSOLE))
		return; /* the console would print the fuzzer's bytes */
	seq++;
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seq * 31 + i % 251 + 1);
	struct fuzz_model *m = f->node && fs_is_reg(f->node) ? model_of(f->node) : NULL;
	uint64_t at = positional ? off : (f->flags & O_APPEND) && m ? f->node->size : f->off;
	long put = file_write(f, buf, len, positional ? (int64_t)off : -1);
	if (put <= 0 || !m)
		return;
	model_write(m, at, buf, (size_t)put);
	touched = f->node;
}

static void op_lseek(struct input *in)
{
	struct file *f = file_of(in);
	uint64_t u = offset_of(in);
	int64_t off = (int64_t)(next8(in) & 1 ? 0 - u : u); /* negative offsets too */
	int whence = next8(in) % 6;
	if (!f)
		return;
	int64_t pos = file_lseek(f, off, whence);
	if (pos >= 0)
		REQUIRE(f->off == (uint64_t)pos);
	if (f->node && fs_is_reg(f->node) && (whence == SEEK_DATA || whence == SEEK_HOLE))
		model_check_seek(model_of(f->node), off, whence == SEEK_HOLE, pos);
}

static void op_truncate(struct input *in)
{
	struct file *f = file_of(in);
	uint64_t size = offset_of(in);
	if (!f || !f->node || !fs_is_reg(f->node))
		return;
	struct fuzz_model *m = model_of(f->node);
	int err = fs_truncate(f->node, size);
	REQUIRE(err == 0 || (err == -EFBIG && size > FS_SIZE_MAX));
	if (!err)
		model_truncate(m, size);
	touched = f->node;
}

/* chdir and fchdir: the working directory holds its node, as sys_fs_util's set_working_dir. */
static void set_cwd(struct fs_node *n)
{
	if (!n || !fs_is_dir(n))
		return;
	fs_hold(n);
	fs_release(cwd);
	cwd = n;
}

/* getcwd: ENOENT exactly when removed; else the path leads back to the working directory. */
static void op_getcwd(struct input *in)
{
	static const size_t sizes[] = { 1, 2, 5, 64, FS_PATH_MAX };
	static char buf[FS_PATH_MAX];
	size_t size = sizes[next8(in) % 5];
	long len = fs_path(cwd, buf, size);
	int err;
	REQUIRE((len == -ENOENT) == (cwd->nlink == 0));
	REQUIRE(len >= 0 || len == -ENOENT || len == -ENAMETOOLONG);
	if (len >= 0)
		REQUIRE((size_t)len == strlen(buf) && fs_lookup(fs_root(), buf, &err) == cwd);
}

struct listing {
	struct fs_node *dir;
	unsigned left;
};

static int listed(void *p, const char *name, uint64_t ino, unsigned type, uint64_t next)
{
	struct listing *l = p;
	int err;
	if (!l->left--)
		return 1;
	struct fs_node *n = fs_lookup(l->dir, name, &err);
	REQUIRE(n && n->ino == ino && (type == DT_DIR) == fs_is_dir(n));
	return 0;
}

static void op_getdents(struct input *in)
{
	struct file *f = file_of(in);
	struct listing l = { f ? f->node : NULL, next8(in) % 8 };
	if (!f || !f->node)
		return;
	long n = fs_readdir(f->node, &f->off, listed, &l);
	REQUIRE(n >= 0 || (n == -ENOTDIR && !fs_is_dir(f->node)) ||
		(n == -ENOENT && f->node->nlink == 0));
}

static void op_stat(struct input *in)
{
	int err;
	struct fs_node *n = fs_lookup(cwd, path_of(in), &err);
	REQUIRE(n || err < 0);
	if (n && fs_is_reg(n))
		touched = n;
}

static void op_dup(struct input *in)
{
	long from = next8(in) % MAX_FDS, to = next8(in) % MAX_FDS;
	long r = fd_dup_to(from, to, 0);
	REQUIRE(r == to || (r == -EBADF && !fd_get(from)));
}

/* One operation; the allocator may be set to fail during it alone. */
static void step(struct input *in)
{
	uint8_t op = next8(in);
	int err;
	touched = NULL;
	switch (op % 22) {
	case 0: op_open(in); break;
	case 1: fd_close(next8(in) % MAX_FDS); break;
	case 2: op_read(in, 0); break;
	case 3: op_read(in, 1); break;
	case 4: op_write(in, 0); break;
	case 5: op_write(in, 1); break;
	case 6: op_lseek(in); break;
	case 7: op_truncate(in); break;
	case 8: fs_mkdir(cwd, path_of(in), 0755); break;
	case 9: fs_unlink(cwd, path_of(in), 1); break;
	case 10: fs_unlink(cwd, path_of(in), 0); break;
	case 11: {
		static char from[PATH_BUF];
		snprintf(from, sizeof(from), "%s", path_of(in));
		fs_rename(cwd, from, cwd, path_of(in), next8(in) & 1);
		break;
	}
	case 12: set_cwd(fs_lookup(cwd, path_of(in), &err)); break;
	case 13: {
		struct file *f = file_of(in);
		set_cwd(f ? f->node : NULL);
		break;
	}
	case 14: op_getcwd(in); break;
	case 15: op_getdents(in); break;
	case 16: op_stat(in); break;
	case 17: op_dup(in); break;
	case 18: { /* the next operation runs out of memory at its Nth allocation */
		fs_host_fail_allocs_after(next8(in) % 8);
		step(in);
		fs_host_fail_allocs_after(-1);
		break;
	}
	case 19: { /* a commit limit a few pages above what is charged now, or none */
		uint8_t k = next8(in);
		fs_host_set_commit_limit(k == 255 ? UINT64_MAX : fs_host_committed() + k * 4096ull);
		break;
	}
	case 20: fs_mkdir(cwd, path_of(in), 0755); break; /* directories matter most */
	default: set_cwd(fs_lookup(cwd, path_of(in), &err)); break;
	}
}

static const char archive[] = "slate-root 1\n"
			      "d 755 etc\n"
			      "f 644 5000 etc/data\n";
static char image[sizeof(archive) + 5000 + 64];

/* The tree with two files from an archive (read in place), and their models. */
static void start(void)
{
	size_t at = strlen(archive);
	memcpy(image, archive, at);
	for (size_t i = 0; i < 5000; i++)
		image[at + i] = (char)('A' + i % 26);
	memcpy(image + at + 5000, "f 600 3 a\nabcend\n", 17);
	if (fs_init(image, at + 5000 + 17) != 0)
		fuzz_fail("fs_init of the archive");
	fs_host_set_commit_limit(UINT64_MAX);
	fs_host_fail_allocs_after(-1);
	cwd = fs_root();
	fs_hold(cwd);
	int err;
	struct fs_node *data = fs_lookup(cwd, "/etc/data", &err), *a = fs_lookup(cwd, "/a", &err);
	if (!data || !a)
		fuzz_fail("the archive's files are missing");
	model_write(model_new(data), 0, (const uint8_t *)image + at, 5000);
	model_write(model_new(a), 0, (const uint8_t *)"abc", 3);
}

/* Let every descriptor and the working directory go: only the tree may remain, then nothing. */
static void finish(void)
{
	fuzz_check(cwd, MAX_FDS, NULL, 1);
	for (long fd = 0; fd < MAX_FDS; fd++)
		fd_close(fd);
	fs_release(cwd);
	cwd = NULL;
	REQUIRE(fuzz_count_tree() == fs_node_count());
	fs_reset();
	REQUIRE(fs_node_count() == 0 && fs_host_committed() == 0);
	model_reset();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	start();
	while (in.n) {
		step(&in);
		fuzz_check(cwd, MAX_FDS, touched, 0);
	}
	finish();
	return 0;
}
