/*
 * The file system from an application's side, through stdio and POSIX:
 * one line per check, then "filetest: all ok"; exits 1 on the first wrong
 * result, naming it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
	CHECK(read(0, buf, 1) == 0, "stdin reads end-of-file");
	ok("/dev/null, /dev/urandom, console");
}

static void dup_pipe(void)
{
	int p[2];
	CHECK(pipe(p) == 0, "pipe");
	CHECK(write(p[1], "through", 7) == 7, "write a pipe");
	char buf[16] = { 0 };
	CHECK(read(p[0], buf, sizeof(buf)) == 7 && memcmp(buf, "through", 7) == 0, "read a pipe");
	CHECK(read(p[0], buf, 1) < 0 && errno == EAGAIN, "empty pipe: EAGAIN");
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

int main(void)
{
	stdio_files();
	posix_files();
	names();
	cwd();
	image_tree();
	devices();
	dup_pipe();
	printf("filetest: all ok\n");
	return 0;
}
