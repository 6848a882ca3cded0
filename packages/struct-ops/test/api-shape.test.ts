import * as btfApi from "@bpfkit/btf";
import * as elfApi from "@bpfkit/elf";
import { ElfFile } from "@bpfkit/elf";
import * as kernelApi from "@bpfkit/kernel";
import * as objectApi from "@bpfkit/object";
import { parseKernelConfig } from "@bpfkit/object";
import * as structOpsApi from "@bpfkit/struct-ops";
import { BpfMap, BpfObject, DataMap, Link, ObjectError, Program, StateError, StructOpsError, StructOpsMap } from "@bpfkit/struct-ops";
import * as syscallApi from "@bpfkit/syscall";
import { AttrError, SystemError, UnsupportedFeatureError, UnsupportedRuntimeError } from "@bpfkit/syscall";
import { describe, expect, it } from "vitest";
import { EXAMPLE_CC } from "./support/paths.ts";

function errorClasses(api: Record<string, unknown>): string[] {
  return Object.entries(api)
    .filter(([, v]) => typeof v === "function" && (v as { prototype?: unknown }).prototype instanceof Error)
    .map(([n]) => n)
    .sort();
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a throw");
}

// Each package's documented codes (README). Errno-named codes (BpfError, SystemError) match ERRNO_NAME.
const ERRNO_NAME = /^(E[A-Z0-9]+|E#\d+)$/;
const OBJECT_CODES = ["invalid", "not-found", "arena-unsupported", "max-entries-zero", "pin-mismatch", "pin-failed", "kconfig", "core-relocation", "attach-target"];
const CODES: Record<string, readonly string[] | RegExp> = {
  ElfError: ["NOT_ELF", "UNSUPPORTED", "TRUNCATED", "MALFORMED"],
  BtfError: ["truncated", "bad-magic", "malformed", "unsupported", "bad-type-id", "wrong-kind", "cycle", "too-large", "no-layout", "out-of-range", "bad-argument", "not-found", "record", "anonymous", "ambiguous", "btf"],
  CoreError: ["record", "anonymous", "ambiguous", "unsupported", "btf"],
  ObjectError: OBJECT_CODES,
  CoreRelocationError: ["core-relocation"],
  KconfigError: ["kconfig"],
  AttachTargetError: ["attach-target"],
  KernelConfigError: ["not-found", "unreadable", "malformed"],
  BpfError: ERRNO_NAME,
  SystemError: ERRNO_NAME,
  AttrError: ["field-size", "out-of-range"],
  UnsupportedFeatureError: ["unsupported-feature"],
  UnsupportedRuntimeError: ["unsupported-runtime"],
  StructOpsError: [
    "unknown-kernel-type",
    "not-struct-ops",
    "no-such-member",
    "no-data-member",
    "missing-member-program",
    "missing-member-nonzero",
    "kind-mismatch",
    "size-mismatch",
    "bitfield",
    "not-struct-ops-program",
    "program-reuse",
    "unreferenced-program",
    "expect-old-mismatch",
  ],
  // cli's pin-directory check, now in struct-ops (pin.ts).
  PinDirError: ["not-bpffs"],
  StateError: ["not-loaded", "already-loaded", "read-only", "not-settable", "not-supported", "not-pinned", "not-found", "closed"],
};

function expectCode(e: Error, cls: string): void {
  const allowed = CODES[cls];
  expect(allowed, `${cls} has documented codes`).toBeDefined();
  const code = (e as { code?: unknown }).code;
  expect(typeof code, `${cls}.code`).toBe("string");
  if (allowed instanceof RegExp) expect(code).toMatch(allowed);
  else expect(allowed).toContain(code);
}

describe("every error class has a code", () => {
  it("each package's exported error classes are all listed with their codes", () => {
    const all = [elfApi, btfApi, objectApi, syscallApi, kernelApi, structOpsApi].flatMap((api) => errorClasses(api as Record<string, unknown>));
    for (const name of new Set(all)) expect(Object.keys(CODES), `exported error class ${name}`).toContain(name);
  });

  it("errors thrown on real input carry one of their class's codes", () => {
    const cases: [Error, string][] = [
      [thrown(() => ElfFile.parse(new Uint8Array(8))), "ElfError"],
      [thrown(() => btfApi.Btf.parse(new Uint8Array(30))), "BtfError"],
      [thrown(() => parseKernelConfig("CONFIG_X\n", "test")), "KernelConfigError"],
    ];
    using obj = BpfObject.open(EXAMPLE_CC);
    cases.push([thrown(() => obj.program("nope")), "ObjectError"]);
    cases.push([thrown(() => obj.program("bk_init").fd), "StateError"]);
    cases.push([thrown(() => obj.structOps("bpfkit_reno").field("no_such_member")), "StructOpsError"]);
    cases.push([thrown(() => obj.attach()), "StateError"]);
    for (const [e, cls] of cases) {
      expect(e.name).toBe(cls);
      expectCode(e, cls);
    }
    expect(new UnsupportedRuntimeError().code).toBe("unsupported-runtime");
    expect(new UnsupportedFeatureError("x", "7.0").code).toBe("unsupported-feature");
    expectCode(new SystemError("close", 9), "SystemError");
    expectCode(new AttrError("out-of-range", 8, 4, 4, 8), "AttrError");
  });

  it("StructOpsError.rule is a deprecated alias of code", () => {
    using obj = BpfObject.open(EXAMPLE_CC);
    const e = thrown(() => obj.structOps("bpfkit_reno").setField("no_such_member", 1)) as StructOpsError;
    expect(e).toBeInstanceOf(StructOpsError);
    expect(e.code).toBe("no-such-member");
    expect(e.rule).toBe(e.code);
  });
});

describe("lookups by name", () => {
  it("throw ObjectError not-found naming what exists; find* twins return undefined", () => {
    using obj = BpfObject.open(EXAMPLE_CC);
    const lookups: [string, () => unknown, () => unknown, RegExp][] = [
      ["program", () => obj.program("nope"), () => obj.findProgram("nope"), /no program "nope" \(has: bk_init, bk_ssthresh/],
      ["map", () => obj.map("nope"), () => obj.findMap("nope"), /no map "nope" \(has: cc\.data, cc\.rodata, cc\.bss, bpfkit_reno\)/],
      ["data", () => obj.data(".data.nope"), () => obj.findData(".data.nope"), /no \.data\.nope section \(has: \.data, \.rodata, \.bss\)/],
      ["structOps", () => obj.structOps("nope"), () => obj.findStructOps("nope"), /no struct_ops variable "nope" \(has: bpfkit_reno\)/],
    ];
    for (const [what, get, find, message] of lookups) {
      const e = thrown(get);
      expect(e, what).toBeInstanceOf(ObjectError);
      expect((e as ObjectError).code, what).toBe("not-found");
      expect(e.message, what).toMatch(message);
      expect(find(), what).toBeUndefined();
    }
    expect(obj.findProgram("bk_init")).toBe(obj.program("bk_init"));
    expect(obj.findMap("bpfkit_reno")).toBe(obj.map("bpfkit_reno"));
    expect(obj.findMap(".bss")).toBe(obj.data(".bss"));
    expect(obj.findData(".rodata")).toBe(obj.data(".rodata"));
    expect(obj.findStructOps("bpfkit_reno")).toBe(obj.structOps("bpfkit_reno"));
  });

  it("a data map's variables: variable() throws StateError not-found listing them, findVariable() gives undefined", () => {
    using obj = BpfObject.open(EXAMPLE_CC);
    const bss = obj.data(".bss");
    const e = thrown(() => bss.variable("nope"));
    expect(e).toBeInstanceOf(StateError);
    expect((e as StateError).code).toBe("not-found");
    expect(e.message).toMatch(/no variable "nope" in \.bss \(has: init_calls, ssthresh_calls/);
    expect(bss.findVariable("nope")).toBeUndefined();
    expect(bss.findVariable("init_calls")).toBe(bss.variable("init_calls"));
  });
});

describe("no underscore members on exported classes", () => {
  it("no own or prototype member of an exported class starts with _", () => {
    const classes: Record<string, { prototype: object }> = { BpfObject, Program, BpfMap, DataMap, StructOpsMap, Link };
    for (const [name, cls] of Object.entries(classes)) {
      const names = [...Object.getOwnPropertyNames(cls), ...Object.getOwnPropertyNames(cls.prototype)];
      expect(names.filter((n) => n.startsWith("_")), name).toEqual([]);
    }
    using obj = BpfObject.open(EXAMPLE_CC);
    for (const thing of [obj, ...obj.programs, ...obj.maps]) {
      expect(Object.keys(thing).filter((n) => n.startsWith("_")), String(thing)).toEqual([]);
    }
  });
});

describe("close and dispose", () => {
  it("Program, BpfMap, DataMap, StructOpsMap, Link and BpfObject are Disposable; closing an unloaded one twice does nothing", () => {
    for (const cls of [BpfObject, Program, BpfMap, DataMap, StructOpsMap, Link] as unknown as { prototype: Record<PropertyKey, unknown> }[]) {
      expect(typeof cls.prototype.close).toBe("function");
      expect(typeof cls.prototype[Symbol.dispose]).toBe("function");
    }
    const obj = BpfObject.open(EXAMPLE_CC);
    const p = obj.program("bk_init");
    const m = obj.map("cc.bss");
    p.close();
    p[Symbol.dispose]();
    m.close();
    m[Symbol.dispose]();
    obj.close();
    obj.close();
    expect(obj.state).toBe("closed");
    expect((thrown(() => obj.attach()) as StateError).code).toBe("closed");
  });
});
