/*
 * Host tests of file contents (kernel/fs_data.c): reads and writes, holes,
 * sizes up to Linux's largest, files read in place from the image, the
 * commit limit and an allocator that runs out.  The heap and the commit
 * limit are tests/host/fs_host.c's, so every page is malloc'd (ASan sees
 * it) and both can be made to fail.
 */
#include <stdlib.h>
#include <string.h>

#include "kernel/error.h"
#include "kernel/fd.h"
#include "kernel/fs.h"
#include "tests/host/check.h"
#include "tests/host/fs_host.h"

#define PAGE 4096ull

static struct fs_node *R;

static void setup(void)
{
	R = fs_host_init();
	CHECK(R != NULL);
}

/* Everything gone: no node left over, nothing charged, the tree sound. */
static void teardown(uint64_t nodes)
{
	CHECK_EQ(fs_check(), 0);
	CHECK_EQ(fs_node_count(), nodes);
	fs_reset();
	CHECK_EQ(fs_host_committed(), 0);
	fs_host_set_commit_limit(UINT64_MAX);
	fs_host_fail_allocs_after(-1);
}

static struct fs_node *open_new(const char *path)
{
	struct fs_node *n = NULL;
	CHECK_EQ(fs_open(R, path, O_CREAT | O_RDWR | O_TRUNC, 0644, &n), 0);
	return n;
}

/* Whether LEN bytes at OFF of N read as C. */
static int reads_as(struct fs_node *n, uint64_t off, size_t len, char c)
{
	static char buf[3 * 4096];
	if (len > sizeof(buf) || fs_read(n, off, buf, len) != (long)len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (buf[i] != c)
			return 0;
	return 1;
}

static void test_read_write(void)
{
	setup();
	uint64_t nodes = fs_node_count();
	char buf[256];
	struct fs_node *n = open_new("/f");
	CHECK_EQ(fs_read(n, 0, buf, sizeof(buf)), 0);
	CHECK_EQ(fs_write(n, 10, "abc", 3), 3); /* a hole of zeros first */
	CHECK_EQ(n->size, 13);
	CHECK_EQ(fs_read(n, 0, buf, sizeof(buf)), 13);
	CHECK(memcmp(buf, "\0\0\0\0\0\0\0\0\0\0abc", 13) == 0);
	CHECK_EQ(fs_read(n, 11, buf, 1), 1);
	CHECK(buf[0] == 'b');
	CHECK_EQ(fs_read(n, 13, buf, 5), 0);
	CHECK_EQ(fs_read(n, 1000, buf, 5), 0);
	for (int i = 0; i < 10000; i++) { /* across page boundaries one byte at a time */
		char c = (char)('a' + i % 26);
		CHECK_EQ(fs_write(n, 13 + (uint64_t)i, &c, 1), 1);
	}
	CHECK_EQ(n->size, 10013);
	CHECK_EQ(fs_read(n, 13 + 9999, buf, 10), 1);
	CHECK(buf[0] == (char)('a' + 9999 % 26));
	CHECK_EQ(fs_blocks(n), 3 * 8);
	CHECK_EQ(fs_truncate(n, 5), 0);
	CHECK_EQ(n->size, 5);
	CHECK_EQ(fs_blocks(n), 8);
	CHECK_EQ(fs_truncate(n, 20), 0); /* grows with zeros, not the old bytes */
	CHECK(reads_as(n, 5, 15, 0));
	CHECK_EQ(fs_read(R, 0, buf, 1), -EISDIR);
	CHECK_EQ(fs_write(R, 0, buf, 1), -EISDIR);
	CHECK_EQ(fs_truncate(R, 0), -EISDIR);
	fs_release(n);
	CHECK_EQ(fs_unlink(R, "/f", 0), 0);
	teardown(nodes);
}

/*
 * Issue 9, item 8: a file grows past 2 MiB, and sparse files cost what is
 * written: a 1 TiB size, a byte at 2^39, up to Linux's largest offset.
 */
static void test_sparse(void)
{
	setup();
	uint64_t nodes = fs_node_count();
	static char big[8 << 20];
	memset(big, 'b', sizeof(big));
	struct fs_node *n = open_new("/tmp/big");
	CHECK_EQ(fs_write(n, 0, big, sizeof(big)), (long)sizeof(big));
	CHECK(reads_as(n, (2 << 20) - 10, 20, 'b') && reads_as(n, sizeof(big) - 100, 100, 'b'));
	CHECK_EQ(fs_blocks(n), sizeof(big) / 512);
	CHECK_EQ(fs_truncate(n, 64ull << 30), 0);
	CHECK_EQ(fs_truncate(n, 1ull << 40), 0);
	CHECK_EQ(n->size, 1ull << 40);
	CHECK_EQ(fs_blocks(n), sizeof(big) / 512); /* holes cost nothing */
	CHECK(reads_as(n, (1ull << 40) - 100, 100, 0));
	CHECK_EQ(fs_write(n, 1ull << 39, "x", 1), 1);
	CHECK(reads_as(n, 1ull << 39, 1, 'x') && reads_as(n, (1ull << 39) - 50, 50, 0));
	CHECK(reads_as(n, (1ull << 39) + 1, 4095, 0));
	CHECK_EQ(fs_blocks(n), sizeof(big) / 512 + 8);
	uint64_t held = fs_host_committed();
	CHECK(held < sizeof(big) + 16 * PAGE); /* the pages and a few index blocks */
	/* Up to Linux's largest offset; a write past it is cut short, one at it -EFBIG. */
	CHECK_EQ(fs_write(n, FS_SIZE_MAX - 10, big, 10), 10);
	CHECK_EQ(n->size, FS_SIZE_MAX);
	CHECK(reads_as(n, FS_SIZE_MAX - 10, 10, 'b'));
	CHECK_EQ(fs_write(n, FS_SIZE_MAX - 4, big, 100), 4);
	CHECK_EQ(fs_write(n, FS_SIZE_MAX, big, 1), -EFBIG);
	CHECK_EQ(fs_write(n, FS_SIZE_MAX, big, 0), 0);
	CHECK_EQ(fs_truncate(n, FS_SIZE_MAX), 0);
	CHECK_EQ(fs_truncate(n, (uint64_t)FS_SIZE_MAX + 1), -EFBIG);
	CHECK_EQ(fs_check(), 0);
	/* Cutting it down gives the pages back and keeps what stays. */
	CHECK_EQ(fs_truncate(n, (1ull << 39) + 1), 0);
	CHECK_EQ(fs_host_committed(), held); /* as before the writes near the end */
	CHECK(reads_as(n, 1ull << 39, 1, 'x') && reads_as(n, 0, 100, 'b'));
	CHECK_EQ(fs_truncate(n, 3 * PAGE + 5), 0);
	CHECK_EQ(fs_blocks(n), 4 * 8);
	CHECK_EQ(fs_truncate(n, 1ull << 40), 0); /* the cut page's tail reads as zeros again */
	CHECK(reads_as(n, 3 * PAGE, 5, 'b') && reads_as(n, 3 * PAGE + 5, 4091, 0));
	fs_release(n);
	CHECK_EQ(fs_unlink(R, "/tmp/big", 0), 0);
	teardown(nodes);
}

/* SEEK_DATA and SEEK_HOLE, by pages, as tmpfs answers them. */
static void test_seek_data(void)
{
	setup();
	uint64_t nodes = fs_node_count();
	struct fs_node *n = open_new("/s");
	CHECK_EQ(fs_truncate(n, 1ull << 40), 0);
	CHECK_EQ(fs_seek_data(n, 0, 0), -ENXIO);
	CHECK_EQ(fs_seek_data(n, 0, 1), 0);
	CHECK_EQ(fs_write(n, 1ull << 39, "x", 1), 1);
	CHECK_EQ(fs_seek_data(n, 0, 0), 1ll << 39);
	CHECK_EQ(fs_seek_data(n, 5, 1), 5);
	CHECK_EQ(fs_seek_data(n, (1ull << 39) + 1, 0), (1ll << 39) + 1);
	CHECK_EQ(fs_seek_data(n, (1ull << 39) + 1, 1), (1ll << 39) + 4096);
	CHECK_EQ(fs_seek_data(n, (1ull << 39) + 4096, 0), -ENXIO);
	CHECK_EQ(fs_seek_data(n, 1ull << 40, 1), -ENXIO);
	CHECK_EQ(fs_truncate(n, 3), 0);
	CHECK_EQ(fs_seek_data(n, 0, 0), -ENXIO);
	CHECK_EQ(fs_write(n, 0, "abc", 3), 3);
	CHECK_EQ(fs_seek_data(n, 0, 0), 0);
	CHECK_EQ(fs_seek_data(n, 2, 1), 3); /* the end is a hole */
	fs_release(n);
	teardown(nodes + 1);
}

/*
 * Files from the image read in place; a write copies the page it changes
 * and no other; truncation forgets the image's bytes past the new end.
 */
static void test_archive(void)
{
	static char img[16384];
	static const char head[] = "slate-root 1\nd 755 etc\nf 644 6 etc/motd\nhello\n"
				   "f 755 0 empty\nd 1777 tmp\nf 644 10000 big\n";
	size_t at = strlen(head);
	memcpy(img, head, at);
	for (size_t i = 0; i < 10000; i++)
		img[at + i] = (char)('A' + i / 4096); /* pages A, B, C */
	memcpy(img + at + 10000, "end\n", 4);
	CHECK_EQ(fs_init(img, at + 10004), 0);
	R = fs_root();
	uint64_t nodes = fs_node_count();
	int err;
	struct fs_node *m = fs_lookup(R, "/etc/motd", &err), *big = fs_lookup(R, "/big", &err);
	char buf[16];
	CHECK(m != NULL && m->size == 6 && (m->mode & 07777) == 0644);
	CHECK_EQ(fs_read(m, 0, buf, sizeof(buf)), 6);
	CHECK(memcmp(buf, "hello\n", 6) == 0);
	CHECK_EQ(fs_blocks(m), 8);
	CHECK_EQ(fs_host_committed(), 0); /* still the image's bytes */
	CHECK_EQ(fs_write(m, 5, "!\n", 2), 2);
	CHECK_EQ(fs_host_committed(), PAGE);
	CHECK_EQ(fs_blocks(m), 8);
	CHECK_EQ(fs_read(m, 0, buf, sizeof(buf)), 7);
	CHECK(memcmp(buf, "hello!\n", 7) == 0);
	CHECK(memcmp(img + 13 + 10 + 17, "hello\n", 6) == 0); /* the image is untouched */
	/* One byte in the middle page of three: that page is copied, the others stay in place. */
	CHECK(big != NULL && big->size == 10000 && fs_blocks(big) == 3 * 8);
	CHECK_EQ(fs_write(big, 5000, "b", 1), 1);
	CHECK_EQ(fs_host_committed(), PAGE + 2 * PAGE); /* motd's page; big's page and index */
	CHECK_EQ(fs_blocks(big), 3 * 8);
	CHECK(reads_as(big, 0, 4096, 'A') && reads_as(big, 4096, 904, 'B'));
	CHECK(reads_as(big, 5000, 1, 'b') && reads_as(big, 5001, 3191, 'B'));
	CHECK(reads_as(big, 8192, 10000 - 8192, 'C'));
	CHECK(img[at + 5000] == 'B');
	/* Cut inside the copied page, then grown: zeros, not the image's bytes. */
	CHECK_EQ(fs_truncate(big, 4500), 0);
	CHECK_EQ(fs_blocks(big), 2 * 8);
	CHECK_EQ(fs_truncate(big, 10000), 0);
	CHECK(reads_as(big, 0, 4096, 'A') && reads_as(big, 4096, 404, 'B'));
	CHECK(reads_as(big, 4500, 3000, 0) && reads_as(big, 8192, 1808, 0));
	CHECK_EQ(fs_truncate(big, 100), 0);
	CHECK_EQ(fs_blocks(big), 8);
	CHECK(reads_as(big, 0, 100, 'A'));
	struct fs_node *e = fs_lookup(R, "/empty", &err);
	CHECK(e != NULL && e->size == 0 && fs_blocks(e) == 0);
	CHECK_EQ(fs_truncate(e, 3), 0);
	CHECK_EQ(e->size, 3);
	teardown(nodes);
	static const char bad1[] = "slate-root 2\nend\n";
	static const char bad2[] = "slate-root 1\nf 644 100 x\nshort\nend\n";
	static const char bad3[] = "slate-root 1\nd 755 a\n"; /* no end */
	static const char bad4[] = "slate-root 1\nf 644 1 dev/null\nx\nend\n";
	static const char bad5[] = "slate-root 1\nf 644 99999999999999999999 x\nend\n";
	CHECK_EQ(fs_init(bad1, sizeof(bad1) - 1), -EINVAL);
	CHECK_EQ(fs_init(bad2, sizeof(bad2) - 1), -EINVAL);
	CHECK_EQ(fs_init(bad3, sizeof(bad3) - 1), -EINVAL);
	CHECK_EQ(fs_init(bad4, sizeof(bad4) - 1), -EINVAL);
	CHECK_EQ(fs_init(bad5, sizeof(bad5) - 1), -EINVAL);
	fs_reset();
}

/*
 * Issue 9, item 7: file data is charged to the commit limit.  Past it a
 * write is cut short, the next gets -ENOMEM, what was written stays, and
 * what a truncate or unlink gives back can be written again.
 */
static void test_commit_limit(void)
{
	setup();
	uint64_t nodes = fs_node_count();
	static char data[64 * 4096];
	memset(data, 'd', sizeof(data));
	fs_host_set_commit_limit(20 * PAGE);
	struct fs_node *n = open_new("/tmp/fill");
	long put = fs_write(n, 0, data, sizeof(data));
	CHECK_EQ(put, 19 * (long)PAGE); /* 19 pages and their index block */
	CHECK_EQ(fs_host_committed(), 20 * PAGE);
	CHECK_EQ(fs_write(n, (uint64_t)put, data, 1), -ENOMEM);
	CHECK_EQ(fs_write(n, 1ull << 39, data, 1), -ENOMEM);
	CHECK_EQ(n->size, (uint64_t)put);
	CHECK(reads_as(n, 0, 4096, 'd') && reads_as(n, (uint64_t)put - 4096, 4096, 'd'));
	CHECK_EQ(fs_write(n, 100, "overwrite", 9), 9); /* held pages need nothing more */
	CHECK_EQ(fs_truncate(n, 1ull << 40), 0);      /* nor do holes */
	CHECK_EQ(fs_host_committed(), 20 * PAGE);
	CHECK_EQ(fs_truncate(n, 10 * PAGE), 0);
	CHECK_EQ(fs_host_committed(), 11 * PAGE);
	CHECK_EQ(fs_write(n, 10 * PAGE, data, 9 * PAGE), 9 * (long)PAGE);
	fs_release(n);
	CHECK_EQ(fs_unlink(R, "/tmp/fill", 0), 0);
	CHECK_EQ(fs_host_committed(), 0);
	teardown(nodes);
}

/*
 * An allocator that runs out at every possible point of a write that grows
 * a tree by three levels: -ENOMEM or a short write, never a half-built
 * tree, a leak or a charge without its block.
 */
static void test_alloc_failure(void)
{
	setup();
	uint64_t nodes = fs_node_count();
	static char data[5 * 4096];
	memset(data, 'z', sizeof(data));
	struct fs_node *n = open_new("/tmp/f");
	CHECK_EQ(fs_write(n, 0, "first", 5), 5);
	for (long k = 0; k < 16; k++) {
		fs_host_fail_allocs_after(k);
		long put = fs_write(n, (1ull << 39) - 2 * PAGE, data, sizeof(data));
		fs_host_fail_allocs_after(-1);
		CHECK(put == -ENOMEM || (put > 0 && put % (long)PAGE == 0));
		CHECK_EQ(fs_check(), 0);
		CHECK(reads_as(n, 0, 1, 'f'));
		size_t check = put < 3 * (long)PAGE ? (size_t)(put > 0 ? put : 0) : 3 * PAGE;
		CHECK(reads_as(n, (1ull << 39) - 2 * PAGE, check, 'z'));
		CHECK_EQ(fs_truncate(n, 5), 0);
		CHECK_EQ(fs_host_committed(), PAGE);
	}
	fs_host_fail_allocs_after(0); /* creating a file needs memory too */
	struct fs_node *x;
	CHECK_EQ(fs_open(R, "/tmp/g", O_CREAT | O_RDWR, 0644, &x), -ENOMEM);
	CHECK_EQ(fs_mkdir(R, "/tmp/h", 0755), -ENOMEM);
	fs_host_fail_allocs_after(-1);
	fs_release(n);
	teardown(nodes + 1);
}

int main(void)
{
	RUN(test_read_write);
	RUN(test_sparse);
	RUN(test_seek_data);
	RUN(test_archive);
	RUN(test_commit_limit);
	RUN(test_alloc_failure);
	CHECK_EXIT();
}
