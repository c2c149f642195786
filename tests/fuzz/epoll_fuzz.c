/*
 * libFuzzer: epoll instances, pipes and eventfds (kernel/epoll.c,
 * kernel/eventfd.c, kernel/pipe.c, kernel/file_ready.c, kernel/fd.c) under
 * a random sequence of what a hostile program can do through the system
 * calls: create epolls, pipes, eventfds and regular files; close, dup and
 * dup2 descriptors (a closed number reused for the same file, or another);
 * epoll_ctl ADD, MOD, DEL and bad ops between any two descriptors, epolls
 * into epolls included, with any events; write and read pipes and
 * eventfds (0, 1, huge and forbidden values); epoll_wait (look, then
 * consume or a failed copy); console input typed; the allocator made to
 * fail.  The kernel heap is malloc (tests/host/fs_host.c): ASan sees every
 * use after free, LeakSanitizer every leak after each input.
 *
 * The fuzzer keeps its own record of the items (tests/fuzz/epoll_fuzz_model.h)
 * and after every operation checks, aborting on a violation:
 *  - epoll_ctl answered what the record says it must: -EEXIST, -ENOENT,
 *    -EPERM, -EINVAL, and -ELOOP exactly when the item would close a loop
 *    or make a chain longer than EPOLL_MAX_NESTS (else 0; -ENOMEM only
 *    while the allocator fails);
 *  - the live items between epolls, walked through the descriptor table,
 *    make no loop and no chain longer than EPOLL_MAX_NESTS;
 *  - file_poll, file_changed_at and file_watches_console of every descriptor
 *    return (libFuzzer's -timeout catches one that does not);
 *  - every event epoll_look reports carries the data of a live item of
 *    that epoll, once, with exactly the events its file is ready for
 *    among those asked (and POLLERR, POLLHUP); and every level-triggered
 *    live item that is ready is reported when the batch has room.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/epoll.h"
#include "kernel/error.h"
#include "kernel/fd.h"
#include "kernel/file_ready.h"
#include "kernel/fs.h"
#include "tests/fuzz/epoll_fuzz_model.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/host/fs_host.h"
#include "tests/host/wait_host.h"

#define PASSES 3

static struct fs_node *root;
static uint64_t serial;  /* the data of the last item added or modified: each is new */
static int allocs_fail;  /* the allocator is failing: -ENOMEM is a right answer */
static uint64_t ops, ctls, loops_refused, looks, events_seen;

void fuzz_fail(const char *what)
{
	fprintf(stderr, "epoll_fuzz: %s\n", what);
	abort();
}

static void print_counts(void)
{
	printf("epoll_fuzz: %llu ctl (%llu -ELOOP), %llu looks, %llu events, %llu operations\n",
	       (unsigned long long)ctls, (unsigned long long)loops_refused, (unsigned long long)looks,
	       (unsigned long long)events_seen, (unsigned long long)ops);
}

/* One of the open descriptors (most operations want one), or any number when the byte's top bit is set. */
static long pick_open(struct input *in, int epolls_only)
{
	uint8_t b = next8(in);
	long open[MAX_FDS], n = 0;
	for (long fd = 0; fd < MAX_FDS; fd++)
		if (fd_get(fd) && (!epolls_only || fd_get(fd)->kind == FILE_EPOLL))
			open[n++] = fd;
	return (b & 0x80) || !n ? b % MAX_FDS : open[b % n];
}

static long pick_fd(struct input *in)
{
	return pick_open(in, 0);
}

/* An epoll's descriptor mostly, as pick_fd. */
static long pick_epoll(struct input *in)
{
	return pick_open(in, 1);
}

/* F at the lowest free descriptor; closed again when that is beyond MAX_FDS (the fuzzer keeps none there). */
static void install(struct file *f)
{
	if (!f)
		return;
	long fd = fd_install(f, 0, 0);
	file_put(f);
	if (fd >= MAX_FDS)
		fd_close(fd);
}

static void op_new(struct input *in)
{
	uint8_t what = next8(in);
	switch (what % 4) {
	case 0:
		install(file_epoll(0));
		break;
	case 1: {
		struct file *r, *w;
		if (file_pipe(0, &r, &w) == 0) {
			install(r);
			install(w);
		}
		break;
	}
	case 2: {
		static const uint64_t initial[] = { 0, 1, 7, UINT64_MAX - 2 };
		install(file_eventfd(initial[(what >> 2) % 4], (what >> 4) & 1, 0));
		break;
	}
	default: { /* a regular file: epoll_ctl must refuse it (-EPERM) */
		struct fs_node *n;
		if (fs_open(root, "/tmp/f", O_CREAT | O_RDWR, 0644, &n) == 0) {
			struct file *f = file_new(n, O_RDWR);
			if (!f)
				fs_release(n);
			install(f);
		}
		break;
	}
	}
}

/* The events an item asks for, from one byte: any mix of the bits that matter. */
static uint32_t events_of(uint8_t b)
{
	static const uint32_t bits[8] = { POLLIN, POLLOUT, POLLRDNORM, POLLPRI,
					  EPOLLET, EPOLLONESHOT, EPOLLEXCLUSIVE, POLLHUP };
	uint32_t events = 0;
	for (int i = 0; i < 8; i++)
		if (b & (1u << i))
			events |= bits[i];
	return events;
}

/* What epoll_ctl must answer, by the record; the record's dead items of SELF dropped where the kernel drops them. */
static long ctl_expected(struct file *self, int op, long fd, struct file *target, uint32_t events)
{
	if (!file_can_wait(target))
		return -EPERM;
	if (target == self)
		return -EINVAL;
	/* Linux: EPOLLEXCLUSIVE only with ADD, not on an epoll, only with these events. */
	const uint32_t exclusive_ok = POLLIN | POLLOUT | POLLERR | POLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE;
	if ((events & EPOLLEXCLUSIVE) &&
	    (op == EPOLL_CTL_MOD ||
	     (op == EPOLL_CTL_ADD && (target->kind == FILE_EPOLL || (events & ~exclusive_ok)))))
		return -EINVAL;
	model_drop_dead(self->id);
	struct model_item *it = model_find(self->id, fd);
	switch (op) {
	case EPOLL_CTL_DEL:
		return it ? 0 : -ENOENT;
	case EPOLL_CTL_MOD:
		return !it ? -ENOENT : (it->events & EPOLLEXCLUSIVE) ? -EINVAL : 0;
	case EPOLL_CTL_ADD:
		if (it)
			return -EEXIST;
		return target->kind == FILE_EPOLL ? model_add_nesting(self->id, target->id) : 0;
	default:
		return -EINVAL;
	}
}

static void op_ctl(struct input *in)
{
	static const int ops_of[4] = { EPOLL_CTL_ADD, EPOLL_CTL_MOD, EPOLL_CTL_DEL, 0 };
	uint8_t b = next8(in);
	struct file *self = fd_get(pick_epoll(in));
	long fd = pick_fd(in);
	struct file *target = fd_get(fd);
	uint32_t events = events_of(next8(in));
	int op = ops_of[b % 4];
	if (!self || !target || self->kind != FILE_EPOLL)
		return; /* sys_epoll_ctl's -EBADF and -EINVAL, before epoll_ctl */
	if (op == EPOLL_CTL_ADD && model_full())
		return; /* no room to record the item */
	long expected = ctl_expected(self, op, fd, target, events);
	uint64_t data = ++serial;
	long got = epoll_ctl(self->epoll, self, op, fd, target, events, data);
	ctls++;
	if (got == -ELOOP)
		loops_refused++;
	if (got != expected && !(expected == 0 && got == -ENOMEM && allocs_fail && op == EPOLL_CTL_ADD)) {
		fprintf(stderr, "epoll_fuzz: ctl op %d fd %ld events %#x: %ld, expected %ld\n", op, fd, events,
			got, expected);
		fuzz_fail("epoll_ctl's answer");
	}
	if (got)
		return;
	struct model_item *it = model_find(self->id, fd);
	if (op == EPOLL_CTL_ADD)
		model_add(self->id, fd, fd_opening(fd), events, data);
	else if (op == EPOLL_CTL_DEL)
		it->used = 0;
	else {
		it->events = events;
		it->data = data;
	}
}

static void op_io(struct input *in, int writing)
{
	static char buf[PIPE_SIZE + 8];
	struct file *f = fd_get(pick_fd(in));
	uint8_t b = next8(in);
	if (!f || (f->kind == FILE_NODE && f->node->dev == FS_DEV_CONSOLE && writing))
		return; /* (console output would only print) */
	size_t n = b & 0x80 ? sizeof(buf) : b;
	if (f->kind == FILE_EVENTFD && writing) {
		static const uint64_t values[] = { 0, 1, 3, UINT64_MAX - 1, UINT64_MAX, UINT64_MAX / 2 };
		uint64_t v = values[b % 6];
		memcpy(buf, &v, sizeof(v));
		n = b & 0x40 ? 4 : 8; /* too short: -EINVAL */
	}
	if (writing)
		file_write(f, buf, n, -1);
	else
		file_read(f, buf, n, -1);
}

/* The record's live item of EP_ID with DATA, or NULL. */
static struct model_item *item_with_data(uint64_t ep_id, uint64_t data)
{
	for (int i = 0; i < MODEL_ITEMS; i++)
		if (model[i].used && model[i].ep_id == ep_id && model[i].data == data)
			return &model[i];
	return NULL;
}

static void op_look(struct input *in)
{
	static struct epoll_batch batch;
	struct file *self = fd_get(pick_epoll(in));
	uint8_t b = next8(in);
	if (!self || self->kind != FILE_EPOLL)
		return;
	int max = b & 0x40 ? EPOLL_BATCH : 1 + b % 8;
	int n = epoll_look(self->epoll, &batch, max);
	model_drop_dead(self->id);
	looks++;
	REQUIRE(n == batch.n && n >= 0 && n <= max);
	int items = 0;
	for (int i = 0; i < MODEL_ITEMS; i++)
		items += model[i].used && model[i].ep_id == self->id;
	for (int k = 0; k < n; k++) {
		struct model_item *it = item_with_data(self->id, batch.events[k].data);
		REQUIRE(it && model_live(it)); /* the data of a live item of this epoll */
		for (int j = 0; j < k; j++)
			REQUIRE(batch.events[j].data != batch.events[k].data); /* once */
		uint32_t ready = file_poll(fd_get(it->fd), 1) & (it->events | POLLERR | POLLHUP);
		REQUIRE(ready && batch.events[k].events == ready);
	}
	events_seen += (uint64_t)n;
	if (items <= max) /* room for all: every ready level-triggered item is there */
		for (int i = 0; i < MODEL_ITEMS; i++) {
			struct model_item *it = &model[i];
			if (!it->used || it->ep_id != self->id || (it->events & (EPOLLET | EPOLLONESHOT)))
				continue;
			if (!(file_poll(fd_get(it->fd), 1) & (it->events | POLLERR | POLLHUP)))
				continue;
			int found = 0;
			for (int k = 0; k < n; k++)
				found |= batch.events[k].data == it->data;
			REQUIRE(found);
		}
	if (b & 0x80)
		epoll_consume(self->epoll, &batch); /* the copy succeeded; else it failed */
}

/*
 * A program that moves a descriptor's file to another number and, a few
 * operations later, back (dup2 there, close; dup2 back, close): its number
 * is closed in between and then names the same file again.
 */
static long moved_from = -1, moved_to = -1;
static int moved_for; /* operations left before it moves back */

static void move_back(void)
{
	if (fd_get(moved_to) && !fd_get(moved_from)) {
		fd_dup_to(moved_to, moved_from, 0);
		fd_close(moved_to);
	}
	moved_from = moved_to = -1;
}

static void op_move_away(struct input *in)
{
	uint8_t b = next8(in);
	if (moved_from >= 0) {
		move_back();
		return;
	}
	long from = pick_fd(in), to = 0;
	while (to < MAX_FDS && fd_get(to))
		to++;
	if (!fd_get(from) || to == MAX_FDS)
		return;
	fd_dup_to(from, to, 0);
	fd_close(from);
	moved_from = from;
	moved_to = to;
	moved_for = 1 + b % 4;
}

static void step(struct input *in)
{
	ops++;
	uint8_t op = next8(in);
	switch (op % 13) {
	case 0: op_new(in); break;
	case 1: fd_close(pick_fd(in)); break;
	case 2: { /* dup2 */
		long from = pick_fd(in), to = pick_fd(in);
		fd_dup_to(from, to, 0);
		break;
	}
	case 3: { /* dup: the lowest free number, often one just closed */
		struct file *f = fd_get(pick_fd(in));
		if (f) {
			file_get(f);
			install(f);
		}
		break;
	}
	case 4:
	case 5:
	case 6: op_ctl(in); break;
	case 7: op_io(in, 1); break;
	case 8: op_io(in, 0); break;
	case 9: op_look(in); break;
	case 10: wait_host_console_line(next8(in) & 1 ? "typed\n" : NULL); break;
	case 11: op_move_away(in); break;
	default: /* the next operation runs out of memory at its Nth allocation */
		fs_host_fail_allocs_after(next8(in) % 4);
		allocs_fail = 1;
		step(in);
		allocs_fail = 0;
		fs_host_fail_allocs_after(-1);
		break;
	}
}

/* After every operation: the graph is sound, and every descriptor answers. */
static void check(void)
{
	model_forget_freed();
	for (long fd = MAX_FDS; fd < FD_MAX; fd++)
		REQUIRE(!fd_get(fd));
	int chain = model_longest_chain();
	if (chain < 0)
		fuzz_fail("a loop of live epoll items");
	if (chain > EPOLL_MAX_NESTS)
		fuzz_fail("a chain of live epoll items longer than EPOLL_MAX_NESTS");
	for (long fd = 0; fd < MAX_FDS; fd++) {
		struct file *f = fd_get(fd);
		if (!f)
			continue;
		file_poll(f, 0);
		file_changed_at(f, POLLIN | POLLOUT, 0);
		file_watches_console(f, 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int counting;
	if (!counting++)
		atexit(print_counts);
	root = fs_host_init();
	if (!root || fd_init() != 0)
		fuzz_fail("the tree or the console descriptors");
	fd_close(1); /* fd 0 is console enough: the numbers are for epolls and what they watch */
	fd_close(2);
	wait_host_reset();
	moved_from = moved_to = -1;
	/* The input three times over: short inputs (libFuzzer's first) drive longer stories. */
	for (int pass = 0; pass < PASSES; pass++) {
		struct input in = { data, size };
		while (in.n) {
			step(&in);
			if (moved_from >= 0 && !--moved_for)
				move_back();
			check();
		}
	}
	for (long fd = 0; fd < FD_MAX; fd++)
		fd_close(fd);
	fs_reset();
	model_reset();
	return 0;
}
