// SPDX-License-Identifier: MIT
/* The C side of the struct_ops benchmark: open, load, attach every struct_ops map of OBJ, then
 * tear down, ITER times in one process; prints each iteration's wall time in nanoseconds. */
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s OBJ ITER\n", argv[0]);
		return 2;
	}
	int iter = atoi(argv[2]);
	libbpf_set_print(quiet);
	for (int i = 0; i < iter; i++) {
		long long t0 = now_ns();
		struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
		if (!obj || bpf_object__load(obj)) {
			fprintf(stderr, "load failed\n");
			return 1;
		}
		struct bpf_link *links[16];
		int n = 0;
		struct bpf_map *map;
		bpf_object__for_each_map(map, obj) {
			if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS || n == 16)
				continue;
			links[n] = bpf_map__attach_struct_ops(map);
			if (!links[n]) {
				fprintf(stderr, "attach failed\n");
				return 1;
			}
			n++;
		}
		while (n > 0)
			bpf_link__destroy(links[--n]);
		bpf_object__close(obj);
		printf("%lld\n", now_ns() - t0);
	}
	return 0;
}
