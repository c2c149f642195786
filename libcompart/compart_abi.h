/*
 * The interface between a compartmentalised program and the kernel, stated
 * once for both sides (libcompart/ in the program, compart/ in the kernel),
 * as Linux's uapi headers are: the sections the loader reads, the page the
 * kernel writes, the system calls, the landing-pad word.  Plain C types
 * only; nothing here depends on either side.  docs/compartments.md tells
 * the story.
 */
#ifndef LIBCOMPART_COMPART_ABI_H
#define LIBCOMPART_COMPART_ABI_H

#include <stdint.h>

#define COMPART_MAX 8 /* compartments in a program, main included (vmm's VMM_MAX_VIEWS) */

/*
 * The SecureCells landing pad, `entry`: the first word of every entry stub
 * and of every return pad.  A switch (jalrs) to any other word faults.
 */
#define COMPART_ENTRY_WORD 0x0000100B /* no suffix: the stubs' assembler reads it too */

/*
 * The compartment table: one descriptor per compartment in the ELF section
 * "compart_table", written by COMPARTMENT_DEFINE.  Addresses are the
 * program's (a static, non-PIE executable: the loader refuses others).
 */
#define COMPART_DESCRIPTOR_MAGIC 0x31544d504d4f43 /* "COMPMT1" */
#define COMPART_SECRET 1 /* flags: the compartment holds a secret */

struct compart_descriptor {
	uint64_t magic;
	uint64_t id;	   /* 0 is main; the others 1..n-1, each once */
	uint64_t name;	   /* address of its NUL-terminated name */
	uint64_t flags;	   /* COMPART_SECRET */
	uint64_t text_start, text_end; /* its code: section compart_text_<name> */
	uint64_t data_start, data_end; /* its data: section compart_data_<name> */
	uint64_t state;	   /* its struct compart_state, inside its data */
	uint64_t return_pad; /* the landing pad its calls return to, inside its code */
};

/* One entry point, in the ELF section "compart_entries" (COMPARTMENT_ENTRY). */
struct compart_entry_record {
	uint64_t stub; /* the entry stub: its first word is COMPART_ENTRY_WORD */
	uint64_t id;   /* the compartment it enters */
};

/*
 * What a compartment's own stubs keep about it, in its own data (no other
 * compartment can read or write it).  The kernel reads it to contain a
 * fault: which compartment's call went where, and most recently.
 */
#define COMPART_NO_CALLEE (~0ull)
struct compart_state {
	uint64_t sp;	 /* where the compartment's code runs when it is entered next */
	uint64_t callee; /* the compartment its outstanding call went to, or COMPART_NO_CALLEE */
	uint64_t stamp;	 /* instret when that call was made: the most recent call is the largest */
	uint64_t stack_top; /* its stack's top: sp when no call of it is outstanding */
};

/*
 * The information page: read-only to every compartment, written by the
 * kernel at load, at a fixed address so that a stub reaches it in one
 * instruction (lui).  The page below it stays unmapped (NULL).
 */
#define COMPART_INFO_VA 0x1000 /* the stubs reach it with `lui t5, 1` */
#define COMPART_INFO_MAGIC 0x4f464e49504d4f43ull /* "COMPINFO" */

enum compart_method {
	COMPART_METHOD_DIRECT = 0, /* one compartment (flat): a call is a call */
	COMPART_METHOD_CELLS = 1,  /* jalrs to an entry stub, no kernel */
	COMPART_METHOD_ECALL = 2,  /* an ecall: the kernel checks the entry and switches roots */
};

#define COMPART_GRANTS_MAX 64

/* A grant as every compartment may see it: where, whose, and whether it is on its way out. */
enum compart_grant_state {
	COMPART_GRANT_NONE = 0,
	COMPART_GRANT_LIVE = 1,
	COMPART_GRANT_NOTICE = 2, /* revoked, the notice posted: it ends at the deadline */
	COMPART_GRANT_ENDED = 3,
};

struct compart_grant_info {
	uint64_t va, len;
	uint32_t from, to;
	uint32_t state;	   /* enum compart_grant_state */
	uint32_t rights;
	uint64_t deadline; /* COMPART_GRANT_NOTICE: the timer tick it ends at */
};

struct compart_info {
	uint32_t method;   /* enum compart_method; at offset 0, the stubs read it */
	uint32_t count;	   /* compartments, main included */
	uint64_t magic;
	char policy[32];   /* the policy's name */
	uint64_t ticks;	   /* timer ticks since the program started */
	uint64_t donated[COMPART_MAX]; /* bytes each compartment has donated and not got back */
	struct compart_grant_info grants[COMPART_GRANTS_MAX]; /* by grant id */
};

/* System calls (a7); numbers no Linux riscv64 call uses. */
#define SYS_compart_call 500	 /* t0 = entry stub, t1 = its compartment: switch (ECALL method) */
#define SYS_compart_return 501	 /* back to the caller of the current call (ECALL method) */
#define SYS_compart_grant 502	 /* a0 = va, a1 = len, a2 = to, a3 = rights, a4 = kind: grant id */
#define SYS_compart_revoke 503	 /* a0 = grant id */
#define SYS_compart_restrict 504 /* a0 = va, a1 = len, a2 = rights: drop one's own rights */
#define SYS_compart_self 505	 /* the calling compartment's id */

/* Grant kinds (a4 of SYS_compart_grant) and rights (a3). */
#define COMPART_SHARE 0
#define COMPART_TRANSFER 1
#define COMPART_DONATE 2
#define COMPART_R 1u
#define COMPART_W 2u
#define COMPART_X 4u

/* Why a call came back without its callee's answer (a1 of the return; compart_result.fault). */
enum compart_fault_code {
	COMPART_OK = 0,
	COMPART_FAULT_READ = 1,
	COMPART_FAULT_WRITE = 2,
	COMPART_FAULT_EXEC = 3,
	COMPART_FAULT_BAD_ENTRY = 4,
	COMPART_FAULT_REVOKED = 5,
	COMPART_FAULT_EXPIRED = 6,
	COMPART_FAULT_INSTRUCTION = 7,
	COMPART_FAULT_OTHER = 8,
};

#endif
