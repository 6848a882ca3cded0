import {
  Btf,
  BtfBuilder,
  type BtfTypeSpec,
  CoreError,
  CoreReloKind,
  CoreResolver,
  type CoreResult,
  essentialName,
  findCandidates,
  IntEncoding,
  parseAccessString,
  typesCompatible,
  typesMatch,
} from "@bpfkit/btf";
import { describe, expect, it } from "vitest";

/** BTF from specs: ids are 1.. in order (after the base's, for split BTF). */
function build(specs: readonly BtfTypeSpec[], options: { littleEndian?: boolean; base?: Btf } = {}): Btf {
  const b = new BtfBuilder(options);
  for (const s of specs) b.add(s);
  return Btf.parse(b.build(), options.base ? { base: options.base } : {});
}

const K = CoreReloKind;
const INT: BtfTypeSpec = { kind: "INT", name: "int", size: 4, encoding: IntEncoding.SIGNED };
const UINT: BtfTypeSpec = { kind: "INT", name: "unsigned int", size: 4 };

function resolve(local: Btf, targets: Btf[], typeId: number, accessStr: string, kind: number): CoreResult {
  return new CoreResolver(local, targets).resolve({ typeId, accessStr, kind });
}

function coreError(fn: () => unknown): CoreError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CoreError);
    return e as CoreError;
  }
  throw new Error("expected a CoreError");
}

describe("names and access strings", () => {
  it("strips the last ___flavour", () => {
    expect(essentialName("task_struct___x")).toBe("task_struct");
    expect(essentialName("a___b___c")).toBe("a___b");
    expect(essentialName("task_struct")).toBe("task_struct");
    // Not separators: four underscores, nothing before, nothing after.
    expect(essentialName("a____b")).toBe("a____b");
    expect(essentialName("___x")).toBe("___x");
    expect(essentialName("a___")).toBe("a___");
    expect(essentialName("nf_conn___init")).toBe("nf_conn");
  });

  it("parses access strings strictly", () => {
    expect(parseAccessString("0:1:2")).toEqual([0, 1, 2]);
    expect(parseAccessString("7")).toEqual([7]);
    for (const bad of ["", ":1", "1:", "1::2", "a", "-1", "1:+2", "99999999999", Array(65).fill("0").join(":")]) {
      expect(typeof parseAccessString(bad), bad).toBe("string");
    }
  });
});

describe("field relocations", () => {
  // local: struct outer___local { int x; struct inner { int a, b; } arr[4]; }
  const local = build([
    INT, // 1
    { kind: "STRUCT", name: "inner", size: 8, members: [{ name: "a", type: 1, bitOffset: 0 }, { name: "b", type: 1, bitOffset: 32 }] }, // 2
    { kind: "ARRAY", elemType: 2, indexType: 1, nelems: 4 }, // 3
    { kind: "STRUCT", name: "outer___local", size: 40, members: [{ name: "x", type: 1, bitOffset: 0 }, { name: "arr", type: 3, bitOffset: 64 }] }, // 4
  ]);
  // target: struct outer { int y, z; union { struct inner arr[4]; }; } with inner { int pad, a, b; }
  const target = build([
    INT, // 1
    { kind: "STRUCT", name: "inner", size: 12, members: [{ name: "pad", type: 1, bitOffset: 0 }, { name: "a", type: 1, bitOffset: 32 }, { name: "b", type: 1, bitOffset: 64 }] }, // 2
    { kind: "ARRAY", elemType: 2, indexType: 1, nelems: 4 }, // 3
    { kind: "UNION", size: 48, members: [{ name: "arr", type: 3, bitOffset: 0 }] }, // 4
    { kind: "TYPEDEF", name: "u_t", type: 4 }, // 5: anonymous members are found through typedefs too
    { kind: "STRUCT", name: "outer", size: 64, members: [{ name: "y", type: 1, bitOffset: 0 }, { name: "z", type: 1, bitOffset: 32 }, { name: "", type: 4, bitOffset: 128 }, { name: "x", type: 1, bitOffset: 512 }] }, // 6
  ]);

  it("follows arrays of structs into anonymous unions", () => {
    const r = resolve(local, [target], 4, "0:1:2:1", K.FIELD_BYTE_OFFSET); // outer.arr[2].b
    expect(r.localValue).toBe(28n);
    expect(r.targetValue).toBe(BigInt(16 + 2 * 12 + 8));
    expect(r.target).toEqual({ btf: target, id: 6 });
    expect(r.targetSpec).toBe("<byte_off> [6] STRUCT outer.arr[2].b (0:2:0:2:2 @ offset 48)");
    expect(r).toMatchObject({ poison: false, validate: true, localSize: 4, targetSize: 4, sizeMismatch: false });
    expect(resolve(local, [target], 4, "0:0", K.FIELD_BYTE_OFFSET).targetValue).toBe(64n);
    expect(resolve(local, [target], 4, "0:1", K.FIELD_BYTE_SIZE)).toMatchObject({ localValue: 32n, targetValue: 48n });
    expect(resolve(local, [target], 4, "0:1:3", K.FIELD_BYTE_SIZE)).toMatchObject({ localValue: 8n, targetValue: 12n });
  });

  it("poisons offsets and says 0 for existence when nothing matches", () => {
    const other = build([INT, { kind: "STRUCT", name: "outer", size: 4, members: [{ name: "y", type: 1, bitOffset: 0 }] }]);
    const off = resolve(local, [other], 4, "0:0", K.FIELD_BYTE_OFFSET);
    expect(off).toMatchObject({ poison: true, target: undefined, localValue: 0n });
    expect(resolve(local, [other], 4, "0:0", K.FIELD_EXISTS)).toMatchObject({ poison: false, localValue: 1n, targetValue: 0n });
    for (const kind of [K.FIELD_BYTE_SIZE, K.FIELD_SIGNED, K.FIELD_LSHIFT_U64, K.FIELD_RSHIFT_U64]) {
      expect(resolve(local, [other], 4, "0:0", kind).poison).toBe(true);
    }
    // No type of that name at all.
    expect(resolve(local, [build([INT])], 4, "0:0", K.FIELD_EXISTS).targetValue).toBe(0n);
  });

  it("rejects an index past a target array and types that cannot be read alike", () => {
    const short = build([
      INT,
      { kind: "STRUCT", name: "inner", size: 8, members: [{ name: "a", type: 1, bitOffset: 0 }, { name: "b", type: 1, bitOffset: 32 }] },
      { kind: "ARRAY", elemType: 2, indexType: 1, nelems: 2 },
      { kind: "PTR", type: 1 },
      { kind: "STRUCT", name: "outer", size: 24, members: [{ name: "x", type: 4, bitOffset: 0 }, { name: "arr", type: 3, bitOffset: 64 }] },
    ]);
    expect(resolve(local, [short], 4, "0:1:3:1", K.FIELD_EXISTS).targetValue).toBe(0n);
    expect(resolve(local, [short], 4, "0:1:1:1", K.FIELD_EXISTS).targetValue).toBe(1n);
    // int x locally, int *x in the target.
    expect(resolve(local, [short], 4, "0:0", K.FIELD_BYTE_OFFSET).poison).toBe(true);
  });

  it("indexes a flexible array past its declared length", () => {
    const flex = (pad: boolean, last: boolean) => {
      const items = { name: "items", type: 2, bitOffset: pad ? 64 : 32 };
      const n = { name: "n", type: 1, bitOffset: 0 };
      const members = [n, ...(pad ? [{ name: "pad", type: 1, bitOffset: 32 }] : [])];
      return build([
        INT,
        { kind: "ARRAY", elemType: 1, indexType: 1, nelems: 0 },
        { kind: "STRUCT", name: "flex", size: pad ? 8 : 4, members: last ? [...members, items] : [items, ...members] },
      ]);
    };
    const localFlex = flex(false, true);
    const r = resolve(localFlex, [flex(true, true)], 3, "0:1:7", K.FIELD_BYTE_OFFSET);
    expect(r).toMatchObject({ localValue: 32n, targetValue: 36n, localSize: 4, targetSize: 4 });
    // Not the last member: a zero-length array, out of bounds.
    expect(resolve(localFlex, [flex(true, false)], 3, "0:1:7", K.FIELD_EXISTS).targetValue).toBe(0n);
  });

  it("shrinks loads of unsigned integers, refuses other size changes", () => {
    const mk = (name: string, fieldType: BtfTypeSpec) =>
      build([fieldType, { kind: "STRUCT", name, size: 8, members: [{ name: "f", type: 1, bitOffset: 0 }] }]);
    const u64 = mk("s___l", { kind: "INT", name: "u64", size: 8 });
    const s64 = mk("s___l", { kind: "INT", name: "s64", size: 8, encoding: IntEncoding.SIGNED });
    const u16 = mk("s", { kind: "INT", name: "u16", size: 2 });
    expect(resolve(u64, [u16], 2, "0:0", K.FIELD_BYTE_OFFSET)).toMatchObject({ localSize: 8, targetSize: 2, sizeMismatch: false });
    expect(resolve(s64, [u16], 2, "0:0", K.FIELD_BYTE_OFFSET)).toMatchObject({ localSize: 8, targetSize: 2, sizeMismatch: true });
  });
});

describe("bitfields", () => {
  // struct bits { u32 pad; u32 x: 6 (bit 37); u8 y: 4 (bit 70, straddling a byte); s32 z: 3; u64 w: 8 (bit 124) }
  const specs = (name: string, le = true): BtfTypeSpec[] => [
    UINT, // 1
    { kind: "INT", name: "u8", size: 1 }, // 2
    INT, // 3
    { kind: "INT", name: "u64", size: 8 }, // 4
    {
      kind: "STRUCT",
      name,
      size: 24,
      members: [
        { name: "pad", type: 1, bitOffset: 0 },
        { name: "x", type: 1, bitOffset: 37, bitfieldSize: 6 },
        { name: "y", type: 2, bitOffset: 70, bitfieldSize: 4 },
        { name: "z", type: 3, bitOffset: 80, bitfieldSize: 3 },
        { name: "w", type: 4, bitOffset: le ? 124 : 124, bitfieldSize: 8 },
      ],
    },
  ];
  // The local side only needs the field names; its own layout is the simplest.
  const local = build([
    UINT,
    INT,
    { kind: "STRUCT", name: "bits___l", size: 4, members: [{ name: "x", type: 1, bitOffset: 0, bitfieldSize: 1 }, { name: "y", type: 1, bitOffset: 1, bitfieldSize: 1 }, { name: "z", type: 2, bitOffset: 2, bitfieldSize: 1 }, { name: "w", type: 1, bitOffset: 3, bitfieldSize: 1 }] },
  ]);
  const values = (targ: Btf, access: string) =>
    [K.FIELD_BYTE_OFFSET, K.FIELD_BYTE_SIZE, K.FIELD_LSHIFT_U64, K.FIELD_RSHIFT_U64, K.FIELD_SIGNED].map((k) => resolve(local, [targ], 3, access, k).targetValue);

  it("computes load offset, size and shifts on little-endian", () => {
    const le = build(specs("bits"));
    expect(values(le, "0:0")).toEqual([4n, 4n, 64n - 11n, 58n, 0n]);
    expect(values(le, "0:1")).toEqual([8n, 2n, 64n - 10n, 60n, 0n]);
    expect(values(le, "0:2")).toEqual([8n, 4n, 64n - 19n, 61n, 1n]);
  });

  it("computes the left shift from the other end on big-endian", () => {
    const be = build(specs("bits", false), { littleEndian: false });
    expect(values(be, "0:0")).toEqual([4n, 4n, 32n + 5n, 58n, 0n]);
    expect(values(be, "0:1")).toEqual([8n, 2n, 48n + 6n, 60n, 0n]);
  });

  it("does not validate what the compiler may lay out differently", () => {
    const le = build(specs("bits"));
    expect(resolve(local, [le], 3, "0:0", K.FIELD_BYTE_OFFSET).validate).toBe(false);
    expect(resolve(local, [le], 3, "0:0", K.FIELD_LSHIFT_U64).validate).toBe(false);
    expect(resolve(local, [le], 3, "0:0", K.FIELD_RSHIFT_U64).validate).toBe(true);
    expect(resolve(local, [le], 3, "0:0", K.FIELD_SIGNED).validate).toBe(true);
  });

  it("refuses a bitfield no 64-bit load covers", () => {
    const e = coreError(() => resolve(local, [build(specs("bits"))], 3, "0:3", K.FIELD_BYTE_OFFSET));
    expect(e.code).toBe("unsupported");
    expect(e.message).toContain("64-bit");
  });
});

describe("enumerators", () => {
  const local = build([
    { kind: "ENUM", name: "e___l", values: [{ name: "A", value: 0 }, { name: "B", value: 1 }, { name: "GONE", value: 2 }] }, // 1
    { kind: "INT", name: "int", size: 4, encoding: IntEncoding.SIGNED }, // 2
    { kind: "STRUCT", name: "holder", size: 4, members: [{ name: "e", type: 1, bitOffset: 0 }] }, // 3
  ]);
  const target = build([
    { kind: "ENUM64", name: "e", values: [{ name: "B", value: 0xfedcba9876543210n }, { name: "A", value: 1n }] },
    { kind: "ENUM", name: "e32", signed: true, values: [{ name: "A", value: -5 }] },
    { kind: "ENUM", name: "holder_e", signed: true, values: [{ name: "X", value: -1 }] },
    { kind: "STRUCT", name: "holder", size: 4, members: [{ name: "e", type: 3, bitOffset: 0 }] },
  ]);

  it("finds enumerators by name in a 64-bit enum", () => {
    expect(resolve(local, [target], 1, "1", K.ENUMVAL_VALUE)).toMatchObject({ localValue: 1n, targetValue: 0xfedcba9876543210n, poison: false });
    expect(resolve(local, [target], 1, "0", K.ENUMVAL_EXISTS).targetValue).toBe(1n);
    expect(resolve(local, [target], 1, "2", K.ENUMVAL_EXISTS).targetValue).toBe(0n);
    expect(resolve(local, [target], 1, "2", K.ENUMVAL_VALUE).poison).toBe(true);
  });

  it("widens 32-bit enumerators as signed, as libbpf does", () => {
    const t = build([{ kind: "ENUM", name: "e", values: [{ name: "A", value: 0x80000000 }, { name: "B", value: 3 }] }]);
    expect(resolve(local, [t], 1, "0", K.ENUMVAL_VALUE).targetValue).toBe(0xffffffff80000000n);
    const s = build([{ kind: "ENUM", name: "e", signed: true, values: [{ name: "A", value: -5 }] }]);
    expect(resolve(local, [s], 1, "0", K.ENUMVAL_VALUE).targetValue).toBe(2n ** 64n - 5n);
  });

  it("reports signedness of enum fields and enum sizes", () => {
    // holder.e: local enum e___l, target enum holder_e — fields of enum type need agreeing names.
    expect(resolve(local, [target], 3, "0:0", K.FIELD_EXISTS).targetValue).toBe(0n);
    const t2 = build([{ kind: "ENUM", name: "e", signed: true, values: [{ name: "A", value: -1 }] }, { kind: "STRUCT", name: "holder", size: 4, members: [{ name: "e", type: 1, bitOffset: 0 }] }]);
    expect(resolve(local, [t2], 3, "0:0", K.FIELD_SIGNED)).toMatchObject({ localValue: 0n, targetValue: 1n });
    expect(resolve(local, [target], 1, "0", K.TYPE_SIZE)).toMatchObject({ localValue: 4n, targetValue: 8n });
  });
});

describe("type relocations", () => {
  const local = build([
    INT, // 1
    { kind: "STRUCT", name: "task___l", size: 4, members: [{ name: "pid", type: 1, bitOffset: 0 }] }, // 2
    { kind: "TYPEDEF", name: "pid_t", type: 1 }, // 3
    { kind: "STRUCT", name: "nothing", size: 4, members: [] }, // 4
    { kind: "UNION", name: "task", size: 4, members: [] }, // 5: a union never matches a struct
    { kind: "FUNC_PROTO", returnType: 1, params: [{ name: "a", type: 3 }] }, // 6
    { kind: "PTR", type: 6 }, // 7
    { kind: "TYPEDEF", name: "handler_t", type: 7 }, // 8
  ]);
  const target = build([
    INT, // 1
    { kind: "STRUCT", name: "task", size: 64, members: [{ name: "pid", type: 1, bitOffset: 256 }] }, // 2
    { kind: "TYPEDEF", name: "pid_t", type: 1 }, // 3
    { kind: "FUNC_PROTO", returnType: 1, params: [{ name: "x", type: 1 }] }, // 4
    { kind: "PTR", type: 4 }, // 5
    { kind: "TYPEDEF", name: "handler_t", type: 5 }, // 6
  ]);

  it("gives ids, existence and sizes of candidates, zeros without", () => {
    expect(resolve(local, [target], 2, "0", K.TYPE_ID_TARGET)).toMatchObject({ localValue: 2n, targetValue: 2n, validate: false });
    expect(resolve(local, [target], 2, "0", K.TYPE_ID_LOCAL)).toMatchObject({ localValue: 2n, targetValue: 2n, validate: false });
    expect(resolve(local, [target], 2, "0", K.TYPE_EXISTS).targetValue).toBe(1n);
    expect(resolve(local, [target], 2, "0", K.TYPE_SIZE)).toMatchObject({ localValue: 4n, targetValue: 64n });
    expect(resolve(local, [target], 3, "0", K.TYPE_SIZE).targetValue).toBe(4n);
    expect(resolve(local, [target], 8, "0", K.TYPE_EXISTS).targetValue).toBe(1n);
    for (const kind of [K.TYPE_ID_TARGET, K.TYPE_EXISTS, K.TYPE_SIZE, K.TYPE_MATCHES]) {
      expect(resolve(local, [target], 4, "0", kind)).toMatchObject({ targetValue: 0n, poison: false });
      expect(resolve(local, [target], 5, "0", kind).targetValue).toBe(0n);
    }
  });

  it("checks function prototypes by arity", () => {
    const two = build([INT, { kind: "FUNC_PROTO", returnType: 1, params: [{ name: "x", type: 1 }, { name: "y", type: 1 }] }, { kind: "PTR", type: 2 }, { kind: "TYPEDEF", name: "handler_t", type: 3 }]);
    expect(typesCompatible(local, 8, target, 6)).toBe(true);
    expect(typesCompatible(local, 8, two, 4)).toBe(false);
  });
});

describe("TYPE_MATCHES", () => {
  const local = build([
    INT, // 1
    { kind: "STRUCT", name: "node___m", size: 16, members: [{ name: "next", type: 3, bitOffset: 0 }, { name: "v", type: 1, bitOffset: 64 }] }, // 2
    { kind: "PTR", type: 2 }, // 3
    { kind: "ENUM", name: "color___m", values: [{ name: "RED", value: 0 }, { name: "BLUE", value: 9 }] }, // 4
    { kind: "FWD", name: "opaque" }, // 5
    { kind: "PTR", type: 5 }, // 6
    { kind: "STRUCT", name: "holder___m", size: 8, members: [{ name: "p", type: 6, bitOffset: 0 }] }, // 7
    { kind: "FLOAT", name: "float", size: 4 }, // 8
    { kind: "STRUCT", name: "fl___m", size: 4, members: [{ name: "f", type: 8, bitOffset: 0 }] }, // 9
  ]);
  const target = build([
    INT, // 1
    { kind: "STRUCT", name: "node", size: 24, members: [{ name: "extra", type: 1, bitOffset: 0 }, { name: "v", type: 1, bitOffset: 32 }, { name: "next", type: 3, bitOffset: 64 }] }, // 2
    { kind: "PTR", type: 2 }, // 3
    { kind: "ENUM", name: "color", values: [{ name: "BLUE", value: 1 }, { name: "GREEN", value: 2 }, { name: "RED", value: 3 }] }, // 4
    { kind: "STRUCT", name: "opaque", size: 4, members: [] }, // 5
    { kind: "PTR", type: 5 }, // 6
    { kind: "STRUCT", name: "holder", size: 8, members: [{ name: "p", type: 6, bitOffset: 0 }] }, // 7
    { kind: "FLOAT", name: "float", size: 4 }, // 8
    { kind: "STRUCT", name: "fl", size: 4, members: [{ name: "f", type: 8, bitOffset: 0 }] }, // 9
    { kind: "INT", name: "long", size: 8, encoding: IntEncoding.SIGNED }, // 10
    { kind: "STRUCT", name: "node", size: 16, members: [{ name: "next", type: 10, bitOffset: 0 }, { name: "v", type: 1, bitOffset: 64 }] }, // 11
  ]);

  it("matches by member names and types, in any order", () => {
    expect(typesMatch(local, 2, target, 2)).toBe(true);
    expect(typesMatch(local, 2, target, 11)).toBe(false); // next: a long, not a pointer
    expect(typesMatch(local, 4, target, 4)).toBe(true); // enumerators by name, values ignored
    expect(typesMatch(local, 7, target, 7)).toBe(true); // struct opaque behind a pointer for a forward declaration
    expect(typesMatch(local, 9, target, 9)).toBe(false); // floats never match
  });

  it("as a relocation: 1 when a candidate matches; candidates that do not are skipped", () => {
    expect(resolve(local, [target], 2, "0", K.TYPE_MATCHES).targetValue).toBe(1n);
    expect(resolve(local, [target], 9, "0", K.TYPE_MATCHES).targetValue).toBe(0n);
    const extra = build([{ kind: "ENUM", name: "color", values: [{ name: "RED", value: 3 }] }]);
    expect(resolve(local, [extra], 4, "0", K.TYPE_MATCHES).targetValue).toBe(0n); // BLUE missing
  });
});

describe("candidates", () => {
  const local = build([INT, { kind: "STRUCT", name: "conn", size: 8, members: [{ name: "a", type: 1, bitOffset: 0 }, { name: "b", type: 1, bitOffset: 32 }] }]);

  it("takes flavours in the target as candidates, ascending by id", () => {
    const t = build([
      INT,
      { kind: "STRUCT", name: "conn___init", size: 8, members: [{ name: "a", type: 1, bitOffset: 32 }] }, // 2
      { kind: "STRUCT", name: "conn", size: 8, members: [{ name: "a", type: 1, bitOffset: 32 }, { name: "b", type: 1, bitOffset: 0 }] }, // 3
      { kind: "UNION", name: "conn", size: 8, members: [] }, // 4: wrong kind
      { kind: "STRUCT", name: "conn____x", size: 8, members: [] }, // 5: no flavour separator
    ]);
    expect(findCandidates(local, 2, [t]).map((c) => c.id)).toEqual([2, 3]);
  });

  it("errors when candidates disagree, agrees when they agree", () => {
    const t = build([
      INT,
      { kind: "STRUCT", name: "conn", size: 8, members: [{ name: "a", type: 1, bitOffset: 0 }] },
      { kind: "STRUCT", name: "conn___v2", size: 8, members: [{ name: "a", type: 1, bitOffset: 32 }] },
      { kind: "STRUCT", name: "conn___v3", size: 8, members: [{ name: "a", type: 1, bitOffset: 32 }] },
    ]);
    const e = coreError(() => resolve(local, [t], 2, "0:0", K.FIELD_BYTE_OFFSET));
    expect(e.code).toBe("ambiguous");
    expect(e.message).toContain("field offset");
    // Same size everywhere: no ambiguity about the type's size; but three different ids.
    expect(resolve(local, [t], 2, "0", K.TYPE_SIZE).targetValue).toBe(8n);
    expect(coreError(() => resolve(local, [t], 2, "0", K.TYPE_ID_TARGET)).code).toBe("ambiguous");
  });

  it("narrows a type's candidates to those that matched, like libbpf", () => {
    const t = build([
      INT,
      { kind: "STRUCT", name: "conn", size: 8, members: [{ name: "a", type: 1, bitOffset: 0 }, { name: "b", type: 1, bitOffset: 32 }] }, // 2
      { kind: "STRUCT", name: "conn___init", size: 8, members: [{ name: "ct", type: 2, bitOffset: 0 }] }, // 3
    ]);
    const r = new CoreResolver(local, [t]);
    expect(coreError(() => new CoreResolver(local, [t]).resolve({ typeId: 2, accessStr: "0", kind: K.TYPE_ID_TARGET })).code).toBe("ambiguous");
    expect(r.resolve({ typeId: 2, accessStr: "0:1", kind: K.FIELD_BYTE_OFFSET }).targetValue).toBe(4n);
    expect(r.candidates(2).map((c) => c.id)).toEqual([2]);
    expect(r.resolve({ typeId: 2, accessStr: "0", kind: K.TYPE_ID_TARGET }).targetValue).toBe(2n);
    // A relocation nothing matched leaves the list alone.
    expect(r.resolve({ typeId: 2, accessStr: "0", kind: K.TYPE_MATCHES }).targetValue).toBe(1n);
  });

  it("looks in module BTFs only when vmlinux has no candidate", () => {
    const vmlinux = build([INT, { kind: "STRUCT", name: "other", size: 4, members: [] }]);
    const mod = build([{ kind: "STRUCT", name: "conn", size: 16, members: [{ name: "b", type: 1, bitOffset: 96 }] }], { base: vmlinux });
    const r = resolve(local, [vmlinux, mod], 2, "0:1", K.FIELD_BYTE_OFFSET);
    expect(r.targetValue).toBe(12n);
    expect(r.target).toEqual({ btf: mod, id: 3 });
    const withConn = build([INT, { kind: "STRUCT", name: "conn", size: 8, members: [{ name: "a", type: 1, bitOffset: 0 }] }]);
    const mod2 = build([{ kind: "STRUCT", name: "conn", size: 16, members: [{ name: "b", type: 1, bitOffset: 96 }] }], { base: withConn });
    expect(resolve(local, [withConn, mod2], 2, "0:1", K.FIELD_EXISTS).targetValue).toBe(0n);
  });
});

describe("corrupt records", () => {
  const local = build([
    INT, // 1
    { kind: "STRUCT", name: "s", size: 8, members: [{ name: "a", type: 1, bitOffset: 0 }, { name: "", type: 3, bitOffset: 32 }] }, // 2
    { kind: "STRUCT", size: 4, members: [{ name: "b", type: 1, bitOffset: 0 }] }, // 3: anonymous
    { kind: "ENUM", name: "e", values: [{ name: "A", value: 0 }] }, // 4
    { kind: "FWD", name: "f" }, // 5
    { kind: "ARRAY", elemType: 1, indexType: 1, nelems: 2 }, // 6
    { kind: "STRUCT", name: "arr", size: 8, members: [{ name: "v", type: 6, bitOffset: 0 }] }, // 7
  ]);
  const target = build([INT, { kind: "STRUCT", name: "s", size: 8, members: [{ name: "a", type: 1, bitOffset: 0 }] }]);
  const cases: [string, number, string, number, string][] = [
    ["unknown kind", 2, "0:0", 42, "unknown relocation kind 42"],
    ["type id out of range", 99, "0:0", K.FIELD_BYTE_OFFSET, "type id 99 does not exist"],
    ["negative type id", -1, "0:0", K.FIELD_BYTE_OFFSET, "type id -1 does not exist"],
    ["empty access string", 2, "", K.FIELD_BYTE_OFFSET, "empty access string"],
    ["non-numeric access", 2, "0:x", K.FIELD_BYTE_OFFSET, "not an index"],
    ["member out of range", 2, "0:5", K.FIELD_BYTE_OFFSET, "picks member 5"],
    ["step into an int", 2, "0:0:1", K.FIELD_BYTE_OFFSET, "has no members or elements"],
    ["array index out of range", 7, "0:0:2", K.FIELD_BYTE_OFFSET, "element 2 of an array of 2"],
    ["type relocation with an access", 2, "0:1", K.TYPE_EXISTS, 'must be "0"'],
    ["enumerator out of range", 4, "3", K.ENUMVAL_VALUE, "no enumerator #3"],
    ["enumerator relocation on a struct", 2, "0", K.ENUMVAL_EXISTS, "needs an enum"],
    ["field of a forward declaration", 5, "0", K.FIELD_BYTE_OFFSET, "does not fit the local BTF"],
  ];
  for (const [name, typeId, accessStr, kind, message] of cases) {
    it(name, () => {
      const e = coreError(() => resolve(local, [target], typeId, accessStr, kind));
      expect(e.code).toBe("record");
      expect(e.message).toContain(message);
      expect(e).toMatchObject({ accessStr, kind, typeId });
    });
  }

  it("refuses anonymous root types, but gives their local id", () => {
    expect(coreError(() => resolve(local, [target], 3, "0:0", K.FIELD_BYTE_OFFSET)).code).toBe("anonymous");
    expect(resolve(local, [target], 3, "0", K.TYPE_ID_LOCAL).targetValue).toBe(3n);
  });

  it("refuses field relocations other than offset and size on an array element", () => {
    const e = coreError(() => resolve(local, [target], 2, "1", K.FIELD_SIGNED));
    expect(e.code).toBe("unsupported");
    expect(resolve(local, [target], 2, "1", K.FIELD_BYTE_OFFSET)).toMatchObject({ localValue: 8n, targetValue: 8n });
  });

  it("looks through anonymous members locally", () => {
    const r = resolve(local, [target], 2, "0:1:0", K.FIELD_EXISTS); // s.<anon>.b
    expect(r.localSpec).toBe("<field_exists> [2] STRUCT s.b (0:1:0 @ offset 4)");
    expect(r.targetValue).toBe(0n);
  });
});
