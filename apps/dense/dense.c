/*
 * Dense sequential memory use, a comparison workload: fill argv[1] MiB
 * (default 128) of malloc'd memory word by word, then read it all back and
 * check a sum.  With "down" as argv[2] the fill runs from the top down, the
 * way a stack grows.  Prints "dense: N MiB, sum X, ok"; exits 1 on a wrong
 * sum.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 128;
	size_t words = mib << 17; /* 8-byte words in MIB MiB */
	uint64_t *p = malloc(words * sizeof(*p));
	if (!p) {
		printf("dense: malloc of %zu MiB failed\n", mib);
		return 1;
	}
	int down = argc > 2 && strcmp(argv[2], "down") == 0;
	for (size_t n = 0; n < words; n++) {
		size_t i = down ? words - 1 - n : n;
		p[i] = i * 2654435761u;
	}
	uint64_t sum = 0, want = 0;
	for (size_t i = 0; i < words; i++) {
		sum += p[i];
		want += i * 2654435761u;
	}
	free(p);
	printf("dense: %zu MiB%s, sum %llu, %s\n", mib, down ? " top down" : "", (unsigned long long)sum,
	       sum == want ? "ok" : "WRONG");
	return sum != want;
}
