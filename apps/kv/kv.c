/*
 * An in-memory key-value store, a comparison workload: an open-addressing
 * hash table of string keys and values, then argv[1] operations (default
 * 200000), a deterministic mix of 80% gets and 20% puts over argv[2] keys
 * (default 50000).  Every get is checked against the value last put.
 * Prints "kv: N ops, H hits, checksum X, ok"; exits 1 on a wrong value.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	char *key, *value;
};

static struct entry *table;
static size_t capacity;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static struct entry *slot(const char *key)
{
	size_t i = hash(key) & (capacity - 1);
	while (table[i].key && strcmp(table[i].key, key) != 0)
		i = (i + 1) & (capacity - 1);
	return &table[i];
}

int main(int argc, char **argv)
{
	long ops = argc > 1 ? strtol(argv[1], NULL, 0) : 200000;
	long keys = argc > 2 ? strtol(argv[2], NULL, 0) : 50000;
	capacity = 1;
	while (capacity < 2 * (size_t)keys)
		capacity *= 2;
	table = calloc(capacity, sizeof(*table));
	uint32_t *last = calloc((size_t)keys, sizeof(*last)); /* the model: last value put, 0 none */
	if (!table || !last)
		return 1;
	long hits = 0;
	uint64_t sum = 0;
	char key[32], value[64];
	for (long op = 0; op < ops; op++) {
		long k = (long)(next() % (uint64_t)keys);
		snprintf(key, sizeof(key), "key:%ld", k);
		struct entry *e = slot(key);
		if (next() % 5 == 0) {
			uint32_t v = (uint32_t)next() | 1;
			snprintf(value, sizeof(value), "value:%u:%ld", v, k);
			free(e->value);
			if (!e->key)
				e->key = strdup(key);
			e->value = strdup(value);
			last[k] = v;
		} else if (e->key) {
			snprintf(value, sizeof(value), "value:%u:%ld", last[k], k);
			if (strcmp(e->value, value) != 0) {
				printf("kv: WRONG value for %s\n", key);
				return 1;
			}
			hits++;
			sum += last[k];
		} else if (last[k]) {
			printf("kv: %s lost\n", key);
			return 1;
		}
	}
	printf("kv: %ld ops, %ld hits, checksum %llu, ok\n", ops, hits, (unsigned long long)sum);
	return 0;
}
