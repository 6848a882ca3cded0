// SPDX-License-Identifier: MIT
/* The C side of the BTF benchmark: parse FILE with libbpf, then look up each name given on
 * stdin (one "NAME KIND" per line) by name and kind; prints parse and lookup nanoseconds. */
#include <bpf/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static char names[4096][128];
	static int kinds[4096];
	int n = 0;
	while (n < 4096 && scanf("%127s %d", names[n], &kinds[n]) == 2)
		n++;
	long long t0 = now_ns();
	struct btf *btf = btf__parse(argv[1], NULL);
	if (!btf) {
		fprintf(stderr, "parse failed\n");
		return 1;
	}
	long long t1 = now_ns();
	int found = 0;
	for (int i = 0; i < n; i++)
		found += btf__find_by_name_kind(btf, names[i], kinds[i]) > 0;
	long long t2 = now_ns();
	printf("%lld %lld %d\n", t1 - t0, t2 - t1, found);
	btf__free(btf);
	return 0;
}
