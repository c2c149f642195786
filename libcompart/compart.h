/*
 * Compartments, the program's side (docs/compartments.md).  Plain C and
 * assembler: no compiler plugin, no linker script.
 *
 *   #define COMPARTMENT_ID_vault 1            (a header every file sees: ids 1..7, main is 0)
 *   COMPARTMENT_DEFINE(main, 0);              (once per compartment, in one .c file;
 *   COMPARTMENT_DEFINE(vault, COMPART_SECRET);  main must be defined too)
 *   static COMPART_DATA(vault) char key[32];
 *   COMPART_CODE(vault) long seal(long buf, long len) { ... }
 *   COMPARTMENT_ENTRY(vault, seal);           (the only way into vault)
 *   struct compart_result r = COMPARTMENT_CALL(main, vault, seal, (long)buf, 16);
 *
 * Code and data outside every named compartment belong to main (the C
 * library's code is shared by all, as the policy decides).  A call runs
 * the callee on its own stack and comes back with r.value, or, when the
 * callee faulted and the policy contained the fault, with r.fault set (an
 * enum compart_fault_code).  Compartment code must not use what belongs
 * to main: errno and the rest of thread-local storage, stdio, malloc.
 */
#ifndef LIBCOMPART_COMPART_H
#define LIBCOMPART_COMPART_H

#include <stddef.h>

#include "compart_abi.h"

struct compart_result {
	long value; /* the callee's return value */
	long fault; /* 0, or why the call came back without one (enum compart_fault_code) */
};

#define COMPART_CODE(name) __attribute__((section("compart_text_" #name), noinline, used))
#define COMPART_DATA(name) __attribute__((section("compart_data_" #name)))

/* The size of each compartment's own stack (its data holds it). */
#ifndef COMPARTMENT_STACK_SIZE
#define COMPARTMENT_STACK_SIZE 16384
#endif

#define COMPART_STR_(x) #x
#define COMPART_STR(x) COMPART_STR_(x)

/*
 * The caller's stub, in NAME's code: save what the callee could spoil,
 * clear what it could read, note the call in NAME's state, switch, and on
 * the way back trust nothing but NAME's own state.  The landing pad after
 * the switch refuses a return when no call is outstanding (a forged return
 * into NAME), by an illegal instruction the kernel reports.
 * a0-a5 the arguments, a6 the callee's entry stub, a7 its compartment.
 */
#define COMPART_CALL_STUB(name, id)                                                         \
	".pushsection compart_text_" #name ",\"ax\",@progbits\n"                          \
	".balign 4096\n"                                                                  \
	".globl __compart_call_" #name "\n"                                               \
	".type __compart_call_" #name ",@function\n"                                      \
	"__compart_call_" #name ":\n"                                                     \
	"addi sp, sp, -128\n"                                                             \
	"sd ra, 0(sp)\n sd gp, 8(sp)\n sd tp, 16(sp)\n sd s0, 24(sp)\n sd s1, 32(sp)\n"   \
	"sd s2, 40(sp)\n sd s3, 48(sp)\n sd s4, 56(sp)\n sd s5, 64(sp)\n sd s6, 72(sp)\n" \
	"sd s7, 80(sp)\n sd s8, 88(sp)\n sd s9, 96(sp)\n sd s10, 104(sp)\n"               \
	"sd s11, 112(sp)\n"                                                               \
	"lla t3, __compart_state_" #name "\n"                                             \
	"sd sp, 0(t3)\n sd a7, 8(t3)\n rdinstret t4\n sd t4, 16(t3)\n"                    \
	"li s0, 0\n li s1, 0\n li s2, 0\n li s3, 0\n li s4, 0\n li s5, 0\n li s6, 0\n"    \
	"li s7, 0\n li s8, 0\n li s9, 0\n li s10, 0\n li s11, 0\n li tp, 0\n"              \
	"li t3, 0\n li t4, 0\n"                                                           \
	"li t2, " COMPART_STR(id) "\n"                                                    \
	"lui t5, 1\n lw t6, 0(t5)\n li t5, 1\n beq t6, t5, 1f\n"                          \
	"li t5, 2\n beq t6, t5, 2f\n"                                                     \
	"addi a6, a6, 4\n jalr ra, 0(a6)\n j 3f\n"                                        \
	"2: mv t0, a6\n mv t1, a7\n li a7, " COMPART_STR(SYS_compart_call) "\n ecall\n j 3f\n"                          \
	".balign 4\n"                                                                     \
	".option push\n .option norvc\n"                                                  \
	"1: addi a7, a7, 1\n" /* the division: compartment + 1 */                        \
	".word 0x0118008B\n" /* jalrs ra, a6, a7 */                                       \
	".option pop\n"                                                                   \
	"__compart_pad_" #name ":\n"                                                      \
	".word " COMPART_STR(COMPART_ENTRY_WORD) "\n"                                     \
	"3: lla t3, __compart_state_" #name "\n"                                          \
	"ld t4, 8(t3)\n bltz t4, 4f\n"                                                    \
	"ld sp, 0(t3)\n li t4, -1\n sd t4, 8(t3)\n"                                       \
	"ld ra, 0(sp)\n ld gp, 8(sp)\n ld tp, 16(sp)\n ld s0, 24(sp)\n ld s1, 32(sp)\n"   \
	"ld s2, 40(sp)\n ld s3, 48(sp)\n ld s4, 56(sp)\n ld s5, 64(sp)\n ld s6, 72(sp)\n" \
	"ld s7, 80(sp)\n ld s8, 88(sp)\n ld s9, 96(sp)\n ld s10, 104(sp)\n"               \
	"ld s11, 112(sp)\n"                                                               \
	"addi sp, sp, 128\n ret\n"                                                        \
	"4: unimp\n"                                                                      \
	".size __compart_call_" #name ", . - __compart_call_" #name "\n"                  \
	".popsection\n"

/* NAME's stack, its state, and its descriptor (compart_abi.h). */
#define COMPART_DATA_AND_TABLE(name, id, flags)                                             \
	".pushsection compart_data_" #name ",\"aw\",@progbits\n"                          \
	".balign 4096\n"                                                                  \
	"__compart_stack_" #name ": .zero " COMPART_STR(COMPARTMENT_STACK_SIZE) "\n"     \
	".balign 16\n"                                                                    \
	".globl __compart_state_" #name "\n"                                              \
	"__compart_state_" #name ":\n"                                                    \
	".dword __compart_stack_" #name " + " COMPART_STR(COMPARTMENT_STACK_SIZE) "\n"  \
	".dword -1\n .dword 0\n"                                                          \
	".dword __compart_stack_" #name " + " COMPART_STR(COMPARTMENT_STACK_SIZE) "\n"  \
	".popsection\n"                                                                   \
	".pushsection .rodata\n"                                                          \
	"__compart_name_" #name ": .asciz \"" #name "\"\n"                                \
	".popsection\n"                                                                   \
	".pushsection compart_table,\"a\",@progbits\n"                                    \
	".balign 8\n"                                                                     \
	".dword " COMPART_STR(COMPART_DESCRIPTOR_MAGIC) ", " COMPART_STR(id)             \
	", __compart_name_" #name ", "                                                    \
	COMPART_STR(flags) "\n"                                                           \
	".dword __start_compart_text_" #name ", __stop_compart_text_" #name "\n"          \
	".dword __start_compart_data_" #name ", __stop_compart_data_" #name "\n"          \
	".dword __compart_state_" #name ", __compart_pad_" #name "\n"                     \
	".popsection\n"

/* Define compartment NAME (its id is COMPARTMENT_ID_<name>), with FLAGS (0 or COMPART_SECRET). */
#define COMPARTMENT_DEFINE(name, flags)                                                     \
	__asm__(COMPART_CALL_STUB(name, COMPARTMENT_ID_##name)                              \
		COMPART_DATA_AND_TABLE(name, COMPARTMENT_ID_##name, flags))

/*
 * The entry stub of FN in NAME: the landing pad, then NAME's own gp, no
 * thread pointer, NAME's own stack (never the caller's sp), the call, and
 * back with every register the callee could leave a secret in cleared.
 * t2 holds the caller's compartment (cells: the division to return to).
 */
#define COMPARTMENT_ENTRY(name, fn)                                                         \
	__asm__(".pushsection compart_text_" #name ",\"ax\",@progbits\n"                    \
		".balign 4\n"                                                               \
		".globl __compart_entry_" #name "_" #fn "\n"                                \
		"__compart_entry_" #name "_" #fn ":\n"                                      \
		".word " COMPART_STR(COMPART_ENTRY_WORD) "\n"                               \
		".option push\n .option norelax\n lla gp, __global_pointer$\n .option pop\n" \
		"li tp, 0\n"                                                                \
		"lla t3, __compart_state_" #name "\n ld t4, 0(t3)\n addi sp, t4, -32\n"      \
		"sd t4, 0(sp)\n sd t2, 8(sp)\n sd ra, 16(sp)\n"                              \
		"call " #fn "\n"                                                            \
		"ld t4, 0(sp)\n ld t2, 8(sp)\n ld ra, 16(sp)\n"                              \
		"lla t3, __compart_state_" #name "\n sd t4, 0(t3)\n"                         \
		"li a1, 0\n li a2, 0\n li a3, 0\n li a4, 0\n li a5, 0\n li a6, 0\n li a7, 0\n" \
		"li t0, 0\n li t1, 0\n li t3, 0\n li t4, 0\n"                                \
		"lui t5, 1\n lw t6, 0(t5)\n li t5, 1\n beq t6, t5, 1f\n"                     \
		"li t5, 2\n beq t6, t5, 2f\n"                                                \
		"li t5, 0\n li t6, 0\n ret\n"                                                \
		"1: addi t2, t2, 1\n li t5, 0\n li t6, 0\n"                                  \
		".word 0x0070800B\n" /* jalrs x0, ra, t2 */                                 \
		"2: li a7, " COMPART_STR(SYS_compart_return) "\n ecall\n unimp\n"                                           \
		".popsection\n"                                                             \
		".pushsection compart_entries,\"a\",@progbits\n"                            \
		".balign 8\n"                                                               \
		".dword __compart_entry_" #name "_" #fn ", " COMPART_STR(COMPARTMENT_ID_##name) "\n" \
		".popsection\n")

/*
 * A symbol of the program itself, reached pc-relative: through the GOT it
 * would be a load from main's data, which other compartments may not read.
 */
#define COMPART_LOCAL __attribute__((visibility("hidden")))

#define COMPART_ARG6_(x, a, b, c, d, e, f, ...) (long)(a), (long)(b), (long)(c), (long)(d), \
						(long)(e), (long)(f)
#define COMPART_ARGS6(...) COMPART_ARG6_(x, ##__VA_ARGS__, 0, 0, 0, 0, 0, 0)

/* Call FN, an entry point of compartment TO, from code of compartment FROM, with up to six arguments. */
#define COMPARTMENT_CALL(from, to, fn, ...)                                                 \
	({                                                                                  \
		extern struct compart_result __compart_call_##from(long, long, long, long,  \
								   long, long, long, long)  \
			COMPART_LOCAL;                                                      \
		extern char __compart_entry_##to##_##fn[] COMPART_LOCAL;                    \
		__compart_call_##from(COMPART_ARGS6(__VA_ARGS__),                           \
				      (long)__compart_entry_##to##_##fn, COMPARTMENT_ID_##to); \
	})

/*
 * Memory between compartments, through the kernel and the policy.  Each
 * returns a grant id (>= 0) or a negative errno: -EPERM (the policy
 * refused), -EINVAL (a bad range, rights or compartment), -EACCES (the
 * caller does not hold what it gives).
 */
long compart_grant(const void *va, size_t len, unsigned to, unsigned rights);
long compart_transfer(const void *va, size_t len, unsigned to, unsigned rights);
long compart_donate(size_t len, unsigned to, unsigned rights);
long compart_revoke(long grant);
/* Drop the caller's own rights on [va, va+len) to RIGHTS (lwC's restrict): never raises them. */
long compart_restrict(const void *va, size_t len, unsigned rights);
/* The calling compartment's id, and the kernel's information page (NULL without compartments). */
long compart_self(void);
const struct compart_info *compart_info(void);

#endif
