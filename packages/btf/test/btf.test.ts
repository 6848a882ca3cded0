import { Btf, BtfBuilder, BtfError, IntEncoding, Kind, kindName } from "@bpfkit/btf";
import { moduleSplitBtf } from "@bpfkit/testing";
import { describe, expect, it } from "vitest";
import { haveKernelBtf, kernelBtf, objectBtf, root } from "./support.ts";

const kinds = () => objectBtf(root("packages/btf/test/fixtures/kinds.bpfel.o"));

describe("Btf: every kind decodes", () => {
  const btf = kinds();
  const byKind = new Map<string, number>();
  for (const id of btf.ids()) byKind.set(btf.type(id).kind, (byKind.get(btf.type(id).kind) ?? 0) + 1);

  it("the fixture has every kind clang 14 emits", () => {
    for (const k of ["INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD", "TYPEDEF", "VOLATILE", "CONST", "RESTRICT", "FUNC", "FUNC_PROTO", "VAR", "DATASEC", "FLOAT", "DECL_TAG", "TYPE_TAG"]) {
      expect(byKind.get(k), k).toBeGreaterThan(0);
    }
  });

  it("bitfields (kind_flag offsets), FWD of a union, tags, linkage, float", () => {
    const bits = btf.find("bits", "STRUCT")!;
    expect(btf.kindFlag(bits)).toBe(true);
    expect(btf.members(bits).map((m) => [m.name, m.bitOffset, m.bitfieldSize])).toEqual([
      ["a", 0, 3],
      ["b", 3, 13],
      ["c", 32, 1],
      ["d", 64, 40],
      ["e", 104, 4],
      ["f", 112, 0],
      ["g", 128, 5],
      ["h", 133, 1],
    ]);
    expect(btf.type(btf.find("opaque_u", "FWD")!)).toMatchObject({ kind: "FWD", union: true });
    expect(btf.type(btf.find("opaque", "FWD")!)).toMatchObject({ kind: "FWD", union: false });
    const tags = btf.findAll("user", "TYPE_TAG").concat(btf.findAll("iomem", "TYPE_TAG"));
    expect(tags).toHaveLength(2);
    expect(btf.type(btf.find("member_tag", "DECL_TAG")!)).toMatchObject({ componentIdx: 9, type: btf.find("ops", "STRUCT") });
    expect(btf.type(btf.find("param_tag", "DECL_TAG")!)).toMatchObject({ componentIdx: 0, type: btf.find("helper", "FUNC") });
    expect(btf.type(btf.find("helper", "FUNC")!)).toMatchObject({ linkage: 0 });
    expect(btf.type(btf.find("global_helper", "FUNC")!)).toMatchObject({ linkage: 1 });
    expect(btf.type(btf.find("bpf_kfunc_example", "FUNC")!)).toMatchObject({ linkage: 2 });
    expect(btf.type(btf.find("double", "FLOAT")!)).toMatchObject({ size: 8 });
    expect(btf.type(btf.find("_Bool", "INT")!)).toMatchObject({ encoding: IntEncoding.BOOL, size: 1 });
  });

  it("big-endian objects decode to the same types", () => {
    const be = objectBtf(root("packages/btf/test/fixtures/kinds.bpfeb.o"));
    expect(be.littleEndian).toBe(false);
    expect([...be.ids()].map((id) => be.type(id))).toEqual([...btf.ids()].map((id) => btf.type(id)));
  });

  it("word() reads raw record words; kind/vlen/nameOf read fields without decoding", () => {
    const ops = btf.find("ops", "STRUCT")!;
    expect(btf.word(ops, 2)).toBe(320);
    expect(btf.word(ops, 4)).toBe(btf.members(ops)[0]!.type);
    expect(() => btf.word(ops, 3 + 3 * btf.vlen(ops))).toThrow(BtfError);
    expect(kindName(btf.kind(ops))).toBe("STRUCT");
    expect(btf.nameOf(0)).toBe("void");
  });
});

describe("Btf: resolution helpers agree with clang's layout", () => {
  const btf = kinds();
  const id = (name: string, kind = "STRUCT") => btf.find(name, kind)!;

  it("sizes", () => {
    expect(btf.sizeOf(id("nested"))).toBe(144);
    expect(btf.sizeOf(id("bits"))).toBe(24);
    expect(btf.sizeOf(id("ops"))).toBe(320);
    expect(btf.sizeOf(id("aligned"))).toBe(128);
    expect(btf.sizeOf(id("both", "UNION"))).toBe(320);
    expect(btf.sizeOf(id("u64", "TYPEDEF"))).toBe(8);
    expect(btf.sizeOf(id("handler_t", "TYPEDEF"))).toBe(8);
    expect(btf.sizeOf(btf.member(id("nested"), "points")!.type)).toBe(48);
    expect(() => btf.sizeOf(0)).toThrow(/void has no size/);
  });

  it("alignment: bitfield types count, packed layouts align to 1", () => {
    expect(btf.alignOf(id("bits"))).toBe(8); // s64 d: 40
    expect(btf.alignOf(id("nested"))).toBe(8);
    expect(btf.alignOf(id("small", "ENUM"))).toBe(1);
    const b = new BtfBuilder();
    const u8 = b.add({ kind: "INT", name: "u8", size: 1 });
    const u32 = b.add({ kind: "INT", name: "u32", size: 4 });
    const packed = b.add({ kind: "STRUCT", name: "p", size: 5, members: [{ name: "a", type: u8, bitOffset: 0 }, { name: "b", type: u32, bitOffset: 8 }] });
    expect(Btf.parse(b.build()).alignOf(packed)).toBe(1);
  });

  it("resolve, skipModifiers, member, funcProtoOfPointer", () => {
    const ops = id("ops");
    const cvp = btf.member(ops, "cvp")!;
    expect(cvp.index).toBe(4);
    const pointee = btf.sizeOrType(btf.resolve(cvp.type));
    expect(kindName(btf.kind(pointee))).toMatch(/CONST|VOLATILE/);
    expect(btf.nameOf(btf.skipModifiers(pointee))).toBe("int");
    expect(btf.member(ops, "nope")).toBeUndefined();
    const proto = btf.funcProtoOfPointer(btf.member(ops, "handle")!.type)!;
    expect(btf.type(proto)).toMatchObject({ kind: "FUNC_PROTO", returnType: btf.find("int", "INT") });
    expect(btf.vlen(proto)).toBe(3); // (n, fmt, ...)
    expect(btf.funcProtoOfPointer(btf.member(ops, "field")!.type)).toBeUndefined();
    expect(btf.resolve(id("bool", "TYPEDEF"))).toBe(btf.find("_Bool", "INT"));
  });
});

describe("Btf: lookups", () => {
  it("find/findAll by name and kind (number or name), base first for split BTF", () => {
    const base = objectBtf(root("fixtures/two_cc.bpf.o"));
    const split = Btf.parse(moduleSplitBtf(base), { base });
    expect(split.find("sock", "STRUCT")).toBe(base.find("sock", "STRUCT"));
    expect(split.find("bpfkit_mod_ops", Kind.STRUCT)).toBe(base.lastId + 5);
    expect(split.findAll("bpfkit_mod_ops")).toEqual([base.lastId + 5]);
    expect(split.find("bpfkit_mod_ops", "UNION")).toBeUndefined();
    expect(() => split.find("x", "NOT_A_KIND")).toThrow(BtfError);
    expect(split.type(base.lastId + 5)).toMatchObject({ name: "bpfkit_mod_ops" });
    expect(split.type(1)).toEqual(base.type(1));
  });

  it.skipIf(!haveKernelBtf)("in the kernel's BTF: every named type is found by its name and kind", () => {
    const btf = kernelBtf();
    let checked = 0;
    for (let id = 1; id <= btf.lastId; id += 7) {
      const name = btf.nameOf(id);
      if (!name) continue;
      expect(btf.findAll(name, btf.kind(id))).toContain(id);
      checked++;
    }
    expect(checked).toBeGreaterThan(10_000);
    expect(btf.find("task_struct", "STRUCT")).toBeGreaterThan(0);
    expect(btf.find("no_such_type_anywhere")).toBeUndefined();
  });
});

describe("Btf: malformed input is a BtfError saying where", () => {
  const good = () => {
    const b = new BtfBuilder();
    b.add({ kind: "INT", name: "int", size: 4 });
    b.add({ kind: "STRUCT", name: "s", size: 4, members: [{ name: "x", type: 1, bitOffset: 0 }] });
    return b.build();
  };

  it("bad magic, version, header length, section bounds", () => {
    const cases: [number, number, RegExp][] = [
      [0, 0x1234, /not BTF: magic/],
      [2, 2, /unsupported BTF version 2/],
      [4, 3, /header length 3/],
      [12, 0x10000, /type section .* runs past the end/],
      [20, 0x10000, /string section .* runs past the end/],
    ];
    for (const [at, value, message] of cases) {
      const bytes = good();
      const v = new DataView(bytes.buffer);
      if (at === 2) v.setUint8(2, value);
      else if (at === 0) v.setUint16(0, value, true);
      else v.setUint32(at, value, true);
      expect(() => Btf.parse(bytes)).toThrow(message);
    }
    expect(() => Btf.parse(good().subarray(0, 10))).toThrow(/truncated/);
  });

  it("an unknown kind names the type and its offset", () => {
    const bytes = good();
    new DataView(bytes.buffer).setUint8(24 + 16 + 7, 25); // type 2's kind byte
    const e = (() => {
      try {
        Btf.parse(bytes);
      } catch (err) {
        return err as BtfError;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(BtfError);
    expect(e!.typeId).toBe(2);
    expect(e!.offset).toBe(24 + 16);
    expect(e!.message).toMatch(/unknown BTF kind 25/);
  });

  it("ids out of range and strings off the table", () => {
    const btf = Btf.parse(good());
    expect(() => btf.type(3)).toThrow(/type id 3 does not exist/);
    expect(() => btf.type(-1)).toThrow(BtfError);
    const bytes = good();
    new DataView(bytes.buffer).setUint32(24, 0xffff, true); // type 1's name offset
    expect(() => Btf.parse(bytes).nameOf(1)).toThrow(/outside the string table/);
  });
});

describe("Btf.parse: the type index", () => {
  it("indexes BTF made only of the smallest (12-byte) records, past the first guess at their count", () => {
    const b = new BtfBuilder();
    const int = b.add({ kind: "INT", name: "int", size: 4, encoding: 1 });
    for (let i = 0; i < 5000; i++) b.add({ kind: "PTR", type: int });
    const btf = Btf.parse(b.build());
    expect(btf.count).toBe(5001);
    expect(btf.type(5001)).toMatchObject({ kind: "PTR", type: int });
    expect(btf.type(2)).toMatchObject({ kind: "PTR", type: int });
  });
});
