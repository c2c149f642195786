/*
 * Console input: the bytes the console UART receives, edited into lines by
 * the line discipline (kernel/tty_line.h: Linux's canonical mode with echo,
 * ^C sending SIGINT; a line longer than 4096 bytes is cut, the rest of it
 * dropped until its NL).  Polled: nothing here waits, the caller decides
 * when to look (kernel/poll.h: on ticks and while the hart waits, when
 * some thread waits for input).
 */
#ifndef KERNEL_TTY_H
#define KERNEL_TTY_H

#include <stddef.h>

/*
 * Take the bytes the console UART has received into the line discipline;
 * whether tty_read would now return something (not -EAGAIN).  Cheap when
 * nothing arrived (one UART status read).
 */
int tty_poll_input(void);

/*
 * Up to N bytes of a completed line (a line may be read in parts), 0 once
 * for end of input (^D at the start of a line, as Linux's canonical mode),
 * -EAGAIN when no line is complete yet.
 */
long tty_read(char *buf, size_t n);

/* Whether tty_read would return something now (without reading the UART). */
int tty_readable(void);

#endif
