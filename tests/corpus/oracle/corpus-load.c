// corpus-load: the corpus tier's reference loader. It loads one object with libbpf (the 1.8 built
// from the same kernel tree as the objects) and reports what libbpf did, as one JSON line, so
// tests can hold bpfkit's outcome against libbpf's on the same object.
//
//   corpus-load OBJ PINDIR [--max-entries MAP=N]... [--attach] [--only-map NAME]...
//
// PINDIR "-" skips pinning. Success prints
//   {"ok":true,"programs":[{"name","id"}],"maps":[{"name","id","type"}],"links":[{"map","id"}]}
// (links only with --attach; id 0 for a struct_ops map without BPF_F_LINK, which has no link)
// and, with --attach, holds everything until stdin closes. Failure prints
//   {"ok":false,"stage":"open|load|pin|attach","errno":N,"error":"...","log":"..."}
// where "log" is the tail of what libbpf printed (its warnings carry the verifier's log).
// CORPUS_LOAD_VERBOSE=1 also copies libbpf's debug output to stderr.
// libbpf 1.x is strict by default (no legacy behaviour to opt out of), so no mode is set.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_TAIL (64 * 1024)
#define MAX_ARGS 64

static char *log_buf;
static size_t log_len, log_cap;
static int verbose;

// Keeps everything libbpf says at info level and above; only the tail is printed.
static int on_print(enum libbpf_print_level level, const char *fmt, va_list ap) {
	va_list copy;
	if (verbose) {
		va_copy(copy, ap);
		vfprintf(stderr, fmt, copy);
		va_end(copy);
	}
	if (level == LIBBPF_DEBUG) return 0;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n <= 0) return 0;
	if (log_len + (size_t)n + 1 > log_cap) {
		size_t cap = (log_len + (size_t)n + 1) * 2;
		char *grown = realloc(log_buf, cap);
		if (!grown) return 0;
		log_buf = grown;
		log_cap = cap;
	}
	vsnprintf(log_buf + log_len, (size_t)n + 1, fmt, ap);
	log_len += (size_t)n;
	return 0;
}

static void json_string(const char *s, size_t len) {
	putchar('"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') printf("\\%c", c);
		else if (c == '\n') fputs("\\n", stdout);
		else if (c == '\t') fputs("\\t", stdout);
		else if (c < 0x20) printf("\\u%04x", c);
		else putchar(c);
	}
	putchar('"');
}

// Prints the failure line and returns the exit status.
static int fail(const char *stage, int err, const char *what) {
	char msg[256];
	libbpf_strerror(err, msg, sizeof(msg));
	size_t start = log_len > LOG_TAIL ? log_len - LOG_TAIL : 0;
	printf("{\"ok\":false,\"stage\":\"%s\",\"errno\":%d,\"error\":", stage, err);
	char full[600];
	snprintf(full, sizeof(full), "%s: %s", what, msg);
	json_string(full, strlen(full));
	fputs(",\"log\":", stdout);
	json_string(log_buf ? log_buf + start : "", log_len - start);
	puts("}");
	return 1;
}

static int no_map(const char *name) {
	char what[300];
	snprintf(what, sizeof(what), "no map named '%s'", name);
	return fail("open", ENOENT, what);
}

static int listed(const char *name, char **list, int n) {
	for (int i = 0; i < n; i++)
		if (strcmp(list[i], name) == 0) return 1;
	return 0;
}

int main(int argc, char **argv) {
	char *resize[MAX_ARGS], *only[MAX_ARGS];
	int nresize = 0, nonly = 0, attach = 0;
	if (argc < 3) {
		fprintf(stderr, "usage: corpus-load OBJ PINDIR [--max-entries MAP=N]... [--attach] [--only-map NAME]...\n");
		return 2;
	}
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--attach") == 0) attach = 1;
		else if (strcmp(argv[i], "--max-entries") == 0 && i + 1 < argc && nresize < MAX_ARGS) resize[nresize++] = argv[++i];
		else if (strcmp(argv[i], "--only-map") == 0 && i + 1 < argc && nonly < MAX_ARGS) only[nonly++] = argv[++i];
		else {
			fprintf(stderr, "corpus-load: unknown or incomplete argument '%s'\n", argv[i]);
			return 2;
		}
	}
	verbose = getenv("CORPUS_LOAD_VERBOSE") != NULL;
	libbpf_set_print(on_print);

	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) return fail("open", errno, "bpf_object__open_file");

	for (int i = 0; i < nresize; i++) {
		char *eq = strchr(resize[i], '=');
		if (!eq) return fail("open", EINVAL, "--max-entries wants MAP=N");
		*eq = '\0';
		struct bpf_map *map = bpf_object__find_map_by_name(obj, resize[i]);
		if (!map) return no_map(resize[i]);
		int err = bpf_map__set_max_entries(map, (__u32)strtoul(eq + 1, NULL, 0));
		if (err) return fail("open", -err, "bpf_map__set_max_entries");
	}
	// Only the named struct_ops maps are created. libbpf itself then skips loading the
	// struct_ops programs that no created map refers to (unless autoload was set by hand).
	if (nonly > 0) {
		for (int i = 0; i < nonly; i++)
			if (!bpf_object__find_map_by_name(obj, only[i])) return no_map(only[i]);
		struct bpf_map *map;
		bpf_object__for_each_map(map, obj) {
			if (bpf_map__type(map) == BPF_MAP_TYPE_STRUCT_OPS && !listed(bpf_map__name(map), only, nonly))
				bpf_map__set_autocreate(map, false);
		}
	}

	int err = bpf_object__load(obj);
	if (err) return fail("load", -err, "bpf_object__load");

	struct bpf_program *prog;
	if (strcmp(argv[2], "-") != 0) {
		bpf_object__for_each_program(prog, obj) {
			if (bpf_program__fd(prog) < 0) continue;
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s", argv[2], bpf_program__name(prog));
			err = bpf_program__pin(prog, path);
			if (err) return fail("pin", -err, path);
		}
	}

	struct bpf_link *links[MAX_ARGS];
	const char *link_maps[MAX_ARGS];
	__u32 link_ids[MAX_ARGS];
	int nlinks = 0;
	if (attach) {
		struct bpf_map *map;
		bpf_object__for_each_map(map, obj) {
			if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS || !bpf_map__autocreate(map) || nlinks == MAX_ARGS)
				continue;
			struct bpf_link *link = bpf_map__attach_struct_ops(map);
			if (!link) return fail("attach", errno, bpf_map__name(map));
			struct bpf_link_info info = {0};
			__u32 len = sizeof(info);
			// A map without BPF_F_LINK is registered by the map update alone: no link object.
			link_ids[nlinks] = (bpf_map__map_flags(map) & BPF_F_LINK) &&
			                           bpf_link_get_info_by_fd(bpf_link__fd(link), &info, &len) == 0
			                       ? info.id
			                       : 0;
			link_maps[nlinks] = bpf_map__name(map);
			links[nlinks++] = link;
		}
	}

	fputs("{\"ok\":true,\"programs\":[", stdout);
	int first = 1;
	bpf_object__for_each_program(prog, obj) {
		if (bpf_program__fd(prog) < 0) continue;
		struct bpf_prog_info info = {0};
		__u32 len = sizeof(info);
		bpf_prog_get_info_by_fd(bpf_program__fd(prog), &info, &len);
		printf("%s{\"name\":", first ? "" : ",");
		json_string(bpf_program__name(prog), strlen(bpf_program__name(prog)));
		printf(",\"id\":%u}", info.id);
		first = 0;
	}
	fputs("],\"maps\":[", stdout);
	first = 1;
	struct bpf_map *map;
	bpf_object__for_each_map(map, obj) {
		// A map left out still has an fd: libbpf's placeholder, not a kernel map.
		if (!bpf_map__autocreate(map) || bpf_map__fd(map) < 0) continue;
		struct bpf_map_info info = {0};
		__u32 len = sizeof(info);
		bpf_map_get_info_by_fd(bpf_map__fd(map), &info, &len);
		const char *type = libbpf_bpf_map_type_str(bpf_map__type(map));
		printf("%s{\"name\":", first ? "" : ",");
		json_string(bpf_map__name(map), strlen(bpf_map__name(map)));
		printf(",\"id\":%u,\"type\":", info.id);
		json_string(type ? type : "unknown", strlen(type ? type : "unknown"));
		putchar('}');
		first = 0;
	}
	fputs("]", stdout);
	if (attach) {
		fputs(",\"links\":[", stdout);
		for (int i = 0; i < nlinks; i++) {
			printf("%s{\"map\":", i ? "," : "");
			json_string(link_maps[i], strlen(link_maps[i]));
			printf(",\"id\":%u}", link_ids[i]);
		}
		fputs("]", stdout);
	}
	puts("}");
	fflush(stdout);

	if (attach) {
		// Hold the registrations until the test closes our stdin.
		char buf[256];
		while (read(STDIN_FILENO, buf, sizeof(buf)) > 0) {
		}
		for (int i = 0; i < nlinks; i++) bpf_link__destroy(links[i]);
	}
	bpf_object__close(obj);
	free(log_buf);
	return 0;
}
