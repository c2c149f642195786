/*
 * The state of one walk over a device tree's structure block, shared by
 * fdt.c (the walk and the facts it takes) and fdt_stdout.c (which node
 * /chosen/stdout-path names).  Internal to kernel/fdt*.c.
 */
#ifndef KERNEL_FDT_WALKER_H
#define KERNEL_FDT_WALKER_H

#include "kernel/fdt.h"
#include "kernel/fdt_format.h"

/* top-level nodes whose properties are read as they go by */
enum kind { K_OTHER, K_CHOSEN, K_ALIASES, K_CPUS, K_RESMEM };

/* compatible strings of interest */
#define C_UART 1
#define C_TEST 2
#define C_RTC 4

enum devtype { DT_NONE, DT_MEMORY, DT_OTHER };

/* One open node on the path from the root. */
struct frame {
	const char *name;
	uint32_t addr_cells, size_cells; /* for its children; 0 when malformed */
	enum kind kind;
};

/* The innermost node's properties that matter once they are all known. */
struct props {
	const uint8_t *reg, *shift, *compat; /* NULL when absent */
	uint32_t reglen, shiftlen, compatlen;
	enum devtype devtype;
	int committed; /* a child began, so no more properties may follow */
};

/* The state of one parse. */
struct walker {
	struct fdt_blob f;
	struct boot_info *out;
	struct frame stack[FDT_MAX_DEPTH + 1];
	int depth; /* of the innermost open node; -1 before and after the root */
	int root_seen;
	struct props cur;
	const char *target; /* stdout node's path, without options; NULL until known */
	size_t target_len;
	const char *alias; /* stdout alias awaiting /aliases; NULL when none */
	size_t alias_len;
	uint64_t aliases; /* offset of /aliases' first token; 0 until seen */
	uint32_t reg_off, compat_off; /* name offsets of "reg" and "compatible"; ~0 until seen */
	int early_uart; /* a UART was committed before the stdout path was known */
	int overflow; /* a range list was full */
};

/* Note the stdout node from /chosen/stdout-path T: a path now, or an alias to resolve. */
int fdt_set_stdout(struct walker *w, const struct token *t);
/* Resolve the pending stdout alias if property T of /aliases names it. */
int fdt_alias_property(struct walker *w, const struct token *t);
/* Whether the innermost node's full path is PATH[0..LEN). */
int fdt_path_is(const struct walker *w, const char *path, size_t len);

#endif
