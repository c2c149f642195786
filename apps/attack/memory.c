/*
 * Attacks on the memory area (see attack.h): lengths and addresses that
 * wrap, pages that must come back from their backing, placement around
 * mappings the program put in the way, stores into the program's own text,
 * and the error numbers Linux gives.
 *
 * Whether a page is still mapped is asked with madvise(MADV_NORMAL), which
 * fails with ENOMEM over a hole, so that a kernel that lost a page makes the
 * attack report FAILED rather than die reading it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "attack.h"

#define P 4096ul
#define MiB (1ul << 20)
#define USER_TOP 0x0000800000000000ul /* TASK_SIZE of riscv64 Linux with Sv48 */
#define SOME_2M_BOUNDARY 0x0000008000000000ul /* an address like any other for MAP_HUGETLB */
#define RW (PROT_READ | PROT_WRITE)

static int mapped(const void *page)
{
	return madvise((void *)page, P, MADV_NORMAL) == 0;
}

static char *map_anon(size_t len)
{
	return mmap(NULL, len, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* Mark each of the N pages at M with its number. */
static void mark_pages(char *m, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		memset(m + i * P, 'a' + (int)i, P);
}

/* Whether each of the N pages at M is still mapped and still holds its mark. */
static int pages_marked(const char *m, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (!mapped(m + i * P) || m[i * P] != 'a' + (int)i || m[i * P + P - 1] != 'a' + (int)i)
			return 0;
	return 1;
}

/* Issue 9, item 5: a new length that wraps must not shrink the mapping below its start. */
static int mremap_wrap(int argc, char **argv)
{
	char *m = map_anon(16 * P);
	int bad = expect_true("mmap 16 pages", m != MAP_FAILED);
	if (bad)
		return 1;
	mark_pages(m, 16);
	bad |= expect_errno("mremap(last 8 pages, new length -2 pages): EINVAL",
			    (long)mremap(m + 8 * P, 8 * P, -2 * P, 0), EINVAL);
	bad |= expect_errno("the same with MREMAP_MAYMOVE: EINVAL",
			    (long)mremap(m + 8 * P, 8 * P, -2 * P, MREMAP_MAYMOVE), EINVAL);
	bad |= expect_errno("new length -1 (rounds up to 0): EINVAL",
			    (long)mremap(m + 8 * P, 8 * P, (size_t)-1, MREMAP_MAYMOVE), EINVAL);
	bad |= expect_errno("new length past the user half: EINVAL",
			    (long)mremap(m, 16 * P, USER_TOP + P, MREMAP_MAYMOVE), EINVAL);
	bad |= expect_true("all 16 pages still mapped with their data", pages_marked(m, 16));
	return bad;
}

/* Issue 9, item 5: every other length and address sum of the memory calls. */
static int length_overflow(int argc, char **argv)
{
	char *m = map_anon(4 * P);
	int bad = expect_true("mmap 4 pages", m != MAP_FAILED);
	if (bad)
		return 1;
	mark_pages(m, 4);
	long brk_now = syscall(SYS_brk, 0);
	bad |= expect_errno("mmap length -1 page: ENOMEM", (long)mmap(NULL, -P, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
	bad |= expect_errno("mmap length -1 (rounds to 0): ENOMEM", (long)mmap(NULL, (size_t)-1, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
	bad |= expect_errno("MAP_FIXED over the mapping, length -1 page: ENOMEM",
			    (long)mmap(m, -P, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), ENOMEM);
	bad |= expect_errno("munmap length -1 page: EINVAL", munmap(m, -P), EINVAL);
	bad |= expect_errno("munmap length -1: EINVAL", munmap(m + P, (size_t)-1), EINVAL);
	bad |= expect_errno("mprotect length -1 page: ENOMEM", mprotect(m, -P, PROT_READ), ENOMEM);
	bad |= expect_errno("mprotect length -1: ENOMEM", mprotect(m, (size_t)-1, PROT_READ), ENOMEM);
	bad |= expect_errno("madvise length -1 page: EINVAL", madvise(m, -P, MADV_DONTNEED), EINVAL);
	bad |= expect_errno("mremap old length that wraps: EINVAL", (long)mremap(m, -P, P, 0), EINVAL);
	bad |= expect_value("brk(-1 page) leaves the break", syscall(SYS_brk, -P), brk_now);
	bad |= expect_errno("MAP_HUGETLB length that rounds to 0: EINVAL",
			    (long)mmap(NULL, -P, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0), EINVAL);
	bad |= expect_true("the mapping is intact", pages_marked(m, 4));
	return bad;
}

/* A page of initialised data, alone on its page: its bytes come from the image. */
static volatile int data_page[P / sizeof(int)] __attribute__((aligned(P))) = {
	[0] = 0x5eed, [P / sizeof(int) - 1] = 0x7a11
};
static volatile int bss_page[P / sizeof(int)] __attribute__((aligned(P)));

/* Issue 9, item 6: MADV_DONTNEED on .data brings back the image's bytes, on .bss zeros. */
static int dontneed_data(int argc, char **argv)
{
	int last = P / sizeof(int) - 1;
	data_page[0] = 1;
	data_page[last] = 2;
	bss_page[0] = 3;
	int bad = expect_value("madvise(.data page, MADV_DONTNEED)", madvise((void *)data_page, P, MADV_DONTNEED), 0);
	bad |= expect_value(".data reads the image's bytes again (first word)", data_page[0], 0x5eed);
	bad |= expect_value(".data reads the image's bytes again (last word)", data_page[last], 0x7a11);
	bad |= expect_value("madvise(.bss page, MADV_DONTNEED)", madvise((void *)bss_page, P, MADV_DONTNEED), 0);
	bad |= expect_value(".bss reads zero", bss_page[0], 0);
	data_page[0] = 4;
	bad |= expect_value(".data is writable again afterwards", data_page[0], 4);
	return bad;
}

/* Whether the LEN bytes at M are the file's pattern for its first FILE bytes, then zeros. */
static int file_bytes(const volatile char *m, size_t len, size_t file)
{
	for (size_t i = 0; i < len; i++)
		if (m[i] != (i < file ? (char)('A' + i % 23) : 0))
			return 0;
	return 1;
}

/* Issue 9, item 6: MADV_DONTNEED on a MAP_PRIVATE file mapping brings back the file's bytes. */
static int dontneed_file(int argc, char **argv)
{
	static char buf[2 * P + 100];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)('A' + i % 23);
	int fd = open("/tmp/attack-dontneed", O_RDWR | O_CREAT | O_TRUNC, 0644);
	int bad = expect_value("write a file of 2 pages and 100 bytes", write(fd, buf, sizeof(buf)), sizeof(buf));
	volatile char *w = mmap(NULL, 4 * P, RW, MAP_PRIVATE, fd, 0);
	volatile char *r = mmap(NULL, 3 * P, PROT_READ, MAP_PRIVATE, fd, 0);
	bad |= expect_true("mmap it MAP_PRIVATE, writable and read-only", w != MAP_FAILED && r != MAP_FAILED);
	if (bad)
		return 1;
	bad |= expect_true("the writable mapping reads the file, zeros past its end", file_bytes(w, 4 * P, sizeof(buf)));
	memset((void *)w, 0xee, 4 * P);
	bad |= expect_value("madvise(writable mapping, MADV_DONTNEED)", madvise((void *)w, 4 * P, MADV_DONTNEED), 0);
	bad |= expect_true("it reads the file's bytes again, zeros past its end", file_bytes(w, 4 * P, sizeof(buf)));
	bad |= expect_true("the read-only mapping reads the file", file_bytes(r, 3 * P, sizeof(buf)));
	bad |= expect_value("madvise(read-only mapping, MADV_DONTNEED)", madvise((void *)r, 3 * P, MADV_DONTNEED), 0);
	bad |= expect_true("it still reads the file", file_bytes(r, 3 * P, sizeof(buf)));
	bad |= expect_value("mprotect(read-only mapping, RW)", mprotect((void *)r, 3 * P, RW), 0);
	r[1] = 'z';
	bad |= expect_true("its copy takes a store; the writable mapping does not see it", r[1] == 'z' && file_bytes(w, 4 * P, sizeof(buf)));
	char first[4];
	bad |= expect_value("the file itself is unchanged", pread(fd, first, 4, 0), 4);
	bad |= expect_true("(its first bytes)", memcmp(first, buf, 4) == 0);
	close(fd);
	return bad;
}

/* Issue 9, item 9: mmap(NULL) places around a MAP_FIXED mapping ahead of it. */
static int place_fixed(int argc, char **argv)
{
	char *a = map_anon(P);
	int bad = expect_true("mmap one page", a != MAP_FAILED);
	if (bad)
		return 1;
	/* Where the next mapping would go if placement only bumped a pointer. */
	char *f = mmap(a + P, 2 * P, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	bad |= expect_true("MAP_FIXED two pages right above it", f == a + P);
	if (bad)
		return 1;
	mark_pages(f, 2);
	char *b = map_anon(P);
	bad |= expect_true("mmap(NULL) of one page succeeds", b != MAP_FAILED);
	bad |= expect_true("outside the fixed mapping", b + P <= f || b >= f + 2 * P);
	char *c = map_anon(3 * P);
	bad |= expect_true("and a larger one too", c != MAP_FAILED && (c + 3 * P <= f || c >= f + 2 * P));
	bad |= expect_true("the fixed mapping kept its data", pages_marked(f, 2));
	return bad;
}

/* Issue 9, item 9: a MAP_HUGETLB mapping placed after the one before it grew in place. */
static int place_huge(int argc, char **argv)
{
	int huge = MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB;
	char *h = mmap(NULL, 2 * MiB, RW, huge, -1, 0);
	int bad = expect_true("MAP_HUGETLB 2 MiB", h != MAP_FAILED);
	if (bad)
		return 1;
	h[0] = 1;
	bad |= expect_true("mremap grows it in place to 4 MiB", mremap(h, 2 * MiB, 4 * MiB, 0) == h);
	h[4 * MiB - 1] = 2;
	char *g = mmap(NULL, 2 * MiB, RW, huge, -1, 0);
	bad |= expect_true("a second MAP_HUGETLB 2 MiB succeeds", g != MAP_FAILED);
	bad |= expect_true("2 MiB aligned and clear of the first",
			   ((uintptr_t)g & (2 * MiB - 1)) == 0 && (g >= h + 4 * MiB || g + 2 * MiB <= h));
	bad |= expect_true("the first kept its data", h[0] == 1 && h[4 * MiB - 1] == 2);
	return bad;
}

/* A function whose code the next attack stores into (it is called only once the code is back). */
__attribute__((noinline)) static int victim(int x)
{
	return x * 3 + 1;
}

/* Issue 9, item 10: a store into text made writable lands in a private copy, never in the image. */
static int text_write(int argc, char **argv)
{
	volatile unsigned char *code = (volatile unsigned char *)(uintptr_t)victim;
	void *page = (void *)((uintptr_t)victim & ~(P - 1));
	unsigned char original = code[0];
	int bad = expect_value("mprotect(text page, RWX)", mprotect(page, P, PROT_READ | PROT_WRITE | PROT_EXEC), 0);
	code[0] = original ^ 0xff;
	bad |= expect_true("the store is seen through the mapping", code[0] == (original ^ 0xff));
	bad |= expect_value("mprotect(text page, RX) again", mprotect(page, P, PROT_READ | PROT_EXEC), 0);
	bad |= expect_value("madvise(text page, MADV_DONTNEED)", madvise(page, P, MADV_DONTNEED), 0);
	bad |= expect_true("the page reads the image's byte again: the store never reached it",
			   code[0] == original);
	/* Only now is the code whole again, so calling it cannot crash. */
	bad |= expect_true("and the code runs", !bad && victim(2) == 7);
	/* The kernel's own stores (read into text) go to a copy too; this code may share the page. */
	int fd = open("/dev/zero", O_RDONLY);
	bad |= expect_value("mprotect(text page, RWX) and read(/dev/zero) into it",
			    mprotect(page, P, PROT_READ | PROT_WRITE | PROT_EXEC) == 0 &&
				    read(fd, (void *)code, 1) == 1,
			    1);
	bad |= expect_true("the byte read is there", code[0] == 0);
	mprotect(page, P, PROT_READ | PROT_EXEC);
	madvise(page, P, MADV_DONTNEED);
	bad |= expect_true("and gone after MADV_DONTNEED", code[0] == original && victim(3) == 10);
	close(fd);
	return bad;
}

/* Issue 9, item 11: the error numbers riscv64 Linux gives. */
static int memory_errno(int argc, char **argv)
{
	int fixed = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
	char *m = map_anon(2 * P);
	int bad = expect_true("mmap 2 pages", m != MAP_FAILED);
	if (bad)
		return 1;
	bad |= expect_errno("madvise(len -1): EINVAL", madvise(m, (size_t)-1, MADV_DONTNEED), EINVAL);
	bad |= expect_errno("madvise with advice 5 (none such): EINVAL", madvise(m, P, 5), EINVAL);
	bad |= expect_errno("madvise past the user half: ENOMEM",
			    madvise((void *)(USER_TOP - P), 2 * P, MADV_NORMAL), ENOMEM);
	bad |= expect_errno("MAP_FIXED in the kernel half: ENOMEM",
			    (long)mmap((void *)0xffff800000000000ul, P, RW, fixed, -1, 0), ENOMEM);
	bad |= expect_errno("MAP_FIXED at a non-canonical address: ENOMEM",
			    (long)mmap((void *)0x0000900000000000ul, P, RW, fixed, -1, 0), ENOMEM);
	bad |= expect_errno("MAP_FIXED across the top of the user half: ENOMEM",
			    (long)mmap((void *)(USER_TOP - P), 2 * P, RW, fixed, -1, 0), ENOMEM);
	bad |= expect_errno("MAP_FIXED with a range that wraps: ENOMEM",
			    (long)mmap((void *)-P, 2 * P, RW, fixed, -1, 0), ENOMEM);
	bad |= expect_errno("MAP_FIXED_NOREPLACE in the kernel half: ENOMEM",
			    (long)mmap((void *)0xffff800000000000ul, P, RW,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0), ENOMEM);
	bad |= expect_errno("MAP_FIXED unaligned in the kernel half: ENOMEM (range first)",
			    (long)mmap((void *)0xffff800000000123ul, P, RW, fixed, -1, 0), ENOMEM);
	bad |= expect_errno("MAP_FIXED unaligned in the user half: EINVAL",
			    (long)mmap(m + 1, P, RW, fixed, -1, 0), EINVAL);
	bad |= expect_errno("MAP_HUGETLB|MAP_FIXED not 2 MiB aligned: EINVAL",
			    (long)mmap((void *)(SOME_2M_BOUNDARY + P), 2 * MiB, RW, fixed | MAP_HUGETLB, -1, 0), EINVAL);
	bad |= expect_errno("anonymous mmap with an unaligned offset: EINVAL",
			    (long)mmap(NULL, P, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1), EINVAL);
	char *u = mmap(NULL, P, PROT_READ | 0x10, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bad |= expect_true("mmap ignores protection bits it does not know", u != MAP_FAILED && u[0] == 0);
	bad |= expect_value("mprotect of length 0 with a bad protection: 0", mprotect(m, 0, 0x10), 0);
	bad |= expect_value("mprotect with PROT_SEM: 0", mprotect(m, P, PROT_READ | 0x8), 0);
	bad |= expect_errno("mprotect with an unknown bit: EINVAL", mprotect(m, P, PROT_READ | 0x10), EINVAL);
	bad |= expect_errno("mprotect with PROT_GROWSDOWN|PROT_GROWSUP: EINVAL",
			    mprotect(m, P, PROT_READ | 0x01000000 | 0x02000000), EINVAL);
	bad |= expect_errno("munmap of length 0: EINVAL", munmap(m, 0), EINVAL);
	bad |= expect_errno("munmap starting past the user half: EINVAL", munmap((void *)(USER_TOP + P), P), EINVAL);
	bad |= expect_errno("mremap of an unmapped address: EFAULT", (long)mremap((void *)0x500000000000ul, P, 2 * P, 0), EFAULT);
	bad |= expect_errno("mremap growing in place into a neighbour without MAYMOVE: ENOMEM",
			    (long)mremap(m, P, 3 * P, 0), ENOMEM);
	return bad;
}

const struct attack attacks_memory[] = {
	{ "mem-mremap-wrap", mremap_wrap, "mremap to a length that wraps: EINVAL, nothing unmapped" },
	{ "mem-length-overflow", length_overflow, "lengths and address sums that wrap in every memory call" },
	{ "mem-dontneed-data", dontneed_data, "MADV_DONTNEED on .data reads the image's bytes again" },
	{ "mem-dontneed-file", dontneed_file, "MADV_DONTNEED on a MAP_PRIVATE file mapping reads the file again" },
	{ "mem-place-fixed", place_fixed, "mmap(NULL) around a MAP_FIXED mapping ahead of the last one" },
	{ "mem-place-huge", place_huge, "MAP_HUGETLB after the previous one grew in place" },
	{ "mem-text-write", text_write, "a store into text made writable never reaches the image" },
	{ "mem-errno", memory_errno, "error numbers of the memory calls as riscv64 Linux" },
	{ 0, 0, 0 },
};
