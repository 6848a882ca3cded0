// The corpus tier's own machinery: the manifest reader, the guest version and skip rules, and the
// oracle binaries the build produced (checked by running them, not by reading our records).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { selftestsEntry, TESTMOD_SKIP } from "./build.ts";
import { parseCorpus, readCorpus } from "./manifest.ts";
import { MANIFEST } from "./paths.ts";
import { CorpusUnavailableError, guestVersion } from "./source.ts";

const tmp = mkdtempSync(join(tmpdir(), "bpfkit-corpus-infra-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("manifest", () => {
  it("a missing manifest names the command that builds it", () => {
    expect(() => readCorpus(join(tmp, "none.json"))).toThrow(/corpus not built .*npm run test:corpus/);
  });

  it("a malformed manifest names the field", () => {
    const file = join(tmp, "bad.json");
    const good = readCorpus();
    writeFileSync(file, JSON.stringify({ ...good, objects: [{ name: "x", set: "selftests", tier: "host", source: "/x.c" }] }));
    expect(() => readCorpus(file)).toThrow(/objects\[0\] \(x\) has neither a path nor a skip reason/);
    writeFileSync(file, JSON.stringify({ ...good, loader: 7 }));
    expect(() => readCorpus(file)).toThrow(/"loader" must be a non-empty string/);
    writeFileSync(file, "{");
    expect(() => readCorpus(file)).toThrow(/unreadable/);
  });

  it("a manifest whose files are gone is reported stale", () => {
    const file = join(tmp, "stale.json");
    writeFileSync(file, JSON.stringify({ ...readCorpus(), loader: join(tmp, "gone") }));
    expect(() => readCorpus(file)).toThrow(/stale .*gone/);
  });

  it("the built manifest lists every tools/sched_ext scheduler and selftests struct_ops program", () => {
    const corpus = parseCorpus(JSON.parse(readFileSync(MANIFEST, "utf8")));
    const scx = readdirSync(join(corpus.tree, "tools/sched_ext")).filter((f) => f.endsWith(".bpf.c"));
    expect(corpus.objects.filter((o) => o.set === "sched_ext").map((o) => `${o.name}.bpf.c`)).toEqual(scx.sort());
    const progs = join(corpus.tree, "tools/testing/selftests/bpf/progs");
    const withStructOps = readdirSync(progs).filter(
      (f) => f.endsWith(".c") && /SEC\("\.?struct_ops/.test(readFileSync(join(progs, f), "latin1")),
    );
    expect(corpus.objects.filter((o) => o.set === "selftests").map((o) => `${o.name}.c`)).toEqual(withStructOps.sort());
    // Nothing fails to compile: a skip is only ever the bpf_testmod one.
    expect(corpus.objects.filter((o) => o.skip && o.skip !== TESTMOD_SKIP)).toEqual([]);
  });

  it("every built object is a BPF ELF (e_machine 247) with BTF", () => {
    for (const o of readCorpus().objects) {
      if (!o.path) continue;
      const bytes = readFileSync(o.path);
      expect(bytes.subarray(0, 4).toString("latin1"), o.name).toBe("\x7fELF");
      expect(bytes.readUInt16LE(18), o.name).toBe(247);
      expect(bytes.includes(".BTF\0"), o.name).toBe(true);
    }
  });
});

describe("guest version", () => {
  it("comes from ensureKernel()'s package version and release", () => {
    const g = guestVersion({
      vmlinuz: "/x",
      release: "7.2.13+deb14-cloud-amd64",
      source: "linux-binary-7.2.13+deb14-cloud-amd64 7.2.13-1",
    });
    expect(g).toEqual({ version: "7.2.13-1", series: "7.2", release: "7.2.13+deb14-cloud-amd64", flavour: "cloud-amd64" });
  });

  it("a custom kernel has no Debian sources: a skip, not a failure", () => {
    expect(() => guestVersion({ vmlinuz: "/x", release: "(custom)", source: "BPFKIT_VM_KERNEL" })).toThrow(
      CorpusUnavailableError,
    );
  });
});

describe("selftests skip rule", () => {
  it("skips programs that include a bpf_testmod header, keeps those that declare the type themselves", () => {
    const so = 'SEC(".struct_ops.link")\nstruct x y = {};\n';
    expect(selftestsEntry(`#include "../test_kmods/bpf_testmod.h"\n${so}`)).toEqual({ skip: TESTMOD_SKIP });
    expect(selftestsEntry(`struct bpf_testmod_ops { int (*test_1)(void); };\n${so}`)).toEqual({});
    expect(selftestsEntry('SEC("struct_ops/x")\nint f(void) { return 0; }\n')).toEqual({});
    expect(selftestsEntry('SEC("tc")\nint f(void) { return 0; }\n')).toBeNull();
  });
});

describe("oracle", () => {
  const corpus = readCorpus();

  it("bpftool reports the versions the manifest records", () => {
    const v = JSON.parse(execFileSync(corpus.bpftool, ["-j", "version"], { encoding: "utf8" }));
    expect([v.version, v.libbpf_version]).toEqual([corpus.bpftoolVersion, corpus.libbpfVersion]);
  });

  it("bpftool needs only libelf, libz, libcap and libc (what the VM tier ships with it)", () => {
    const libs = execFileSync("ldd", [corpus.bpftool], { encoding: "utf8" })
      .split("\n")
      .map((l) => /^\s*(\S+\.so[.\d]*)/.exec(l)?.[1])
      .filter((l): l is string => !!l && !l.startsWith("linux-vdso") && !l.includes("ld-linux"));
    expect(libs.sort()).toEqual(["libc.so.6", "libcap.so.2", "libelf.so.1", "libz.so.1"]);
  });

  it("corpus-load reports an object it cannot open as one JSON line, stage open, exit 1", () => {
    const r = spawnSync(corpus.loader, [join(tmp, "missing.bpf.o"), "-"], { encoding: "utf8" });
    expect(r.status).toBe(1);
    const line = JSON.parse(r.stdout);
    expect(line).toMatchObject({ ok: false, stage: "open", errno: 2 });
    expect(typeof line.log).toBe("string");
  });

  it("corpus-load refuses a resize of a map the object does not have", () => {
    const obj = corpus.objects.find((o) => o.name === "scx_simple")!;
    const r = spawnSync(corpus.loader, [obj.path!, "-", "--max-entries", "no_such_map=4"], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, stage: "open", error: expect.stringContaining("no_such_map") });
  });
});
