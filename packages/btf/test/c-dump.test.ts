import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Btf, BtfBuilder, BtfError, dumpC } from "@bpfkit/btf";
import { moduleSplitBtf } from "@bpfkit/testing";
import { afterAll, describe, expect, it } from "vitest";
import { checkLayouts, clang, layout } from "./c-layout.ts";
import { haveClang, haveKernelBtf, kernelBtf, objectBtf, objects, rel, root } from "./support.ts";

if (!haveClang) console.log("skipping C-dump compilations: clang is not installed");

const tmp = mkdtempSync(join(tmpdir(), "bpfkit-c-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const kinds = () => objectBtf(root("packages/btf/test/fixtures/kinds.bpfel.o"));

describe("C dump: shape", () => {
  const h = dumpC(kinds());

  it("is a vmlinux.h: guard, preserve_access_index around the records", () => {
    expect(h.startsWith("#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n#endif\n")).toBe(true);
    expect(h.endsWith("#pragma clang attribute pop\n#endif\n\n#endif /* __VMLINUX_H__ */\n")).toBe(true);
    expect(dumpC(kinds(), { guard: "KINDS_H" })).toContain("#ifndef KINDS_H\n");
  });

  it("spells bitfields, explicit padding, type tags, function pointers and qualifiers", () => {
    expect(h).toContain("struct bits {\n\tu32 a: 3;\n\tu32 b: 13;\n\tint: 16;\n\tu8 c: 1;\n\tlong: 31;\n\ts64 d: 40;\n\tenum color e: 4;\n\tu16 f;\n\tint g: 5;\n\tbool h: 1;\n};");
    expect(h).toContain("\tint __attribute__((btf_type_tag(\"user\"))) *user_ptr;\n");
    expect(h).toContain("\tvoid __attribute__((btf_type_tag(\"iomem\"))) *io;\n");
    expect(h).toContain("typedef void (*(*getter_t)(int))(long);\n");
    expect(h).toContain("typedef int (*handler_t)(struct nested *, const char *, ...);\n");
    expect(h).toContain("\tu32 (*arr_fn[2])(u32 *const restrict, volatile u64 *);\n");
    expect(h).toContain("\tint *const *cpp;\n");
    expect(h).toContain("\tint flex[0];\n");
    expect(h).toContain("struct empty {};\n");
  });

  it("declares forward what is only pointed to, defines before embedding, inlines anonymous types", () => {
    expect(h).toContain("struct opaque;\n\nunion opaque_u;\n");
    expect(h.indexOf("struct aligned {")).toBeLessThan(h.indexOf("struct ops {"));
    expect(h.indexOf("struct bits {")).toBeLessThan(h.indexOf("union both {"));
    expect(h).toContain("\tstruct {\n\t\tint x;\n\t\tint y;\n\t} points[3][2];\n");
    expect(h).toContain("\tenum {\n\t\tN_A = 0,\n\t\tN_B = 1,\n\t} kind;\n");
  });

  it("sizes enums that are not 4 bytes with mode()", () => {
    expect(h).toContain("enum small {\n\tS_X = 1,\n\tS_Y = 2,\n} __attribute__((mode(byte)));");
  });

  it("writes ENUM64 and signed enums, renames clashing names, marks packed records", () => {
    const b = new BtfBuilder();
    const int = b.add({ kind: "INT", name: "int", size: 4, encoding: 1 });
    const u8 = b.add({ kind: "INT", name: "unsigned char", size: 1 });
    const u64 = b.add({ kind: "INT", name: "long long unsigned int", size: 8 });
    b.add({ kind: "ENUM64", name: "wide", values: [{ name: "W_BIG", value: 0xfedcba9876543210n }] });
    b.add({ kind: "ENUM64", name: "narrow64", values: [{ name: "N_ONE", value: 1n }] });
    b.add({ kind: "ENUM", name: "neg", values: [{ name: "N_MINUS", value: -1 }] });
    b.add({ kind: "ENUM", name: "again", values: [{ name: "N_MINUS", value: 2 }] });
    b.add({ kind: "STRUCT", name: "dup", size: 4, members: [{ name: "a", type: int, bitOffset: 0 }] });
    b.add({ kind: "STRUCT", name: "dup", size: 8, members: [{ name: "b", type: u64, bitOffset: 0 }] });
    b.add({ kind: "STRUCT", name: "tight", size: 9, members: [{ name: "c", type: u8, bitOffset: 0 }, { name: "d", type: u64, bitOffset: 8 }] });
    b.add({ kind: "TYPEDEF", name: "N_ONE", type: int });
    const out = dumpC(Btf.parse(b.build()));
    expect(out).toContain("enum wide {\n\tW_BIG = 18364758544493064720ULL,\n};");
    expect(out).toContain("enum narrow64 {\n\tN_ONE = 1ULL,\n} __attribute__((mode(DI)));");
    expect(out).toContain("enum neg {\n\tN_MINUS = -1,\n};");
    expect(out).toContain("enum again {\n\tN_MINUS___2 = 2,\n};");
    expect(out).toContain("struct dup {\n\tint a;\n};");
    expect(out).toContain("struct dup___2 {\n\tlong long unsigned int b;\n};");
    expect(out).toContain("struct tight {\n\tunsigned char c;\n\tlong long unsigned int d;\n} __attribute__((packed));");
    expect(out).toContain("typedef int N_ONE___2;");
  });

  it("limits itself to the roots asked for and what their definitions need", () => {
    const btf = kinds();
    const out = dumpC(btf, { roots: [btf.find("aligned", "STRUCT")!] });
    expect(out).toContain("struct aligned {");
    expect(out).toContain("typedef unsigned long long u64;");
    expect(out).not.toContain("struct ops {");
    const nested = dumpC(btf, { roots: [btf.find("nested", "STRUCT")!] });
    expect(nested).toContain("\tenum {\n\t\tN_A = 0,\n\t\tN_B = 1,\n\t} kind;\n");
    expect(nested).not.toContain("N_A___2");
  });

  it("refuses corrupt BTF with BtfError: dangling references, value cycles", () => {
    const b = new BtfBuilder();
    b.add({ kind: "STRUCT", name: "a", size: 4, members: [{ name: "x", type: 2, bitOffset: 0 }] });
    b.add({ kind: "STRUCT", name: "b", size: 4, members: [{ name: "y", type: 1, bitOffset: 0 }] });
    expect(() => dumpC(Btf.parse(b.build()))).toThrow(BtfError);
    const c = new BtfBuilder();
    c.add({ kind: "PTR", type: 7 });
    expect(() => dumpC(Btf.parse(c.build()))).toThrow(/does not exist/);
  });
});

describe.skipIf(!haveClang)("C dump: clang compiles it and lays records out as the BTF says", () => {
  for (const path of objects()) {
    it(`for ${rel(path)}`, async () => {
      const btf = objectBtf(path);
      const dir = mkdtempSync(join(tmp, "obj-"));
      const { checked, mismatches } = await checkLayouts(btf, dumpC(btf), dir, 1);
      expect(mismatches).toEqual([]);
      const records = [...btf.ids()].filter((id) => (btf.kind(id) === 4 || btf.kind(id) === 5) && btf.nameOf(id) !== "");
      expect(checked).toBe(records.length);
    });
  }

  it.skipIf(!haveKernelBtf)("for the running kernel's BTF: every one of ~10k records", async () => {
    const btf = kernelBtf();
    const dir = mkdtempSync(join(tmp, "kernel-"));
    const { checked, mismatches } = await checkLayouts(btf, dumpC(btf), dir, 16);
    console.log(`C dump of the kernel's BTF: ${checked} records laid out by clang exactly as the BTF says`);
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(checked).toBeGreaterThan(5000);
  }, 120_000);

  it.skipIf(!haveKernelBtf)("the vmlinux.h fixture program builds against it, with the kernel's tcp_congestion_ops layout", async () => {
    const dir = mkdtempSync(join(tmp, "prog-"));
    writeFileSync(join(dir, "vmlinux.h"), dumpC(kernelBtf()));
    const obj = join(dir, "prog.o");
    const src = root("packages/btf/test/fixtures/vmlinux.bpf.c");
    await clang(["-O2", "-g", "-Wall", "-Werror", "-target", "bpfel", "-D__TARGET_ARCH_x86", `-I${dir}`, "-c", src, "-o", obj]);
    const prog = objectBtf(obj);
    const kernel = kernelBtf();
    for (const name of ["tcp_congestion_ops", "sock", "task_struct", "tcp_sock"]) {
      const id = prog.find(name, "STRUCT")!;
      expect(layout(prog, id)).toBe(layout(kernel, kernel.find(name, "STRUCT")!));
    }
  }, 60_000);

  it("for split BTF: the module's types and the base types they use", async () => {
    const base = objectBtf(root("fixtures/two_cc.bpf.o"));
    const split = Btf.parse(moduleSplitBtf(base), { base });
    const h = dumpC(split);
    expect(h).toContain("struct bpf_struct_ops_bpfkit_mod_ops {");
    expect(h).toContain("struct sock");
    const dir = mkdtempSync(join(tmp, "split-"));
    const { mismatches } = await checkLayouts(split, h, dir, 1);
    expect(mismatches).toEqual([]);
  });
});
