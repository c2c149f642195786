/*
 * Which node is the console: /chosen/stdout-path names it by path, or by an
 * alias that /aliases resolves (options after ':' ignored), and a node
 * matches when its full path does ("serial" names "serial@10000000").
 */
#include <string.h>

#include "kernel/error.h"
#include "kernel/fdt_walker.h"

/* Length of the path in S[0..N) without the options after ':'. */
static size_t path_len(const char *s, size_t n)
{
	size_t len = 0;
	while (len < n && s[len] != ':')
		len++;
	return len;
}

/* Whether component C[0..N) of a path names node NAME; "serial" names "serial@10000000". */
static int name_matches(const char *name, const char *c, size_t n)
{
	/* C holds no NUL, so a match means NAME is at least N bytes long. */
	if (strncmp(name, c, n))
		return 0;
	return name[n] == '\0' || (name[n] == '@' && !memchr(c, '@', n));
}

int fdt_path_is(const struct walker *w, const char *path, size_t len)
{
	size_t i = 0;
	for (int d = 1; d <= w->depth; d++) {
		if (i >= len || path[i] != '/')
			return 0;
		i++;
		size_t n = 0;
		while (i + n < len && path[i + n] != '/')
			n++;
		if (!name_matches(w->stack[d].name, path + i, n))
			return 0;
		i += n;
	}
	return i == len;
}

/* The stdout alias is named by /aliases property T: its value is the path. */
static int resolve_alias(struct walker *w, const struct token *t)
{
	long n = string_len(t);
	if (n < 0)
		return -EINVAL;
	const char *s = (const char *)t->val;
	w->alias = NULL;
	if (n > 0 && s[0] == '/') {
		w->target = s;
		w->target_len = path_len(s, (size_t)n);
	}
	return 0;
}

int fdt_alias_property(struct walker *w, const struct token *t)
{
	if (!w->alias || strncmp(t->name, w->alias, w->alias_len) || t->name[w->alias_len])
		return 0;
	return resolve_alias(w, t);
}

/* Look the pending stdout alias up in the properties of /aliases, walked earlier. */
static int find_alias(struct walker *w)
{
	struct token t;
	for (uint64_t off = w->aliases; w->alias; off = t.next) {
		int err = next_token(&w->f, off, &t);
		if (err)
			return err;
		if (t.type == FDT_PROP)
			err = fdt_alias_property(w, &t);
		else if (t.type != FDT_NOP)
			return 0;
		if (err)
			return err;
	}
	return 0;
}

int fdt_set_stdout(struct walker *w, const struct token *t)
{
	long n = string_len(t);
	if (n < 0)
		return -EINVAL;
	if (w->target)
		return 0; /* the second pass, or a repeated property */
	const char *s = (const char *)t->val;
	size_t len = path_len(s, (size_t)n);
	if (len == 0)
		return 0;
	if (s[0] == '/') {
		w->target = s;
		w->target_len = len;
		return 0;
	}
	w->alias = s;
	w->alias_len = len;
	return w->aliases ? find_alias(w) : 0;
}

