/*
 * kvsplit: the kv workload (apps/kv) split into a client (main) and a store
 * compartment, to measure what keeping them apart costs: the same operations
 * in the same order, the same check of every get, the same checksum as kv
 * prints.  The client sends operations in batches through two pages it
 * grants the store; the store keeps its hash table and strings in memory
 * of its own (mmap from inside the store: the policy gives new memory to
 * the compartment that made it).  Run it under flat and under split.
 *
 *   kvsplit OPS KEYS
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compart.h"

#define COMPARTMENT_ID_main 0
#define COMPARTMENT_ID_store 1

COMPARTMENT_DEFINE(main, 0);
COMPARTMENT_DEFINE(store, 0);

#define PAGE 4096
#define BATCH 64

struct request {
	int put;
	int found;     /* get: the store had the key */
	char key[24];
	char value[40]; /* put: the value; get: the store's answer */
};

static COMPART_DATA(main) union {
	struct request r[BATCH];
	char pages[2 * PAGE];
} batch __attribute__((aligned(PAGE)));

struct entry {
	char *key, *value;
};

static COMPART_DATA(store) struct entry *table;
static COMPART_DATA(store) size_t capacity;
static COMPART_DATA(store) char *arena, *arena_end;

/* mmap without the C library's errno (thread-local storage is main's). */
COMPART_CODE(store) static void *store_map(size_t len)
{
	register long a0 __asm__("a0") = 0;
	register long a1 __asm__("a1") = (long)len;
	register long a2 __asm__("a2") = 3;	/* PROT_READ | PROT_WRITE */
	register long a3 __asm__("a3") = 0x22; /* MAP_PRIVATE | MAP_ANONYMOUS */
	register long a4 __asm__("a4") = -1;
	register long a5 __asm__("a5") = 0;
	register long a7 __asm__("a7") = 222; /* mmap */
	__asm__ volatile("ecall"
			 : "+r"(a0)
			 : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a7)
			 : "memory");
	return a0 < 0 && a0 > -4096 ? NULL : (void *)a0;
}

COMPART_CODE(store) static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

COMPART_CODE(store) static int same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

COMPART_CODE(store) static char *keep(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	if ((size_t)(arena_end - arena) < n + 1)
		return NULL;
	char *copy = arena;
	for (size_t i = 0; i <= n; i++)
		copy[i] = s[i];
	arena += n + 1;
	return copy;
}

COMPART_CODE(store) static struct entry *slot(const char *key)
{
	size_t i = hash(key) & (capacity - 1);
	while (table[i].key && !same(table[i].key, key))
		i = (i + 1) & (capacity - 1);
	return &table[i];
}

/* Entry: a table for KEYS keys, and room for the strings of OPS operations. */
COMPART_CODE(store) long store_init(long keys, long ops)
{
	capacity = 1;
	while (capacity < 2 * (size_t)keys)
		capacity *= 2;
	size_t strings = (size_t)ops * 64 + PAGE;
	table = store_map(capacity * sizeof(*table));
	arena = store_map(strings);
	if (!table || !arena)
		return -1;
	arena_end = arena + strings;
	return 0;
}

/* Entry: the first N requests of the batch at B, in order. */
COMPART_CODE(store) long store_batch(long b, long n)
{
	struct request *r = (struct request *)b;
	for (long i = 0; i < n; i++) {
		struct entry *e = slot(r[i].key);
		if (r[i].put) {
			if (!e->key && !(e->key = keep(r[i].key)))
				return -1;
			if (!(e->value = keep(r[i].value)))
				return -1;
		} else {
			r[i].found = e->key != NULL;
			if (e->key) {
				const char *v = e->value;
				size_t k = 0;
				for (; v[k] && k < sizeof(r[i].value) - 1; k++)
					r[i].value[k] = v[k];
				r[i].value[k] = 0;
			}
		}
	}
	return n;
}
COMPARTMENT_ENTRY(store, store_init);
COMPARTMENT_ENTRY(store, store_batch);

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

int main(int argc, char **argv)
{
	long ops = argc > 1 ? strtol(argv[1], NULL, 0) : 200000;
	long keys = argc > 2 ? strtol(argv[2], NULL, 0) : 50000;
	uint32_t *last = calloc((size_t)keys, sizeof(*last)); /* the model: last value put, 0 none */
	static uint32_t expect[BATCH];
	static long expect_k[BATCH];
	if (!last || compart_grant(&batch, sizeof(batch), COMPARTMENT_ID_store,
				   COMPART_R | COMPART_W) < 0)
		return 1;
	if (COMPARTMENT_CALL(main, store, store_init, keys, ops).value != 0)
		return 1;
	long hits = 0, n = 0;
	uint64_t sum = 0;
	for (long op = 0; op < ops || n; op++) {
		if (op < ops) {
			long k = (long)(next() % (uint64_t)keys);
			struct request *r = &batch.r[n];
			snprintf(r->key, sizeof(r->key), "key:%ld", k);
			r->put = next() % 5 == 0;
			if (r->put) {
				uint32_t v = (uint32_t)next() | 1;
				snprintf(r->value, sizeof(r->value), "value:%u:%ld", v, k);
				last[k] = v;
			}
			expect[n] = last[k];
			expect_k[n++] = k;
			if (n < BATCH)
				continue;
		}
		struct compart_result res = COMPARTMENT_CALL(main, store, store_batch, (long)&batch, n);
		if (res.fault || res.value != n) {
			printf("kvsplit: the store failed (fault %ld)\n", res.fault);
			return 1;
		}
		for (long i = 0; i < n; i++) {
			struct request *r = &batch.r[i];
			if (r->put)
				continue;
			if (!r->found) {
				if (expect[i]) {
					printf("kvsplit: %s lost\n", r->key);
					return 1;
				}
				continue;
			}
			char want[40];
			snprintf(want, sizeof(want), "value:%u:%ld", expect[i], expect_k[i]);
			if (strcmp(r->value, want) != 0) {
				printf("kvsplit: WRONG value for %s\n", r->key);
				return 1;
			}
			hits++;
			sum += expect[i];
		}
		n = 0;
	}
	printf("kvsplit: %ld ops, %ld hits, checksum %llu, ok\n", ops, hits, (unsigned long long)sum);
	return 0;
}
