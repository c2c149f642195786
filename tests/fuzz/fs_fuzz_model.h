/*
 * What the file-system fuzzer (tests/fuzz/fs_fuzz.c) checks the kernel
 * against (tests/fuzz/fs_fuzz_model.c): a model of every regular file's
 * bytes, and the invariants of the tree and its holders.  Any violation
 * calls fuzz_fail, which aborts.
 */
#ifndef TESTS_FUZZ_FS_FUZZ_MODEL_H
#define TESTS_FUZZ_FS_FUZZ_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/fs.h"

/* A regular file as it should be: its size and the 4 KiB pages that hold bytes (written or from the image). */
struct fuzz_page {
	uint64_t idx;
	uint8_t *bytes;
};

struct fuzz_model {
	uint64_t ino, size;
	struct fuzz_page *pages;
	size_t n, cap;
};

/* Report a violation and abort (fs_fuzz.c). */
void fuzz_fail(const char *what) __attribute__((noreturn));
#define REQUIRE(cond)                                 \
	do {                                          \
		if (!(cond))                          \
			fuzz_fail("violated: " #cond); \
	} while (0)

/* A new empty model of regular file N (its bytes then given by model_write). */
struct fuzz_model *model_new(const struct fs_node *n);
/* The model of regular file N, a new empty one the first time N is seen (N must be empty then). */
struct fuzz_model *model_of(const struct fs_node *n);
void model_write(struct fuzz_model *m, uint64_t off, const uint8_t *buf, size_t len);
void model_read(const struct fuzz_model *m, uint64_t off, uint8_t *buf, size_t len);
void model_truncate(struct fuzz_model *m, uint64_t size);
/* lseek's SEEK_DATA (HOLE 0) or SEEK_HOLE from OFF gave POS: what the model says it must. */
void model_check_seek(const struct fuzz_model *m, int64_t off, int hole, int64_t pos);
/* Forget every model. */
void model_reset(void);

/*
 * Check the whole file system: fs_check; every node in the tree or held
 * (descriptors 0 to NFDS-1, CWD, removed parents of what is held), and each
 * node's refs exactly its holders; the commit charge; and the bytes, size and
 * blocks of FILE against its model (every regular file when FILE is NULL and
 * ALL is set).
 */
void fuzz_check(struct fs_node *cwd, long nfds, const struct fs_node *file, int all);
/* Nodes reachable from the root. */
uint64_t fuzz_count_tree(void);

#endif
