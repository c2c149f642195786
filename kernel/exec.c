/*
 * Process start: load the ELF, build the initial stack the Linux ABI
 * describes (argc, argv, envp, auxiliary vector), enter U-mode.
 */
#include <string.h>

#include "compart/compart.h"
#include "kernel/console.h"
#include "kernel/elf.h"
#include "kernel/error.h"
#include "kernel/process.h"
#include "kernel/random.h"
#include "kernel/stats.h"
#include "machine.h"
#include "uaccess.h"

#define AT_NULL 0
#define AT_PHDR 3
#define AT_PHENT 4
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_BASE 7
#define AT_FLAGS 8
#define AT_ENTRY 9
#define AT_UID 11
#define AT_EUID 12
#define AT_GID 13
#define AT_EGID 14
#define AT_PLATFORM 15
#define AT_HWCAP 16
#define AT_CLKTCK 17
#define AT_SECURE 23
#define AT_RANDOM 25
#define AT_EXECFN 31

/* The ISA letters QEMU's rv64 CPU gives U-mode, as Linux reports them. */
#define HWCAP_ISA(c) (1ul << ((c) - 'a'))
#define USER_HWCAP (HWCAP_ISA('i') | HWCAP_ISA('m') | HWCAP_ISA('a') | HWCAP_ISA('f') | \
		    HWCAP_ISA('d') | HWCAP_ISA('c'))

struct process current_process;

/* Split CMDLINE in place at spaces into ARGV after its first ARGC entries; returns the new argc. */
static int split_args(char *cmdline, char **argv, int argc)
{
	for (char *p = cmdline; *p && argc < MAX_ARGS;) {
		while (*p == ' ')
			*p++ = 0;
		if (!*p)
			break;
		argv[argc++] = p;
		while (*p && *p != ' ')
			p++;
	}
	return argc;
}

/*
 * Sort the words of BOOTARGS (split in place) into ARGV after ARGC entries
 * (those after "--") and ENVP (KEY=VALUE words before it that are not the
 * kernel's own, at most ENV_ROOM).  Returns the new argc; *ENVC gets how
 * many went to ENVP.
 */
static int bootargs_split(char *bootargs, char **argv, int argc, char **envp, int env_room,
			  int *envc)
{
	char *words[MAX_ARGS];
	int n = split_args(bootargs, words, 0), i;
	*envc = 0;
	for (i = 0; i < n && strcmp(words[i], "--") != 0; i++)
		if (strchr(words[i], '=') && strncmp(words[i], "ktest=", 6) != 0 && *envc < env_room)
			envp[(*envc)++] = words[i];
	for (i++; i < n && argc < MAX_ARGS; i++)
		argv[argc++] = words[i];
	return argc;
}

/* The stack image is built here, then copied below TOP in one go. */
struct stack_builder {
	vaddr_t top;
	uint8_t buf[4096];
	size_t strings; /* bytes used from the top of buf */
};

/* Place N bytes at the top of the stack image: their user address, or 0 when full. */
static vaddr_t push_bytes(struct stack_builder *b, const void *data, size_t n)
{
	if (n > sizeof(b->buf) - b->strings - 1024)
		return 0;
	b->strings += n;
	memcpy(b->buf + sizeof(b->buf) - b->strings, data, n);
	return b->top - b->strings;
}

/* Build argc/argv/envp/auxv under the strings and copy it all to the user stack: the sp, or 0. */
static vaddr_t build_stack(struct stack_builder *b, int argc, char **argv, int envc,
			   char **envp, const struct elf_image *img)
{
	uint64_t uargv[MAX_ARGS], uenvp[MAX_ARGS];
	uint8_t random_bytes_[16];
	random_bytes(random_bytes_, sizeof(random_bytes_));
	vaddr_t at_random = push_bytes(b, random_bytes_, sizeof(random_bytes_));
	vaddr_t platform = push_bytes(b, "riscv64", 8);
	for (int i = envc - 1; i >= 0; i--)
		if (!(uenvp[i] = push_bytes(b, envp[i], strlen(envp[i]) + 1)))
			return 0;
	for (int i = argc - 1; i >= 0; i--)
		if (!(uargv[i] = push_bytes(b, argv[i], strlen(argv[i]) + 1)))
			return 0;
	if (!at_random || !platform)
		return 0;
	uint64_t vec[2 * MAX_ARGS + 48], n = 0;
	vec[n++] = argc;
	for (int i = 0; i < argc; i++)
		vec[n++] = uargv[i];
	vec[n++] = 0; /* end of argv */
	for (int i = 0; i < envc; i++)
		vec[n++] = uenvp[i];
	vec[n++] = 0; /* end of the environment */
	const uint64_t aux[][2] = {
		{ AT_PHDR, img->phdr },	    { AT_PHENT, img->phentsize }, { AT_PHNUM, img->phnum },
		{ AT_PAGESZ, PAGE_SIZE },   { AT_BASE, 0 },		  { AT_FLAGS, 0 },
		{ AT_ENTRY, img->entry },   { AT_UID, 0 },		  { AT_EUID, 0 },
		{ AT_GID, 0 },		    { AT_EGID, 0 },		  { AT_PLATFORM, platform },
		{ AT_HWCAP, USER_HWCAP },   { AT_CLKTCK, 100 },		  { AT_SECURE, 0 },
		{ AT_RANDOM, at_random },   { AT_EXECFN, argc ? uargv[0] : 0 }, { AT_NULL, 0 },
	};
	for (size_t i = 0; i < sizeof(aux) / sizeof(aux[0]); i++) {
		vec[n++] = aux[i][0];
		vec[n++] = aux[i][1];
	}
	vaddr_t sp = ALIGN_DOWN(b->top - b->strings - n * 8, 16);
	size_t total = b->top - sp;
	if (total > sizeof(b->buf))
		return 0;
	memcpy(b->buf + sizeof(b->buf) - total, vec, n * 8);
	if (copy_to_user(sp, b->buf + sizeof(b->buf) - total, total) != 0)
		return 0;
	return sp;
}

int process_start(const void *image, size_t size, const char *cmdline, const char *bootargs)
{
	static char args[1024], boot[1024];
	static struct stack_builder stack;
	char *argv[MAX_ARGS], *envp[MAX_ARGS];
	int envc;
	struct process *p = &current_process;
	struct elf_image img;

	strncpy(args, cmdline, sizeof(args) - 1);
	strncpy(boot, bootargs ? bootargs : "", sizeof(boot) - 1);
	/* The build's command line, then on its second line the build's environment. */
	char *env = strchr(args, '\n');
	if (env)
		*env++ = 0;
	int argc = split_args(args, argv, 0);
	int build_envc = env ? split_args(env, envp, 0) : 0;
	argc = bootargs_split(boot, argv, argc, envp + build_envc, MAX_ARGS - build_envc, &envc);
	envc += build_envc;
	p->space = vmm_kernel_space();
	p->name = argc ? argv[0] : "app";
	vaddr_t pie_base = PIE_BASE + (random_u64() % PIE_RANDOM_SLOTS) * PIE_MAX_ALIGN;
	/* The compartments come first: they decide how many views the space has. */
	int err = compart_prepare(p->space, image, size);
	if (!err)
		err = elf_load(p->space, image, size, pie_base, &img);
	if (err)
		return err;
	p->brk_start = p->brk = img.brk_start;
	p->mmap_next = MMAP_BASE;
	p->stack_top = STACK_TOP_MAX - (random_u64() % (STACK_RANDOM / PAGE_SIZE)) * PAGE_SIZE;
	stack.top = p->stack_top;
	/* One page more than the stack: its lowest page is the guard, never mapped. */
	vaddr_t stack_lo = p->stack_top - STACK_SIZE - PAGE_SIZE;
	err = vmm_region_add(p->space, stack_lo, STACK_SIZE + PAGE_SIZE,
			     VMM_USER | VMM_READ | VMM_WRITE, REGION_STACK);
	if (!err)
		err = compart_apply(p->space, stack_lo, p->stack_top);
	if (err)
		return err;
	vaddr_t sp = build_stack(&stack, argc, argv, envc, envp, &img);
	if (!sp)
		return -E2BIG;
	kstats.user_entry_instret = read_instret();
	enter_user(img.entry, sp);
}

void process_exit(int status)
{
	stats_print(status);
	machine_exit(status);
}
