/* The tablet registry's hash map, against a model, with heavy removal churn. */
#include <stdlib.h>
#include <sys/mman.h>

#include "check.h"
#include "kernel/error.h"
#include "kernel/frame.h"
#include "kernel/heap.h"
#include "kernel/u64map.h"

#define ARENA (64ul << 20)
#define FAKE_BASE 0x80000000ul

static void memory_init(void)
{
	void *arena = mmap(NULL, ARENA, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	direct_map_offset = (uintptr_t)arena - FAKE_BASE;
	struct mem_range ram = { FAKE_BASE, ARENA };
	frame_init(&ram, 1, NULL, 0);
	heap_reset_for_test();
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void rejects_bad_keys(void)
{
	struct u64map m = { 0 };
	int x;
	CHECK_EQ(u64map_put(&m, 0, &x), -EINVAL);
	CHECK_EQ(u64map_put(&m, 5, &x), 0);
	CHECK_EQ(u64map_put(&m, 5, &x), -EEXIST);
	CHECK(u64map_get(&m, 0) == NULL);
	CHECK(u64map_remove(&m, 6) == NULL);
	CHECK(u64map_remove(&m, 5) == &x);
	CHECK(u64map_get(&m, 5) == NULL);
	u64map_clear(&m);
}

/* Keys from a small range (many probe collisions), random put/remove, checked against an array. */
static void matches_model(void)
{
	enum { KEYS = 3000, STEPS = 200000 };
	static char present[KEYS + 1];
	static int values[KEYS + 1];
	struct u64map m = { 0 };
	size_t count = 0;
	for (int step = 0; step < STEPS; step++) {
		/* Page-like keys: multiples of 4096 collide in weak hashes. */
		uint64_t k = next() % KEYS + 1, key = k << 12;
		if (next() % 3) {
			int r = u64map_put(&m, key, &values[k]);
			CHECK_EQ(r, present[k] ? -EEXIST : 0);
			if (!present[k])
				count++;
			present[k] = 1;
		} else {
			void *v = u64map_remove(&m, key);
			CHECK(v == (present[k] ? &values[k] : NULL));
			if (present[k])
				count--;
			present[k] = 0;
		}
		if (step % 10000 == 0)
			for (uint64_t j = 1; j <= KEYS; j++)
				CHECK(u64map_get(&m, j << 12) == (present[j] ? &values[j] : NULL));
	}
	CHECK_EQ(m.count, count);
	CHECK(u64map_bytes(&m) >= count * sizeof(struct u64map_slot));
	u64map_clear(&m);
	CHECK_EQ(u64map_bytes(&m), 0);
}

/* Exhausting the heap makes a growing put fail with the map intact. */
static void growth_failure_leaves_map_intact(void)
{
	struct u64map m = { 0 };
	static int v;
	uint64_t key;
	int r = 0;
	for (key = 1; r == 0 && key <= 100000; key++)
		r = u64map_put(&m, key, &v);
	CHECK_EQ(r, 0); /* 100000 keys fit in 64 MiB */
	/* Now take every frame so the next doubling cannot be satisfied. */
	paddr_t pa;
	while (frame_alloc(0, &pa) == 0)
		;
	size_t before = m.count;
	for (r = 0; r == 0 && key < 1000000; key++)
		r = u64map_put(&m, key, &v);
	CHECK_EQ(r, -ENOMEM);
	CHECK(m.count >= before);
	for (uint64_t j = 1; j < key - 1; j++)
		if (u64map_get(&m, j) != &v) {
			CHECK(!"a key vanished after a failed growth");
			break;
		}
	u64map_clear(&m);
}

int main(void)
{
	memory_init();
	RUN(rejects_bad_keys);
	RUN(matches_model);
	RUN(growth_failure_leaves_map_intact);
	CHECK_EXIT();
}
