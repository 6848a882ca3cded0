import * as btfApi from "@bpfkit/btf";
import { Btf, BtfBuilder, BtfError, type BtfErrorCode, BtfExt, BtfPatch, CoreError, CoreResolver } from "@bpfkit/btf";
import { describe, expect, it } from "vitest";

/** Every code the README documents; `Record` makes typecheck fail if this and BtfErrorCode drift apart. */
const CODES: Record<BtfErrorCode, true> = {
  truncated: true,
  "bad-magic": true,
  malformed: true,
  unsupported: true,
  "bad-type-id": true,
  "wrong-kind": true,
  cycle: true,
  "too-large": true,
  "no-layout": true,
  "out-of-range": true,
  "bad-argument": true,
  "not-found": true,
  record: true,
  anonymous: true,
  ambiguous: true,
  btf: true,
};

function thrown(fn: () => unknown): BtfError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BtfError);
    return e as BtfError;
  }
  throw new Error("expected a BtfError");
}

function oneInt(): Btf {
  const b = new BtfBuilder();
  b.add({ kind: "INT", name: "int", size: 4, encoding: 1 });
  return Btf.parse(b.build());
}

function oneIntFunc(): Uint8Array {
  const b = new BtfBuilder();
  b.add({ kind: "INT", name: "int", size: 4, encoding: 1 });
  b.add({ kind: "FUNC_PROTO", returnType: 1, params: [] });
  b.add({ kind: "FUNC", name: "f", type: 2, linkage: 0 });
  return b.build();
}

describe("BtfError codes", () => {
  it("each malformed input names its kind of problem", () => {
    const good = new BtfBuilder();
    good.add({ kind: "INT", name: "int", size: 4, encoding: 1 });
    const bytes = good.build();
    expect(thrown(() => Btf.parse(bytes.subarray(0, 10))).code).toBe("truncated");
    const badMagic = bytes.slice();
    badMagic[0] = 0;
    expect(thrown(() => Btf.parse(badMagic)).code).toBe("bad-magic");
    const badVersion = bytes.slice();
    badVersion[2] = 2;
    expect(thrown(() => Btf.parse(badVersion)).code).toBe("unsupported");
    const cut = bytes.slice();
    new DataView(cut.buffer).setUint32(12, 4000, true); // type_len far past the end
    expect(thrown(() => Btf.parse(cut)).code).toBe("truncated");
    expect(thrown(() => BtfExt.parse(new Uint8Array(4), oneInt())).code).toBe("truncated");
  });

  it("bad ids, kinds and arguments say so", () => {
    const btf = oneInt();
    expect(thrown(() => btf.type(99)).code).toBe("bad-type-id");
    expect(thrown(() => btf.members(1)).code).toBe("wrong-kind");
    expect(thrown(() => new BtfPatch(btf).setDatasecSize(1, 4)).code).toBe("wrong-kind");
    expect(thrown(() => btf.find("int", "NOPE" as never)).code).toBe("bad-argument");
    expect(thrown(() => new BtfBuilder().add({ kind: "INT", name: "x", size: 4, bits: 999 } as never)).code).toBe("out-of-range");
  });

  it("a type cycle is a cycle", () => {
    const b = new BtfBuilder();
    b.add({ kind: "TYPEDEF", name: "a", type: 2 });
    b.add({ kind: "TYPEDEF", name: "b", type: 1 });
    b.add({ kind: "CONST", type: 4 });
    b.add({ kind: "VOLATILE", type: 3 });
    const btf = Btf.parse(b.build());
    expect(thrown(() => btf.resolve(1)).code).toBe("cycle");
    expect(thrown(() => btf.skipModifiers(3)).code).toBe("cycle");
    const funcs = Btf.parse(oneIntFunc());
    expect(thrown(() => funcs.sizeOf(funcs.find("f", "FUNC") ?? 0)).code).toBe("no-layout");
  });

  it("CoreError is a BtfError whose code is a CO-RE code", () => {
    const btf = oneInt();
    const e = thrown(() => new CoreResolver(btf, [btf]).resolve({ typeId: 1, accessStr: "x", kind: 0 }));
    expect(e).toBeInstanceOf(CoreError);
    expect(["record", "anonymous", "ambiguous", "unsupported", "btf"]).toContain(e.code);
  });

  it("every exported error class is a BtfError subclass carrying a documented code", () => {
    const known = new Set<string>(Object.keys(CODES));
    const classes = Object.entries(btfApi).filter(([, v]) => typeof v === "function" && (v as { prototype?: unknown }).prototype instanceof Error);
    expect(classes.map(([n]) => n).sort()).toEqual(["BtfError", "CoreError"]);
    // An error thrown without a code is "malformed", a documented code.
    expect(known.has(new BtfError("x").code)).toBe(true);
  });
});
