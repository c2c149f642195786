/*
 * The console's line discipline, as Linux's n_tty in canonical mode with
 * ICRNL, ECHO, ECHOE, ECHOKE, ECHOCTL, ISIG and IUTF8: pure line editing
 * over bytes, no device and no signal (kernel/tty.c does those with the
 * effect each byte returns), so host tests drive it byte by byte.
 *
 *   CR becomes NL (ICRNL); NL ends the line and is part of it.
 *   DEL (0x7f) and BS (0x08) erase the last character of the line being
 *     edited (a UTF-8 character whole), nothing when it is empty.
 *   ^U erases the whole line being edited.
 *   ^D on an empty line is end of input: one read returns 0 for it.  ^D
 *     after some bytes ends the line without a NL (the ^D is not stored).
 *   ^C asks for SIGINT and discards the input, the line being edited and
 *     the lines typed ahead not yet read, as Linux's ISIG without NOFLSH.
 *   Any other byte is stored and echoed: itself when printable, a tab or
 *     UTF-8, else as ^X (ECHOCTL: ESC shows as ^[).
 *
 * One buffer of TTY_BUF_SIZE bytes (Linux's N_TTY_BUF_SIZE) holds the lines
 * typed ahead and the one being edited.  The line being edited may take all
 * but the last byte, which is kept for its NL: a longer line is cut, and the
 * bytes past the cut are dropped (not stored, not echoed) until the NL or ^D
 * that ends it (or until a read of lines typed ahead makes room, as with
 * Linux).  When lines typed ahead fill the buffer, even the NL is dropped
 * until a read makes room.
 *
 * Erasing echoes "\b \b" once per column the character took: two for one
 * shown as ^X, one for anything else (a tab included, which moves the
 * cursor further: Linux's column counting for tabs is not done here).
 */
#ifndef KERNEL_TTY_LINE_H
#define KERNEL_TTY_LINE_H

#include <stddef.h>
#include <stdint.h>

#define TTY_BUF_SIZE 4096
#define TTY_SIGINT 2

/*
 * The buffer: bytes at positions [tail, line_start) are complete lines not
 * yet read, [line_start, head) the line being edited.  Positions only grow
 * (uint32_t, wrapping) and index the arrays modulo TTY_BUF_SIZE.  A zeroed
 * struct is an empty buffer.
 */
struct tty_line {
	char bytes[TTY_BUF_SIZE];
	uint8_t line_end[TTY_BUF_SIZE / 8];   /* the byte ends a complete line */
	uint8_t end_of_input[TTY_BUF_SIZE / 8]; /* the byte is a ^D's mark, never read */
	uint32_t tail, line_start, head;
};

/* What one input byte asks of the console. */
struct tty_effect {
	char echo[4];       /* bytes to write to the console, as console_write takes them */
	unsigned echo_len;
	unsigned erase_columns; /* then "\b \b" this many times */
	int signal;         /* 0, or the signal to send the program (TTY_SIGINT) */
};

/* Edit the line with the byte C the console received. */
struct tty_effect tty_line_input(struct tty_line *tl, unsigned char c);

/*
 * Up to N bytes of the first complete line (a line may be read in parts; a
 * read never goes past its end), 0 once for an end of input, -EAGAIN when
 * no line is complete.  N == 0 reads nothing and returns 0 (as Linux's read).
 */
long tty_line_read(struct tty_line *tl, char *buf, size_t n);

/* Whether tty_line_read would return something other than -EAGAIN. */
int tty_line_readable(const struct tty_line *tl);

#endif
