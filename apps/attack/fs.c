/*
 * Attacks on the file system (see attack.h).  Each takes the directory to
 * work in (default /tmp), so that the same binary, built for the host, can
 * be run against Linux itself (a tmpfs directory) to confirm the expected
 * outcomes; fs-file-commit needs the kernel's commit limit and is for the
 * guest only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "attack.h"

#define MiB (1ul << 20)

/* BUF (512 bytes) := BASE/NAME; BUF returned. */
static char *in(char *buf, const char *base, const char *name)
{
	snprintf(buf, 512, "%s/%s", base, name);
	return buf;
}

/* A path variable NAME holding BASE/REL. */
#define PATH(name, base, rel) \
	char name[512];       \
	in(name, base, rel)

static const char *base_of(int argc, char **argv)
{
	return argc > 1 ? argv[1] : "/tmp";
}

static ino_t ino_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* getdents64 and getcwd straight from the kernel (glibc hides ENOENT and walks ".." itself). */
static long getdents_raw(int fd)
{
	static char buf[4096];
	return syscall(SYS_getdents64, fd, buf, sizeof(buf));
}

static long getcwd_raw(char *buf, size_t size)
{
	return syscall(SYS_getcwd, buf, size);
}

/*
 * Issue 9, item 4, the way it was found: the working directory and then its
 * parent removed, the freed node's heap slot refilled with forged contents,
 * then "..".  Linux keeps the removed parent alive for "..": a directory
 * with no links, its own inode; nothing can be made there; getdents64 and
 * getcwd say ENOENT.
 */
static int removed_cwd(int argc, char **argv)
{
	const char *base = base_of(argc, argv);
	PATH(a, base, "uaf-a");
	PATH(b, base, "uaf-a/b");
	char forged[256], cwd[512], tmp[512];
	struct stat st;
	int bad = expect_value("mkdir a, a/b", mkdir(a, 0755) | mkdir(b, 0755), 0);
	ino_t a_ino = ino_of(a), base_ino = ino_of(base);
	bad |= expect_value("chdir a/b", chdir(b), 0);
	bad |= expect_value("rmdir a/b, then a", rmdir(b) | rmdir(a), 0);
	memset(forged, 0, sizeof(forged)); /* a node: ino 0x5eed, a directory, two links */
	uint64_t fake[3] = { 0x5eed, (uint64_t)(S_IFDIR | 0777), 2ull << 32 };
	memcpy(forged, fake, sizeof(fake));
	for (int i = 0; i < 64; i++) {
		char name[32];
		snprintf(name, sizeof(name), "uaf-fill%d", i);
		int fd = open(in(tmp, base, name), O_CREAT | O_WRONLY | O_TRUNC, 0644);
		bad |= fd < 0 || write(fd, forged, sizeof(forged)) != sizeof(forged);
		close(fd);
	}
	bad |= expect_true("stat(\"..\"): the removed parent, a directory without links",
			   stat("..", &st) == 0 && st.st_ino == a_ino && S_ISDIR(st.st_mode) &&
				   st.st_nlink == 0);
	bad |= expect_true("\"../..\" is the directory it was removed from", ino_of("../..") == base_ino);
	int up = open("..", O_RDONLY | O_DIRECTORY), here = open(".", O_RDONLY | O_DIRECTORY);
	bad |= expect_true("open(\"..\") and open(\".\")", up >= 0 && here >= 0);
	bad |= expect_errno("getdents64 of \"..\"", getdents_raw(up), ENOENT);
	bad |= expect_errno("getdents64 of \".\"", getdents_raw(here), ENOENT);
	bad |= expect_errno("getcwd", getcwd_raw(cwd, sizeof(cwd)), ENOENT);
	bad |= expect_errno("mkdir x", mkdir("x", 0755), ENOENT);
	bad |= expect_errno("creat x", open("x", O_CREAT | O_RDWR, 0644), ENOENT);
	bad |= expect_errno("mkdir ../x", mkdir("../x", 0755), ENOENT);
	bad |= expect_errno("creat ../y", open("../y", O_CREAT | O_RDWR, 0644), ENOENT);
	bad |= expect_errno("rename into ..", rename(in(tmp, base, "uaf-fill0"), "../z"), ENOENT);
	bad |= expect_errno("rmdir .", rmdir("."), EINVAL);
	bad |= expect_errno("rmdir ..", rmdir(".."), ENOTEMPTY);
	close(up);
	close(here);
	bad |= expect_value("chdir ..", chdir(".."), 0);
	bad |= expect_errno("getcwd in the removed parent", getcwd_raw(cwd, sizeof(cwd)), ENOENT);
	bad |= expect_value("chdir .. again", chdir(".."), 0);
	bad |= expect_true("getcwd is back", getcwd_raw(cwd, sizeof(cwd)) > 0 && strcmp(cwd, base) == 0);
	for (int i = 0; i < 64; i++) {
		char name[32];
		snprintf(name, sizeof(name), "uaf-fill%d", i);
		unlink(in(tmp, base, name));
	}
	return bad;
}

/* The other ways a node loses its name while held: rename over it, rmdir of a held directory. */
static int held_nodes(int argc, char **argv)
{
	const char *base = base_of(argc, argv);
	PATH(f1, base, "held-new");
	PATH(f2, base, "held-old");
	PATH(d, base, "held-d");
	PATH(e, base, "held-e");
	PATH(f, base, "held-e/f");
	PATH(g, base, "held-e/f/g");
	PATH(h, base, "held-e/f/g/h");
	char buf[16], cwd[512];
	struct stat st;
	int fd = open(f2, O_CREAT | O_RDWR | O_TRUNC, 0644);
	int bad = expect_value("write old", write(fd, "old", 3), 3);
	close(fd);
	fd = open(f1, O_CREAT | O_RDWR | O_TRUNC, 0644);
	bad |= expect_value("write new", write(fd, "new", 3), 3);
	close(fd);
	fd = open(f2, O_RDWR);
	bad |= expect_value("rename over an open file", rename(f1, f2), 0);
	bad |= expect_true("the open file keeps its bytes, no links",
			   pread(fd, buf, sizeof(buf), 0) == 3 && memcmp(buf, "old", 3) == 0 &&
				   fstat(fd, &st) == 0 && st.st_nlink == 0);
	bad |= expect_value("and can still be written", pwrite(fd, "OLD!", 4, 0), 4);
	close(fd);
	bad |= expect_value("over an empty working directory",
			    mkdir(d, 0755) | mkdir(e, 0755) | chdir(e) | rename(d, e), 0);
	bad |= expect_errno("getcwd there", getcwd_raw(cwd, sizeof(cwd)), ENOENT);
	bad |= expect_true("\"..\" is the directory", ino_of("..") == ino_of(base));
	bad |= expect_errno("mkdir there", mkdir("x", 0755), ENOENT);
	bad |= expect_value("chdir back", chdir(base), 0);
	bad |= expect_value("mkdir e/f, e/f/g", mkdir(f, 0755) | mkdir(g, 0755), 0);
	bad |= expect_errno("rename e into e/f/g/h", rename(e, h), EINVAL);
	bad |= expect_errno("rename e over e/f", rename(e, f), EINVAL);
	bad |= expect_errno("rename e over e/f, NOREPLACE",
			    renameat2(AT_FDCWD, e, AT_FDCWD, f, RENAME_NOREPLACE),
			    EEXIST);
	bad |= expect_errno("rename e/f over e", rename(f, e), ENOTEMPTY);
	int dir = open(g, O_RDONLY | O_DIRECTORY), path = open(g, O_PATH);
	bad |= expect_value("rmdir of a directory open twice", rmdir(g), 0);
	bad |= expect_errno("getdents64 of it", getdents_raw(dir), ENOENT);
	bad |= expect_errno("create in it", openat(dir, "x", O_CREAT | O_RDWR, 0644), ENOENT);
	bad |= expect_true("\"..\" from it", fstatat(dir, "..", &st, 0) == 0 &&
						   st.st_ino == ino_of(f));
	bad |= expect_errno("read an O_PATH descriptor", read(path, buf, 1), EBADF);
	bad |= expect_errno("getdents64 of an O_PATH descriptor", getdents_raw(path), EBADF);
	bad |= expect_true("fstat of it", fstat(path, &st) == 0 && st.st_nlink == 0);
	bad |= expect_value("fchdir to it", fchdir(path), 0);
	bad |= expect_errno("getcwd there", getcwd_raw(cwd, sizeof(cwd)), ENOENT);
	close(dir);
	close(path);
	bad |= expect_value("chdir back", chdir(base), 0);
	bad |= expect_value("clean up", rmdir(f) | rmdir(e) | unlink(f2), 0);
	return bad;
}

/*
 * Issue 9, item 7: a mapping charged, then files filling memory.  Before,
 * files were not charged, so the mapping's first touch found no frame and
 * the program died (139); now the write gets ENOMEM and the mapping works.
 */
static int file_commit(int argc, char **argv)
{
	const char *base = base_of(argc, argv);
	static char chunk[MiB];
	char name[32], back[4096], tmp[512];
	size_t map = 32 * MiB;
	long files = 0, last = 0;
	char *m = mmap(NULL, map, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int bad = expect_true("a 32 MiB mapping, charged", m != MAP_FAILED), fd = -1;
	for (; !bad && files < 4096; files++) { /* 1 MiB files until one cannot be written */
		snprintf(name, sizeof(name), "commit%ld", files);
		memset(chunk, (int)('a' + files % 26), sizeof(chunk));
		fd = open(in(tmp, base, name), O_CREAT | O_RDWR | O_TRUNC, 0644);
		last = write(fd, chunk, sizeof(chunk));
		if (last != (long)sizeof(chunk))
			break;
		close(fd);
	}
	printf("attack: %ld MiB of files written\n", files);
	if (last >= 0) /* cut short: the next write is refused */
		last = write(fd, chunk, sizeof(chunk));
	bad |= expect_errno("writing past the limit", last, ENOMEM);
	struct stat st;
	bad |= expect_true("the last file keeps what was written",
			   fstat(fd, &st) == 0 && pread(fd, back, sizeof(back), 0) == sizeof(back) &&
				   back[0] == chunk[0] && back[4095] == chunk[0] &&
				   (st.st_size == 0 || pread(fd, back, 1, st.st_size - 1) == 1));
	bad |= expect_value("a hole costs nothing", ftruncate(fd, st.st_size + 1024 * MiB), 0);
	close(fd);
	memset(m, 0x5a, map); /* died here (139) before */
	bad |= expect_true("the mapping is all there", m[0] == 0x5a && m[map - 1] == 0x5a);
	fd = open(in(tmp, base, "commit0"), O_RDONLY);
	bad |= expect_true("the first file is intact",
			   pread(fd, back, 1, MiB - 1) == 1 && back[0] == 'a');
	close(fd);
	for (long i = 0; i < files; i++) {
		snprintf(name, sizeof(name), "commit%ld", i);
		unlink(in(tmp, base, name));
	}
	fd = open(in(tmp, base, "commit0"), O_CREAT | O_RDWR | O_TRUNC, 0644);
	bad |= expect_value("freed by unlink: written again", write(fd, chunk, sizeof(chunk)),
			    (long)sizeof(chunk));
	close(fd);
	unlink(tmp);
	return bad;
}

/*
 * Issue 9, item 8: a file grows past 2 MiB; a sparse file costs what is
 * written (st_blocks), at 1 TiB and at 2^39, up to the largest offset; a
 * private mapping of it reads the byte written and zeros.
 */
static int sparse(int argc, char **argv)
{
	PATH(path, base_of(argc, argv), "sparse");
	static char chunk[MiB];
	char b[16];
	struct stat st;
	off_t big = (off_t)1 << 39, tib = (off_t)1 << 40;
	memset(chunk, 's', sizeof(chunk));
	int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644), bad = 0;
	for (int i = 0; i < 8; i++)
		bad |= write(fd, chunk, sizeof(chunk)) != (long)sizeof(chunk);
	bad |= expect_true("8 MiB written", !bad && pread(fd, b, 1, 8 * MiB - 1) == 1 && b[0] == 's');
	bad |= expect_value("ftruncate to 64 GiB", ftruncate(fd, (off_t)64 << 30), 0);
	bad |= expect_value("ftruncate to 1 TiB", ftruncate(fd, tib), 0);
	bad |= expect_true("st_size 1 TiB, st_blocks what was written",
			   fstat(fd, &st) == 0 && st.st_size == tib && st.st_blocks == 16384);
	bad |= expect_value("pwrite at 2^39", pwrite(fd, "x", 1, big), 1);
	bad |= expect_true("read back, holes as zeros",
			   pread(fd, b, 2, big) == 2 && b[0] == 'x' && b[1] == 0 &&
				   pread(fd, b, 1, big / 2) == 1 && b[0] == 0);
	bad |= expect_true("one page more", fstat(fd, &st) == 0 && st.st_blocks == 16384 + 8);
	bad |= expect_value("SEEK_DATA finds it", lseek(fd, 8 * MiB, SEEK_DATA), big);
	bad |= expect_value("SEEK_HOLE after it", lseek(fd, big, SEEK_HOLE), big + 4096);
	char *m = mmap(NULL, 8 * MiB, PROT_READ, MAP_PRIVATE, fd, big - 4 * (off_t)MiB);
	bad |= expect_true("mmap of the sparse part",
			   m != MAP_FAILED && m[4 * MiB] == 'x' && m[0] == 0 && m[8 * MiB - 1] == 0);
	bad |= expect_value("pwrite ending at INT64_MAX", pwrite(fd, chunk, 10, INT64_MAX - 10), 10);
	bad |= expect_true("size INT64_MAX", fstat(fd, &st) == 0 && st.st_size == INT64_MAX);
	bad |= expect_errno("pwrite past it", pwrite(fd, chunk, 11, INT64_MAX - 10), EINVAL);
	int app = open(path, O_WRONLY | O_APPEND);
	bad |= expect_errno("append at INT64_MAX", write(app, "y", 1), EFBIG);
	close(app);
	bad |= expect_errno("ftruncate -1", ftruncate(fd, -1), EINVAL);
	bad |= expect_value("ftruncate back to 8 MiB", ftruncate(fd, 8 * MiB), 0);
	bad |= expect_true("the 8 MiB stay", fstat(fd, &st) == 0 && st.st_blocks == 16384 &&
						     pread(fd, b, 1, 5 * MiB) == 1 && b[0] == 's');
	close(fd);
	unlink(path);
	return bad;
}

/* Issue 9, item 11: getcwd and lseek errors as Linux gives them. */
static int errnos(int argc, char **argv)
{
	const char *base = base_of(argc, argv);
	static char cwd[8192];
	char name[256];
	memset(name, 'p', 255);
	name[255] = 0;
	int bad = expect_value("chdir", chdir(base), 0);
	for (int i = 0; i < 24; i++) /* 24 * 256: a 6 KiB path */
		bad |= mkdir(name, 0755) != 0 || chdir(name) != 0;
	bad |= expect_errno("getcwd of a 6 KiB path", getcwd_raw(cwd, sizeof(cwd)), ENAMETOOLONG);
	for (int i = 0; i < 24; i++)
		bad |= chdir("..") != 0 || rmdir(name) != 0;
	bad |= expect_errno("getcwd into 2 bytes", getcwd_raw(cwd, 2), ERANGE);
	PATH(seek, base, "seek");
	int fd = open(seek, O_CREAT | O_RDWR | O_TRUNC, 0644);
	bad |= expect_value("ftruncate to 100", ftruncate(fd, 100), 0);
	bad |= expect_value("lseek to INT64_MAX", lseek(fd, INT64_MAX, SEEK_SET), INT64_MAX);
	bad |= expect_errno("lseek past it", lseek(fd, 1, SEEK_CUR), EINVAL);
	bad |= expect_errno("SEEK_END overflowing", lseek(fd, INT64_MAX, SEEK_END), EINVAL);
	bad |= expect_errno("SEEK_END negative", lseek(fd, -101, SEEK_END), EINVAL);
	bad |= expect_errno("whence 5", lseek(fd, 0, 5), EINVAL);
	bad |= expect_errno("SEEK_DATA at the end", lseek(fd, 100, SEEK_DATA), ENXIO);
	bad |= expect_errno("pread past INT64_MAX", pread(fd, cwd, 10, INT64_MAX - 5), EINVAL);
	close(fd);
	unlink(seek);
	return bad;
}

const struct attack attacks_fs[] = {
	{ "fs-removed-cwd", removed_cwd,
	  "[DIR] rmdir the working directory and its parent, refill the heap: \"..\" is the removed parent (issue 9.4)" },
	{ "fs-held-nodes", held_nodes,
	  "[DIR] rename over open files and working directories, rmdir of open directories, O_PATH (9.4)" },
	{ "fs-file-commit", file_commit,
	  "[DIR] a 32 MiB mapping, then files until ENOMEM; the mapping still works (9.7; guest only)" },
	{ "fs-sparse", sparse, "[DIR] 8 MiB, 1 TiB and 2^39 sparse, INT64_MAX, st_blocks, mmap (9.8)" },
	{ "fs-errno", errnos, "[DIR] getcwd ENAMETOOLONG/ERANGE, lseek EINVAL (9.11)" },
	{ 0, 0, 0 },
};
