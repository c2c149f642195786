/*
 * The console's line discipline (kernel/tty_line.c) driven byte by byte:
 * each rule of kernel/tty_line.h, the echo and signal every byte asks for,
 * the 4096-byte cut and a buffer going round many times.
 */
#include <string.h>

#include "check.h"
#include "kernel/error.h"
#include "kernel/tty_line.h"

static struct tty_line tl;

static void reset(void)
{
	memset(&tl, 0, sizeof(tl));
}

/* Feed S (LEN bytes); the echo of all of them into ECHO (room for 256), erase columns summed. */
static struct tty_effect feed(const char *s, size_t len, char *echo, size_t *echo_len)
{
	struct tty_effect sum = { .echo_len = 0 };
	*echo_len = 0;
	for (size_t i = 0; i < len; i++) {
		struct tty_effect e = tty_line_input(&tl, (unsigned char)s[i]);
		if (*echo_len + e.echo_len <= 256)
			memcpy(echo + *echo_len, e.echo, e.echo_len);
		*echo_len += e.echo_len;
		sum.erase_columns += e.erase_columns;
		if (e.signal)
			sum.signal = e.signal;
	}
	return sum;
}

static void feed_str(const char *s)
{
	char echo[256];
	size_t echo_len;
	feed(s, strlen(s), echo, &echo_len);
}

/* Read with room N and check the bytes are WANT (a string), or the result is WANT_RC when WANT is NULL. */
static int read_is(size_t n, const char *want, long want_rc)
{
	char buf[8192];
	long rc = tty_line_read(&tl, buf, n);
	if (!want)
		return rc == want_rc;
	return rc == (long)strlen(want) && memcmp(buf, want, (size_t)rc) == 0;
}

/* "ab" echoes a, b and completes nothing; CR echoes NL (console_write shows it as CR NL) and is read as NL. */
static void printable_echoed_cr_is_nl(void)
{
	reset();
	char echo[256];
	size_t echo_len;
	struct tty_effect e = feed("ab", 2, echo, &echo_len);
	CHECK_EQ(echo_len, 2u);
	CHECK(memcmp(echo, "ab", 2) == 0);
	CHECK_EQ(e.erase_columns, 0u);
	CHECK_EQ(e.signal, 0);
	CHECK(!tty_line_readable(&tl));
	CHECK(read_is(16, NULL, -EAGAIN));
	feed("\r", 1, echo, &echo_len);
	CHECK_EQ(echo_len, 1u);
	CHECK_EQ(echo[0], '\n');
	CHECK(tty_line_readable(&tl));
	CHECK(read_is(16, "ab\n", 0));
	CHECK(!tty_line_readable(&tl));
	CHECK(read_is(16, NULL, -EAGAIN));
}

/* "hello\n" read with room 2: "he", "ll"; then with room 10 only "o\n", a read never goes past its line. */
static void line_read_in_parts(void)
{
	reset();
	feed_str("hello\nnext\n");
	CHECK(read_is(2, "he", 0));
	CHECK(read_is(2, "ll", 0));
	/* Room for 10: only "o\n" (2), the rest of the first line; "next\n" is a second read. */
	CHECK(read_is(10, "o\n", 0));
	CHECK(read_is(10, "next\n", 0));
	CHECK(read_is(10, NULL, -EAGAIN));
	/* A read of 0 bytes returns 0 and takes nothing. */
	feed_str("z\n");
	CHECK(read_is(0, NULL, 0));
	CHECK(read_is(10, "z\n", 0));
	CHECK(read_is(0, NULL, 0));
}

/* a b c DEL d BS e NL: DEL takes c, BS takes d, leaving "abe\n"; each erase is one column. */
static void backspace_erases(void)
{
	reset();
	char echo[256];
	size_t echo_len;
	feed_str("abc");
	struct tty_effect e = feed("\x7f", 1, echo, &echo_len);
	CHECK_EQ(e.erase_columns, 1u);
	CHECK_EQ(echo_len, 0u);
	feed_str("d");
	e = feed("\b", 1, echo, &echo_len);
	CHECK_EQ(e.erase_columns, 1u);
	feed_str("e\n");
	CHECK(read_is(16, "abe\n", 0));
	/* On an empty line nothing is erased, not even the completed line before it. */
	feed_str("x\n");
	e = feed("\x7f\x7f", 2, echo, &echo_len);
	CHECK_EQ(e.erase_columns, 0u);
	CHECK(read_is(16, "x\n", 0));
}

/* ^A is stored and echoed "^A" (2 columns, so its erase is 2); é (C3 A9) is erased whole in one column. */
static void erase_control_and_utf8(void)
{
	reset();
	char echo[256];
	size_t echo_len;
	feed("\x01", 1, echo, &echo_len);
	CHECK_EQ(echo_len, 2u);
	CHECK(memcmp(echo, "^A", 2) == 0);
	struct tty_effect e = feed("\x7f", 1, echo, &echo_len);
	CHECK_EQ(e.erase_columns, 2u);
	feed("a\xc3\xa9", 3, echo, &echo_len);
	CHECK_EQ(echo_len, 3u);
	CHECK(memcmp(echo, "a\xc3\xa9", 3) == 0);
	e = feed("\x7f", 1, echo, &echo_len);
	CHECK_EQ(e.erase_columns, 1u);
	/* Left: "a"; ESC is stored and shows as ^[; a tab echoes as itself. */
	feed("\x1b\t\n", 3, echo, &echo_len);
	CHECK_EQ(echo_len, 4u);
	CHECK(memcmp(echo, "^[\t\n", 4) == 0);
	CHECK(read_is(16, "a\x1b\t\n", 0));
}

/* ^U after "a^Ab" erases 1 + 2 + 1 = 4 columns and the line; "d\n" is then the whole line. */
static void kill_line(void)
{
	reset();
	char echo[256];
	size_t echo_len;
	feed_str("q\n");
	feed_str("a\x01" "b");
	struct tty_effect e = feed("\x15", 1, echo, &echo_len);
	CHECK_EQ(e.erase_columns, 4u);
	CHECK_EQ(echo_len, 0u);
	/* The completed "q\n" is not touched; a second ^U on the empty line erases nothing. */
	e = feed("\x15", 1, echo, &echo_len);
	CHECK_EQ(e.erase_columns, 0u);
	feed_str("d\n");
	CHECK(read_is(16, "q\n", 0));
	CHECK(read_is(16, "d\n", 0));
}

/* ^D on an empty line: one read returns 0, the next -EAGAIN; lines around it keep their order. */
static void eof_on_empty_line(void)
{
	reset();
	char echo[256];
	size_t echo_len;
	feed("\x04", 1, echo, &echo_len);
	CHECK_EQ(echo_len, 0u); /* ^D is not echoed */
	CHECK(tty_line_readable(&tl));
	CHECK(read_is(16, NULL, 0));
	CHECK(!tty_line_readable(&tl));
	CHECK(read_is(16, NULL, -EAGAIN));
	feed_str("x\n\x04y\n");
	CHECK(read_is(16, "x\n", 0));
	CHECK(read_is(16, NULL, 0));
	CHECK(read_is(16, "y\n", 0));
	CHECK(read_is(16, NULL, -EAGAIN));
}

/* "ab^D" is the line "ab" (no NL, not an end of input): read whole or in parts, then -EAGAIN. */
static void eof_after_bytes_ends_line(void)
{
	reset();
	feed_str("ab\x04");
	CHECK(read_is(16, "ab", 0));
	CHECK(read_is(16, NULL, -EAGAIN));
	feed_str("ab\x04" "cd\n");
	CHECK(read_is(1, "a", 0));
	CHECK(read_is(1, "b", 0));
	CHECK(read_is(16, "cd\n", 0));
	/* A NUL then ^D is the one-byte line "\0", not an end of input. */
	char nul_then_eof[2] = { 0, 4 };
	char echo[256];
	size_t echo_len;
	feed(nul_then_eof, 2, echo, &echo_len);
	char buf[4];
	CHECK_EQ(tty_line_read(&tl, buf, sizeof(buf)), 1);
	CHECK_EQ(buf[0], 0);
}

/* ^C asks for SIGINT (2), echoes "^C\n" and discards the line being edited and the lines typed ahead. */
static void interrupt(void)
{
	reset();
	char echo[256];
	size_t echo_len;
	feed_str("x\nab");
	struct tty_effect e = feed("\x03", 1, echo, &echo_len);
	CHECK_EQ(e.signal, 2);
	CHECK_EQ(echo_len, 3u);
	CHECK(memcmp(echo, "^C\n", 3) == 0);
	CHECK(!tty_line_readable(&tl));
	CHECK(read_is(16, NULL, -EAGAIN));
	feed_str("c\n");
	CHECK(read_is(16, "c\n", 0));
	/* Plain bytes ask for no signal. */
	e = feed("z\n", 2, echo, &echo_len);
	CHECK_EQ(e.signal, 0);
}

/* 5000 'a' then NL: 4095 are kept and echoed, 905 dropped silently; the line is those 4095 and NL (4096). */
static void long_line_is_cut(void)
{
	reset();
	size_t echoed = 0;
	for (int i = 0; i < 5000; i++) {
		struct tty_effect e = tty_line_input(&tl, 'a');
		echoed += e.echo_len;
	}
	CHECK_EQ(echoed, 4095u);
	/* Erase still works on a full line: one byte goes, one comes back. */
	CHECK_EQ(tty_line_input(&tl, 0x7f).erase_columns, 1u);
	CHECK_EQ(tty_line_input(&tl, 'b').echo_len, 1u);
	CHECK_EQ(tty_line_input(&tl, 'c').echo_len, 0u);
	CHECK_EQ(tty_line_input(&tl, '\n').echo_len, 1u);
	char buf[8192];
	CHECK_EQ(tty_line_read(&tl, buf, sizeof(buf)), 4096);
	CHECK_EQ(buf[4093], 'a');
	CHECK_EQ(buf[4094], 'b');
	CHECK_EQ(buf[4095], '\n');
	CHECK(read_is(16, NULL, -EAGAIN));
}

/*
 * 1024 lines "abc\n" fill the 4096 bytes exactly (the last NL lands at used
 * 4095, the last one allowed).  Then a byte, a NL and a ^D are all dropped;
 * one read frees 4 bytes, so "z\n" fits and comes after the 1023 others.
 */
static void typed_ahead_fill_the_buffer(void)
{
	reset();
	for (int i = 0; i < 1024; i++)
		feed_str("abc\n");
	CHECK_EQ(tty_line_input(&tl, 'z').echo_len, 0u);
	CHECK_EQ(tty_line_input(&tl, '\n').echo_len, 0u);
	tty_line_input(&tl, 0x04);
	CHECK(read_is(16, "abc\n", 0));
	feed_str("z\n");
	int lines = 0, good = 1;
	for (; lines < 1023; lines++)
		good &= read_is(16, "abc\n", 0);
	CHECK(good);
	CHECK(read_is(16, "z\n", 0));
	CHECK(read_is(16, NULL, -EAGAIN));
}

/* Lines of 1..97 bytes written and read one at a time: the buffer goes round ~60 times, bytes intact. */
static void buffer_goes_round(void)
{
	reset();
	char line[128], buf[128];
	int good = 1;
	for (int i = 0; i < 5000; i++) {
		int len = 1 + i % 97;
		for (int j = 0; j < len - 1; j++)
			line[j] = (char)('A' + (i + j) % 26);
		line[len - 1] = '\n';
		for (int j = 0; j < len; j++)
			tty_line_input(&tl, (unsigned char)line[j]);
		long rc = tty_line_read(&tl, buf, sizeof(buf));
		good &= rc == len && memcmp(buf, line, (size_t)len) == 0;
	}
	CHECK(good);
	CHECK(read_is(16, NULL, -EAGAIN));
}

int main(void)
{
	RUN(printable_echoed_cr_is_nl);
	RUN(line_read_in_parts);
	RUN(backspace_erases);
	RUN(erase_control_and_utf8);
	RUN(kill_line);
	RUN(eof_on_empty_line);
	RUN(eof_after_bytes_ends_line);
	RUN(interrupt);
	RUN(long_line_is_cut);
	RUN(typed_ahead_fill_the_buffer);
	RUN(buffer_goes_round);
	CHECK_EXIT();
}
