/*
 * The file system from an application's side, through stdio and POSIX:
 * one line per check, then "filetest: all ok"; exits 1 on the first wrong
 * result, naming it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static void fail(const char *what)
{
	printf("filetest: FAILED: %s (errno %d: %s)\n", what, errno, strerror(errno));
	exit(1);
}

#define CHECK(cond, what)                  \
	do {                               \
		if (!(cond))               \
			fail(what);        \
	} while (0)

static void ok(const char *what)
{
	printf("filetest: %s: ok\n", what);
}

static void stdio_files(void)
{
	FILE *f = fopen("/tmp/out.txt", "w");
	CHECK(f, "fopen /tmp/out.txt for writing");
	for (int i = 0; i < 1000; i++)
		fprintf(f, "line %d\n", i);
	CHECK(fclose(f) == 0, "fclose");
	f = fopen("/tmp/out.txt", "r");
	CHECK(f, "fopen /tmp/out.txt for reading");
	char line[64];
	int n = 0;
	while (fgets(line, sizeof(line), f)) {
		char want[64];
		snprintf(want, sizeof(want), "line %d\n", n);
		CHECK(strcmp(line, want) == 0, "read back line");
		n++;
	}
	fclose(f);
	CHECK(n == 1000, "1000 lines read back");
	f = fopen("/tmp/out.txt", "a");
	CHECK(f && fputs("appended\n", f) >= 0 && fclose(f) == 0, "append");
	struct stat st;
	CHECK(stat("/tmp/out.txt", &st) == 0, "stat");
	CHECK(S_ISREG(st.st_mode) && st.st_size == 8890 + 9, "stat size");
	ok("stdio write, read back, append, stat");
}

static void posix_files(void)
{
	int fd = open("/tmp/p.bin", O_CREAT | O_EXCL | O_RDWR, 0600);
	CHECK(fd >= 0, "open O_CREAT|O_EXCL");
	CHECK(open("/tmp/p.bin", O_CREAT | O_EXCL | O_RDWR, 0600) < 0 && errno == EEXIST,
	      "O_EXCL again: EEXIST");
	CHECK(write(fd, "0123456789", 10) == 10, "write");
	CHECK(lseek(fd, 0, SEEK_CUR) == 10, "lseek SEEK_CUR");
	CHECK(pwrite(fd, "AB", 2, 4) == 2, "pwrite");
	char buf[32] = { 0 };
	CHECK(pread(fd, buf, sizeof(buf), 0) == 10 && memcmp(buf, "0123AB6789", 10) == 0,
	      "pread");
	CHECK(lseek(fd, 20, SEEK_SET) == 20 && write(fd, "Z", 1) == 1, "write past the end");
	struct stat st;
	CHECK(fstat(fd, &st) == 0 && st.st_size == 21, "fstat size after a hole");
	CHECK(pread(fd, buf, 11, 10) == 11 && buf[0] == 0 && buf[9] == 0 && buf[10] == 'Z',
	      "the hole reads as zeros");
	CHECK(ftruncate(fd, 3) == 0 && fstat(fd, &st) == 0 && st.st_size == 3, "ftruncate");
	struct iovec iov[2] = { { "ab", 2 }, { "cd", 2 } };
	CHECK(lseek(fd, 0, SEEK_END) == 3 && writev(fd, iov, 2) == 4, "writev");
	char x[4], y[3];
	struct iovec riov[2] = { { x, 4 }, { y, 3 } };
	CHECK(lseek(fd, 0, SEEK_SET) == 0 && readv(fd, riov, 2) == 7 &&
		      memcmp(x, "012a", 4) == 0 && memcmp(y, "bcd", 3) == 0,
	      "readv");
	CHECK(fchmod(fd, 0640) == 0 && fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0640,
	      "fchmod");
	CHECK(close(fd) == 0, "close");
	CHECK(close(fd) < 0 && errno == EBADF, "close again: EBADF");
	CHECK(read(fd, buf, 1) < 0 && errno == EBADF, "read of a closed fd: EBADF");
	CHECK(open("/tmp/none", O_RDONLY) < 0 && errno == ENOENT, "missing file: ENOENT");
	CHECK(open("/tmp/p.bin/x", O_RDONLY) < 0 && errno == ENOTDIR, "file as a directory: ENOTDIR");
	CHECK(open("/tmp", O_WRONLY) < 0 && errno == EISDIR, "directory for writing: EISDIR");
	ok("open, read, write, pread, pwrite, lseek, ftruncate, readv, writev, fchmod, errors");
}

static void names(void)
{
	CHECK(mkdir("/tmp/dir", 0755) == 0, "mkdir");
	CHECK(mkdir("/tmp/dir", 0755) < 0 && errno == EEXIST, "mkdir again: EEXIST");
	CHECK(rename("/tmp/out.txt", "/tmp/dir/moved.txt") == 0, "rename into a directory");
	CHECK(access("/tmp/out.txt", F_OK) < 0 && errno == ENOENT, "old name gone");
	FILE *f = fopen("/tmp/dir/second", "w");
	CHECK(f && fclose(f) == 0, "create a second file");
	DIR *d = opendir("/tmp/dir");
	CHECK(d, "opendir");
	int seen = 0, dots = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, "moved.txt") == 0 && e->d_type == DT_REG)
			seen |= 1;
		else if (strcmp(e->d_name, "second") == 0)
			seen |= 2;
		else if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			dots++;
		else
			fail("an unexpected directory entry");
	}
	closedir(d);
	CHECK(seen == 3 && dots == 2, "readdir lists both files, . and ..");
	CHECK(rmdir("/tmp/dir") < 0 && errno == ENOTEMPTY, "rmdir of a full directory: ENOTEMPTY");
	CHECK(unlink("/tmp/dir/moved.txt") == 0 && unlink("/tmp/dir/second") == 0, "unlink");
	CHECK(unlink("/tmp/dir/second") < 0 && errno == ENOENT, "unlink again: ENOENT");
	CHECK(rmdir("/tmp/dir") == 0, "rmdir");
	ok("mkdir, rename, readdir, unlink, rmdir");
}

static void cwd(void)
{
	char buf[256];
	CHECK(getcwd(buf, sizeof(buf)) && strcmp(buf, "/") == 0, "getcwd is /");
	CHECK(mkdir("/tmp/work", 0755) == 0 && chdir("/tmp/work") == 0, "chdir");
	CHECK(getcwd(buf, sizeof(buf)) && strcmp(buf, "/tmp/work") == 0, "getcwd after chdir");
	FILE *f = fopen("result.txt", "w");
	CHECK(f && fputs("relative\n", f) >= 0 && fclose(f) == 0, "write a relative path");
	CHECK(access("/tmp/work/result.txt", R_OK | W_OK) == 0, "found by its absolute path");
	CHECK(chdir("..") == 0 && getcwd(buf, sizeof(buf)) && strcmp(buf, "/tmp") == 0, "chdir ..");
	int dfd = open("work", O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0, "open a directory");
	struct stat st;
	CHECK(fstatat(dfd, "result.txt", &st, 0) == 0 && st.st_size == 9, "fstatat from a dirfd");
	CHECK(unlinkat(dfd, "result.txt", 0) == 0, "unlinkat from a dirfd");
	close(dfd);
	CHECK(chdir("/") == 0, "chdir /");
	ok("getcwd, chdir, relative paths, *at calls");
}

static void image_tree(void)
{
	FILE *f = fopen("/hello.txt", "r");
	CHECK(f, "open /hello.txt from the image");
	char line[64];
	CHECK(fgets(line, sizeof(line), f) && strcmp(line, "Hello from the image tree.\n") == 0,
	      "its contents");
	fclose(f);
	f = fopen("data/nested.txt", "r");
	CHECK(f && fgets(line, sizeof(line), f) && strcmp(line, "nested\n") == 0, "a nested file");
	fclose(f);
	f = fopen("/hello.txt", "a");
	CHECK(f && fputs("changed\n", f) >= 0 && fclose(f) == 0, "the image's files are writable");
	struct stat st;
	CHECK(stat("/hello.txt", &st) == 0 && st.st_size == 27 + 8, "size after the change");
	ok("the image's tree (apps/filetest/root)");
}

static void devices(void)
{
	int fd = open("/dev/null", O_RDWR);
	char buf[64];
	CHECK(fd >= 0, "open /dev/null");
	CHECK(write(fd, "x", 1) == 1 && read(fd, buf, sizeof(buf)) == 0, "/dev/null");
	struct stat st;
	CHECK(fstat(fd, &st) == 0 && S_ISCHR(st.st_mode), "/dev/null is a character device");
	struct termios t;
	CHECK(ioctl(fd, TCGETS, &t) < 0 && errno == ENOTTY, "TCGETS: ENOTTY");
	close(fd);
	fd = open("/dev/urandom", O_RDONLY);
	CHECK(fd >= 0, "open /dev/urandom");
	memset(buf, 0, sizeof(buf));
	CHECK(read(fd, buf, sizeof(buf)) == sizeof(buf), "read /dev/urandom");
	int nonzero = 0;
	for (size_t i = 0; i < sizeof(buf); i++)
		nonzero += buf[i] != 0;
	CHECK(nonzero > 32, "random bytes");
	close(fd);
	CHECK(fstat(1, &st) == 0 && S_ISCHR(st.st_mode), "stdout is a character device");
	CHECK(read(0, buf, 1) == 0, "stdin reads end-of-file (the test types ^D)");
	ok("/dev/null, /dev/urandom, console");
}

static void dup_pipe(void)
{
	int p[2];
	CHECK(pipe(p) == 0, "pipe");
	CHECK(write(p[1], "through", 7) == 7, "write a pipe");
	char buf[16] = { 0 };
	CHECK(read(p[0], buf, sizeof(buf)) == 7 && memcmp(buf, "through", 7) == 0, "read a pipe");
	/* Blocking would wait for a writer forever (apps/waiting has that): O_NONBLOCK. */
	CHECK(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0 && read(p[0], buf, 1) < 0 && errno == EAGAIN,
	      "empty pipe, O_NONBLOCK: EAGAIN");
	int d = dup(p[1]);
	CHECK(d > p[1], "dup");
	CHECK(close(p[1]) == 0 && write(d, "x", 1) == 1, "dup keeps the pipe open");
	CHECK(close(d) == 0 && read(p[0], buf, 2) == 1 && read(p[0], buf, 1) == 0,
	      "EOF once the writers are gone");
	close(p[0]);
	int fd = open("/tmp/dup.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	CHECK(fd >= 0 && dup2(fd, 9) == 9, "dup2");
	CHECK(fcntl(9, F_GETFD) == 0 && fcntl(9, F_SETFD, FD_CLOEXEC) == 0 &&
		      fcntl(9, F_GETFD) == FD_CLOEXEC,
	      "F_GETFD/F_SETFD");
	CHECK((fcntl(9, F_GETFL) & O_ACCMODE) == O_WRONLY, "F_GETFL");
	CHECK(fcntl(9, F_SETFL, O_APPEND) == 0 && (fcntl(fd, F_GETFL) & O_APPEND), "F_SETFL is shared");
	int e = fcntl(fd, F_DUPFD_CLOEXEC, 20);
	CHECK(e >= 20 && fcntl(e, F_GETFD) == FD_CLOEXEC, "F_DUPFD_CLOEXEC");
	CHECK(write(fd, "ab", 2) == 2 && write(9, "cd", 2) == 2 && write(e, "ef", 2) == 2,
	      "writes through three descriptors");
	close(fd);
	close(9);
	close(e);
	fd = open("/tmp/dup.txt", O_RDONLY);
	CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 6 && memcmp(buf, "abcdef", 6) == 0,
	      "one shared offset");
	close(fd);
	ok("dup, dup2, fcntl, pipe");
}

/* The system call itself, not glibc's wrapper, which falls back to fstatat on ENOSYS. */
static int raw_statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *sx)
{
	return (int)syscall(SYS_statx, dirfd, path, flags, mask, sx);
}

/* statx agrees with stat on everything the two share. */
static int same_as_stat(const struct statx *sx, const struct stat *st)
{
	return (sx->stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS &&
	       sx->stx_ino == st->st_ino && sx->stx_mode == st->st_mode &&
	       sx->stx_size == (uint64_t)st->st_size && sx->stx_nlink == st->st_nlink &&
	       sx->stx_blocks == (uint64_t)st->st_blocks && sx->stx_blksize == (uint32_t)st->st_blksize &&
	       makedev(sx->stx_dev_major, sx->stx_dev_minor) == st->st_dev &&
	       makedev(sx->stx_rdev_major, sx->stx_rdev_minor) == st->st_rdev &&
	       sx->stx_mtime.tv_sec == st->st_mtim.tv_sec &&
	       sx->stx_mtime.tv_nsec == (uint32_t)st->st_mtim.tv_nsec &&
	       sx->stx_ctime.tv_sec == st->st_ctim.tv_sec;
}

static void statx_checks(void)
{
	struct statx sx;
	struct stat st;
	CHECK(stat("/data/nested.txt", &st) == 0, "stat /data/nested.txt");
	CHECK(raw_statx(AT_FDCWD, "/data/nested.txt", 0, STATX_BASIC_STATS, &sx) == 0, "statx");
	CHECK(same_as_stat(&sx, &st) && S_ISREG(sx.stx_mode) && sx.stx_size == 7,
	      "statx agrees with stat");
	CHECK(!(sx.stx_mask & STATX_BTIME), "statx claims no birth time");
	CHECK(raw_statx(AT_FDCWD, "/data/nested.txt", AT_SYMLINK_NOFOLLOW, 0, &sx) == 0 &&
		      same_as_stat(&sx, &st),
	      "statx AT_SYMLINK_NOFOLLOW, mask 0");
	int dfd = open("/data", O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0 && raw_statx(dfd, "nested.txt", 0, STATX_SIZE, &sx) == 0 && sx.stx_size == 7,
	      "statx relative to a dirfd");
	CHECK(raw_statx(dfd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx) == 0 && S_ISDIR(sx.stx_mode),
	      "statx AT_EMPTY_PATH on a directory fd");
	int fd = open("/data/nested.txt", O_RDONLY);
	CHECK(fd >= 0 && raw_statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx) == 0 &&
		      same_as_stat(&sx, &st),
	      "statx AT_EMPTY_PATH on a file fd");
	CHECK(raw_statx(fd, "x", 0, STATX_BASIC_STATS, &sx) < 0 && errno == ENOTDIR,
	      "statx relative to a file: ENOTDIR");
	CHECK(raw_statx(AT_FDCWD, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx) == 0 &&
		      S_ISDIR(sx.stx_mode),
	      "statx AT_EMPTY_PATH with AT_FDCWD: the working directory");
	CHECK(raw_statx(AT_FDCWD, "", 0, STATX_BASIC_STATS, &sx) < 0 && errno == ENOENT,
	      "statx \"\" without AT_EMPTY_PATH: ENOENT");
	CHECK(raw_statx(AT_FDCWD, "/data/none", 0, STATX_BASIC_STATS, &sx) < 0 && errno == ENOENT,
	      "statx of a missing file: ENOENT");
	CHECK(raw_statx(999, "nested.txt", 0, STATX_BASIC_STATS, &sx) < 0 && errno == EBADF,
	      "statx bad dirfd: EBADF");
	CHECK(raw_statx(999, "/data/nested.txt", 0, STATX_BASIC_STATS, &sx) == 0,
	      "statx absolute path ignores dirfd");
	CHECK(raw_statx(fd, "", AT_EMPTY_PATH, STATX__RESERVED, &sx) < 0 && errno == EINVAL,
	      "statx STATX__RESERVED: EINVAL");
	CHECK(raw_statx(fd, "", AT_EMPTY_PATH | 0x80000, STATX_BASIC_STATS, &sx) < 0 &&
		      errno == EINVAL,
	      "statx unknown flag: EINVAL");
	CHECK(raw_statx(fd, "", AT_EMPTY_PATH | AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC,
			STATX_BASIC_STATS, &sx) < 0 &&
		      errno == EINVAL,
	      "statx FORCE_SYNC|DONT_SYNC: EINVAL");
	CHECK(raw_statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &sx) == 0,
	      "statx AT_STATX_DONT_SYNC");
	CHECK(raw_statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, NULL) < 0 && errno == EFAULT,
	      "statx NULL buffer: EFAULT");
	CHECK(raw_statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS,
			(struct statx *)0xffff800080200000ull) < 0 &&
		      errno == EFAULT,
	      "statx kernel buffer: EFAULT");
	CHECK(raw_statx(AT_FDCWD, NULL, 0, STATX_BASIC_STATS, &sx) < 0 && errno == EFAULT,
	      "statx NULL path: EFAULT");
	close(fd);
	close(dfd);
	CHECK(stat("/dev/null", &st) == 0 &&
		      raw_statx(AT_FDCWD, "/dev/null", 0, STATX_BASIC_STATS, &sx) == 0 &&
		      same_as_stat(&sx, &st) && sx.stx_rdev_major == 1 && sx.stx_rdev_minor == 3,
	      "statx /dev/null: 1:3");
	int p[2];
	CHECK(pipe(p) == 0 && raw_statx(p[0], "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx) == 0 &&
		      S_ISFIFO(sx.stx_mode),
	      "statx of a pipe");
	close(p[0]);
	close(p[1]);
	ok("statx: fields, dirfd, AT_EMPTY_PATH, flags, EINVAL, EFAULT");
}

/* A file of PAGES pages and EXTRA bytes whose every byte tells its offset. */
static void make_map_file(const char *path, int pages, int extra)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	CHECK(fd >= 0, "create the file to map");
	unsigned char page[4096];
	for (int i = 0; i < pages * 4096 + extra; i += (int)sizeof(page)) {
		for (int j = 0; j < (int)sizeof(page); j++)
			page[j] = (unsigned char)((i + j) * 7 + (i + j) / 4096);
		int n = pages * 4096 + extra - i < (int)sizeof(page) ? pages * 4096 + extra - i
								     : (int)sizeof(page);
		CHECK(write(fd, page, (size_t)n) == n, "write the file to map");
	}
	close(fd);
}

static int byte_ok(const unsigned char *m, size_t at, size_t off)
{
	size_t i = at + off;
	return m[at] == (unsigned char)(i * 7 + i / 4096);
}

static void mmap_checks(void)
{
	const size_t size = 3 * 4096 + 100;
	make_map_file("/tmp/map.bin", 3, 100);
	int fd = open("/tmp/map.bin", O_RDONLY);
	CHECK(fd >= 0, "open the file to map");
	unsigned char *m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(m != MAP_FAILED, "mmap a file MAP_PRIVATE, PROT_READ");
	for (size_t i = 0; i < size; i++)
		CHECK(byte_ok(m, i, 0), "the mapping holds the file's bytes");
	for (size_t i = size; i < 4 * 4096; i++)
		CHECK(m[i] == 0, "past the end of the file reads as zero");
	CHECK(read(fd, m, 1) < 0 && errno == EFAULT, "a PROT_READ file mapping refuses writes");
	CHECK(munmap(m, size) == 0, "munmap a file mapping");

	m = mmap(NULL, 2 * 4096, PROT_READ, MAP_PRIVATE, fd, 4096);
	CHECK(m != MAP_FAILED, "mmap at an offset");
	for (size_t i = 0; i < 2 * 4096; i++)
		CHECK(byte_ok(m, i, 4096), "an offset mapping holds the bytes from the offset");
	munmap(m, 2 * 4096);

	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 2 * 4096);
	CHECK(m != MAP_FAILED && byte_ok(m, 0, 2 * 4096) && byte_ok(m, 4095, 2 * 4096),
	      "MAP_SHARED, PROT_READ of a read-only descriptor");
	munmap(m, 4096);

	CHECK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 100) == MAP_FAILED && errno == EINVAL,
	      "unaligned offset: EINVAL");
	CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED &&
		      errno == EACCES,
	      "MAP_SHARED, PROT_WRITE of a read-only descriptor: EACCES");
	close(fd);

	fd = open("/tmp/map.bin", O_RDWR);
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(m != MAP_FAILED, "mmap a file MAP_PRIVATE, PROT_READ|PROT_WRITE");
	memset(m, 'x', 5000);
	unsigned char back[16];
	CHECK(pread(fd, back, sizeof(back), 4090) == (ssize_t)sizeof(back) && byte_ok(back, 0, 4090) &&
		      byte_ok(back, 15, 4090),
	      "writes to a private mapping leave the file alone");
	munmap(m, size);
	CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED &&
		      errno == ENODEV,
	      "MAP_SHARED, PROT_WRITE: ENODEV (no write-back)");
	close(fd);

	fd = open("/tmp/map.bin", O_WRONLY);
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED && errno == EACCES,
	      "a write-only descriptor: EACCES");
	close(fd);

	fd = open("/data/nested.txt", O_RDONLY);
	char *t = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(t != MAP_FAILED && memcmp(t, "nested\n", 8) == 0 && t[4095] == 0,
	      "mmap a file of the image's tree");
	munmap(t, 4096);
	close(fd);

	int dfd = open("/data", O_RDONLY | O_DIRECTORY);
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, dfd, 0) == MAP_FAILED && errno == ENODEV,
	      "a directory: ENODEV");
	close(dfd);
	int p[2];
	CHECK(pipe(p) == 0 && mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, p[0], 0) == MAP_FAILED &&
		      errno == ENODEV,
	      "a pipe: ENODEV");
	close(p[0]);
	close(p[1]);
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 999, 0) == MAP_FAILED && errno == EBADF,
	      "a bad descriptor: EBADF");
	unlink("/tmp/map.bin");
	ok("mmap of files: private, offset, shared read-only, EINVAL, ENODEV, EACCES");
}

int main(void)
{
	stdio_files();
	posix_files();
	names();
	cwd();
	image_tree();
	devices();
	dup_pipe();
	statx_checks();
	mmap_checks();
	printf("filetest: all ok\n");
	return 0;
}
