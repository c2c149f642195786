/*
 * The flattened device tree's header, checked before anything else of the
 * blob is read (fdt_format.h).
 */
#include "kernel/error.h"
#include "kernel/fdt_format.h"

int fdt_read_header(struct fdt_blob *w, const uint8_t *b, size_t max_len)
{
	/* Magic and totalsize first: nothing past totalsize may be read. */
	if (max_len < FDT_HEADER_SIZE || be32(b) != FDT_MAGIC)
		return -EINVAL;
	uint32_t total = be32(b + H_TOTALSIZE);
	if (total < FDT_HEADER_SIZE || total > max_len)
		return -EINVAL;
	uint32_t version = be32(b + H_VERSION);
	if (version < 16 || be32(b + H_LAST_COMP) > 17)
		return -EINVAL;

	uint32_t off_struct = be32(b + H_OFF_STRUCT);
	uint32_t off_strings = be32(b + H_OFF_STRINGS);
	uint32_t size_strings = be32(b + H_SIZE_STRINGS);
	if (off_struct % 4 || off_struct > total || off_strings > total ||
	    size_strings > total - off_strings)
		return -EINVAL;
	/* Version 16 has no size_dt_struct: the block may run to the end. */
	uint32_t size_struct = version >= 17 ? be32(b + H_SIZE_STRUCT) : total - off_struct;
	if (size_struct > total - off_struct)
		return -EINVAL;
	/* With a NUL last, every name offset inside the block names a terminated string. */
	if (size_strings && b[off_strings + size_strings - 1] != '\0')
		return -EINVAL;

	w->blob = b;
	w->size = total;
	w->rsvmap = be32(b + H_OFF_RSVMAP);
	w->structs = b + off_struct;
	w->struct_size = size_struct;
	w->strings = (const char *)b + off_strings;
	w->strings_size = size_strings;
	return 0;
}

