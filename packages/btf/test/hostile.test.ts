import { Btf, BtfBuilder, BtfError, BtfExt, dumpC, dumpJson, dumpRaw, dumpTs } from "@bpfkit/btf";
import { describe, expect, it } from "vitest";

/** Hand-made BTF of the shapes random mutation rarely reaches: each must end fast, in BtfError or success. */

const int = { kind: "INT", name: "int", size: 4, encoding: 1 } as const;

/** Runs `fn`, which must finish within `ms` and throw nothing but BtfError. */
function bounded(fn: () => unknown, ms = 2000): "ok" | "BtfError" {
  const t0 = performance.now();
  let outcome: "ok" | "BtfError" = "ok";
  try {
    fn();
  } catch (e) {
    if (!(e instanceof BtfError)) throw e;
    outcome = "BtfError";
  }
  expect(performance.now() - t0).toBeLessThan(ms);
  return outcome;
}

describe("hostile BTF", () => {
  it("anonymous records shared in a ladder (exponential when written inline) end in BtfError", () => {
    const b = new BtfBuilder();
    b.add(int);
    // [2] anon { [3] a; [3] b }, [3] anon { [4] a; [4] b } … : 2^60 inline copies.
    for (let i = 0; i < 60; i++) {
      const next = i === 59 ? 1 : b.lastId + 2;
      b.add({ kind: "STRUCT", size: 8, members: [{ name: "a", type: next, bitOffset: 0 }, { name: "b", type: next, bitOffset: 0 }] });
    }
    b.add({ kind: "STRUCT", name: "top", size: 8, members: [{ name: "x", type: 2, bitOffset: 0 }] });
    const btf = Btf.parse(b.build());
    expect(bounded(() => dumpC(btf))).toBe("BtfError");
    expect(bounded(() => dumpTs(btf))).toBe("BtfError");
    expect(bounded(() => dumpRaw(btf))).toBe("ok");
  });

  it("named records in a ladder stay linear: alignment is remembered, definitions written once", () => {
    const b = new BtfBuilder();
    b.add(int);
    for (let i = 0; i < 60; i++) {
      const next = i === 59 ? 1 : b.lastId + 2;
      b.add({ kind: "STRUCT", name: `s${i}`, size: 8, members: [{ name: "a", type: next, bitOffset: 0 }, { name: "b", type: next, bitOffset: 0 }] });
    }
    const btf = Btf.parse(b.build());
    expect(bounded(() => btf.alignOf(2))).toBe("ok");
    expect(bounded(() => dumpC(btf))).toBe("ok");
    expect(bounded(() => dumpTs(btf))).toBe("ok");
  });

  it("a struct claiming 4 GiB gets one padding array, not half a billion padding lines", () => {
    const b = new BtfBuilder();
    b.add(int);
    b.add({ kind: "STRUCT", name: "huge", size: 0xffffffff, members: [{ name: "x", type: 1, bitOffset: 0 }, { name: "y", type: 1, bitOffset: 0xfffffff0 }] });
    b.add({ kind: "ARRAY", elemType: 2, indexType: 1, nelems: 0xffffffff });
    b.add({ kind: "STRUCT", name: "holder", size: 8, members: [{ name: "arr", type: 3, bitOffset: 0 }] });
    const btf = Btf.parse(b.build());
    let c = "";
    expect(bounded(() => (c = dumpC(btf)))).toBe("ok");
    expect(c.length).toBeLessThan(2000);
    expect(c).toMatch(/char __bpfkit_pad\d+\[\d+\];/);
    expect(bounded(() => dumpTs(btf))).toBe("ok");
    expect(bounded(() => btf.sizeOf(4))).toBe("ok");
  });

  it("reference chains 100,000 long end in BtfError, not a stack overflow", () => {
    const b = new BtfBuilder();
    b.add(int);
    for (let i = 0; i < 100_000; i++) b.add({ kind: "PTR", type: b.lastId });
    for (let i = 0; i < 100_000; i++) b.add({ kind: "TYPEDEF", name: `t${i}`, type: b.lastId });
    b.add({ kind: "STRUCT", name: "s", size: 8, members: [{ name: "p", type: b.lastId, bitOffset: 0 }] });
    const btf = Btf.parse(b.build());
    const last = btf.lastId;
    expect(bounded(() => btf.resolve(last - 1))).toBe("BtfError");
    expect(bounded(() => btf.sizeOf(last - 1))).toBe("BtfError");
    expect(bounded(() => dumpC(btf))).toBe("BtfError");
    expect(bounded(() => dumpC(btf, { roots: [last] }))).toBe("BtfError");
    expect(bounded(() => dumpTs(btf))).toBe("BtfError");
    expect(bounded(() => dumpJson(btf))).toBe("ok");
  });

  it("a struct that contains itself by value: sizes from the record, BtfError where C layout is needed", () => {
    const b = new BtfBuilder();
    b.add(int);
    b.add({ kind: "STRUCT", name: "self", size: 8, members: [{ name: "me", type: 2, bitOffset: 0 }] });
    b.add({ kind: "STRUCT", name: "a", size: 8, members: [{ name: "b", type: 4, bitOffset: 0 }] });
    b.add({ kind: "STRUCT", name: "b", size: 8, members: [{ name: "a", type: 3, bitOffset: 0 }] });
    const btf = Btf.parse(b.build());
    expect(btf.sizeOf(2)).toBe(8);
    expect(bounded(() => btf.alignOf(2))).toBe("BtfError");
    expect(bounded(() => btf.alignOf(3))).toBe("BtfError");
    expect(bounded(() => dumpC(btf))).toBe("BtfError");
    // Named interfaces may refer to themselves: TypeScript has no layout to break.
    expect(bounded(() => dumpTs(btf))).toBe("ok");
  });

  it("counts and lengths set huge are refused before anything is allocated for them", () => {
    const b = new BtfBuilder();
    b.add(int);
    b.add({ kind: "STRUCT", name: "s", size: 4, members: [{ name: "x", type: 1, bitOffset: 0 }] });
    const good = b.build();
    const v = new DataView(good.buffer);
    // vlen 65535 on the struct: its members would run 786 KB past the end.
    const vlen = good.slice();
    new DataView(vlen.buffer).setUint16(24 + 16 + 4, 0xffff, true);
    expect(() => Btf.parse(vlen)).toThrow(/runs past the end/);
    // Type and string lengths of 4 GiB.
    for (const field of [12, 20]) {
      const bad = good.slice();
      new DataView(bad.buffer).setUint32(field, 0xfffffff0, true);
      expect(() => Btf.parse(bad)).toThrow(BtfError);
    }
    expect(v.getUint16(0, true)).toBe(0xeb9f);
    // .BTF.ext claiming 2^32-1 func_info records.
    const ext = new Uint8Array(24 + 4 + 8);
    const e = new DataView(ext.buffer);
    e.setUint16(0, 0xeb9f, true);
    e.setUint8(2, 1);
    e.setUint32(4, 24, true);
    e.setUint32(8, 0, true);
    e.setUint32(12, 12, true);
    e.setUint32(24, 8, true);
    e.setUint32(28, 1, true);
    e.setUint32(32, 0xffffffff, true);
    expect(() => BtfExt.parse(ext, Btf.parse(good))).toThrow(/run past the end/);
  });
});
