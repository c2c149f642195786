/*
 * What the parts of the cells-emu program share: the output, the reports,
 * the trap record, the probes (start.S) and the table the checks run on.
 * main.c builds the table and runs the checks of checks_*.c in order.
 */
#ifndef CELLS_EMU_HARNESS_H
#define CELLS_EMU_HARNESS_H

#include <stddef.h>
#include <stdint.h>

typedef uint64_t u64;
typedef uint32_t u32;
typedef uint8_t u8;

void puts_(const char *s);
void putdec(u64 v);
void puthex(u64 v);
void test_exit(int code);

/* ---------------------------------------------------------------- CSRs --- */
#define csr_read(csr) ({ u64 __v; asm volatile("csrr %0, " #csr : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, v) asm volatile("csrw " #csr ", %0" :: "r"((u64)(v)) : "memory")
#define csr_set(csr, v) asm volatile("csrs " #csr ", %0" :: "r"((u64)(v)) : "memory")
#define csr_clear(csr, v) asm volatile("csrc " #csr ", %0" :: "r"((u64)(v)) : "memory")
#define USID 0x082
#define URID 0x083
#define UXID 0x084
#define SSTATUS_MXR (1UL << 19)

static inline void sfence(void)
{
	asm volatile("sfence.vma" ::: "memory");
}

/* The last S-mode trap, and u_info (scause, stval, sepc, usid, urid, uxid, a0..a2) of a U trap. */
extern volatile u64 t_count, t_cause, t_tval, t_epc, t_usid, t_urid, t_uxid;
extern volatile u64 u_info[9];

struct probe { u64 val, fault; };
struct probe probe_ld(u64 addr);
struct probe probe_sd(u64 addr, u64 val);
struct probe probe_fetch(u64 addr);
struct probe probe_sd_as(u64 addr, u64 val, u64 sid);
struct probe probe_prot(u64 addr, u64 rights);
struct probe probe_inval(u64 addr);
struct probe probe_reval(u64 addr, u64 rights);
struct probe probe_entry(void);
long run_user(void (*fn)(void), u64 arg, u64 urid, u64 uxid);
void u_ld(void), u_sd(void), u_ecall(void), u_ids(void), u_wids(void), u_jalrs(void), u_jals(void),
	u_pad(void), u_grant(void), u_recv(void), u_excl(void), u_jals_ret(void);
void u_inval(void), u_prot0(void), u_reval_rwx(void), u_tfer_r_to2(void), u_recv_r_from1(void),
	u_grant_r_to2(void), u_grant_none_to2(void), u_jalrs_div9(void);
/* Reports: begin a check, expect values, end it (prints "ok NAME" or "not ok NAME: ..."). */
void begin(const char *name);
void bad(const char *what, u64 got, u64 want);
void expect(const char *what, u64 got, u64 want);
void end(void);
void expect_fault(struct probe p, u64 cause, u64 tval);
void expect_ok(struct probe p);

/* --------------------------------------------------------------- table --- */
#define TBL   0x80300000UL   /* B */
#define T     1u
#define R     4u
#define M     3u
#define NCELL 10u            /* N, the metacell included */

#define P_V 0x01
#define P_R 0x02
#define P_W 0x04
#define P_X 0x08
#define P_A 0x40
#define P_D 0x80

#define VMASK ((1UL << 36) - 1)
#define PMASK ((1UL << 44) - 1)

/* cells, sorted by address */
enum {
	C_DEV = 1,   /* 0x100000, 1 page: the exit device */
	C_A,         /* 0x10000000, 4 pages -> 0x80500000 */
	C_B,         /* 0x11000000 -> 0x80510000: W only */
	C_C,         /* 0x11001000 -> 0x80511000: X only */
	C_D,         /* 0x11002000 -> 0x80512000: R only */
	C_E,         /* 0x11003000 -> 0x80513000: RWX without V */
	C_F,         /* 0x11004000 -> 0x80514000: descriptor invalid */
	C_G,         /* 0x12000000 -> 0x80520000 (then 0x80521000) */
	C_K,         /* 0x80200000..0x807fffff identity: this program, the table */
};

#define VA_A 0x10000000UL
#define PA_A 0x80500000UL
#define VA_B 0x11000000UL
#define VA_C 0x11001000UL
#define PA_C 0x80511000UL
#define VA_D 0x11002000UL
#define VA_E 0x11003000UL
#define VA_F 0x11004000UL
#define VA_G 0x12000000UL
#define PA_G 0x80520000UL
#define PA_G2 0x80521000UL
/* Slot I's descriptor words, a cell written whole, and division SID's byte and grant for CELL. */
volatile u64 *slot(unsigned i);
void set_cell(unsigned i, u64 first, u64 last, u64 ppn, int valid);
volatile u8 *perm(unsigned sid, unsigned cell);
volatile u32 *grant(unsigned sid, unsigned cell);

#define PF_FETCH 12
#define PF_LOAD 13
#define PF_STORE 15
/* The checks, run in this order on the table with MODE 15 on. */
void check_translation(void);
void check_divisions(void);
void check_instructions(void);
/* On a table of its own (three compartments and a witness); the first table is back after it. */
void check_compartments(void);

#endif
