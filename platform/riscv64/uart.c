/* An ns16550a-compatible UART, polled both ways: the console needs nothing more. */
#include "machine.h"

#define UART_THR 0 /* transmit holding register (write) */
#define UART_RBR 0 /* receive buffer register (read) */
#define UART_LSR 5 /* line status register */
#define UART_LSR_DR 0x01 /* data ready: RBR holds a received byte */
#define UART_LSR_THRE 0x20

static volatile uint8_t *uart_regs;
static unsigned uart_shift;

/* Use the UART whose registers are mapped at REGS (kernel virtual), spaced 1 << SHIFT bytes. */
void uart_init(void *regs, unsigned shift)
{
	uart_regs = regs;
	uart_shift = shift;
}

int uart_present(void)
{
	return uart_regs != 0;
}

void uart_putc(char c)
{
	while (!(uart_regs[UART_LSR << uart_shift] & UART_LSR_THRE))
		;
	uart_regs[UART_THR << uart_shift] = (uint8_t)c;
}

int uart_getc(void)
{
	if (!(uart_regs[UART_LSR << uart_shift] & UART_LSR_DR))
		return -1;
	return uart_regs[UART_RBR << uart_shift];
}
