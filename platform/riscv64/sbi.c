#include "sbi.h"

#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_TIME 0x54494d45
#define SBI_EXT_SRST 0x53525354

struct sbi_ret {
	long error;
	long value;
};

static struct sbi_ret sbi_call(long eid, long fid, long a0, long a1)
{
	register long r_a0 __asm__("a0") = a0;
	register long r_a1 __asm__("a1") = a1;
	register long r_a6 __asm__("a6") = fid;
	register long r_a7 __asm__("a7") = eid;
	__asm__ volatile("ecall"
			 : "+r"(r_a0), "+r"(r_a1)
			 : "r"(r_a6), "r"(r_a7)
			 : "memory");
	return (struct sbi_ret){ r_a0, r_a1 };
}

void sbi_console_putchar(char c)
{
	sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (unsigned char)c, 0);
}

void sbi_set_timer(uint64_t stime)
{
	sbi_call(SBI_EXT_TIME, 0, (long)stime, 0);
}

void sbi_shutdown(int failure)
{
	/* type 0 = shutdown; reason 1 = system failure */
	sbi_call(SBI_EXT_SRST, 0, 0, failure ? 1 : 0);
}
