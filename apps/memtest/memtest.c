/*
 * Demand paging from an application's side.  Each part checks what it
 * reads and prints one line; any wrong value exits 1.
 *   sparse N  touch one byte in every 1 MiB of an N MiB anonymous mapping
 *             (N demand-zero faults), check they read zero, write, read back
 *   huge N    touch every 4 KiB page of an N MiB MAP_HUGETLB mapping: on Sv48
 *             each 2 MiB block is one fault and one rental, not 512
 *   protect   write, make read-only, read back the same data, unmap
 *   toobig    malloc and mmap of 64 GiB: refused with ENOMEM
 *   oom       fill memory with 8 MiB blocks until ENOMEM, check them, free
 *             them, fill it again: running out is an error, not a fault
 *   guard     recurse until the stack reaches its guard page: the kernel
 *             reports the overflow and ends the program with 139 (SIGSEGV)
 *   hold, holdtouch, hugeplace, hugecut   PROT_NONE and huge pages (contract.c)
 * With no arguments: sparse 1024, huge 4, protect.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "parts.h"

#define MiB (1ul << 20)
#define PAGE 4096ul

static void *map_anon(size_t len, int flags)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
	if (p == MAP_FAILED) {
		perror("memtest: mmap");
		exit(1);
	}
	return p;
}

static void sparse(size_t mib)
{
	/* More than RAM, touched sparsely: say so, or the kernel refuses it as Linux does. */
	volatile uint8_t *p = map_anon(mib * MiB, MAP_NORESERVE);
	for (size_t off = 0; off < mib * MiB; off += MiB)
		if (p[off] != 0)
			fail("sparse zero fill", off);
	for (size_t off = 0; off < mib * MiB; off += MiB)
		p[off + 7] = (uint8_t)(off >> 20);
	for (size_t off = 0; off < mib * MiB; off += MiB)
		if (p[off + 7] != (uint8_t)(off >> 20))
			fail("sparse read back", off);
	printf("memtest: sparse %zu MiB: %zu pages touched, ok\n", mib, mib);
	munmap((void *)p, mib * MiB);
}

static void huge(size_t mib)
{
	volatile uint64_t *p = map_anon(mib * MiB, MAP_HUGETLB);
	if ((uintptr_t)p % (2 * MiB))
		fail("huge alignment", (uintptr_t)p);
	for (size_t off = 0; off < mib * MiB; off += PAGE)
		p[off / 8] = off ^ 0x5a5a;
	for (size_t off = 0; off < mib * MiB; off += PAGE)
		if (p[off / 8] != (off ^ 0x5a5a))
			fail("huge read back", off);
	printf("memtest: huge %zu MiB at %p: %zu pages written, ok\n", mib, (void *)p, mib * MiB / PAGE);
}

/* More than all of RAM at once: refused with ENOMEM, as Linux's default policy does. */
static void too_big(void)
{
	void *p = malloc((size_t)64 << 30);
	if (p)
		fail("64 GiB malloc succeeded", 0);
	void *q = mmap(NULL, (size_t)64 << 30, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (q != MAP_FAILED || errno != ENOMEM)
		fail("64 GiB mmap not ENOMEM", 0);
	printf("memtest: toobig: 64 GiB refused with ENOMEM, ok\n");
}

static void protect(void)
{
	char *p = map_anon(16 * PAGE, 0);
	for (size_t i = 0; i < 16 * PAGE; i++)
		p[i] = (char)(i * 7);
	if (mprotect(p, 16 * PAGE, PROT_READ) != 0)
		fail("mprotect", 0);
	for (size_t i = 0; i < 16 * PAGE; i++)
		if (p[i] != (char)(i * 7))
			fail("data after mprotect", i);
	if (mprotect(p, 16 * PAGE, PROT_READ | PROT_WRITE) != 0)
		fail("mprotect back", 0);
	/* MADV_DONTNEED drops private anonymous pages: they read as zero afterwards. */
	if (madvise(p, 16 * PAGE, MADV_DONTNEED) != 0)
		fail("madvise", 0);
	for (size_t i = 0; i < 16 * PAGE; i++)
		if (p[i] != 0)
			fail("zero after MADV_DONTNEED", i);
	if (munmap(p, 16 * PAGE) != 0)
		fail("munmap", 0);
	printf("memtest: protect: 16 pages kept their data read-only, ok\n");
	printf("memtest: madvise: MADV_DONTNEED pages read as zero, ok\n");
}

/*
 * Deeper than any stack: the depth bound only keeps the compiler from
 * calling it infinite.  Frames stay well under a page, so the stack runs
 * into the guard page itself rather than jumping over it.
 */
static int recurse(volatile char *prev, long depth)
{
	volatile char frame[512];
	frame[0] = prev ? prev[0] + 1 : 0;
	if (depth > (1l << 40))
		return frame[0];
	return recurse(frame, depth + 1) + frame[0];
}

#define OOM_BLOCK (8 * MiB)
#define OOM_MAX_BLOCKS 4096

/* Allocate and write OOM_BLOCK blocks into BLOCKS until malloc fails: how many (errno must be ENOMEM). */
static size_t fill_memory(uint8_t **blocks)
{
	size_t n = 0;
	for (; n < OOM_MAX_BLOCKS; n++) {
		errno = 0;
		if (!(blocks[n] = malloc(OOM_BLOCK)))
			break;
		memset(blocks[n], (int)(n & 0xff), OOM_BLOCK);
	}
	if (n == OOM_MAX_BLOCKS || errno != ENOMEM)
		fail("memory did not run out with ENOMEM", n);
	return n;
}

static void check_and_free(uint8_t **blocks, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t off = 0; off < OOM_BLOCK; off += PAGE)
			if (blocks[i][off] != (uint8_t)(i & 0xff))
				fail("a filled block lost its data", i * OOM_BLOCK + off);
		free(blocks[i]);
	}
}

/*
 * Running out of memory: malloc, mmap and brk report ENOMEM while what was
 * allocated stays intact, a MAP_NORESERVE mapping is still granted (it is
 * not charged), and after everything is freed the same amount fits again.
 */
static void out_of_memory(void)
{
	static uint8_t *blocks[OOM_MAX_BLOCKS];
	size_t n = fill_memory(blocks);
	if (n < 4)
		fail("fewer than 4 blocks fit", n);
	void *more = mmap(NULL, OOM_BLOCK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (more != MAP_FAILED || errno != ENOMEM)
		fail("mmap past the limit not ENOMEM", 0);
	void *brk_top = sbrk(0);
	if (sbrk((intptr_t)OOM_BLOCK) != (void *)-1 || errno != ENOMEM || sbrk(0) != brk_top)
		fail("brk past the limit not ENOMEM", 0);
	void *lazy = mmap(NULL, 64 * MiB, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (lazy == MAP_FAILED)
		fail("MAP_NORESERVE refused", 0);
	munmap(lazy, 64 * MiB);
	check_and_free(blocks, n);
	size_t again = fill_memory(blocks);
	check_and_free(blocks, again);
	if (again + 1 < n)
		fail("memory did not come back", again);
	printf("memtest: oom: ENOMEM after %zu MiB, data intact; freed and filled again (%zu MiB), ok\n",
	       n * OOM_BLOCK / MiB, again * OOM_BLOCK / MiB);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		sparse(1024);
		huge(4);
		protect();
		return 0;
	}
	size_t n = argc > 2 ? strtoul(argv[2], NULL, 0) : 4;
	if (strcmp(argv[1], "sparse") == 0)
		sparse(n);
	else if (strcmp(argv[1], "huge") == 0)
		huge(n);
	else if (strcmp(argv[1], "protect") == 0)
		protect();
	else if (strcmp(argv[1], "toobig") == 0)
		too_big();
	else if (strcmp(argv[1], "oom") == 0)
		out_of_memory();
	else if (strcmp(argv[1], "hold") == 0)
		hold();
	else if (strcmp(argv[1], "holdtouch") == 0)
		hold_touch();
	else if (strcmp(argv[1], "hugeplace") == 0)
		huge_placed();
	else if (strcmp(argv[1], "hugecut") == 0)
		huge_cut();
	else if (strcmp(argv[1], "guard") == 0) {
		printf("memtest: guard: recursing\n");
		fflush(stdout);
		return recurse(NULL, 0);
	}
	else
		fail("unknown part", 0);
	return 0;
}
