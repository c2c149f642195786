#include "kernel/tty.h"

#include "kernel/console.h"
#include "kernel/signal.h"
#include "kernel/tty_line.h"
#include "machine.h"

_Static_assert(TTY_SIGINT == SIGINT, "tty_line.h states SIGINT for the host test's sake");

static struct tty_line console_line;

/* Echo what the byte asked for, then raise its signal. */
static void tty_apply(const struct tty_effect *e)
{
	console_write(e->echo, e->echo_len);
	for (unsigned i = 0; i < e->erase_columns; i++)
		console_write("\b \b", 3);
	if (e->signal)
		signal_send_process(e->signal, SI_KERNEL);
}

int tty_poll_input(void)
{
	int c;
	while ((c = machine_console_getc()) >= 0) {
		struct tty_effect e = tty_line_input(&console_line, (unsigned char)c);
		tty_apply(&e);
	}
	return tty_line_readable(&console_line);
}

long tty_read(char *buf, size_t n)
{
	return tty_line_read(&console_line, buf, n);
}

int tty_readable(void)
{
	return tty_line_readable(&console_line);
}
