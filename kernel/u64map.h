/*
 * A hash map from non-zero 64-bit keys to pointers, open addressing with
 * linear probing and backward-shift deletion (no tombstones), so lookups
 * stay expected O(1) however many removals happen.  The tablet registry
 * keeps three: handler ID -> tablet, page-table frame -> tablet, and entry
 * address -> the tablet mapped there.
 */
#ifndef KERNEL_U64MAP_H
#define KERNEL_U64MAP_H

#include <stddef.h>
#include <stdint.h>

struct u64map_slot {
	uint64_t key; /* 0: empty */
	void *value;
};

struct u64map {
	struct u64map_slot *slots;
	size_t capacity; /* a power of two, or 0 before the first insert */
	size_t count;
	int reserved; /* a reservation is open: do not shrink until u64map_trim */
};

/* The value stored under KEY, or NULL. */
void *u64map_get(const struct u64map *m, uint64_t key);
/* Store VALUE under KEY (non-zero, not present): 0, -EINVAL, -EEXIST or -ENOMEM (map unchanged). */
int u64map_put(struct u64map *m, uint64_t key, void *value);
/* Grow now so that MORE further puts cannot fail for lack of room: 0 or -ENOMEM. */
int u64map_reserve(struct u64map *m, size_t more);
/* End a reservation and give back room it did not use (the capacity a map of this size has). */
void u64map_trim(struct u64map *m);
/* Remove KEY: its value, or NULL when absent. */
void *u64map_remove(struct u64map *m, uint64_t key);
/* Bytes of memory the map holds. */
size_t u64map_bytes(const struct u64map *m);
/* Forget everything and free the slots (host tests start over with it). */
void u64map_clear(struct u64map *m);

#endif
