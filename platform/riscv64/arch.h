/*
 * The RISC-V privileged architecture as the kernel uses it: CSRs, status
 * bits, trap causes, fences, counters and the virtual address layout.
 * Every other file reaches the hardware through this header (and sv48.h for
 * the page-table entry format).  What one platform adds lives in its own
 * folder, in headers found first on its include path (the cells platform's
 * trap_causes.h, trap_switch.h and cells_csr.h).
 */
#ifndef PLATFORM_ARCH_H
#define PLATFORM_ARCH_H

/* ------------------------------------------------ address space layout --- */
/* Sv48: 48-bit virtual addresses, the upper half for the kernel. */
#define VA_BITS 48
#define USER_TOP 0x0000800000000000ul         /* first address above user space */
#define KERNEL_HALF_BASE 0xffff800000000000ul /* first kernel (upper-half) address */
#define DIRECT_MAP_BASE KERNEL_HALF_BASE      /* kernel VA of physical address 0 */

/* ----------------------------------------------------------- sstatus --- */
#define SSTATUS_SIE (1ul << 1)
#define SSTATUS_SPIE (1ul << 5)
#define SSTATUS_SPP (1ul << 8)
#define SSTATUS_FS_DIRTY (3ul << 13) /* FP state on: the kernel never touches it */
#define SSTATUS_SUM (1ul << 18)
#define SSTATUS_MXR (1ul << 19)

/* --------------------------------------------------------------- sie --- */
#define SIE_STIE (1ul << 5)

/* ------------------------------------------------------------ scause --- */
#define SCAUSE_INTERRUPT (1ul << 63)
#define IRQ_S_TIMER 5
#define EXC_INST_MISALIGNED 0
#define EXC_INST_ACCESS 1
#define EXC_ILLEGAL_INST 2
#define EXC_BREAKPOINT 3
#define EXC_LOAD_MISALIGNED 4
#define EXC_LOAD_ACCESS 5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS 7
#define EXC_ECALL_U 8
#define EXC_ECALL_S 9
#define EXC_INST_PAGE_FAULT 12
#define EXC_LOAD_PAGE_FAULT 13
#define EXC_STORE_PAGE_FAULT 15
/* A platform's own causes: its trap_causes.h. */

/* -------------------------------------------------------------- satp --- */
#define SATP_MODE_SHIFT 60
#define SATP_MODE_BARE 0ul
#define SATP_MODE_SV48 9ul
#define SATP_ASID_SHIFT 44
#define SATP_ASID_MASK (0xfffful << SATP_ASID_SHIFT)
#define SATP_PPN_MASK ((1ul << 44) - 1)

#ifndef __ASSEMBLY__
#include <stdint.h>

#ifdef HOST_TEST
/* Host unit tests run the same C on x86-64: the hardware hooks do nothing. */
#define csr_read(csr) 0ul
#define csr_write(csr, val) ((void)(val))
#define csr_set(csr, bits) ((void)(bits))
#define csr_clear(csr, bits) ((void)(bits))
static inline uint64_t read_instret(void) { return 0; }
/* Host tests set the clock themselves (defined in tests/host/host_env.c). */
extern uint64_t host_test_time;
static inline uint64_t read_time(void) { return host_test_time; }
static inline void sfence_vma_all(void) {}
static inline void sfence_vma_page(uint64_t va) { (void)va; }
static inline void sfence_vma_asid(uint64_t asid) { (void)asid; }
/* As QEMU's harts: 16 ASID bits. */
static inline unsigned satp_asid_bits(void) { return 16; }
#else
#define csr_read(csr)                                                          \
	({                                                                     \
		unsigned long v_;                                              \
		__asm__ volatile("csrr %0, " #csr : "=r"(v_));                 \
		v_;                                                            \
	})
#define csr_write(csr, val) __asm__ volatile("csrw " #csr ", %0" ::"rK"(val) : "memory")
#define csr_set(csr, bits) __asm__ volatile("csrs " #csr ", %0" ::"rK"(bits) : "memory")
#define csr_clear(csr, bits) __asm__ volatile("csrc " #csr ", %0" ::"rK"(bits) : "memory")

/* Retired instructions: deterministic under QEMU's -icount. */
static inline uint64_t read_instret(void)
{
	uint64_t v;
	__asm__ volatile("rdinstret %0" : "=r"(v));
	return v;
}

static inline uint64_t read_time(void)
{
	uint64_t v;
	__asm__ volatile("rdtime %0" : "=r"(v));
	return v;
}

/* Forget every cached translation: after a table edit that is not a single page, or a satp write. */
static inline void sfence_vma_all(void)
{
	__asm__ volatile("sfence.vma" ::: "memory");
}

/* Forget cached translations of the page holding VA, in every address space. */
static inline void sfence_vma_page(uint64_t va)
{
	__asm__ volatile("sfence.vma %0" ::"r"(va) : "memory");
}

/* Forget every cached translation of address space ASID but its global ones. */
static inline void sfence_vma_asid(uint64_t asid)
{
	__asm__ volatile("sfence.vma zero, %0" ::"r"(asid) : "memory");
}

/*
 * ASIDLEN, the ASID bits this hart's satp keeps (a WARL field: write ones,
 * read back, put the old value back).  The root stays the same throughout;
 * the fence forgets whatever was cached under the probing ASID.
 */
static inline unsigned satp_asid_bits(void)
{
	uint64_t old = csr_read(satp);
	csr_write(satp, old | SATP_ASID_MASK);
	uint64_t kept = (csr_read(satp) & SATP_ASID_MASK) >> SATP_ASID_SHIFT;
	csr_write(satp, old);
	sfence_vma_all();
	return (unsigned)__builtin_popcountl(kept);
}
#endif

static inline int va_is_user(uint64_t va)
{
	return va < USER_TOP;
}

/* A canonical address: bits 63..47 all equal (Sv48 sign extension). */
static inline int va_is_canonical(uint64_t va)
{
	return va < USER_TOP || va >= KERNEL_HALF_BASE;
}

/* The registers a trap saves, in the order trap_entry.S stores them. */
struct trap_frame {
	uint64_t regs[32]; /* x0..x31; regs[0] holds nothing */
	uint64_t sepc;
	uint64_t sstatus;
	uint64_t scause;
	uint64_t stval;
};

#define REG_RA 1
#define REG_SP 2
#define REG_GP 3
#define REG_TP 4
#define REG_A0 10
#define REG_A1 11
#define REG_A2 12
#define REG_A3 13
#define REG_A4 14
#define REG_A5 15
#define REG_A7 17

#endif /* __ASSEMBLY__ */

/* Offsets for trap_entry.S and trap_switch.h; checked against the structs in trap.c. */
#define HART_KERNEL_SP 0
#define HART_SCRATCH 8
#define HART_KERNEL_SATP 24
#define HART_USER_SATP 32
#define HART_USER_DIVISION 40
#define HART_USER_URID 48
#define TF_SEPC (32 * 8)
#define TF_SSTATUS (33 * 8)
#define TF_SCAUSE (34 * 8)
#define TF_STVAL (35 * 8)
#define TF_SIZE (36 * 8)

#endif
