/*
 * memtest's parts for the vmm contract of 03e4c0d, as an application sees it:
 *   hold       mprotect(PROT_NONE) over touched pages, then back: their data stays
 *   holdtouch  a read of a touched page while it is PROT_NONE faults (exit 139)
 *   hugeplace  MAP_HUGETLB where the kernel places it and at a MAP_FIXED 2 MiB-aligned
 *              address: 2 MiB aligned, written and read back
 *   hugecut    munmap of half a huge mapping: at a 2 MiB boundary it works, at a
 *              4 KiB one it is EINVAL with nothing unmapped
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

#include "parts.h"

#define MiB (1ul << 20)
#define PAGE 4096ul
#define HOLD_PAGES 16

/* A fixed place for a huge mapping: 2 MiB aligned, far above the image and its heap. */
#define HUGE_FIXED ((void *)0x0000003000000000ul)

static char *touched_pages(void)
{
	char *p = mmap(NULL, HOLD_PAGES * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		fail("mmap", 0);
	for (size_t i = 0; i < HOLD_PAGES * PAGE; i++)
		p[i] = (char)(i * 13 + 1);
	return p;
}

static void check_pages(const char *p, const char *what)
{
	for (size_t i = 0; i < HOLD_PAGES * PAGE; i++)
		if (p[i] != (char)(i * 13 + 1))
			fail(what, i);
}

void hold(void)
{
	char *p = touched_pages();
	if (mprotect(p, HOLD_PAGES * PAGE, PROT_NONE) != 0)
		fail("mprotect PROT_NONE over touched pages", 0);
	/* Part of them back first, then all: each part comes back with its own data. */
	if (mprotect(p + 4 * PAGE, 4 * PAGE, PROT_READ) != 0)
		fail("mprotect back of a part", 4 * PAGE);
	for (size_t i = 4 * PAGE; i < 8 * PAGE; i++)
		if (p[i] != (char)(i * 13 + 1))
			fail("data of a part brought back", i);
	if (mprotect(p, HOLD_PAGES * PAGE, PROT_READ | PROT_WRITE) != 0)
		fail("mprotect back", 0);
	check_pages(p, "data after PROT_NONE and back");
	p[5] = 0x42; /* writable again */
	if (munmap(p, HOLD_PAGES * PAGE) != 0)
		fail("munmap", 0);
	printf("memtest: hold: %d pages kept their data through PROT_NONE, ok\n", HOLD_PAGES);
}

void hold_touch(void)
{
	volatile char *p = touched_pages();
	if (mprotect((void *)p, HOLD_PAGES * PAGE, PROT_NONE) != 0)
		fail("mprotect PROT_NONE over touched pages", 0);
	printf("memtest: holdtouch: reading a PROT_NONE page at %p\n", (void *)(p + 3 * PAGE));
	fflush(stdout);
	char c = p[3 * PAGE];
	printf("memtest: holdtouch: FAILED, the read returned %d\n", c);
	fail("read of a PROT_NONE page did not fault", 3 * PAGE);
}

/* Write every page of [p, p+len) with its offset, read it back. */
static void write_and_check(volatile uint64_t *p, size_t len, const char *what)
{
	if ((uintptr_t)p % (2 * MiB))
		fail("huge mapping not 2 MiB aligned", (uintptr_t)p);
	for (size_t off = 0; off < len; off += PAGE)
		p[off / 8] = off ^ 0x1234;
	for (size_t off = 0; off < len; off += PAGE)
		if (p[off / 8] != (off ^ 0x1234))
			fail(what, off);
}

void huge_placed(void)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB;
	void *placed = mmap(NULL, 4 * MiB, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (placed == MAP_FAILED)
		fail("MAP_HUGETLB placed by the kernel", 0);
	write_and_check(placed, 4 * MiB, "huge mapping placed by the kernel");
	void *fixed = mmap(HUGE_FIXED, 4 * MiB, PROT_READ | PROT_WRITE, flags | MAP_FIXED, -1, 0);
	if (fixed != HUGE_FIXED)
		fail("MAP_HUGETLB at a MAP_FIXED 2 MiB-aligned address", (uintptr_t)HUGE_FIXED);
	write_and_check(fixed, 4 * MiB, "huge mapping at a fixed address");
	/* A fixed address that is not 2 MiB aligned: EINVAL, as Linux says. */
	void *odd = mmap((char *)HUGE_FIXED + 8 * MiB + PAGE, 2 * MiB, PROT_READ | PROT_WRITE,
			 flags | MAP_FIXED, -1, 0);
	if (odd != MAP_FAILED || errno != EINVAL)
		fail("MAP_HUGETLB at a 4 KiB-aligned fixed address not EINVAL", 0);
	write_and_check(placed, 4 * MiB, "huge mapping placed by the kernel, again");
	printf("memtest: hugeplace: placed at a 2 MiB boundary and at fixed %p, 4 MiB each, ok\n",
	       HUGE_FIXED);
}

void huge_cut(void)
{
	volatile uint64_t *p = mmap(NULL, 4 * MiB, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (p == MAP_FAILED)
		fail("MAP_HUGETLB", 0);
	write_and_check(p, 4 * MiB, "huge mapping");
	char *c = (char *)p;
	if (munmap(c + 2 * MiB + PAGE, 2 * MiB - PAGE) == 0 || errno != EINVAL)
		fail("munmap of a huge mapping at a 4 KiB boundary not EINVAL", 2 * MiB + PAGE);
	if (munmap(c + PAGE, PAGE) == 0 || errno != EINVAL)
		fail("munmap of one 4 KiB page of a huge mapping not EINVAL", PAGE);
	if (madvise(c + PAGE, PAGE, MADV_DONTNEED) == 0 || errno != EINVAL)
		fail("MADV_DONTNEED of one 4 KiB page of a huge mapping not EINVAL", PAGE);
	/* Nothing went: every page still holds its value. */
	for (size_t off = 0; off < 4 * MiB; off += PAGE)
		if (p[off / 8] != (off ^ 0x1234))
			fail("huge mapping after refused munmaps", off);
	if (munmap(c + 2 * MiB, 2 * MiB) != 0)
		fail("munmap of the upper 2 MiB", 2 * MiB);
	for (size_t off = 0; off < 2 * MiB; off += PAGE)
		if (p[off / 8] != (off ^ 0x1234))
			fail("lower half after the upper went", off);
	/* A whole 2 MiB page dropped reads as zero, and comes back whole on the next touch. */
	if (madvise(c, 2 * MiB, MADV_DONTNEED) != 0)
		fail("MADV_DONTNEED of a whole 2 MiB page", 0);
	for (size_t off = 0; off < 2 * MiB; off += PAGE)
		if (p[off / 8] != 0)
			fail("lower half after MADV_DONTNEED", off);
	/* The upper half is free again: a new mapping may take it. */
	void *again = mmap(c + 2 * MiB, 2 * MiB, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_FIXED_NOREPLACE, -1, 0);
	if (again != c + 2 * MiB)
		fail("the freed upper half could not be mapped again", 2 * MiB);
	if (*(volatile uint64_t *)again != 0)
		fail("the upper half mapped again is not zero", 2 * MiB);
	printf("memtest: hugecut: 4 KiB cuts EINVAL, the 2 MiB cut works, ok\n");
}
