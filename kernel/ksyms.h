/* The kernel's own symbol table, for naming code addresses in reports. */
#ifndef KERNEL_KSYMS_H
#define KERNEL_KSYMS_H

#include <stddef.h>
#include <stdint.h>

/* Write "name+0xoff" for the function containing ADDR into BUF (or "?"). */
void ksyms_describe(uint64_t addr, char *buf, size_t size);

#endif
