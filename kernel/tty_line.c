#include "kernel/tty_line.h"

#include "kernel/error.h"

#define CTRL(letter) ((letter) & 0x1f)
#define BYTE_DEL 0x7f
#define BYTE_BS 0x08

static unsigned slot(uint32_t pos)
{
	return pos % TTY_BUF_SIZE;
}

static int bit_get(const uint8_t *bits, uint32_t pos)
{
	return (bits[slot(pos) / 8] >> (slot(pos) % 8)) & 1;
}

static void bit_put(uint8_t *bits, uint32_t pos, int on)
{
	uint8_t mask = (uint8_t)(1u << (slot(pos) % 8));
	if (on)
		bits[slot(pos) / 8] |= mask;
	else
		bits[slot(pos) / 8] &= (uint8_t)~mask;
}

/* Bytes shown as ^X (ECHOCTL): the C0 controls but tab and NL, and DEL. */
static int shown_as_caret(unsigned char c)
{
	return (c < 0x20 && c != '\t' && c != '\n') || c == BYTE_DEL;
}

static int utf8_continuation(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/* Columns C took when echoed (a UTF-8 character's columns are its first byte's). */
static unsigned echo_columns(unsigned char c)
{
	if (utf8_continuation(c))
		return 0;
	return shown_as_caret(c) ? 2 : 1;
}

static void echo_add(struct tty_effect *e, char c)
{
	e->echo[e->echo_len++] = c;
}

/* Append C at the head, marked as ending a line or as an end of input. */
static void store(struct tty_line *tl, char c, int ends_line, int end_of_input)
{
	tl->bytes[slot(tl->head)] = c;
	bit_put(tl->line_end, tl->head, ends_line);
	bit_put(tl->end_of_input, tl->head, end_of_input);
	tl->head++;
}

/* The line being edited becomes a complete one. */
static void complete_line(struct tty_line *tl)
{
	bit_put(tl->line_end, tl->head - 1, 1);
	tl->line_start = tl->head;
}

/* Erase the last character of the line being edited: the columns its echo took. */
static unsigned erase_character(struct tty_line *tl)
{
	unsigned columns = 0;
	while (tl->head != tl->line_start) {
		unsigned char c = (unsigned char)tl->bytes[slot(--tl->head)];
		columns += echo_columns(c);
		if (!utf8_continuation(c))
			break;
	}
	return columns;
}

struct tty_effect tty_line_input(struct tty_line *tl, unsigned char c)
{
	struct tty_effect e = { .echo_len = 0 };
	uint32_t used = tl->head - tl->tail;
	int editing = tl->head != tl->line_start;
	if (c == '\r')
		c = '\n';
	switch (c) {
	case '\n':
		if (used == TTY_BUF_SIZE)
			break; /* lines typed ahead fill the buffer */
		store(tl, '\n', 1, 0);
		tl->line_start = tl->head;
		echo_add(&e, '\n');
		break;
	case CTRL('D'):
		if (editing)
			complete_line(tl);
		else if (used < TTY_BUF_SIZE) {
			store(tl, CTRL('D'), 1, 1);
			tl->line_start = tl->head;
		}
		break;
	case BYTE_DEL:
	case BYTE_BS:
		e.erase_columns = erase_character(tl);
		break;
	case CTRL('U'):
		while (tl->head != tl->line_start)
			e.erase_columns += erase_character(tl);
		break;
	case CTRL('C'):
		tl->tail = tl->line_start = tl->head;
		e.signal = TTY_SIGINT;
		echo_add(&e, '^');
		echo_add(&e, 'C');
		echo_add(&e, '\n');
		break;
	default:
		/* The last byte is kept for the NL that ends the line. */
		if (used >= TTY_BUF_SIZE - 1)
			break;
		store(tl, (char)c, 0, 0);
		if (shown_as_caret(c)) {
			echo_add(&e, '^');
			echo_add(&e, (char)(c ^ 0x40));
		} else
			echo_add(&e, (char)c);
	}
	return e;
}

long tty_line_read(struct tty_line *tl, char *buf, size_t n)
{
	if (n == 0)
		return 0;
	if (tl->tail == tl->line_start)
		return -EAGAIN;
	if (bit_get(tl->end_of_input, tl->tail)) {
		tl->tail++;
		return 0;
	}
	size_t copied = 0;
	while (copied < n) {
		int ends_line = bit_get(tl->line_end, tl->tail);
		buf[copied++] = tl->bytes[slot(tl->tail++)];
		if (ends_line)
			break;
	}
	return (long)copied;
}

int tty_line_readable(const struct tty_line *tl)
{
	return tl->tail != tl->line_start;
}
