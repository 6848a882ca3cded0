import { Btf, BtfBuilder, type BtfTypeSpec, CoreError, type CoreRelo, CoreReloKind, IntEncoding } from "@bpfkit/btf";
import { applyCoreRelos, CoreRelocationError, type CoreTargets, ObjectError, POISON_HELPER } from "@bpfkit/object";
import { describe, expect, it } from "vitest";

function build(specs: readonly BtfTypeSpec[]): Btf {
  const b = new BtfBuilder();
  for (const s of specs) b.add(s);
  return Btf.parse(b.build());
}

const INT: BtfTypeSpec = { kind: "INT", name: "int", size: 4, encoding: IntEncoding.SIGNED };
// local: struct s___l { int a; u64 b; int c; long d; int gone; }, enum e { A, GONE }
const local = build([
  INT, // 1
  { kind: "INT", name: "u64", size: 8 }, // 2
  {
    kind: "STRUCT",
    name: "s___l",
    size: 40,
    members: [
      { name: "a", type: 1, bitOffset: 0 },
      { name: "b", type: 2, bitOffset: 64 },
      { name: "c", type: 1, bitOffset: 128 },
      { name: "d", type: 5, bitOffset: 192 },
      { name: "gone", type: 1, bitOffset: 256 },
    ],
  }, // 3
  { kind: "ENUM", name: "e", values: [{ name: "A", value: 7 }, { name: "GONE", value: 8 }] }, // 4
  { kind: "INT", name: "long", size: 8, encoding: IntEncoding.SIGNED }, // 5
]);
// target: struct s { int pad; int a; u16 b; ...; int c at 40000; int d (4 bytes, signed) }, enum64 e { A = 2^32 + 2 }
const target = build([
  INT, // 1
  { kind: "INT", name: "u16", size: 2 }, // 2
  {
    kind: "STRUCT",
    name: "s",
    size: 40008,
    members: [
      { name: "a", type: 1, bitOffset: 32 },
      { name: "b", type: 2, bitOffset: 512 },
      { name: "c", type: 1, bitOffset: 320000 },
      { name: "d", type: 1, bitOffset: 96 },
    ],
  }, // 3
  { kind: "ENUM64", name: "e", values: [{ name: "A", value: 0x100000002n }] }, // 4
]);

/** One instruction: opcode, dst, src, off, imm. */
function insn(op: number, dst = 0, src = 0, off = 0, imm = 0): number[] {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  b[0] = op;
  b[1] = (src << 4) | dst;
  v.setInt16(2, off, true);
  v.setInt32(4, imm, true);
  return [...b];
}
const code = (...insns: number[][]) => new Uint8Array(insns.flat());
const field = (i: number, b: Uint8Array) => {
  const v = new DataView(b.buffer, b.byteOffset + i * 8, 8);
  return { op: b[i * 8]!, regs: b[i * 8 + 1]!, off: v.getInt16(2, true), imm: v.getInt32(4, true) };
};
const rec = (insnIndex: number, accessStr: string, kind: number, typeId = 3): CoreRelo => ({ insnOff: insnIndex * 8, typeId, accessStrOff: 0, accessStr, kind });
const where = { object: "obj", program: "prog" };
const targets = (): CoreTargets => ({ local, targets: [target] });
const K = CoreReloKind;

function thrown(fn: () => void): CoreRelocationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CoreRelocationError);
    expect(e).toBeInstanceOf(ObjectError);
    return e as CoreRelocationError;
  }
  throw new Error("expected a CoreRelocationError");
}

describe("applyCoreRelos", () => {
  it("patches ALU immediates, load/store offsets and 64-bit immediates", () => {
    const c = code(
      insn(0xb7, 1, 0, 0, 0), // r1 = offsetof(a)
      insn(0x07, 1, 0, 0, 8), // r1 += offsetof(b)
      insn(0x62, 1, 0, 0, 5), // *(u32 *)(r1 + offsetof(a)) = 5 (ST)
      insn(0x18, 2, 0, 0, 7), // r2 = A ll
      insn(0, 0, 0, 0, 0),
      insn(0x95),
    );
    applyCoreRelos(targets(), c, "sec", 0, 6, [rec(0, "0:0", K.FIELD_BYTE_OFFSET), rec(1, "0:1", K.FIELD_BYTE_OFFSET), rec(2, "0:0", K.FIELD_BYTE_OFFSET), rec(3, "0", K.ENUMVAL_VALUE, 4)], where);
    expect(field(0, c).imm).toBe(4);
    expect(field(1, c).imm).toBe(64);
    expect(field(2, c)).toEqual({ op: 0x62, regs: 0x01, off: 4, imm: 5 });
    expect(field(3, c).imm).toBe(2);
    expect(field(4, c).imm).toBe(1);
  });

  it("shrinks a load of an unsigned field, poisons one whose signed value would change", () => {
    const c = code(insn(0x79, 1, 2, 8), insn(0x79, 1, 2, 24), insn(0x95));
    applyCoreRelos(targets(), c, "sec", 0, 3, [rec(0, "0:1", K.FIELD_BYTE_OFFSET), rec(1, "0:3", K.FIELD_BYTE_OFFSET)], where);
    expect(field(0, c)).toEqual({ op: 0x69, regs: 0x21, off: 64, imm: 0 }); // u64 → u16: LDX DW → LDX H
    expect(field(1, c)).toEqual({ op: 0x85, regs: 0, off: 0, imm: POISON_HELPER }); // long → int
  });

  it("poisons unresolvable instructions, both halves of a 64-bit load, and leaves the rest", () => {
    const other = build([INT, { kind: "STRUCT", name: "s", size: 4, members: [{ name: "a", type: 1, bitOffset: 0 }] }, { kind: "ENUM", name: "e", values: [{ name: "A", value: 1 }] }]);
    const c = code(insn(0xb7, 1, 0, 0, 1), insn(0xb7, 1, 0, 0, 32), insn(0x18, 1, 0, 0, 8), insn(0, 0, 0, 0, 0), insn(0x95));
    applyCoreRelos({ local, targets: [other] }, c, "sec", 0, 5, [rec(0, "0:4", K.FIELD_EXISTS), rec(1, "0:4", K.FIELD_BYTE_OFFSET), rec(2, "1", K.ENUMVAL_VALUE, 4)], where);
    const poisoned = { op: 0x85, regs: 0, off: 0, imm: POISON_HELPER };
    expect(field(0, c).imm).toBe(0);
    expect([1, 2, 3].map((i) => field(i, c))).toEqual([poisoned, poisoned, poisoned]);
    expect(field(4, c).op).toBe(0x95);
  });

  it("relocates only the records inside the chunk, at chunk-relative positions", () => {
    const c = code(insn(0xb7, 1, 0, 0, 8), insn(0xb7, 1, 0, 0, 0));
    const records = [rec(3, "0:0", K.FIELD_BYTE_OFFSET), rec(10, "0:1", K.FIELD_BYTE_OFFSET), rec(11, "0:0", K.FIELD_BYTE_OFFSET), rec(12, "0:9", 99)];
    applyCoreRelos(targets(), c, "sec", 10, 2, records, where);
    expect([field(0, c).imm, field(1, c).imm]).toEqual([64, 4]);
  });

  it("keeps candidate lists across chunks of one object", () => {
    const t = targets();
    const a = code(insn(0xb7, 1, 0, 0, 0));
    applyCoreRelos(t, a, "sec", 0, 1, [rec(0, "0:0", K.FIELD_BYTE_OFFSET)], where);
    const b = code(insn(0xb7, 1, 0, 0, 0));
    applyCoreRelos(t, b, "sec", 5, 1, [rec(5, "0:0", K.FIELD_BYTE_OFFSET)], where);
    expect([field(0, a).imm, field(0, b).imm]).toEqual([4, 4]);
  });

  const failures: [string, number[][], CoreRelo, string][] = [
    ["an instruction that does not hold the local value", [insn(0xb7, 1, 0, 0, 3)], rec(0, "0:1", K.FIELD_BYTE_OFFSET), "instruction holds 3, expected 8"],
    ["a load at an unexpected offset", [insn(0x79, 1, 2, 0)], rec(0, "0:1", K.FIELD_BYTE_OFFSET), "memory access at offset 0, expected 8"],
    ["an offset too far for a load", [insn(0x61, 1, 2, 16)], rec(0, "0:2", K.FIELD_BYTE_OFFSET), "offset 40000 does not fit"],
    ["a register-source ALU instruction", [insn(0x0f, 1, 2)], rec(0, "0:1", K.FIELD_BYTE_OFFSET), "takes no immediate"],
    ["a jump", [insn(0x05, 0, 0, 0, 8)], rec(0, "0:1", K.FIELD_BYTE_OFFSET), "cannot be relocated"],
    ["a 64-bit load cut off", [insn(0x18, 1, 0, 0, 7)], rec(0, "0", K.ENUMVAL_VALUE, 4), "cut off"],
    ["a map-value 64-bit load", [insn(0x18, 1, 2, 0, 7), insn(0)], rec(0, "0", K.ENUMVAL_VALUE, 4), "not a plain 64-bit immediate load"],
    ["a load of the wrong width for a resized field", [insn(0x61, 1, 2, 8)], rec(0, "0:1", K.FIELD_BYTE_OFFSET), "memory access of 4 bytes, expected 8"],
    ["a misaligned record", [insn(0xb7, 1, 0, 0, 8)], { ...rec(0, "0:1", K.FIELD_BYTE_OFFSET), insnOff: 3 }, "not a multiple of 8"],
  ];
  for (const [name, insns, record, message] of failures) {
    it(`refuses ${name}`, () => {
      const e = thrown(() => applyCoreRelos(targets(), code(...insns), "sec", 0, insns.length, [record], where));
      expect(e.message).toContain(message);
      expect(e).toMatchObject({ object: "obj", section: "sec", program: "prog", instruction: 0, relocation: 0, typeId: record.typeId, accessStr: record.accessStr, kind: record.kind });
    });
  }

  it("says which record is corrupt, with the engine's error as the cause", () => {
    const e = thrown(() => applyCoreRelos(targets(), code(insn(0xb7)), "sec/x", 0, 1, [rec(0, "0:9", K.FIELD_BYTE_OFFSET), rec(0, "0:1", 77)], where));
    expect(e.message).toBe('obj: section sec/x, program "prog": CO-RE relocation #0 at instruction #0 (byte_off of [3] s___l, access "0:9"): accessor 1 picks member 9 of [3] STRUCT s___l, which has 5');
    expect(e.cause).toBeInstanceOf(CoreError);
    expect(e.typeName).toBe("s___l");
    const bad = thrown(() => applyCoreRelos(targets(), code(insn(0xb7)), "sec", 0, 1, [rec(0, "0:0", K.FIELD_BYTE_OFFSET, 1234)], where));
    expect(bad.message).toContain("type id 1234 does not exist");
    expect(bad.typeName).toBe("");
  });
});
