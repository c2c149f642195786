#include "machine.h"

#include "kernel/error.h"
#include "kernel/memory.h"
#include "sbi.h"

#define TEST_FAIL 0x3333 /* with the status in bits 31..16 */
#define TEST_PASS 0x5555
/* The Goldfish RTC's registers (32-bit): reading TIME_LOW latches TIME_HIGH. */
#define RTC_TIME_LOW 0
#define RTC_TIME_HIGH 1

static volatile uint32_t *test_device;
static volatile uint32_t *rtc_device;
static uint64_t timer_interval, timer_hz;

extern char boot_stack_top[];

void machine_init(const struct boot_info *bi)
{
	if (bi->has_uart)
		uart_init(phys_to_virt(bi->uart_base), bi->uart_reg_shift);
	if (bi->has_test)
		test_device = phys_to_virt(bi->test_base);
	if (bi->has_rtc)
		rtc_device = phys_to_virt(bi->rtc_base);
}

unsigned machine_device_ranges(const struct boot_info *bi, struct mem_range *out, unsigned max)
{
	unsigned n = 0;
	if (bi->has_uart && n < max)
		out[n++] = (struct mem_range){ ALIGN_DOWN(bi->uart_base, PAGE_SIZE), PAGE_SIZE };
	if (bi->has_test && n < max)
		out[n++] = (struct mem_range){ ALIGN_DOWN(bi->test_base, PAGE_SIZE), PAGE_SIZE };
	if (bi->has_rtc && n < max)
		out[n++] = (struct mem_range){ ALIGN_DOWN(bi->rtc_base, PAGE_SIZE), PAGE_SIZE };
	return n;
}

int machine_rtc_read_ns(uint64_t *ns)
{
	if (!rtc_device)
		return -ENODEV;
	/* The low half first: its read latches the high half of the same instant. */
	uint32_t low = rtc_device[RTC_TIME_LOW];
	uint32_t high = rtc_device[RTC_TIME_HIGH];
	*ns = (uint64_t)high << 32 | low;
	return 0;
}

void machine_putc(char c)
{
	if (uart_present())
		uart_putc(c);
	else
		sbi_console_putchar(c);
}

int machine_console_getc(void)
{
	return uart_present() ? uart_getc() : -1;
}

void machine_exit(int status)
{
	status &= 0xff;
	if (test_device)
		*test_device = status ? ((uint32_t)status << 16) | TEST_FAIL : TEST_PASS;
	/* No test device: SBI can only say success or failure. */
	sbi_shutdown(status != 0);
	for (;;)
		__asm__ volatile("wfi");
}

void timer_start(uint64_t timebase_hz, uint64_t period_us)
{
	timer_hz = timebase_hz;
	timer_interval = timebase_hz * period_us / 1000000;
	if (timer_interval == 0)
		return;
	sbi_set_timer(read_time() + timer_interval);
	csr_set(sie, SIE_STIE);
}

/* The timer interrupt: count it and arm the next one (the trap handler tells the rest of the kernel). */
void timer_interrupt(struct hart *hart)
{
	hart->ticks++;
	sbi_set_timer(read_time() + timer_interval);
}

uint64_t timer_now_ns(void)
{
	if (timer_hz == 0)
		return 0;
	uint64_t t = read_time();
	/* Split to keep t * 1e9 from overflowing: whole seconds, then the rest. */
	return t / timer_hz * 1000000000ull + t % timer_hz * 1000000000ull / timer_hz;
}

void timer_wait_until_ns(uint64_t deadline)
{
	/* Interrupts are off in the kernel; the ticks that wake the wfi are let in here only. */
	csr_set(sstatus, SSTATUS_SIE);
	while (timer_now_ns() < deadline)
		__asm__ volatile("wfi");
	csr_clear(sstatus, SSTATUS_SIE);
}

uint64_t timer_period(void)
{
	return timer_interval;
}

uint64_t timer_ticks(void)
{
	struct hart *hart;
	__asm__("mv %0, tp" : "=r"(hart));
	return hart->ticks;
}

void enter_user(uint64_t pc, uint64_t sp)
{
	/* The frame sits at the top of the kernel stack: nothing below is needed any more. */
	uintptr_t top = (uintptr_t)boot_stack_top;
	__asm__("" : "+r"(top));
	struct trap_frame *frame = (struct trap_frame *)(top - sizeof(*frame));
	for (unsigned i = 0; i < 32; i++)
		frame->regs[i] = 0;
	frame->regs[REG_SP] = sp;
	frame->sepc = pc;
	/* SPP = 0: U-mode; SPIE: interrupts on once there. */
	frame->sstatus = (csr_read(sstatus) & ~(SSTATUS_SPP | SSTATUS_SIE | SSTATUS_SUM)) | SSTATUS_SPIE |
			  SSTATUS_FS_DIRTY;
	trap_return(frame);
}
