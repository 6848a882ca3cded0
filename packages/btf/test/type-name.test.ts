// cTypeName must spell an extern's type as its C declaration does: the expected spellings are the
// fixture sources' own `extern` lines, read here, not written down again.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type Btf, cTypeName, describeType, Kind } from "../src/index.ts";
import { objectBtf, root } from "./support.ts";

/** `extern <type> <name>[<dims>] __kconfig|__ksym` lines of a fixture source: name → type as C spells it. */
function declared(source: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync(root(`fixtures/src/${source}`), "utf8").split("\n")) {
    const m = /^extern (.+?) (\w+)(\[\d+\])? __(?:kconfig|ksym)\b/.exec(line);
    if (!m || m[1]!.includes("(")) continue;
    out.set(m[2]!, `${m[1]}${m[3] ?? ""}`);
  }
  return out;
}

/** The VAR named `name` in DATASEC `sec`. */
function varType(btf: Btf, sec: string, name: string): number {
  const ds = btf.type(btf.find(sec, Kind.DATASEC)!);
  if (ds.kind !== "DATASEC") throw new Error(`${sec} is no DATASEC`);
  for (const v of ds.vars) {
    const t = btf.type(v.type);
    if (t.kind === "VAR" && t.name === name) return t.type;
  }
  throw new Error(`no ${name} in ${sec}`);
}

describe("cTypeName", () => {
  it.each([
    ["kconfig.bpf.c", "kconfig.bpf.o", ".kconfig"],
    ["externs.bpf.c", "externs.bpf.o", ".ksyms"],
  ])("spells each variable extern of %s as the source declares it", (source, object, sec) => {
    const btf = objectBtf(root(`fixtures/${object}`));
    const want = declared(source);
    expect(want.size).toBeGreaterThan(1);
    const got = new Map([...want.keys()].map((name) => [name, cTypeName(btf, varType(btf, sec, name))]));
    expect(got).toEqual(want);
  });

  it("spells a kfunc extern as its declaration, with its name, or as a pointer without", () => {
    const btf = objectBtf(root("fixtures/externs.bpf.o"));
    const fn = btf.type(btf.find("bpfkit_no_such_kfunc", Kind.FUNC)!) as { type: number };
    // extern int bpfkit_no_such_kfunc(int x): BTF keeps parameter types, not names.
    expect(cTypeName(btf, fn.type, { funcName: "bpfkit_no_such_kfunc" })).toBe("int bpfkit_no_such_kfunc(int)");
    expect(cTypeName(btf, fn.type)).toBe("int (*)(int)");
  });

  it("resolved: follows typedefs to what they name and drops qualifiers", () => {
    const btf = objectBtf(root("fixtures/kconfig.bpf.o"));
    // linux/types.h (asm-generic/int-ll64.h): typedef unsigned int __u32; typedef unsigned short __u16.
    expect(cTypeName(btf, varType(btf, ".kconfig", "CONFIG_HZ"), { style: "resolved" })).toBe("__u32 (unsigned int)");
    expect(cTypeName(btf, varType(btf, ".kconfig", "CONFIG_NR_CPUS"), { style: "resolved" })).toBe("__u16 (unsigned short)");
    expect(cTypeName(btf, varType(btf, ".kconfig", "CONFIG_BPF_LSM"), { style: "resolved" })).toBe("enum libbpf_tristate");
  });

  it("describeType names a type by id, kind and name", () => {
    const btf = objectBtf(root("fixtures/kconfig.bpf.o"));
    const id = btf.find("libbpf_tristate", Kind.ENUM)!;
    expect(describeType(btf, id)).toBe(`[${id}] ENUM libbpf_tristate`);
    expect(describeType(btf, 0)).toBe("[0] VOID void");
  });
});
