/*
 * The classes of attack that held when the kernel was first attacked, kept
 * so that they go on holding: kernel pointers handed to system calls,
 * privileged instructions, reads, writes and jumps into kernel memory,
 * execution of data, and SBI calls from U-mode.  Faults end the program
 * with Linux's status (the kernel reports them); system calls return
 * Linux's errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "attack.h"

#define KERNEL_IMAGE 0xffff800080200000ul
#define DIRECT_MAP_RAM 0xffff800080000000ul

/* Kernel and non-canonical addresses as every pointer argument a call takes: EFAULT. */
static int kernel_pointers(int argc, char **argv)
{
	static const unsigned long bad[] = { KERNEL_IMAGE, DIRECT_MAP_RAM, 0xffffffffffff0000ul,
					     0x0000800000000000ul, 0x7ffffffffffful };
	int failed = 0;
	char name[96];
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		long p = (long)bad[i];
		struct iovec iov = { (void *)p, 16 };
		snprintf(name, sizeof(name), "write from %#lx", bad[i]);
		failed |= expect_errno(name, syscall(SYS_write, 1, p, 16), EFAULT);
		snprintf(name, sizeof(name), "read into %#lx", bad[i]);
		int fd = open("/dev/zero", O_RDONLY);
		failed |= expect_errno(name, syscall(SYS_read, fd, p, 16), EFAULT);
		close(fd);
		snprintf(name, sizeof(name), "writev of an iovec at %#lx", bad[i]);
		failed |= expect_errno(name, syscall(SYS_writev, 1, p, 1), EFAULT);
		snprintf(name, sizeof(name), "writev of a buffer at %#lx", bad[i]);
		failed |= expect_errno(name, syscall(SYS_writev, 1, &iov, 1), EFAULT);
		snprintf(name, sizeof(name), "openat of a path at %#lx", bad[i]);
		failed |= expect_errno(name, syscall(SYS_openat, AT_FDCWD, p, O_RDONLY), EFAULT);
		snprintf(name, sizeof(name), "fstat into %#lx", bad[i]);
		failed |= expect_errno(name, syscall(SYS_fstat, 1, p), EFAULT);
		snprintf(name, sizeof(name), "clock_gettime into %#lx", bad[i]);
		failed |= expect_errno(name, syscall(SYS_clock_gettime, CLOCK_MONOTONIC, p), EFAULT);
		snprintf(name, sizeof(name), "getrandom into %#lx", bad[i]);
		failed |= expect_errno(name, syscall(SYS_getrandom, p, 16, 0), EFAULT);
	}
	/* A buffer that starts in the user half and runs past its end. */
	failed |= expect_errno("write across the top of the user half",
			       syscall(SYS_write, 1, 0x7ffffffffff0ul, 64), EFAULT);
	return failed;
}

/* SBI calls from U-mode reach the kernel as unknown system calls: ENOSYS, nothing shut down. */
static int sbi_calls(int argc, char **argv)
{
	static const long extensions[] = { 0x53525354 /* SRST */, 0x54494D45 /* TIME */,
					   0x48534D /* HSM */, 0x08 /* legacy shutdown */,
					   0x4442434E /* DBCN */ };
	int failed = 0;
	char name[64];
	for (unsigned i = 0; i < sizeof(extensions) / sizeof(extensions[0]); i++) {
		snprintf(name, sizeof(name), "ecall to SBI extension %#lx", extensions[i]);
		failed |= expect_errno(name, syscall(extensions[i], 0, 0, 0), ENOSYS);
	}
	return failed;
}

/* One privileged instruction from U-mode, named by argv[1]: an illegal instruction (132). */
static int privileged(int argc, char **argv)
{
	const char *which = argc > 1 ? argv[1] : "";
	printf("attack: executing %s in U-mode\n", which);
	fflush(stdout);
	if (!strcmp(which, "csrr-sstatus"))
		__asm__ volatile("csrr t0, sstatus" ::: "t0");
	else if (!strcmp(which, "csrw-satp"))
		__asm__ volatile("csrw satp, zero");
	else if (!strcmp(which, "csrw-stvec"))
		__asm__ volatile("csrw stvec, zero");
	else if (!strcmp(which, "sret"))
		__asm__ volatile("sret");
	else if (!strcmp(which, "mret"))
		__asm__ volatile("mret");
	else if (!strcmp(which, "sfence"))
		__asm__ volatile("sfence.vma");
	else if (!strcmp(which, "wfi"))
		__asm__ volatile("wfi");
	else
		printf("attack: unknown instruction %s\n", which);
	printf("attack: %s did not trap\n", which);
	return 1;
}

/* Load from, store to, or jump into kernel memory (argv[1]): a page fault (139). */
static int kernel_memory(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "";
	volatile unsigned long *image = (volatile unsigned long *)KERNEL_IMAGE;
	printf("attack: %s the kernel image\n", how);
	fflush(stdout);
	if (!strcmp(how, "load"))
		printf("attack: read %#lx\n", *image);
	else if (!strcmp(how, "store"))
		*image = 0;
	else if (!strcmp(how, "jump"))
		((void (*)(void))KERNEL_IMAGE)();
	printf("attack: %s did not fault\n", how);
	return 1;
}

/* Execute the stack or the heap (argv[1]): W^X, an instruction page fault (139). */
static int execute_data(int argc, char **argv)
{
	static const unsigned ret = 0x00008067; /* jalr x0, 0(ra) */
	const char *where = argc > 1 ? argv[1] : "";
	unsigned stack_code[1] = { ret };
	unsigned *heap_code = malloc(sizeof(unsigned));
	if (!heap_code)
		return 1;
	*heap_code = ret;
	void *code = !strcmp(where, "heap") ? (void *)heap_code : (void *)stack_code;
	printf("attack: jumping into the %s\n", where);
	fflush(stdout);
	((void (*)(void))code)();
	printf("attack: the %s executed\n", where);
	return 1;
}

const struct attack attacks_basic[] = {
	{ "basic-kernel-pointers", kernel_pointers,
	  "kernel and non-canonical pointers to system calls: EFAULT" },
	{ "basic-sbi-calls", sbi_calls, "SBI calls from U-mode: ENOSYS, nothing shut down" },
	{ "basic-privileged", privileged, "a privileged instruction (argv[1]): illegal instruction" },
	{ "basic-kernel-memory", kernel_memory,
	  "load/store/jump (argv[1]) into the kernel image: page fault" },
	{ "basic-execute-data", execute_data, "execute the stack or heap (argv[1]): page fault" },
	{ 0, 0, 0 },
};
