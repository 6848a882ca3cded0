import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Btf, BtfBuilder, BtfError, type BtfTypeSpec, downgrade, dumpRaw, FuncLinkage, IntEncoding, Kind, VarLinkage } from "@bpfkit/btf";
import { ElfFile } from "@bpfkit/elf";
import { afterAll, describe, expect, it } from "vitest";
import { bpftool, haveBpftool, haveKernelBtf, kernelBtf, objectSections, objects, rel, root } from "./support.ts";

const tmp = mkdtempSync(join(tmpdir(), "bpfkit-builder-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Is this BTF laid out the way a writer lays it out: 24-byte header, types, then strings? */
function canonical(bytes: Uint8Array): boolean {
  const h = Btf.parse(bytes).header;
  return h.hdrLen === 24 && h.typeStart === 24 && h.strStart === 24 + h.typeLen && h.strStart + h.strLen === bytes.byteLength;
}

/** One type of every kind, from scratch: ids 1.. in this order. */
function everyKind(b: BtfBuilder): void {
  const specs: BtfTypeSpec[] = [
    { kind: "INT", name: "int", size: 4, encoding: IntEncoding.SIGNED }, // 1
    { kind: "INT", name: "unsigned char", size: 1, encoding: IntEncoding.CHAR }, // 2
    { kind: "PTR", type: 5 }, // 3: forward reference
    { kind: "ARRAY", elemType: 2, indexType: 1, nelems: 16 }, // 4
    {
      kind: "STRUCT",
      name: "every",
      size: 40,
      members: [
        { name: "a", type: 1, bitOffset: 0, bitfieldSize: 3 },
        { name: "b", type: 1, bitOffset: 3, bitfieldSize: 29 },
        { name: "next", type: 3, bitOffset: 64 },
        { name: "name", type: 4, bitOffset: 128 },
        { name: "u", type: 6, bitOffset: 256 },
      ],
    }, // 5
    { kind: "UNION", size: 8, members: [{ name: "x", type: 1, bitOffset: 0 }, { name: "f", type: 18, bitOffset: 0 }] }, // 6
    { kind: "ENUM", name: "signed_e", values: [{ name: "NEG", value: -1 }, { name: "POS", value: 2 }] }, // 7
    { kind: "ENUM", name: "unsigned_e", size: 1, values: [{ name: "U1", value: 255 }] }, // 8
    { kind: "ENUM64", name: "wide", values: [{ name: "W_BIG", value: 0xfedcba9876543210n }, { name: "W_ONE", value: 1n }] }, // 9
    { kind: "ENUM64", name: "wide_signed", values: [{ name: "WS_MIN", value: -(1n << 63n) }] }, // 10
    { kind: "FWD", name: "fwd_s" }, // 11
    { kind: "FWD", name: "fwd_u", union: true }, // 12
    { kind: "TYPEDEF", name: "every_t", type: 5 }, // 13
    { kind: "VOLATILE", type: 1 }, // 14
    { kind: "CONST", type: 14 }, // 15
    { kind: "RESTRICT", type: 3 }, // 16
    { kind: "TYPE_TAG", name: "user", type: 1 }, // 17
    { kind: "FLOAT", name: "double", size: 8 }, // 18
    { kind: "FUNC_PROTO", returnType: 1, params: [{ name: "e", type: 3 }, { type: 0 }] }, // 19: variadic
    { kind: "FUNC", name: "fn", type: 19, linkage: FuncLinkage.STATIC }, // 20
    { kind: "FUNC", name: "ext", type: 19, linkage: FuncLinkage.EXTERN }, // 21
    { kind: "VAR", name: "v", type: 5, linkage: VarLinkage.GLOBAL_ALLOCATED }, // 22
    { kind: "VAR", name: "s", type: 1, linkage: VarLinkage.STATIC }, // 23
    { kind: "DATASEC", name: ".data", size: 48, vars: [{ type: 22, offset: 0, size: 40 }, { type: 23, offset: 40, size: 4 }] }, // 24
    { kind: "DECL_TAG", name: "tag_type", type: 5 }, // 25
    { kind: "DECL_TAG", name: "tag_member", type: 5, componentIdx: 2 }, // 26
    { kind: "PTR", type: 17 }, // 27
  ];
  for (const s of specs) b.add(s);
}

describe("BtfBuilder: parse → build is byte-identical on canonical input", () => {
  it.skipIf(!haveKernelBtf)("for the running kernel's BTF", () => {
    const btf = kernelBtf();
    expect(canonical(btf.bytes)).toBe(true);
    const out = BtfBuilder.from(btf).build();
    expect(out.byteLength).toBe(btf.bytes.byteLength);
    expect(Buffer.compare(out, btf.bytes)).toBe(0);
  });

  for (const path of objects()) {
    it(`for ${rel(path)}`, () => {
      const { btf: bytes } = objectSections(path);
      expect(canonical(bytes)).toBe(true);
      expect(Buffer.compare(BtfBuilder.from(Btf.parse(bytes)).build(), bytes)).toBe(0);
    });
  }
});

describe("BtfBuilder: building from decoded types", () => {
  /** Re-adds every type of `btf` through add(): the dump must not change. */
  const rebuild = (btf: Btf) => {
    const b = new BtfBuilder({ littleEndian: btf.littleEndian });
    for (const id of btf.ids()) b.add(btf.type(id) as BtfTypeSpec);
    return Btf.parse(b.build());
  };

  for (const path of objects()) {
    it(`re-adding each type of ${rel(path)} gives the same types`, () => {
      const btf = Btf.parse(objectSections(path).btf);
      expect(dumpRaw(rebuild(btf))).toBe(dumpRaw(btf));
    });
  }

  it.skipIf(!haveKernelBtf)("re-adding each type of the kernel's BTF gives the same types", () => {
    const btf = kernelBtf();
    expect(dumpRaw(rebuild(btf))).toBe(dumpRaw(btf));
  }, 60_000);
});

describe("BtfBuilder: every kind from scratch", () => {
  for (const littleEndian of [true, false]) {
    it(`decodes back and bpftool reads it the same (${littleEndian ? "little" : "big"}-endian)`, () => {
      const b = new BtfBuilder({ littleEndian });
      everyKind(b);
      const bytes = b.build();
      const btf = Btf.parse(bytes);
      expect(btf.littleEndian).toBe(littleEndian);
      expect(btf.count).toBe(27);
      expect(btf.type(5)).toMatchObject({ kind: "STRUCT", name: "every", size: 40 });
      expect(btf.members(5).map((m) => [m.name, m.bitOffset, m.bitfieldSize])).toEqual([
        ["a", 0, 3],
        ["b", 3, 29],
        ["next", 64, 0],
        ["name", 128, 0],
        ["u", 256, 0],
      ]);
      expect(btf.kindFlag(5)).toBe(true);
      expect(btf.kindFlag(6)).toBe(false);
      expect(btf.type(7)).toMatchObject({ kind: "ENUM", signed: true, values: [{ name: "NEG", value: -1 }, { name: "POS", value: 2 }] });
      expect(btf.type(8)).toMatchObject({ kind: "ENUM", signed: false, size: 1, values: [{ name: "U1", value: 255 }] });
      expect(btf.type(9)).toMatchObject({ kind: "ENUM64", signed: false, size: 8, values: [{ value: 0xfedcba9876543210n }, { value: 1n }] });
      expect(btf.type(10)).toMatchObject({ kind: "ENUM64", signed: true, values: [{ value: -(1n << 63n) }] });
      expect(btf.type(12)).toMatchObject({ kind: "FWD", union: true });
      expect(btf.type(19)).toMatchObject({ kind: "FUNC_PROTO", params: [{ name: "e", type: 3 }, { name: "", type: 0 }] });
      expect(btf.type(20)).toMatchObject({ kind: "FUNC", linkage: FuncLinkage.STATIC });
      expect(btf.type(26)).toMatchObject({ kind: "DECL_TAG", componentIdx: 2 });
      expect(btf.type(25)).toMatchObject({ kind: "DECL_TAG", componentIdx: -1 });
      expect(btf.sizeOf(13)).toBe(40);
      expect(btf.find("every_t", "TYPEDEF")).toBe(13);
      if (haveBpftool) {
        const file = join(tmp, `every-${littleEndian ? "le" : "be"}.btf`);
        writeFileSync(file, bytes);
        expect(dumpRaw(btf)).toBe(bpftool("btf", "dump", "file", file, "format", "raw"));
      }
    });
  }

  it("dedups strings and round-trips its own output byte for byte", () => {
    const b = new BtfBuilder();
    everyKind(b);
    expect(b.addString("every")).toBe(b.addString("every"));
    const bytes = b.build();
    expect(Buffer.compare(BtfBuilder.from(Btf.parse(bytes)).build(), bytes)).toBe(0);
  });

  it("builds split BTF over a base, as a module's", () => {
    const basePath = root("examples/tcp-cc/cc.bpf.o");
    const base = Btf.parse(objectSections(basePath).btf);
    const b = new BtfBuilder({ base });
    const sock = base.find("sock", "STRUCT")!;
    const ptr = b.add({ kind: "PTR", type: sock });
    expect(ptr).toBe(base.lastId + 1);
    const s = b.add({ kind: "STRUCT", name: "mod_ops", size: 8, members: [{ name: "sk", type: ptr, bitOffset: 0 }] });
    expect(b.addString("sock")).toBeGreaterThanOrEqual(base.strings.end); // local table: no base lookups
    const bytes = b.build();
    const split = Btf.parse(bytes, { base });
    expect(split.find("mod_ops", "STRUCT")).toBe(s);
    expect(split.member(s, "sk")!.type).toBe(ptr);
    expect(Buffer.compare(BtfBuilder.from(split).build(), bytes)).toBe(0);
    if (haveBpftool) {
      const file = join(tmp, "split.btf");
      writeFileSync(file, bytes);
      expect(dumpRaw(split)).toBe(bpftool("-B", basePath, "btf", "dump", "file", file, "format", "raw"));
    }
  });

  it("replaces a type with one of another size and keeps every id", () => {
    const b = new BtfBuilder();
    everyKind(b);
    b.replace(5, { kind: "STRUCT", name: "every", size: 4, members: [{ name: "only", type: 1, bitOffset: 0 }] });
    b.replace(7, { kind: "ENUM", name: "signed_e", values: [] });
    const btf = Btf.parse(b.build());
    expect(btf.count).toBe(27);
    expect(btf.members(5).map((m) => m.name)).toEqual(["only"]);
    expect(btf.vlen(7)).toBe(0);
    expect(btf.type(27)).toMatchObject({ kind: "PTR", type: 17 });
  });

  it("refuses what BTF cannot encode, with BtfError", () => {
    const b = new BtfBuilder();
    expect(() => b.add({ kind: "ENUM", name: "e", values: [{ name: "X", value: 2 ** 32 }] })).toThrow(BtfError);
    expect(() => b.add({ kind: "STRUCT", name: "s", size: 4, kindFlag: false, members: [{ name: "a", type: 1, bitOffset: 0, bitfieldSize: 3 }] })).toThrow(BtfError);
    expect(() => b.add({ kind: "STRUCT", name: "s", size: 4, members: Array.from({ length: 70_000 }, () => ({ type: 1, bitOffset: 0 })) })).toThrow(/at most 65535/);
    expect(() => b.add({ kind: "INT", name: "i", size: 4, bits: 300 })).toThrow(BtfError);
    expect(() => b.replace(1, { kind: "PTR", type: 0 })).toThrow(BtfError);
    expect(() => b.addString("a\0b")).toThrow(BtfError);
  });
});

describe("loader fixups", () => {
  const kinds = root("packages/btf/test/fixtures/kinds.bpfel.o");

  it("downgrade: each missing feature's kinds are rewritten, ids and the rest kept", () => {
    const btf = Btf.parse(objectSections(kinds).btf);
    const b = BtfBuilder.from(btf);
    b.add({ kind: "ENUM64", name: "wide", values: [{ name: "W", value: 1n << 40n }] });
    b.add({ kind: "ENUM", name: "neg", values: [{ name: "N", value: -1 }] });
    downgrade(b, { datasec: false, func: false, float: false, declTag: false, typeTag: false, enum64: false });
    const out = Btf.parse(b.build());
    const kindsLeft = new Set([...out.ids()].map((id) => out.kind(id)));
    for (const k of [Kind.VAR, Kind.DATASEC, Kind.FUNC, Kind.FUNC_PROTO, Kind.FLOAT, Kind.DECL_TAG, Kind.TYPE_TAG, Kind.ENUM64]) expect(kindsLeft.has(k)).toBe(false);
    expect(out.count).toBe(btf.count + 3); // + the two added + the ENUM64 placeholder INT
    const bss = out.find("_bss", "STRUCT")!;
    expect(out.members(bss).map((m) => m.name)).toEqual(["empty_var", "nested_var", "both_var"]);
    expect(out.type(out.find("wide", "UNION")!)).toMatchObject({ size: 8, members: [{ name: "W", bitOffset: 0 }] });
    expect(out.kindFlag(out.find("neg", "ENUM")!)).toBe(false);
    // Everything not rewritten is untouched.
    const s = btf.find("nested", "STRUCT")!;
    expect(out.type(s)).toEqual(btf.type(s));
    if (haveBpftool) {
      const file = join(tmp, "downgraded.btf");
      writeFileSync(file, b.build());
      expect(bpftool("btf", "dump", "file", file, "format", "raw")).toBe(dumpRaw(out));
    }
  });

  it("downgrade: global functions become static when only that is missing", () => {
    const b = BtfBuilder.from(Btf.parse(objectSections(kinds).btf));
    downgrade(b, { globalFunc: false });
    const out = Btf.parse(b.build());
    expect(out.type(out.find("global_helper", "FUNC")!)).toMatchObject({ linkage: FuncLinkage.STATIC });
    expect(out.type(out.find("bpf_kfunc_example", "FUNC")!)).toMatchObject({ linkage: FuncLinkage.EXTERN });
  });
});
