/* The epoll fuzzer's record of items and its walk of the epoll graph (tests/fuzz/epoll_fuzz_model.h). */
#include "tests/fuzz/epoll_fuzz_model.h"

#include <string.h>

#include "kernel/error.h"
#include "kernel/fd.h"
#include "kernel/file_ready.h"

struct model_item model[MODEL_ITEMS];

int model_live(const struct model_item *it)
{
	return fd_get(it->fd) && fd_opening(it->fd) == it->opening;
}

struct model_item *model_find(uint64_t ep_id, long fd)
{
	for (int i = 0; i < MODEL_ITEMS; i++)
		if (model[i].used && model[i].ep_id == ep_id && model[i].fd == fd)
			return &model[i];
	return NULL;
}

void model_drop_dead(uint64_t ep_id)
{
	for (int i = 0; i < MODEL_ITEMS; i++)
		if (model[i].used && model[i].ep_id == ep_id && !model_live(&model[i]))
			model[i].used = 0;
}

/* The epoll file with ID in the descriptor table (any descriptor of it), or NULL. */
static struct file *epoll_with_id(uint64_t id)
{
	for (long fd = 0; fd < FD_MAX; fd++) {
		struct file *f = fd_get(fd);
		if (f && f->kind == FILE_EPOLL && f->id == id)
			return f;
	}
	return NULL;
}

void model_forget_freed(void)
{
	for (int i = 0; i < MODEL_ITEMS; i++)
		if (model[i].used && !epoll_with_id(model[i].ep_id))
			model[i].used = 0;
}

struct model_item *model_add(uint64_t ep_id, long fd, uint64_t opening, uint32_t events, uint64_t data)
{
	for (int i = 0; i < MODEL_ITEMS; i++)
		if (!model[i].used) {
			model[i] = (struct model_item){ 1, ep_id, fd, opening, events, data };
			return &model[i];
		}
	return NULL;
}

int model_full(void)
{
	for (int i = 0; i < MODEL_ITEMS; i++)
		if (!model[i].used)
			return 0;
	return 1;
}

void model_reset(void)
{
	memset(model, 0, sizeof(model));
}

/*
 * The graph of epolls: every epoll file in the descriptor table is a node
 * (its descriptors below MAX_FDS, and the fuzzer keeps no other), and a
 * live item of one on another a link.
 */
struct graph {
	int n;
	uint64_t id[MAX_FDS];
	uint8_t link[MAX_FDS][MAX_FDS]; /* link[i][j]: node i watches node j */
};

static int node_of(const struct graph *g, uint64_t id)
{
	for (int i = 0; i < g->n; i++)
		if (g->id[i] == id)
			return i;
	return -1;
}

static void graph_build(struct graph *g)
{
	memset(g, 0, sizeof(*g));
	for (long fd = 0; fd < FD_MAX; fd++) {
		struct file *f = fd_get(fd);
		if (f && f->kind == FILE_EPOLL && node_of(g, f->id) < 0) {
			REQUIRE(fd < MAX_FDS && g->n < MAX_FDS);
			g->id[g->n++] = f->id;
		}
	}
	for (int i = 0; i < MODEL_ITEMS; i++) {
		if (!model[i].used || !model_live(&model[i]))
			continue;
		struct file *f = fd_get(model[i].fd);
		int from = node_of(g, model[i].ep_id), to = node_of(g, f->id);
		if (f->kind == FILE_EPOLL && from >= 0 && to >= 0)
			g->link[from][to] = 1;
	}
}

/* Whether node I reaches node TO (I == TO counts), SEEN the nodes already tried. */
static int reaches(const struct graph *g, int i, int to, uint8_t *seen)
{
	if (i == to)
		return 1;
	if (seen[i])
		return 0;
	seen[i] = 1;
	for (int j = 0; j < g->n; j++)
		if (g->link[i][j] && reaches(g, j, to, seen))
			return 1;
	return 0;
}

/* The longest chain of links from node I down (DOWN) or up to it; the graph has no loop. */
static int longest(const struct graph *g, int i, int down, int *memo)
{
	if (memo[i] >= 0)
		return memo[i];
	int deepest = 0;
	for (int j = 0; j < g->n; j++)
		if (down ? g->link[i][j] : g->link[j][i]) {
			int d = 1 + longest(g, j, down, memo);
			if (d > deepest)
				deepest = d;
		}
	return memo[i] = deepest;
}

static void memo_clear(int *memo)
{
	for (int i = 0; i < MAX_FDS; i++)
		memo[i] = -1;
}

int model_longest_chain(void)
{
	struct graph g;
	graph_build(&g);
	for (int i = 0; i < g.n; i++)
		for (int j = 0; j < g.n; j++) {
			uint8_t seen[MAX_FDS] = { 0 };
			if (g.link[i][j] && reaches(&g, j, i, seen))
				return -1; /* i -> j -> ... -> i */
		}
	int memo[MAX_FDS], chain = 0;
	memo_clear(memo);
	for (int i = 0; i < g.n; i++)
		if (longest(&g, i, 1, memo) > chain)
			chain = longest(&g, i, 1, memo);
	return chain;
}

long model_add_nesting(uint64_t self_id, uint64_t target_id)
{
	struct graph g;
	graph_build(&g);
	int self = node_of(&g, self_id), target = node_of(&g, target_id);
	REQUIRE(self >= 0 && target >= 0);
	uint8_t seen[MAX_FDS] = { 0 };
	if (reaches(&g, target, self, seen))
		return -ELOOP;
	int up[MAX_FDS], down[MAX_FDS];
	memo_clear(up);
	memo_clear(down);
	int chain = longest(&g, self, 0, up) + 1 + longest(&g, target, 1, down);
	return chain > EPOLL_MAX_NESTS ? -ELOOP : 0;
}
