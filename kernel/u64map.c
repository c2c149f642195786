#include "kernel/u64map.h"

#include "kernel/error.h"
#include "kernel/heap.h"

#define MIN_CAPACITY 64

/* Keys are random IDs or page addresses: mix them so low bits spread. */
static size_t slot_of(const struct u64map *m, uint64_t key)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdull;
	key ^= key >> 33;
	return (size_t)key & (m->capacity - 1);
}

void *u64map_get(const struct u64map *m, uint64_t key)
{
	if (m->capacity == 0 || key == 0)
		return NULL;
	for (size_t i = slot_of(m, key);; i = (i + 1) & (m->capacity - 1)) {
		if (m->slots[i].key == key)
			return m->slots[i].value;
		if (m->slots[i].key == 0)
			return NULL;
	}
}

/* Insert without growing; the caller guarantees a free slot. */
static void insert(struct u64map *m, uint64_t key, void *value)
{
	size_t i = slot_of(m, key);
	while (m->slots[i].key != 0)
		i = (i + 1) & (m->capacity - 1);
	m->slots[i] = (struct u64map_slot){ key, value };
	m->count++;
}

/* Rehash into CAPACITY slots: 0 or -ENOMEM with the map unchanged. */
static int rehash(struct u64map *m, size_t capacity)
{
	struct u64map_slot *slots = kzalloc(capacity * sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	struct u64map old = *m;
	m->slots = slots;
	m->capacity = capacity;
	m->count = 0;
	for (size_t i = 0; i < old.capacity; i++)
		if (old.slots[i].key)
			insert(m, old.slots[i].key, old.slots[i].value);
	kfree(old.slots);
	return 0;
}

static int grow(struct u64map *m)
{
	return rehash(m, m->capacity ? 2 * m->capacity : MIN_CAPACITY);
}

void u64map_trim(struct u64map *m)
{
	m->reserved = 0;
	size_t capacity = m->capacity;
	while (capacity > MIN_CAPACITY && 4 * m->count < capacity)
		capacity /= 2;
	if (capacity != m->capacity)
		rehash(m, capacity);
}

int u64map_reserve(struct u64map *m, size_t more)
{
	m->reserved = 1;
	while (2 * (m->count + more) > m->capacity) {
		int err = grow(m);
		if (err)
			return err;
	}
	return 0;
}

int u64map_put(struct u64map *m, uint64_t key, void *value)
{
	if (key == 0)
		return -EINVAL;
	/* Keep the load at most 1/2 so probe runs stay short. */
	if (2 * (m->count + 1) > m->capacity) {
		if (u64map_get(m, key))
			return -EEXIST; /* no growth for a put that changes nothing */
		int err = grow(m);
		if (err)
			return err;
	}
	/* One probe finds either the key (a duplicate) or the free slot it goes in. */
	size_t i = slot_of(m, key);
	while (m->slots[i].key != 0) {
		if (m->slots[i].key == key)
			return -EEXIST;
		i = (i + 1) & (m->capacity - 1);
	}
	m->slots[i] = (struct u64map_slot){ key, value };
	m->count++;
	return 0;
}

void *u64map_remove(struct u64map *m, uint64_t key)
{
	if (m->capacity == 0 || key == 0)
		return NULL;
	size_t mask = m->capacity - 1, i = slot_of(m, key);
	while (m->slots[i].key != key) {
		if (m->slots[i].key == 0)
			return NULL;
		i = (i + 1) & mask;
	}
	void *value = m->slots[i].value;
	/* Shift later members of the probe run back so no lookup stops early. */
	for (size_t j = (i + 1) & mask; m->slots[j].key != 0; j = (j + 1) & mask) {
		size_t home = slot_of(m, m->slots[j].key);
		int movable = (j > i) ? (home <= i || home > j) : (home <= i && home > j);
		if (movable) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	m->slots[i] = (struct u64map_slot){ 0, NULL };
	m->count--;
	/*
	 * Below a quarter full, halve: this exactly undoes the growth that the
	 * last insert caused, so an operation that fails and backs out leaves
	 * memory as it found it.  (If the smaller array cannot be had, stay.)
	 */
	if (!m->reserved && m->capacity > MIN_CAPACITY && 4 * m->count < m->capacity)
		rehash(m, m->capacity / 2);
	return value;
}

size_t u64map_bytes(const struct u64map *m)
{
	return m->capacity * sizeof(struct u64map_slot);
}

void u64map_clear(struct u64map *m)
{
	kfree(m->slots);
	*m = (struct u64map){ NULL, 0, 0, 0 };
}
