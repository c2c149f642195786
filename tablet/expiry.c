/*
 * The log of mapped finite rentals: a binary min-heap on expiry.  The timer
 * tick drains what has expired, so a mapping outlives its rental by at most
 * one tick.  Entries are not removed when a rental is unmapped early: the
 * drain skips any whose tablet no longer holds that rental.
 */
#include "kernel/error.h"
#include "kernel/heap.h"
#include "tablet/internal.h"

struct logged {
	uint64_t expiry;
	paddr_t entry;
	uint64_t mac;
};

static struct logged *heap;
static size_t count, capacity;
static size_t stale; /* entries whose rental was unmapped before it expired */

void expiry_log_clear(void)
{
	kfree(heap);
	heap = NULL;
	count = capacity = stale = 0;
}

int expiry_log_reserve(void)
{
	return expiry_log_reserve_n(1);
}

int expiry_log_reserve_n(size_t n)
{
	if (count + n <= capacity)
		return 0;
	size_t grown = capacity ? 2 * capacity : 64;
	while (grown < count + n)
		grown *= 2;
	struct logged *bigger = kmalloc(grown * sizeof(*bigger));
	if (!bigger)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++)
		bigger[i] = heap[i];
	kfree(heap);
	tablet_metadata_bytes += (grown - capacity) * sizeof(*bigger);
	heap = bigger;
	capacity = grown;
	return 0;
}

static void swap(size_t a, size_t b)
{
	struct logged t = heap[a];
	heap[a] = heap[b];
	heap[b] = t;
}

int expiry_log_add(const struct rental *r)
{
	int err = expiry_log_reserve();
	if (err)
		return err;
	size_t i = count++;
	heap[i] = (struct logged){ r->expiry, r->frame + r->index * sizeof(pte_t), r->mac };
	while (i && heap[(i - 1) / 2].expiry > heap[i].expiry) {
		swap(i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	return 0;
}

static void sift_down(size_t i);

static struct logged pop(void)
{
	struct logged top = heap[0];
	heap[0] = heap[--count];
	sift_down(0);
	return top;
}

/* Whether logged entry E still names a placed tablet with that very rental. */
static int live(const struct logged *e)
{
	struct tablet *t = tablet_in_entry(e->entry);
	return t && t->placed && t->rental.mac == e->mac;
}

static void sift_down(size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < count && heap[l].expiry < heap[m].expiry)
			m = l;
		if (r < count && heap[r].expiry < heap[m].expiry)
			m = r;
		if (m == i)
			return;
		swap(i, m);
		i = m;
	}
}

void expiry_log_forget(void)
{
	/*
	 * A finite rental unmapped early leaves its entry behind until it
	 * would have expired.  Once such entries outnumber the live ones,
	 * drop them all, so that map/unmap loops cannot grow the log.
	 */
	if (++stale <= count / 2 + 32)
		return;
	size_t kept = 0;
	for (size_t i = 0; i < count; i++)
		if (live(&heap[i]))
			heap[kept++] = heap[i];
	count = kept;
	for (size_t i = count / 2; i-- > 0;)
		sift_down(i);
	stale = 0;
}

void tablet_expire(uint64_t now)
{
	while (count && heap[0].expiry <= now) {
		struct logged e = pop();
		/* Still placed with the very rental that expired: take it out. */
		if (live(&e)) {
			tablet_evict(tablet_in_entry(e.entry));
			tstats.expired++;
		} else if (stale) {
			stale--;
		}
	}
}
