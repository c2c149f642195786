/*
 * Host tests of the kernel heap (kernel/heap.c) on the frame allocator.
 *
 * "Physical memory" is a MAP_NORESERVE arena at physical ARENA_PA.  The
 * arena is not malloc memory, so ASan cannot see overlapping objects there:
 * the churn case checks a pattern in every live object instead.
 */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel/error.h"
#include "kernel/frame.h"
#include "kernel/heap.h"
#include "tests/host/check.h"

#define KiB (1ull << 10)
#define MiB (1ull << 20)

#define ARENA_PA 0x80000000ull
#define ARENA_SIZE (256 * MiB)

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static char *arena;

/* Start over with RAM [ARENA_PA, ARENA_PA + ram) minus OpenSBI's range. */
static void setup(uint64_t ram)
{
	struct mem_range r = { ARENA_PA, ram };
	struct mem_range res = { ARENA_PA, 0x40000 };

	madvise(arena, ARENA_SIZE, MADV_DONTNEED);
	direct_map_offset = (uintptr_t)arena - (uintptr_t)ARENA_PA;
	if (frame_init(&r, 1, &res, 1) != 0) {
		printf("# frame_init failed\n");
		exit(1);
	}
	heap_reset_for_test();
}

static struct heap_stats hstats(void)
{
	struct heap_stats s;
	heap_get_stats(&s);
	return s;
}

static uint64_t frames_free(void)
{
	struct frame_stats s;
	frame_get_stats(&s);
	return s.free_bytes;
}

static size_t class_for(size_t size)
{
	size_t c = HEAP_MIN_SMALL;
	while (c < size)
		c *= 2;
	return c;
}

static int in_arena(const void *p, size_t n)
{
	return (const char *)p >= arena && (const char *)p + n <= arena + ARENA_SIZE;
}

/* ------------------------------------------------------------- cases --- */

static void zero_size_and_null(void)
{
	setup(16 * MiB);
	struct heap_stats s0 = hstats();
	CHECK(kmalloc(0) == NULL);
	CHECK(kzalloc(0) == NULL);
	kfree(NULL);
	struct heap_stats s1 = hstats();
	CHECK(memcmp(&s0, &s1, sizeof(s0)) == 0);
}

static void every_size_class(void)
{
	setup(16 * MiB);
	uint64_t free0 = frames_free();
	static const size_t sizes[] = { 1, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128,
					129, 255, 256, 257, 511, 512, 513, 1000, 1023, 1024,
					1025, 2000, 2047, 2048 };
	for (unsigned i = 0; i < NELEM(sizes); i++) {
		size_t n = sizes[i];
		unsigned char *p = kmalloc(n);
		CHECK(p != NULL);
		if (!p)
			continue;
		CHECK(((uintptr_t)p & 15) == 0);
		CHECK(((uintptr_t)p & (PAGE_SIZE - 1)) != 0); /* small objects never are */
		CHECK(in_arena(p, n));
		CHECK_EQ(hstats().bytes_in_use, class_for(n));
		CHECK_EQ(hstats().slab_pages, 1);
		CHECK_EQ(frame_block_tag(ALIGN_DOWN(virt_to_phys(p), PAGE_SIZE)), FRAME_TAG_SLAB);
		memset(p, 0x5a, class_for(n)); /* the whole class is usable */
		kfree(p);
		CHECK_EQ(hstats().bytes_in_use, 0);
		CHECK_EQ(hstats().slab_pages, 0);
	}
	CHECK_EQ(frames_free(), free0);
	CHECK_EQ(hstats().allocs, NELEM(sizes));
	CHECK_EQ(hstats().frees, NELEM(sizes));
}

static void objects_per_slab_page(void)
{
	/* a full slab page holds (4096 - header) / size objects, all distinct */
	setup(16 * MiB);
	for (size_t size = HEAP_MIN_SMALL; size <= HEAP_MAX_SMALL; size *= 2) {
		enum { N = 600 };
		char *p[N];
		for (int i = 0; i < N; i++) {
			p[i] = kmalloc(size);
			memset(p[i], i & 0xff, size);
		}
		/* the header takes less than 128 bytes */
		uint64_t pages = hstats().slab_pages;
		uint64_t most = PAGE_SIZE / size, least = (PAGE_SIZE - 128) / size;
		CHECK(pages >= (N + most - 1) / most && pages <= (N + least - 1) / least);
		int ok = 1;
		for (int i = 0; i < N; i++)
			for (size_t j = 0; j < size; j++)
				ok &= (unsigned char)p[i][j] == (i & 0xff);
		CHECK(ok);
		for (int i = 0; i < N; i++)
			kfree(p[i]);
		CHECK_EQ(hstats().slab_pages, 0);
	}
}

static void alignment(void)
{
	setup(64 * MiB);
	void *p[200];
	for (int i = 0; i < 200; i++) {
		size_t n = 1 + (size_t)i * 37 % 6000;
		p[i] = kmalloc(n);
		CHECK(p[i] != NULL);
		CHECK(((uintptr_t)p[i] & 15) == 0);
		if (n > HEAP_MAX_SMALL)
			CHECK(((uintptr_t)p[i] & (PAGE_SIZE - 1)) == 0);
		else
			CHECK(((uintptr_t)p[i] & (PAGE_SIZE - 1)) != 0);
	}
	for (int i = 0; i < 200; i++)
		kfree(p[i]);
	CHECK_EQ(hstats().bytes_in_use, 0);
	CHECK_EQ(hstats().bytes_reserved, 0);
}

static void large_allocations(void)
{
	setup(64 * MiB);
	uint64_t free0 = frames_free();
	static const struct {
		size_t size;
		int order;
	} cases[] = {
		{ 2049, 0 },	       { 4096, 0 },	     { 4097, 1 },	{ 8192, 1 },
		{ 12 * KiB, 2 },       { 1 * MiB, 8 },	     { 2 * MiB, 9 },	{ 2 * MiB + 1, 10 },
	};
	for (unsigned i = 0; i < NELEM(cases); i++) {
		char *p = kmalloc(cases[i].size);
		CHECK(p != NULL);
		if (!p)
			continue;
		paddr_t pa = virt_to_phys(p);
		CHECK(IS_ALIGNED(pa, PAGE_SIZE));
		CHECK_EQ(frame_block_order(pa), cases[i].order);
		CHECK_EQ(frame_block_tag(pa), FRAME_TAG_HEAP);
		CHECK_EQ(hstats().bytes_reserved, PAGE_SIZE << cases[i].order);
		CHECK_EQ(hstats().bytes_in_use, PAGE_SIZE << cases[i].order);
		CHECK_EQ(frames_free(), free0 - (PAGE_SIZE << cases[i].order));
		p[0] = 1;
		p[cases[i].size - 1] = 2;
		kfree(p);
		CHECK_EQ(frame_block_order(pa), -EINVAL);
		CHECK_EQ(frames_free(), free0);
	}
	CHECK_EQ(hstats().bytes_reserved, 0);
	/* far beyond what the frame allocator can hand out at once */
	uint64_t fails = hstats().failures;
	CHECK(kmalloc((PAGE_SIZE << FRAME_MAX_ORDER) + 1) == NULL);
	CHECK(kmalloc(SIZE_MAX) == NULL);
	CHECK(kmalloc(128 * MiB) == NULL); /* order 15 fits the limit, not the RAM */
	CHECK_EQ(hstats().failures, fails + 3);
	CHECK_EQ(frames_free(), free0);
}

/* True when N bytes at P are all zero. */
static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Fill every free frame with 0xaa, so that nothing is zero by luck. */
static void dirty_free_frames(void)
{
	paddr_t pa, *v = malloc(8192 * sizeof(*v));
	size_t n = 0;

	while (n < 8192 && frame_alloc(0, &pa) == 0) {
		memset(phys_to_virt(pa), 0xaa, PAGE_SIZE);
		v[n++] = pa;
	}
	while (n)
		frame_free(v[--n], 0);
	free(v);
}

static void kzalloc_zeroes(void)
{
	setup(16 * MiB);
	static const size_t sizes[] = { 1, 16, 24, 48, 100, 1000, 1024, 2048, 3000, 4096, 20000 };
	for (unsigned i = 0; i < NELEM(sizes); i++) {
		size_t n = sizes[i];
		dirty_free_frames();
		void *keep = kmalloc(n);
		unsigned char *p = kmalloc(n);
		CHECK(!all_zero(p, n));
		memset(p, 0x55, n);
		kfree(p);
		unsigned char *q = kzalloc(n);
		CHECK(all_zero(q, n));
		if (n <= 1024) /* the slab stayed alive, so the same object came back */
			CHECK(q == p);
		kfree(q);
		kfree(keep);
	}
	CHECK_EQ(hstats().bytes_in_use, 0);
}

static void reuse_after_free(void)
{
	setup(16 * MiB);
	void *a = kmalloc(64), *b = kmalloc(64), *c = kmalloc(64);
	CHECK(a != b && b != c && a != c);
	kfree(b);
	void *d = kmalloc(60);
	CHECK(d == b); /* the hole is filled before the slab grows */
	kfree(a);
	kfree(c);
	kfree(d);
	void *big = kmalloc(10000);
	kfree(big);
	CHECK(kmalloc(9000) == big); /* the same order-2 block comes back */
	kfree(big);
	CHECK_EQ(hstats().allocs, 6);
	CHECK_EQ(hstats().frees, 6);
}

static void slab_pages_returned(void)
{
	setup(16 * MiB);
	uint64_t free0 = frames_free();
	enum { N = 600 };
	void *p[N];
	for (int i = 0; i < N; i++)
		p[i] = kmalloc(16);
	uint64_t pages = hstats().slab_pages;
	CHECK(pages == 3);
	CHECK_EQ(hstats().bytes_reserved, pages * PAGE_SIZE);
	CHECK_EQ(frames_free(), free0 - pages * PAGE_SIZE);
	/* free all but one object per page: no page goes back */
	for (int i = 0; i < N; i++)
		if (i % 252 != 0)
			kfree(p[i]);
	CHECK_EQ(hstats().slab_pages, pages);
	for (int i = 0; i < N; i += 252) {
		kfree(p[i]);
		CHECK_EQ(hstats().slab_pages, --pages);
	}
	CHECK_EQ(frames_free(), free0);
	CHECK_EQ(hstats().bytes_reserved, 0);
	CHECK_EQ(frame_check(), 0);
}

static void exhaustion_gives_null(void)
{
	/* 1 MiB - 256 KiB of RAM, a page of it metadata */
	setup(1 * MiB);
	uint64_t free0 = frames_free();
	enum { MAX = 4096 };
	void **p = malloc(MAX * sizeof(*p));
	size_t n = 0;
	while (n < MAX && (p[n] = kmalloc(1024)) != NULL)
		n++;
	CHECK(n < MAX);
	CHECK_EQ(n, free0 / PAGE_SIZE * 3);
	CHECK_EQ(frames_free(), 0);
	CHECK(kmalloc(16) == NULL);
	CHECK(kmalloc(5000) == NULL);
	CHECK_EQ(hstats().failures, 3);
	/* one free makes room again, in that slab */
	kfree(p[7]);
	CHECK((p[7] = kmalloc(1000)) != NULL);
	for (size_t i = 0; i < n; i++)
		kfree(p[i]);
	CHECK_EQ(frames_free(), free0);
	size_t m = 0;
	while (m < MAX && (p[m] = kmalloc(3000)) != NULL)
		m++;
	CHECK_EQ(m, free0 / PAGE_SIZE);
	for (size_t i = 0; i < m; i++)
		kfree(p[i]);
	free(p);
	CHECK_EQ(frames_free(), free0);
	CHECK_EQ(frame_check(), 0);
}

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

struct obj {
	unsigned char *p;
	size_t size;
	unsigned char tag;
};

/* A random size: mostly small, now and then up to 64 KiB. */
static size_t random_size(uint64_t r)
{
	switch (r % 16) {
	case 0:
		return 1 + (r >> 8) % (64 * KiB);
	case 1:
	case 2:
		return 1 + (r >> 8) % 4096;
	default:
		return 1 + (r >> 8) % 300;
	}
}

static int pattern_ok(const struct obj *o)
{
	for (size_t i = 0; i < o->size; i++)
		if (o->p[i] != (unsigned char)(o->tag + i * 7))
			return 0;
	return 1;
}

static void random_churn(void)
{
	setup(64 * MiB);
	rng_state = 0x2545f4914f6cdd1dull;
	uint64_t free0 = frames_free();
	enum { MAXLIVE = 3000, STEPS = 200000 };
	struct obj *live = calloc(MAXLIVE, sizeof(*live));
	size_t nlive = 0;
	int ok = 1, aligned = 1;
	uint64_t nulls = 0;

	for (int step = 0; step < STEPS; step++) {
		uint64_t r = rng();
		if (nlive < MAXLIVE && (nlive == 0 || (r & 255) < 140)) {
			struct obj o = { NULL, random_size(r >> 8), (unsigned char)(r >> 40) };
			o.p = (r >> 60) & 1 ? kzalloc(o.size) : kmalloc(o.size);
			if (!o.p) {
				nulls++;
				continue;
			}
			aligned &= ((uintptr_t)o.p & 15) == 0 && in_arena(o.p, o.size);
			if ((r >> 60) & 1)
				ok &= all_zero(o.p, o.size);
			for (size_t i = 0; i < o.size; i++)
				o.p[i] = (unsigned char)(o.tag + i * 7);
			live[nlive++] = o;
		} else {
			size_t i = (r >> 8) % nlive;
			ok &= pattern_ok(&live[i]);
			kfree(live[i].p);
			live[i] = live[--nlive];
		}
	}
	CHECK(ok);
	CHECK(aligned);
	CHECK_EQ(nulls, 0);
	for (size_t i = 0; i < nlive; i++) {
		CHECK(pattern_ok(&live[i]));
		kfree(live[i].p);
	}
	free(live);
	struct heap_stats s = hstats();
	CHECK_EQ(s.bytes_in_use, 0);
	CHECK_EQ(s.bytes_reserved, 0);
	CHECK_EQ(s.slab_pages, 0);
	CHECK_EQ(s.allocs, s.frees);
	CHECK_EQ(frames_free(), free0);
	CHECK_EQ(frame_check(), 0);
}

/*
 * Run FN in a child; true when it panicked (abort) and said something
 * containing "kfree" on stderr.
 */
static int panics(void (*fn)(void))
{
	int fds[2];
	char buf[512] = { 0 };
	int status;

	fflush(stdout);
	if (pipe(fds))
		return 0;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], 2);
		fn();
		_exit(0);
	}
	close(fds[1]);
	/* stderr is unbuffered: the message comes in several writes */
	size_t got = 0;
	ssize_t n;
	while (got < sizeof(buf) - 1 && (n = read(fds[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	close(fds[0]);
	waitpid(pid, &status, 0);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT && strstr(buf, "kfree");
}

static void bad_stack_pointer(void)
{
	int x;
	kfree(&x);
}

static void bad_double_free_small(void)
{
	void *keep = kmalloc(32), *p = kmalloc(32);
	(void)keep;
	kfree(p);
	kfree(p);
}

static void bad_double_free_last_in_slab(void)
{
	void *p = kmalloc(32); /* its slab page goes back at the first free */
	kfree(p);
	kfree(p);
}

static void bad_double_free_large(void)
{
	void *p = kmalloc(10000);
	kfree(p);
	kfree(p);
}

static void bad_interior_small(void)
{
	char *p = kmalloc(64);
	kfree(p + 16);
}

static void bad_interior_large(void)
{
	char *p = kmalloc(3 * PAGE_SIZE);
	kfree(p + PAGE_SIZE);
}

static void bad_slab_header(void)
{
	char *p = kmalloc(64);
	kfree((void *)ALIGN_DOWN((uintptr_t)p, PAGE_SIZE));
}

static void bad_foreign_frame(void)
{
	paddr_t pa;
	frame_alloc(0, &pa);
	kfree(phys_to_virt(pa));
}

static void bad_free_frame(void)
{
	kfree(phys_to_virt(ARENA_PA + 8 * MiB)); /* a free frame */
}

static void bad_kfree_panics(void)
{
	setup(16 * MiB);
	CHECK(panics(bad_stack_pointer));
	CHECK(panics(bad_double_free_small));
	CHECK(panics(bad_double_free_last_in_slab));
	CHECK(panics(bad_double_free_large));
	CHECK(panics(bad_interior_small));
	CHECK(panics(bad_interior_large));
	CHECK(panics(bad_slab_header));
	CHECK(panics(bad_foreign_frame));
	CHECK(panics(bad_free_frame));
}

static void stats_counters(void)
{
	setup(16 * MiB);
	void *a = kmalloc(100), *b = kzalloc(5000), *c = kmalloc(16);
	struct heap_stats s = hstats();
	CHECK_EQ(s.allocs, 3);
	CHECK_EQ(s.frees, 0);
	CHECK_EQ(s.bytes_in_use, 128 + 8192 + 16);
	CHECK_EQ(s.bytes_reserved, 2 * PAGE_SIZE + 8192);
	CHECK_EQ(s.slab_pages, 2);
	kfree(a);
	kfree(b);
	kfree(c);
	s = hstats();
	CHECK_EQ(s.frees, 3);
	CHECK_EQ(s.bytes_in_use, 0);
	CHECK_EQ(s.bytes_reserved, 0);
	/* heap_reset_for_test after frame_init starts over */
	setup(16 * MiB);
	s = hstats();
	CHECK_EQ(s.allocs + s.frees + s.bytes_in_use + s.bytes_reserved + s.slab_pages, 0);
	CHECK(kmalloc(16) != NULL);
}

int main(void)
{
	arena = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (arena == MAP_FAILED) {
		perror("mmap arena");
		return 1;
	}
	RUN(zero_size_and_null);
	RUN(every_size_class);
	RUN(objects_per_slab_page);
	RUN(alignment);
	RUN(large_allocations);
	RUN(kzalloc_zeroes);
	RUN(reuse_after_free);
	RUN(slab_pages_returned);
	RUN(exhaustion_gives_null);
	RUN(random_churn);
	RUN(bad_kfree_panics);
	RUN(stats_counters);
	CHECK_EXIT();
}
