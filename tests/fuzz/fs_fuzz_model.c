/* The file-system fuzzer's model and invariants (tests/fuzz/fs_fuzz_model.h). */
#include "tests/fuzz/fs_fuzz_model.h"

#include <stdlib.h>
#include <string.h>

#include "kernel/error.h"
#include "kernel/fd.h"
#include "tests/host/fs_host.h"

#define PAGE 4096ull

static struct fuzz_model *models;
static size_t nmodels, models_cap;

/* Grow the array *P of *CAP elements of SIZE bytes to hold one more than N. */
static void *room(void *p, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 16;
	p = realloc(p, *cap * size);
	if (!p)
		fuzz_fail("out of host memory");
	return p;
}

/* The nodes in existence as the fuzzer can see them, sorted for lookups, with the holds each should have. */
static struct seen {
	const struct fs_node *n;
	uint64_t holds;
} *seen;
static size_t nseen, seen_cap;

struct fuzz_model *model_new(const struct fs_node *n)
{
	models = room(models, nmodels, &models_cap, sizeof(*models));
	models[nmodels] = (struct fuzz_model){ .ino = n->ino };
	return &models[nmodels++];
}

struct fuzz_model *model_of(const struct fs_node *n)
{
	for (size_t i = 0; i < nmodels; i++)
		if (models[i].ino == n->ino)
			return &models[i];
	REQUIRE(n->size == 0); /* a file not seen before was never written */
	return model_new(n);
}

static uint8_t *page_of(const struct fuzz_model *m, uint64_t idx)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->pages[i].idx == idx)
			return m->pages[i].bytes;
	return NULL;
}

void model_write(struct fuzz_model *m, uint64_t off, const uint8_t *buf, size_t len)
{
	for (size_t done = 0; done < len;) {
		uint64_t at = off + done, idx = at / PAGE;
		size_t in = (size_t)(at % PAGE), chunk = len - done < PAGE - in ? len - done : PAGE - in;
		uint8_t *p = page_of(m, idx);
		if (!p) {
			m->pages = room(m->pages, m->n, &m->cap, sizeof(*m->pages));
			p = calloc(1, PAGE);
			if (!p)
				fuzz_fail("out of host memory");
			m->pages[m->n++] = (struct fuzz_page){ idx, p };
		}
		memcpy(p + in, buf + done, chunk);
		done += chunk;
	}
	if (len && off + len > m->size)
		m->size = off + len;
}

void model_read(const struct fuzz_model *m, uint64_t off, uint8_t *buf, size_t len)
{
	for (size_t done = 0; done < len;) {
		uint64_t at = off + done;
		size_t in = (size_t)(at % PAGE), chunk = len - done < PAGE - in ? len - done : PAGE - in;
		const uint8_t *p = page_of(m, at / PAGE);
		if (p)
			memcpy(buf + done, p + in, chunk);
		else
			memset(buf + done, 0, chunk);
		done += chunk;
	}
}

void model_truncate(struct fuzz_model *m, uint64_t size)
{
	uint64_t keep = size / PAGE + (size % PAGE != 0);
	for (size_t i = 0; i < m->n;) {
		if (m->pages[i].idx >= keep) {
			free(m->pages[i].bytes);
			m->pages[i] = m->pages[--m->n];
			continue;
		}
		if (m->pages[i].idx == size / PAGE)
			memset(m->pages[i].bytes + size % PAGE, 0, PAGE - size % PAGE);
		i++;
	}
	m->size = size;
}

void model_check_seek(const struct fuzz_model *m, int64_t off, int hole, int64_t pos)
{
	if (off < 0 || (uint64_t)off >= m->size) {
		REQUIRE(pos == -ENXIO);
		return;
	}
	uint64_t idx = (uint64_t)off / PAGE, last = (m->size - 1) / PAGE;
	if (hole) {
		while (page_of(m, idx))
			idx++;
		uint64_t at = idx * PAGE < (uint64_t)off ? (uint64_t)off : idx * PAGE;
		REQUIRE(pos == (int64_t)(at < m->size ? at : m->size));
		return;
	}
	uint64_t first = UINT64_MAX; /* the first page with bytes at IDX or after */
	for (size_t i = 0; i < m->n; i++)
		if (m->pages[i].idx >= idx && m->pages[i].idx < first)
			first = m->pages[i].idx;
	if (first > last)
		REQUIRE(pos == -ENXIO);
	else
		REQUIRE(pos == (int64_t)(first * PAGE < (uint64_t)off ? (uint64_t)off : first * PAGE));
}

void model_reset(void)
{
	for (size_t i = 0; i < nmodels; i++) {
		for (size_t j = 0; j < models[i].n; j++)
			free(models[i].pages[j].bytes);
		free(models[i].pages);
	}
	free(models);
	models = NULL;
	nmodels = models_cap = 0;
	free(seen);
	seen = NULL;
	nseen = seen_cap = 0;
}

/* N's size, blocks and every byte that should be there (and the first of each hole after). */
static void check_file(const struct fs_node *n)
{
	static uint8_t got[PAGE];
	const struct fuzz_model *m = model_of(n);
	REQUIRE(n->size == m->size);
	REQUIRE(fs_blocks(n) == m->n * (PAGE / 512));
	for (size_t i = 0; i < m->n; i++) {
		uint64_t at = m->pages[i].idx * PAGE;
		size_t len = m->size - at < PAGE ? (size_t)(m->size - at) : PAGE;
		REQUIRE(fs_read((struct fs_node *)n, at, got, len) == (long)len);
		REQUIRE(memcmp(got, m->pages[i].bytes, len) == 0);
		if (at + PAGE < m->size && !page_of(m, m->pages[i].idx + 1))
			REQUIRE(fs_read((struct fs_node *)n, at + PAGE, got, 1) == 1 && got[0] == 0);
	}
}

static void see(const struct fs_node *n)
{
	seen = room(seen, nseen, &seen_cap, sizeof(*seen));
	seen[nseen++] = (struct seen){ n, 0 };
}

static int by_node(const void *a, const void *b)
{
	const struct fs_node *x = ((const struct seen *)a)->n, *y = ((const struct seen *)b)->n;
	return x < y ? -1 : x > y;
}

static struct seen *find(const struct fs_node *n)
{
	struct seen key = { n, 0 };
	return bsearch(&key, seen, nseen, sizeof(*seen), by_node);
}

uint64_t fuzz_count_tree(void)
{
	uint64_t count = 0;
	for (struct fs_node *n = fs_root(); n; n = fs_walk_next(n))
		count++;
	return count;
}

/* The tree, then what is held outside it: removed nodes and the removed directories above them. */
static void see_all(struct fs_node *cwd, long nfds)
{
	struct fs_node *n;
	nseen = 0;
	for (n = fs_root(); n; n = fs_walk_next(n))
		see(n);
	for (long fd = -1; fd < nfds; fd++) {
		struct file *f = fd < 0 ? NULL : fd_get(fd);
		for (n = fd < 0 ? cwd : f ? f->node : NULL; n && n->nlink == 0; n = n->parent) {
			int known = 0;
			for (size_t i = 0; i < nseen && !known; i++)
				known = seen[i].n == n;
			if (known)
				break;
			see(n);
		}
	}
	qsort(seen, nseen, sizeof(*seen), by_node);
}

/* Each node's holds: its children (entries or removed), the working directory, open descriptions. */
static void count_holds(struct fs_node *cwd, long nfds)
{
	for (size_t i = 0; i < nseen; i++)
		if (seen[i].n != fs_root())
			find(seen[i].n->parent)->holds++;
	find(cwd)->holds++;
	for (long fd = 0; fd < nfds; fd++) {
		struct file *f = fd_get(fd);
		int first = f && f->node;
		for (long other = 0; other < fd && first; other++)
			first = fd_get(other) != f; /* a description dup'ed holds once */
		if (first)
			find(f->node)->holds++;
	}
}

void fuzz_check(struct fs_node *cwd, long nfds, const struct fs_node *file, int all)
{
	REQUIRE(fs_check() == 0);
	see_all(cwd, nfds);
	REQUIRE(nseen == fs_node_count());
	count_holds(cwd, nfds);
	uint64_t charged = 0;
	for (size_t i = 0; i < nseen; i++) {
		const struct fs_node *n = seen[i].n;
		REQUIRE(n->refs == seen[i].holds);
		if (fs_is_reg(n))
			charged += (n->data.pages + n->data.index) * PAGE;
		if (fs_is_reg(n) && all)
			check_file(n);
	}
	REQUIRE(charged == fs_host_committed());
	if (file && !all)
		check_file(file);
}
