/*
 * What tests/fuzz/epoll_fuzz.c knows of the epolls it drives: every item
 * it added (which epoll, descriptor, file, events, data), kept as the
 * kernel keeps them, by the rules kernel/epoll.h gives: an item lives
 * while its descriptor names its file; a dead item is dropped when its
 * epoll's list is next read (epoll_ctl past its target checks, or
 * epoll_look); an epoll's items go with it.  From this and the descriptor
 * table the fuzzer walks the graph of epolls watching epolls itself.
 */
#ifndef TESTS_FUZZ_EPOLL_FUZZ_MODEL_H
#define TESTS_FUZZ_EPOLL_FUZZ_MODEL_H

#include <stdint.h>

#include "kernel/epoll.h"

#define MODEL_ITEMS 512
#define MAX_FDS 12 /* the descriptors the fuzzer uses: 0 to 11 (0 the console at first); few, so numbers are reused */

struct model_item {
	int used;
	uint64_t ep_id; /* the epoll's file */
	long fd;
	uint64_t opening; /* fd_opening(fd) when added */
	uint32_t events;
	uint64_t data;
};

extern struct model_item model[MODEL_ITEMS];

/* Abort with WHAT: an invariant failed (libFuzzer keeps the input). */
void fuzz_fail(const char *what);
#define REQUIRE(cond)                                      \
	do {                                               \
		if (!(cond))                               \
			fuzz_fail(#cond);                  \
	} while (0)

/* Whether IT's descriptor still names its file. */
int model_live(const struct model_item *it);
/* The item of the epoll with EP_ID for FD (live or dead, not yet dropped), or NULL. */
struct model_item *model_find(uint64_t ep_id, long fd);
/* Drop the dead items of the epoll with EP_ID, as a read of its list does. */
void model_drop_dead(uint64_t ep_id);
/* Forget the items of epolls no descriptor names any more (freed with their file). */
void model_forget_freed(void);
/* A new item, or NULL when the model is full. */
struct model_item *model_add(uint64_t ep_id, long fd, uint64_t opening, uint32_t events, uint64_t data);
/* Whether model_add would find no room. */
int model_full(void);
void model_reset(void);

/*
 * The graph of live items between epolls (through the descriptor table):
 * the longest chain of links, or -1 when there is a loop.
 */
int model_longest_chain(void);
/*
 * What EPOLL_CTL_ADD of the epoll with TARGET_ID into the one with SELF_ID
 * must answer, the graph being sound: -ELOOP when it would close a loop or
 * make a chain longer than EPOLL_MAX_NESTS, else 0.
 */
long model_add_nesting(uint64_t self_id, uint64_t target_id);

#endif
