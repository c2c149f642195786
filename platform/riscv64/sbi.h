/* Calls into the M-mode firmware (SBI). */
#ifndef PLATFORM_SBI_H
#define PLATFORM_SBI_H

#include <stdint.h>

/* Print one byte with the legacy console extension (works before the UART is known). */
void sbi_console_putchar(char c);
/* Arm the timer interrupt at absolute time STIME (TIME extension). */
void sbi_set_timer(uint64_t stime);
/* Power the machine off (SRST extension); returns only if the firmware refuses. */
void sbi_shutdown(int failure);

#endif
