/*
 * The machine as the generic kernel sees it: console byte output, the exit
 * device, the real-time clock, the timer, per-hart state and the way into U-mode.
 */
#ifndef PLATFORM_MACHINE_H
#define PLATFORM_MACHINE_H

#include <stdint.h>

#include "arch.h"
#include "kernel/fdt.h"

/* Per-hart state reached through tp; trap_entry.S and trap_switch.h know the offsets. */
struct hart {
	uint64_t kernel_sp;   /* stack for traps from U-mode */
	uint64_t scratch;     /* user sp while the vector switches stacks */
	uint64_t ticks;       /* timer interrupts taken */
	uint64_t kernel_satp; /* the table S-mode runs on, when trap_switch.h switches tables */
	uint64_t user_satp;   /* the table U-mode runs on, likewise */
	uint64_t user_division; /* cells: the division U-mode ran in at the last trap, and enters next */
	uint64_t user_urid;     /* cells: U-mode's own urid at that trap (a callee's way back), restored */
};

/* The one hart (trap.c); tp points to it while the kernel runs. */
extern struct hart boot_hart;

/*
 * For a trap path that switches tables (the cells platform's
 * trap_switch.h; Sv48's ignores them): run S-mode on KERNEL_SATP and
 * U-mode on USER_SATP from the next trap on.
 */
void trap_set_satps(uint64_t kernel_satp, uint64_t user_satp);
/*
 * For a trap path that knows divisions (the cells platform's): U-mode runs
 * in DIVISION from the next return to it on (until a trap from another).
 */
void trap_set_user_division(uint64_t division);
/* The trap vector's page(s): kernel address, physical address, length (a page multiple). */
void trap_page_range(uint64_t *va, uint64_t *pa, uint64_t *len);

/* Take the console UART, the exit device and the real-time clock from BI (their pages must be mapped). */
void machine_init(const struct boot_info *bi);
/* Physical pages of devices the kernel needs mapped: fills up to MAX ranges, returns the count. */
unsigned machine_device_ranges(const struct boot_info *bi, struct mem_range *out, unsigned max);
void machine_putc(char c);
/* The next byte the console received, or -1: none waiting, or no UART known (the SBI console has no input here). */
int machine_console_getc(void);
/* The real-time clock's reading, nanoseconds since the epoch, into *NS; -ENODEV when the FDT named none. */
int machine_rtc_read_ns(uint64_t *ns);
/* Stop the machine; QEMU exits with STATUS (0..255) through the sifive,test device. */
_Noreturn void machine_exit(int status);

/* Install the trap vector for this hart. */
void trap_init(void);
/*
 * What the trap path knows of compartments, per platform (trap_view.c):
 * the running program switches through the kernel (the vector with the
 * switch's fast path, if the platform has one); a trap from U-mode notes
 * which view ran; a user fault's report ends with its compartment.
 */
void trap_use_switching_vector(void);
void trap_note_user_view(void);
void trap_report_compartment(void);
/* Start periodic timer interrupts every PERIOD_US microseconds. */
void timer_start(uint64_t timebase_hz, uint64_t period_us);
/* A timer interrupt arrived on HART: count it and arm the next (trap.c). */
void timer_interrupt(struct hart *hart);
uint64_t timer_ticks(void);
/* Nanoseconds since the machine started (rdtime at the FDT's timebase); 0 before timer_start. */
uint64_t timer_now_ns(void);
/* Sleep (wfi, ticks let in) until timer_now_ns() reaches DEADLINE. */
void timer_wait_until_ns(uint64_t deadline);
/* Timer units (rdtime) between two ticks. */
uint64_t timer_period(void);

/* The application's floating-point registers (fpu.S); the kernel never uses them itself. */
struct fpu_state {
	uint64_t f[32];
	uint32_t fcsr;
};
void fpu_save(struct fpu_state *to);
void fpu_restore(const struct fpu_state *from);

/* Resume (or first enter) U-mode with the registers in FRAME. */
_Noreturn void trap_return(struct trap_frame *frame);
/* Build a U-mode frame at the top of the kernel stack and enter it at PC with stack SP. */
_Noreturn void enter_user(uint64_t pc, uint64_t sp);

void uart_init(void *regs, unsigned shift);
int uart_present(void);
void uart_putc(char c);
/* The next byte the UART received, or -1 when its receive buffer is empty. */
int uart_getc(void);

#endif
