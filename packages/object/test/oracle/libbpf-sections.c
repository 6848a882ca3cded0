// Test oracle: asks the system's libbpf (libbpf-dev) what it makes of names, one per stdin line.
//   libbpf-sections sections   <name>            -> ret prog_type attach_type attach_ret attach_type2
//     (libbpf_prog_type_by_name, then libbpf_attach_type_by_name)
//   libbpf-sections btf-id     <attach_type> <name> -> libbpf_find_vmlinux_btf_id's result
// Fields are tab-separated; errors are negative errno values.
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args) {
	(void)level; (void)fmt; (void)args;
	return 0;
}

int main(int argc, char **argv) {
	char line[4096];
	if (argc != 2) {
		fprintf(stderr, "usage: %s sections|btf-id < names\n", argv[0]);
		return 2;
	}
	libbpf_set_print(quiet);
	int btf_mode = strcmp(argv[1], "btf-id") == 0;
	if (!btf_mode && strcmp(argv[1], "sections") != 0) {
		fprintf(stderr, "unknown mode %s\n", argv[1]);
		return 2;
	}
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (btf_mode) {
			char *name = strchr(line, ' ');
			if (!name) return 2;
			*name++ = '\0';
			printf("%d\n", libbpf_find_vmlinux_btf_id(name, (enum bpf_attach_type)atoi(line)));
		} else {
			enum bpf_prog_type type = 0;
			enum bpf_attach_type attach = 0, attach2 = 0;
			int ret = libbpf_prog_type_by_name(line, &type, &attach);
			int ret2 = libbpf_attach_type_by_name(line, &attach2);
			printf("%d\t%d\t%d\t%d\t%d\n", ret, ret ? 0 : (int)type, ret ? 0 : (int)attach, ret2, ret2 ? 0 : (int)attach2);
		}
		fflush(stdout);
	}
	return 0;
}
