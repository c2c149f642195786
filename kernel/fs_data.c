/*
 * Regular files' contents (kernel/fs.h): a radix tree of 4 KiB pages, so a
 * file costs what was written, not its size.  An index block is one page of
 * 512 pointers; a tree of HEIGHT levels covers pages [0, 512^HEIGHT), and
 * grows a level at the top when a write lands beyond it.  A missing page is
 * a hole and reads as zeros, unless the image still provides it.
 *
 * Pages and index blocks come from the kernel heap: kmalloc(4096) is one
 * frame of its own (sizes above HEAP_MAX_SMALL get whole blocks), so a page
 * costs exactly a frame; kfree refuses what the heap did not hand out; and
 * host tests and the fuzzer replace kmalloc by malloc, so ASan watches every
 * page.  Each block is charged to the commit limit while it is held.
 *
 * Files from the image read their bytes in place (IMG, IMG_LEN) until a
 * write to a page copies that page alone; truncation shortens IMG_LEN.
 * Bytes of a held page beyond the size are always zero, so growing a file
 * shows zeros there.
 */
#include <string.h>

#include "kernel/console.h"
#include "kernel/error.h"
#include "kernel/fs_impl.h"
#include "kernel/heap.h"
#include "kernel/memory.h"
#include "kernel/panic.h"
#include "kernel/random.h"
#include "vmm/vmm.h"

#define SLOT_BITS 9
#define SLOTS (1u << SLOT_BITS)
#define MAX_HEIGHT 6 /* 54 bits of page index: FS_SIZE_MAX needs 51 */
#define NONE UINT64_MAX

_Static_assert(SLOTS * sizeof(void *) == PAGE_SIZE, "an index block is one page");
_Static_assert(SLOT_BITS * MAX_HEIGHT + PAGE_SHIFT >= 63, "the tree covers FS_SIZE_MAX");

/* A block (page or index) charged to the commit limit: NULL past it or out of memory. */
static void *block_alloc(void)
{
	if (vmm_commit_charge(PAGE_SIZE) != 0)
		return NULL;
	void *b = kmalloc(PAGE_SIZE);
	if (!b)
		vmm_commit_release(PAGE_SIZE);
	return b;
}

static void block_free(void *b)
{
	kfree(b);
	vmm_commit_release(PAGE_SIZE);
}

/* Pages that hold any of the first BYTES bytes (BYTES <= FS_SIZE_MAX). */
static uint64_t pages_of(uint64_t bytes)
{
	return (bytes + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

/* Bytes of the image that file D still reads at AT, at most MAX. */
static size_t image_bytes(const struct fs_data *d, uint64_t at, size_t max)
{
	if (at >= d->img_len)
		return 0;
	return d->img_len - at < max ? (size_t)(d->img_len - at) : max;
}

/* The slot of page IDX in an index block LEVEL levels above the pages. */
static unsigned slot_of(uint64_t idx, unsigned level)
{
	return (unsigned)(idx >> (SLOT_BITS * (level - 1))) & (SLOTS - 1);
}

/* The least height of a tree that covers page IDX. */
static unsigned height_for(uint64_t idx)
{
	unsigned h = 0;
	while (idx >> (SLOT_BITS * h))
		h++;
	return h;
}

static char *page_find(const struct fs_data *d, uint64_t idx)
{
	if (!d->top || idx >> (SLOT_BITS * d->height))
		return NULL;
	void *b = d->top;
	for (unsigned l = d->height; l > 0 && b; l--)
		b = ((void **)b)[slot_of(idx, l)];
	return b;
}

/*
 * The blocks holding page IDX takes: the page, the index blocks missing on
 * its path and, when the tree must grow to cover IDX, the new top levels
 * (the one on IDX's path, and those linking the old top in below it).
 */
static unsigned blocks_missing(const struct fs_data *d, uint64_t idx)
{
	unsigned h = height_for(idx);
	if (!d->top)
		return h + 1;
	if (h > d->height)
		return 2 * h - d->height;
	void *b = d->top;
	for (unsigned l = d->height; l > 0; l--) {
		b = ((void **)b)[slot_of(idx, l)];
		if (!b)
			return l; /* l - 1 index blocks and the page */
	}
	return 0;
}

/* An index block from SPARE (*N of them), emptied. */
static void **take(void **spare, unsigned *n)
{
	if (*n == 0)
		panic("fs: page tree needs more blocks than counted");
	void **b = spare[--*n];
	memset(b, 0, PAGE_SIZE);
	return b;
}

/* Link PAGE in as page IDX, growing the tree with index blocks from SPARE (exactly N). */
static void insert(struct fs_data *d, uint64_t idx, void *page, void **spare, unsigned n)
{
	unsigned h = height_for(idx);
	if (!d->top)
		d->height = h;
	while (d->height < h) {
		void **t = take(spare, &n);
		t[0] = d->top;
		d->top = t;
		d->height++;
	}
	void **slot = &d->top;
	for (unsigned l = d->height; l > 0; l--) {
		if (!*slot)
			*slot = take(spare, &n);
		slot = &((void **)*slot)[slot_of(idx, l)];
	}
	*slot = page;
	if (n)
		panic("fs: page tree took fewer blocks than counted");
}

/*
 * Page IDX of N, held from now on (the image's bytes copied in, else zeros):
 * 0 and *OUT, or -ENOMEM with nothing changed (every block is taken first).
 */
static int page_get(struct fs_node *n, uint64_t idx, char **out)
{
	struct fs_data *d = &n->data;
	char *page = page_find(d, idx);
	if (page) {
		*out = page;
		return 0;
	}
	void *spare[2 * MAX_HEIGHT + 1];
	unsigned need = blocks_missing(d, idx), got;
	for (got = 0; got < need; got++) {
		spare[got] = block_alloc();
		if (!spare[got]) {
			while (got)
				block_free(spare[--got]);
			return -ENOMEM;
		}
	}
	page = spare[--got];
	uint64_t at = idx << PAGE_SHIFT;
	size_t from_img = image_bytes(d, at, PAGE_SIZE);
	if (from_img)
		memcpy(page, d->img + at, from_img);
	memset(page + from_img, 0, PAGE_SIZE - from_img);
	insert(d, idx, page, spare, got);
	d->pages++;
	d->index += got;
	if (idx < pages_of(d->img_len))
		d->img_shadowed++;
	*out = page;
	return 0;
}

/* Free the subtree B, LEVEL levels above its pages. */
static void free_subtree(struct fs_data *d, void *b, unsigned level)
{
	if (level == 0) {
		block_free(b);
		d->pages--;
		return;
	}
	for (unsigned i = 0; i < SLOTS; i++)
		if (((void **)b)[i])
			free_subtree(d, ((void **)b)[i], level - 1);
	block_free(b);
	d->index--;
}

/*
 * Free every page from index FIRST on under B (LEVEL levels above its
 * pages, the first of which is BASE): whether B went with them.
 */
static int prune(struct fs_data *d, void *b, unsigned level, uint64_t base, uint64_t first)
{
	if (base >= first) {
		free_subtree(d, b, level);
		return 1;
	}
	if (level == 0 || base + (1ull << (SLOT_BITS * level)) <= first)
		return 0;
	uint64_t span = 1ull << (SLOT_BITS * (level - 1));
	void **s = b;
	int empty = 1;
	for (unsigned i = 0; i < SLOTS; i++) {
		if (s[i] && prune(d, s[i], level - 1, base + i * span, first))
			s[i] = NULL;
		empty &= s[i] == NULL;
	}
	if (empty) {
		block_free(b);
		d->index--;
	}
	return empty;
}

/* Drop top levels that only lead to their first slot (kept minimal after a cut). */
static void collapse(struct fs_data *d)
{
	while (d->top && d->height > 0) {
		void **t = d->top;
		for (unsigned i = 1; i < SLOTS; i++)
			if (t[i])
				return;
		d->top = t[0];
		d->height--;
		block_free(t);
		d->index--;
	}
}

void fs_data_use_image(struct fs_node *n, const char *img, uint64_t len)
{
	n->data.img = img;
	n->data.img_len = len;
	n->size = len;
}

void fs_data_free(struct fs_node *n)
{
	struct fs_data *d = &n->data;
	if (d->top)
		free_subtree(d, d->top, d->height);
	*d = (struct fs_data){ 0 };
}

/* LEN bytes at AT (within one page) of D into BUF: the page held, else the image's, else zeros. */
static void read_piece(const struct fs_data *d, uint64_t at, char *buf, size_t len)
{
	const char *page = page_find(d, at >> PAGE_SHIFT);
	if (page) {
		memcpy(buf, page + (at & (PAGE_SIZE - 1)), len);
		return;
	}
	size_t from_img = image_bytes(d, at, len);
	if (from_img)
		memcpy(buf, d->img + at, from_img);
	memset(buf + from_img, 0, len - from_img);
}

/* /dev/null, /dev/zero, /dev/urandom and the console, which has no input. */
static long dev_read(const struct fs_node *n, void *buf, size_t len)
{
	switch (n->dev) {
	case FS_DEV_ZERO:
		memset(buf, 0, len);
		return (long)len;
	case FS_DEV_URANDOM:
		random_bytes(buf, len);
		return (long)len;
	default:
		return 0;
	}
}

long fs_read(struct fs_node *n, uint64_t off, void *buf, size_t len)
{
	if (fs_is_dir(n))
		return -EISDIR;
	if ((n->mode & S_IFMT) == S_IFCHR)
		return dev_read(n, buf, len);
	if (!fs_is_reg(n))
		return -EINVAL;
	if (off >= n->size)
		return 0;
	if (len > n->size - off)
		len = (size_t)(n->size - off);
	for (size_t done = 0; done < len;) {
		uint64_t at = off + done;
		size_t in = (size_t)(at & (PAGE_SIZE - 1));
		size_t chunk = len - done < PAGE_SIZE - in ? len - done : PAGE_SIZE - in;
		read_piece(&n->data, at, (char *)buf + done, chunk);
		done += chunk;
	}
	n->atime = fs_now();
	return (long)len;
}

/* Linux's generic_write_check_limits: -EFBIG at the largest size, a write past it cut short. */
long fs_write(struct fs_node *n, uint64_t off, const void *buf, size_t len)
{
	if (fs_is_dir(n))
		return -EISDIR;
	if ((n->mode & S_IFMT) == S_IFCHR) {
		if (n->dev == FS_DEV_CONSOLE)
			console_write(buf, len);
		return (long)len;
	}
	if (!fs_is_reg(n))
		return -EINVAL;
	if (len == 0)
		return 0;
	if (off >= FS_SIZE_MAX)
		return -EFBIG;
	if (len > FS_SIZE_MAX - off)
		len = (size_t)(FS_SIZE_MAX - off);
	size_t done = 0;
	int err = 0;
	while (done < len) {
		uint64_t at = off + done;
		size_t in = (size_t)(at & (PAGE_SIZE - 1));
		size_t chunk = len - done < PAGE_SIZE - in ? len - done : PAGE_SIZE - in;
		char *page;
		err = page_get(n, at >> PAGE_SHIFT, &page);
		if (err)
			break;
		memcpy(page + in, (const char *)buf + done, chunk);
		done += chunk;
	}
	if (done == 0)
		return err;
	if (off + done > n->size)
		n->size = off + done;
	fs_touch(n, 1);
	return (long)done;
}

int fs_truncate(struct fs_node *n, uint64_t size)
{
	if (fs_is_dir(n))
		return -EISDIR;
	if (!fs_is_reg(n))
		return -EINVAL;
	if (size > FS_SIZE_MAX)
		return -EFBIG;
	struct fs_data *d = &n->data;
	if (size < n->size) {
		if (d->top && prune(d, d->top, d->height, 0, pages_of(size))) {
			d->top = NULL;
			d->height = 0;
		}
		collapse(d);
		size_t tail = (size_t)(size & (PAGE_SIZE - 1));
		char *last = tail ? page_find(d, size >> PAGE_SHIFT) : NULL;
		if (last)
			memset(last + tail, 0, PAGE_SIZE - tail);
		if (size < d->img_len) {
			d->img_len = size;
			d->img_shadowed = d->pages; /* every page left is below the image's end */
		}
	}
	n->size = size;
	fs_touch(n, 1);
	return 0;
}

/* The first page at index FROM or above held under B (LEVEL, first page BASE), or NONE. */
static uint64_t next_held(void *b, unsigned level, uint64_t base, uint64_t from)
{
	if (level == 0)
		return base;
	uint64_t span = 1ull << (SLOT_BITS * (level - 1));
	for (unsigned i = from > base ? (unsigned)((from - base) / span) : 0; i < SLOTS; i++) {
		void *c = ((void **)b)[i];
		uint64_t r = c ? next_held(c, level - 1, base + i * span, from) : NONE;
		if (r != NONE)
			return r;
	}
	return NONE;
}

/* The first page at index IDX or above with bytes (held, or the image's), or NONE. */
static uint64_t next_data(const struct fs_data *d, uint64_t idx)
{
	if (idx < pages_of(d->img_len))
		return idx;
	if (!d->top || idx >> (SLOT_BITS * d->height))
		return NONE;
	return next_held(d->top, d->height, 0, idx);
}

int64_t fs_seek_data(struct fs_node *n, uint64_t off, int hole)
{
	if (off >= n->size)
		return -ENXIO;
	uint64_t idx = off >> PAGE_SHIFT;
	if (hole) {
		while (next_data(&n->data, idx) == idx)
			idx++;
	} else {
		idx = next_data(&n->data, idx);
		if (idx == NONE || idx >= pages_of(n->size))
			return -ENXIO;
	}
	uint64_t at = idx << PAGE_SHIFT;
	at = at < off ? off : at > n->size ? n->size : at;
	return (int64_t)at;
}

uint64_t fs_blocks(const struct fs_node *n)
{
	if (!fs_is_reg(n))
		return 0;
	const struct fs_data *d = &n->data;
	return (d->pages + pages_of(d->img_len) - d->img_shadowed) * (PAGE_SIZE / 512);
}

struct tally {
	uint64_t pages, index, shadowed, img_pages, last; /* LAST: the highest page held */
};

/* Count B's blocks (LEVEL, first page BASE) into T: -EINVAL when an index block is empty. */
static int tally_subtree(const void *b, unsigned level, uint64_t base, struct tally *t)
{
	if (level == 0) {
		t->pages++;
		t->shadowed += base < t->img_pages;
		t->last = base;
		return 0;
	}
	uint64_t span = 1ull << (SLOT_BITS * (level - 1));
	int any = 0;
	t->index++;
	for (unsigned i = 0; i < SLOTS; i++) {
		const void *c = ((void *const *)b)[i];
		if (c && tally_subtree(c, level - 1, base + i * span, t))
			return -EINVAL;
		any |= c != NULL;
	}
	return any ? 0 : -EINVAL;
}

int fs_data_check(const struct fs_node *n)
{
	const struct fs_data *d = &n->data;
	struct tally t = { 0, 0, 0, pages_of(d->img_len), 0 };
	if (n->size > FS_SIZE_MAX || d->img_len > n->size)
		return fs_bad(n, "size past the largest, or image bytes past the size");
	if (d->top && (tally_subtree(d->top, d->height, 0, &t) || height_for(t.last) != d->height))
		return fs_bad(n, "an empty index block, or a tree higher than it needs");
	if (t.pages != d->pages || t.index != d->index || t.shadowed != d->img_shadowed)
		return fs_bad(n, "page, index or shadow counts wrong");
	if (d->top && t.last >= pages_of(n->size))
		return fs_bad(n, "a page held past the end");
	const char *last = page_find(d, n->size >> PAGE_SHIFT);
	for (size_t i = n->size & (PAGE_SIZE - 1); last && i < PAGE_SIZE; i++)
		if (last[i])
			return fs_bad(n, "bytes past the end are not zero");
	return 0;
}
