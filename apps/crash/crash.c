/*
 * Misbehaves on purpose, in the way argv[1] names, so the tests can check
 * that the kernel reports the fault, ends the application with the status a
 * shell would show for the signal, and keeps its own state intact (the
 * stack's guard page is memtest's):
 *   null     load from address 0              -> 139 (SIGSEGV)
 *   kernel   store to a kernel-half address   -> 139
 *   exec     jump into a non-executable page  -> 139
 *   illegal  an illegal instruction           -> 132 (SIGILL)
 *   badptr   system calls with bad pointers: each must return -EFAULT -> 0
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Each call must fail with EFAULT and nothing else. */
static int bad_pointers(void)
{
	static const struct {
		const char *what;
		long nr, a0, a1, a2, a3;
	} calls[] = {
		{ "write from NULL", SYS_write, 1, 0, 16, 0 },
		{ "write from a kernel address", SYS_write, 1, (long)0xffff800080200000ul, 16, 0 },
		{ "write from an unmapped address", SYS_write, 1, 0x500000000000l, 16, 0 },
		{ "getrandom into NULL", SYS_getrandom, 0, 16, 0, 0 },
		{ "getrandom into text", SYS_getrandom, (long)bad_pointers, 16, 0, 0 },
		{ "fstat into a kernel address", SYS_fstat, 1, (long)0xffff800080200000ul, 0, 0 },
		{ "prlimit64 old limit into address 1", SYS_prlimit64, 0, 3, 0, 1 },
		{ "readlinkat path at NULL", SYS_readlinkat, -100, 0, 0x1000, 64 },
	};
	int failures = 0;
	for (unsigned i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		long r = syscall(calls[i].nr, calls[i].a0, calls[i].a1, calls[i].a2, calls[i].a3);
		int ok = r == -1 && errno == EFAULT;
		printf("%s: %s\n", calls[i].what, ok ? "EFAULT" : "WRONG");
		failures += !ok;
	}
	return failures;
}

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "";
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("crash: %s\n", how);
	if (strcmp(how, "null") == 0)
		return *(volatile int *)0;
	if (strcmp(how, "kernel") == 0)
		*(volatile long *)0xffff800080200000ul = 1;
	else if (strcmp(how, "exec") == 0) {
		static long data = 0;
		((void (*)(void))&data)();
	} else if (strcmp(how, "illegal") == 0)
		__asm__ volatile(".word 0");
	else if (strcmp(how, "badptr") == 0)
		return bad_pointers() ? 1 : 0;
	printf("crash: survived '%s'\n", how);
	return 2;
}
