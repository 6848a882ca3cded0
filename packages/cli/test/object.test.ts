import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { ObjectDescription } from "../src/commands/object.ts";
import { main } from "../src/main.ts";
import { capture } from "./support.ts";

const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));
const OBJECTS = ["examples/tcp-cc/cc.bpf.o", "fixtures/two_cc.bpf.o", "fixtures/sections.bpf.o", "fixtures/externs.bpf.o", "fixtures/kconfig.bpf.o", "fixtures/maps.bpf.o"];
const haveReadelf = spawnSync("llvm-readelf", ["--version"]).status === 0;

async function show(obj: string): Promise<ObjectDescription> {
  const io = capture();
  expect(await main(["object", "show", root(obj), "--json"], io), io.err_.join("\n")).toBe(0);
  return JSON.parse(io.out_.join("")) as ObjectDescription;
}

/** llvm-readelf -S, parsed: the independent reading the sections are checked against. */
function readelfSections(path: string): { index: number; name: string; type: string; size: number; flags: string }[] {
  const out = spawnSync("llvm-readelf", ["-S", "--wide", path], { encoding: "utf8" }).stdout;
  const rows = [];
  for (const line of out.split("\n")) {
    const m = /^\s*\[\s*(\d+)\]\s+(\S*)\s+(\S+)\s+[0-9a-f]{16}\s+[0-9a-f]+\s+([0-9a-f]+)\s+[0-9a-f]+\s+(?:([A-Za-z]+)\s+)?\d+\s+\d+\s+\d+$/.exec(line);
    if (m && m[1] !== "0") rows.push({ index: Number(m[1]), name: m[2]!, type: m[3]!, size: Number.parseInt(m[4]!, 16), flags: m[5] ?? "" });
  }
  return rows;
}

/** llvm-readelf -s, parsed. */
function readelfSymbols(path: string): { size: number; type: string; bind: string; ndx: string; name: string }[] {
  const out = spawnSync("llvm-readelf", ["-s", "--wide", path], { encoding: "utf8" }).stdout;
  const rows = [];
  for (const line of out.split("\n")) {
    const m = /^\s*\d+:\s+[0-9a-f]+\s+(\d+)\s+(\w+)\s+(\w+)\s+\w+\s+(\w+)\s*(\S*)$/.exec(line);
    if (m) rows.push({ size: Number(m[1]), type: m[2]!, bind: m[3]!, ndx: m[4]!, name: m[5]! });
  }
  return rows;
}

describe("bpfkit object show", () => {
  it.skipIf(!haveReadelf)("lists every section as llvm-readelf -S does", async () => {
    for (const obj of OBJECTS) {
      const expected = readelfSections(root(obj));
      expect(expected.length, obj).toBeGreaterThan(10);
      expect((await show(obj)).sections, obj).toEqual(expected);
    }
  });

  it.skipIf(!haveReadelf)("lists one program per global function of a program section, with its size in instructions", async () => {
    for (const obj of OBJECTS) {
      const d = await show(obj);
      const sections = new Map(readelfSections(root(obj)).map((s) => [String(s.index), s]));
      const funcs = readelfSymbols(root(obj)).filter((s) => s.type === "FUNC" && s.bind === "GLOBAL" && sections.get(s.ndx)?.name !== ".text");
      expect(
        d.programs.map((p) => [p.name, p.section, p.insns]).sort(),
        obj,
      ).toEqual(funcs.map((f) => [f.name, sections.get(f.ndx)!.name, f.size / 8]).sort());
    }
  });

  it.skipIf(!haveReadelf)("lists the undefined symbols as externs, weak as their binding says", async () => {
    for (const obj of OBJECTS) {
      const und = readelfSymbols(root(obj)).filter((s) => s.ndx === "UND" && s.name !== "");
      const d = await show(obj);
      expect(d.externs.map((e) => [e.name, e.weak]).sort(), obj).toEqual(und.map((s) => [s.name, s.bind === "WEAK"]).sort());
    }
  });

  it("gives program and attach types by name, sleepable sections, and struct_ops slots", async () => {
    const cc = await show("examples/tcp-cc/cc.bpf.o");
    expect(cc).toMatchObject({ object: "cc", license: "GPL" });
    expect(cc.programs.find((p) => p.name === "bk_init")).toEqual({ name: "bk_init", section: "struct_ops", type: "struct_ops", expectedAttachType: null, sleepable: false, insns: 9 });
    expect(cc.maps.find((m) => m.name === "bpfkit_reno")).toEqual({ name: "bpfkit_reno", section: ".struct_ops.link", type: "struct_ops", keySize: 4, valueSize: 0, maxEntries: 1, flags: 0x2000 });
    expect(cc.maps.find((m) => m.section === ".rodata")).toMatchObject({ type: "array", keySize: 4, maxEntries: 1, flags: 0x480 });
    const reno = cc.structOps[0]!;
    expect(reno).toMatchObject({ name: "bpfkit_reno", section: ".struct_ops.link", kernelType: "tcp_congestion_ops", link: true });
    expect(reno.slots).toContainEqual({ member: "ssthresh", program: "bk_ssthresh" });
    expect(reno.slots).toContainEqual({ member: "release", program: null });
    expect(cc.externs).toContainEqual({ name: "tcp_reno_ssthresh", kind: "kfunc", weak: false, type: "__u32 tcp_reno_ssthresh(struct sock *)" });

    const two = await show("fixtures/two_cc.bpf.o");
    expect(two.structOps.map((m) => [m.name, m.section, m.kernelType])).toEqual([
      ["cc_a", ".struct_ops.link", "tcp_congestion_ops"],
      ["cc_b", ".struct_ops.link", "tcp_congestion_ops"],
      ["upd_v1", "?.struct_ops.link", "tcp_congestion_ops"],
      ["upd_v2", "?.struct_ops.link", "tcp_congestion_ops"],
    ]);
    expect(two.structOps[1]!.slots).toContainEqual({ member: "pkts_acked", program: "b_pkts_acked" });

    const sections = await show("fixtures/sections.bpf.o");
    const prog = (n: string) => sections.programs.find((p) => p.name === n);
    expect(prog("on_switch")).toMatchObject({ type: "tracing", expectedAttachType: "trace_raw_tp" });
    expect(prog("cg_egress")).toMatchObject({ type: "cgroup_skb", expectedAttachType: "cgroup_inet_egress" });
    expect(prog("sock_filter")).toMatchObject({ type: "socket_filter", expectedAttachType: null });
    expect((await show("fixtures/externs.bpf.o")).programs[0]).toMatchObject({ type: "syscall", sleepable: true });
  });

  it("types kconfig and ksym externs from the .kconfig / .ksyms DATASECs", async () => {
    const k = await show("fixtures/kconfig.bpf.o");
    expect(k.externs).toContainEqual({ name: "CONFIG_BPF_LSM", kind: "kconfig", weak: false, type: "enum libbpf_tristate" });
    expect(k.externs).toContainEqual({ name: "CONFIG_CC_VERSION_TEXT", kind: "kconfig", weak: false, type: "char[8]" });
    expect(k.externs).toContainEqual({ name: "CONFIG_WERROR", kind: "kconfig", weak: true, type: "_Bool" });
    const e = await show("fixtures/externs.bpf.o");
    expect(e.externs).toContainEqual({ name: "_stext", kind: "ksym", weak: false, type: "const void" });
    expect(e.externs).toContainEqual({ name: "bpfkit_no_such_var", kind: "ksym", weak: true, type: "const int" });
    expect(e.externs).toContainEqual({ name: "bpfkit_no_such_kfunc", kind: "kfunc", weak: true, type: "int bpfkit_no_such_kfunc(int)" });
  });

  it("prints aligned tables for people", async () => {
    const io = capture();
    expect(await main(["object", "show", root("examples/tcp-cc/cc.bpf.o")], io)).toBe(0);
    const lines = io.out_;
    expect(lines[0]).toBe('cc: license "GPL"');
    const header = lines.indexOf("programs:") + 1;
    expect(lines[header]).toMatch(/^NAME\s+SECTION\s+TYPE\s+ATTACH TYPE\s+SLEEPABLE\s+INSNS$/);
    const col = lines[header]!.indexOf("TYPE");
    expect(lines[header + 1]!.slice(col)).toMatch(/^struct_ops\s+-\s+no\s+9$/);
    expect(lines).toContain("externs:");
    expect(lines.some((l) => /^bpfkit_reno\s+\.struct_ops\.link\s+tcp_congestion_ops\s+.*ssthresh=bk_ssthresh/.test(l))).toBe(true);
  });

  it("exits 2 without OBJ, 1 naming the file when it cannot be read", async () => {
    let io = capture();
    expect(await main(["object", "show"], io)).toBe(2);
    expect(io.err_.join("\n")).toMatch(/missing OBJ[\s\S]*usage: bpfkit object show OBJ/);
    io = capture();
    expect(await main(["object", "show", "/nonexistent/x.bpf.o"], io)).toBe(1);
    expect(io.err_.join("\n")).toContain("/nonexistent/x.bpf.o");
  });

  it("is listed in help", async () => {
    const io = capture();
    expect(await main(["help"], io)).toBe(0);
    expect(io.out_.join("\n")).toMatch(/object show OBJ \[--json\][\s\S]*object load OBJ --pin DIR/);
  });
});

describe("bpfkit object load (no kernel needed to refuse)", () => {
  const tmp = mkdtempSync(join(tmpdir(), "bpfkit-object-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("requires --pin", async () => {
    const io = capture();
    expect(await main(["object", "load", root("fixtures/externs.bpf.o")], io)).toBe(2);
    expect(io.err_.join("\n")).toMatch(/missing --pin DIR/);
  });

  it("refuses a directory off bpffs before loading anything, saying how to mount one, and removes what it created", async () => {
    const dir = join(tmp, "a", "b");
    const io = capture();
    expect(await main(["object", "load", root("fixtures/externs.bpf.o"), "--pin", dir], io)).toBe(1);
    expect(io.err_.join("\n")).toMatch(/PinDirError: .*a\/b is not on a bpffs .*mount -t bpf bpf \/sys\/fs\/bpf/);
    expect(existsSync(join(tmp, "a"))).toBe(false);
    expect(existsSync(tmp)).toBe(true);
  });
});
