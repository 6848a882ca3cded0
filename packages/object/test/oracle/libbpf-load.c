// Test oracle: loads one object with libbpf (built against libbpf 1.8) and reports what libbpf
// made of it, then holds every kernel object until stdin closes, so a test can read the
// kernel's view of them by id.
//   libbpf-load OBJ [--autoload PROG] [--max-entries MAP=N] [--value-size MAP=N] [--open-only 1]
//               [--dump-btf FILE] [--no-autocreate MAP]
// (--open-only: report the maps as opened, with id 0, and exit without loading; --dump-btf:
// write the object's BTF after the edits, with libbpf's open-time fix-ups, to FILE.)
// Prints one JSON line: {"ok":true,"maps":[...],"programs":[...]} or
// {"ok":false,"stage":"open|setup|load","errno":N}; libbpf's debug log goes to stderr,
// then a line "@@end-of-log".
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int to_stderr(enum libbpf_print_level level, const char *fmt, va_list args) {
	(void)level;
	return vfprintf(stderr, fmt, args);
}

/* Names are C identifiers or section names: nothing JSON needs escaped but quotes. */
static void json_str(const char *s) {
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\') putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

/* Marks the end of libbpf's log, so a reader knows it has all of it before the result. */
static void log_done(void) {
	fputs("\n@@end-of-log\n", stderr);
	fflush(stderr);
}

static int fail(const char *stage, int err) {
	log_done();
	printf("{\"ok\":false,\"stage\":\"%s\",\"errno\":%d}\n", stage, err < 0 ? -err : err);
	return 1;
}

/* NAME=N: finds the map and returns N. */
static struct bpf_map *map_arg(struct bpf_object *obj, const char *arg, unsigned *n) {
	const char *eq = strchr(arg, '=');
	char name[256];
	if (!eq || (size_t)(eq - arg) >= sizeof(name)) return NULL;
	memcpy(name, arg, eq - arg);
	name[eq - arg] = 0;
	*n = (unsigned)strtoul(eq + 1, NULL, 0);
	return bpf_object__find_map_by_name(obj, name);
}

int main(int argc, char **argv) {
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *map;
	const char *dump_btf = NULL;
	int err, i, first, open_only = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJ [--autoload PROG] [--max-entries MAP=N] [--value-size MAP=N]\n", argv[0]);
		return 2;
	}
	libbpf_set_print(to_stderr);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) return fail("open", errno);
	for (i = 2; i + 1 < argc; i += 2) {
		unsigned n = 0;
		if (strcmp(argv[i], "--autoload") == 0) {
			prog = bpf_object__find_program_by_name(obj, argv[i + 1]);
			err = prog ? bpf_program__set_autoload(prog, true) : -ENOENT;
		} else if (strcmp(argv[i], "--max-entries") == 0) {
			map = map_arg(obj, argv[i + 1], &n);
			err = map ? bpf_map__set_max_entries(map, n) : -ENOENT;
		} else if (strcmp(argv[i], "--no-autocreate") == 0) {
			map = bpf_object__find_map_by_name(obj, argv[i + 1]);
			err = map ? bpf_map__set_autocreate(map, false) : -ENOENT;
		} else if (strcmp(argv[i], "--dump-btf") == 0) {
			dump_btf = argv[i + 1];
			err = 0;
		} else if (strcmp(argv[i], "--open-only") == 0) {
			open_only = 1;
			err = 0;
		} else if (strcmp(argv[i], "--value-size") == 0) {
			map = map_arg(obj, argv[i + 1], &n);
			err = map ? bpf_map__set_value_size(map, n) : -ENOENT;
		} else {
			err = -EINVAL;
		}
		if (err) return fail("setup", err);
	}
	if (dump_btf) {
		__u32 size = 0;
		const void *raw = bpf_object__btf(obj) ? btf__raw_data(bpf_object__btf(obj), &size) : NULL;
		FILE *f = fopen(dump_btf, "wb");
		if (!raw || !f || fwrite(raw, 1, size, f) != size) return fail("setup", EIO);
		fclose(f);
	}
	err = open_only ? 0 : bpf_object__load(obj);
	if (err) return fail("load", err);

	log_done();
	printf("{\"ok\":true,\"maps\":[");
	first = 1;
	bpf_object__for_each_map(map, obj) {
		struct bpf_map_info info;
		__u32 len = sizeof(info);
		size_t size = 0;
		memset(&info, 0, sizeof(info));
		if (bpf_map__fd(map) >= 0) bpf_map_get_info_by_fd(bpf_map__fd(map), &info, &len);
		printf("%s{\"name\":", first ? "" : ",");
		json_str(bpf_map__name(map));
		printf(",\"id\":%u,\"internal\":%s,\"mmaped\":%s,\"type\":%d,\"flags\":%u,\"keySize\":%u,\"valueSize\":%u,\"maxEntries\":%u,"
		       "\"btfKeyTypeId\":%u,\"btfValueTypeId\":%u}",
		       info.id, bpf_map__is_internal(map) ? "true" : "false", bpf_map__initial_value(map, &size) ? "true" : "false",
		       bpf_map__type(map), bpf_map__map_flags(map), bpf_map__key_size(map), bpf_map__value_size(map),
		       bpf_map__max_entries(map), bpf_map__btf_key_type_id(map), bpf_map__btf_value_type_id(map));
		first = 0;
	}
	printf("],\"programs\":[");
	first = 1;
	bpf_object__for_each_program(prog, obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		if (!bpf_program__autoload(prog) || open_only) continue;
		memset(&info, 0, sizeof(info));
		bpf_prog_get_info_by_fd(bpf_program__fd(prog), &info, &len);
		printf("%s{\"name\":", first ? "" : ",");
		json_str(bpf_program__name(prog));
		printf(",\"id\":%u}", info.id);
		first = 0;
	}
	printf("]}\n");
	fflush(stdout);
	while (!open_only && getchar() != EOF) {
	}
	bpf_object__close(obj);
	return 0;
}
