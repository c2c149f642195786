/* The scheduler's channels and the console, as host tests see them (tests/host/wait_host.h). */
#include "tests/host/wait_host.h"

#include <string.h>

#include "kernel/error.h"
#include "kernel/sched.h"
#include "kernel/tty.h"

#define CHANNELS_SEEN 4096

static uint64_t last_channel = WAIT_CHANNEL_CONSOLE;
static unsigned wakes[CHANNELS_SEEN];
static const char *console_text;
static int console_has_line;

uint64_t sched_new_channel(void)
{
	return ++last_channel;
}

void sched_wake_channel(uint64_t channel)
{
	if (channel < CHANNELS_SEEN)
		wakes[channel]++;
}

unsigned wait_host_wakes(uint64_t channel)
{
	return channel < CHANNELS_SEEN ? wakes[channel] : 0;
}

void wait_host_reset(void)
{
	memset(wakes, 0, sizeof(wakes));
	console_has_line = 0;
}

void wait_host_console_line(const char *text)
{
	console_text = text;
	console_has_line = 1;
}

int tty_readable(void)
{
	return console_has_line;
}

int tty_poll_input(void)
{
	return console_has_line;
}

long tty_read(char *buf, size_t n)
{
	if (!console_has_line)
		return -EAGAIN;
	console_has_line = 0;
	if (!console_text)
		return 0;
	size_t len = strlen(console_text);
	if (len > n)
		len = n;
	memcpy(buf, console_text, len);
	return (long)len;
}
