#include "kernel/console.h"

#include <stdio.h>

#include "machine.h"

void console_write(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n')
			machine_putc('\r');
		machine_putc(buf[i]);
	}
}

/* picolibc's stream interface: one byte at a time to the console. */
static int console_put(char c, FILE *stream)
{
	(void)stream;
	console_write(&c, 1);
	return (unsigned char)c;
}

static FILE console_stream = FDEV_SETUP_STREAM(console_put, NULL, NULL, _FDEV_SETUP_WRITE);

int kvprintf(const char *fmt, va_list ap)
{
	return vfprintf(&console_stream, fmt, ap);
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}
