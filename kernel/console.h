/*
 * Formatted output on the boot console.
 *
 * The console is the UART named by the FDT's stdout-path, or the SBI debug
 * console until one is known.  Formatting is picolibc's tinystdio.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

/* Write LEN bytes as they are (no newline translation). */
void console_write(const char *buf, size_t len);

/* printf to the console; returns the number of bytes written. */
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *fmt, va_list ap);

#endif
