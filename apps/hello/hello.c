/*
 * The first application: an ordinary C program, built with
 * riscv64-linux-gnu-gcc -static, that prints a greeting with its arguments
 * and checks a little of what glibc's start-up received from the kernel.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

extern char **environ;

int main(int argc, char **argv)
{
	printf("Hello from %s", argv[0]);
	for (int i = 1; i < argc; i++)
		printf(" %s", argv[i]);
	printf("!\n");
	for (char **e = environ; *e; e++)
		printf("hello: env %s\n", *e);

	/* The kernel must hand over a page size and 16 random bytes. */
	if (getauxval(AT_PAGESZ) != 4096) {
		fprintf(stderr, "hello: AT_PAGESZ is %lu, expected 4096\n", getauxval(AT_PAGESZ));
		return 1;
	}
	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	static const unsigned char zero[16];
	if (!rnd || memcmp(rnd, zero, sizeof(zero)) == 0) {
		fprintf(stderr, "hello: AT_RANDOM is missing or all zero\n");
		return 1;
	}
	/* malloc exercises brk. */
	char *buf = malloc(100000);
	if (!buf) {
		fprintf(stderr, "hello: malloc failed\n");
		return 1;
	}
	memset(buf, 'x', 100000);
	free(buf);
	printf("hello: done\n");
	return 0;
}
