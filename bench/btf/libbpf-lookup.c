// SPDX-License-Identifier: MIT
/* The C side of the BTF benchmark: read FILE, parse it with libbpf (btf__new on the bytes, what
 * btf__parse does after reading), then look up each "NAME KIND" given on stdin with
 * btf__find_by_name_kind. Prints read, parse, first-lookup and all-lookups nanoseconds, the count found, and the first 8 lookups' nanoseconds. */
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
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	size_t cap = 1 << 20, len = 0, got;
	char *data = malloc(cap);
	while ((got = fread(data + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap)
			data = realloc(data, cap *= 2);
	}
	fclose(f);
	long long t1 = now_ns();
	struct btf *btf = btf__new(data, len);
	if (!btf) {
		fprintf(stderr, "parse failed\n");
		return 1;
	}
	long long t2 = now_ns();
	int found = btf__find_by_name_kind(btf, names[0], kinds[0]) > 0;
	long long t3 = now_ns();
	long long t8 = t3;
	for (int i = 1; i < n; i++) {
		found += btf__find_by_name_kind(btf, names[i], kinds[i]) > 0;
		if (i == 7)
			t8 = now_ns();
	}
	long long t4 = now_ns();
	printf("%lld %lld %lld %lld %d %lld\n", t1 - t0, t2 - t1, t3 - t2, t4 - t2, found, t8 - t2);
	btf__free(btf);
	free(data);
	return 0;
}
