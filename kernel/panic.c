#include "kernel/panic.h"

#include <stdarg.h>

#include "kernel/console.h"
#include "kernel/ksyms.h"
#include "machine.h"

void panic(const char *fmt, ...)
{
	static int nested;
	va_list ap;
	if (nested++)
		machine_exit(1); /* a panic while reporting one: stop at once */
	kprintf("\npanic: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	char sym[96];
	/* The call to a noreturn function may be its caller's last instruction: name ra - 1. */
	ksyms_describe((uint64_t)__builtin_return_address(0) - 1, sym, sizeof(sym));
	kprintf("\n  called from %s\n", sym);
	machine_exit(1);
}
