import { readFileSync } from "node:fs";
import { Btf, Kind } from "@bpfkit/btf";
import { ElfFile } from "@bpfkit/elf";
import type { KernelBtfSource } from "@bpfkit/kernel";
import { BpfObject, StructOpsError } from "@bpfkit/struct-ops";
import { moduleSplitBtf } from "@bpfkit/testing";
import { describe, expect, it } from "vitest";
import { findKernelStructOps } from "../src/kernel-struct-ops.ts";
import { fixture } from "./support/paths.ts";

// Neither the development host nor the 7.x VM guest loads kernel modules, so module BTF is
// covered here: split BTF built over a committed object's BTF, standing in for vmlinux.
const base = Btf.parse(ElfFile.parse(new Uint8Array(readFileSync(fixture("two_cc")))).section(".BTF")!.data);
const split = Btf.parse(moduleSplitBtf(base), { base });

describe("split (module) BTF over a base", () => {
  it("numbers its types after the base's and resolves through base types", () => {
    expect(split.firstId).toBe(base.lastId + 1);
    const ops = split.find("bpfkit_mod_ops", Kind.STRUCT)!;
    expect(ops).toBeGreaterThan(base.lastId);
    expect(split.members(ops).map((m) => [m.name, m.bitOffset / 8])).toEqual([
      ["run", 0],
      ["name", 8],
      ["flags", 24],
    ]);
    // A member typed with a base typedef, and a function pointer to a base struct.
    const flags = split.member(ops, "flags")!;
    expect(split.sizeOf(flags.type)).toBe(4);
    expect(split.nameOf(flags.type)).toBe("__u32");
    const proto = split.funcProtoOfPointer(split.member(ops, "run")!.type)!;
    const param = split.type(proto);
    expect(param.kind === "FUNC_PROTO" && split.nameOf(split.resolve(split.sizeOrType(param.params[0]!.type)))).toBe("sock");
    expect(split.sizeOf(split.find("bpf_struct_ops_bpfkit_mod_ops", "STRUCT")!)).toBe(96);
  });

  it("looks names up in the base first, then in the module", () => {
    expect(split.find("sock", "STRUCT")).toBe(base.find("sock", "STRUCT"));
    expect(split.findAll("sock", "STRUCT")).toEqual([base.find("sock", "STRUCT")]);
    expect(base.find("bpfkit_mod_ops", "STRUCT")).toBeUndefined();
  });
});

describe("struct_ops types defined by a module", () => {
  // A kernel whose vmlinux is the object's BTF and which has one module: passed in, as LoadOptions.kernelBtf/.modules pass it.
  const kernel: KernelBtfSource = { vmlinux: () => base, modules: () => [{ name: "bpfkit_mod", btf: split }] };

  it("are found in module BTF when vmlinux lacks them, with the module named", () => {
    const k = findKernelStructOps("bpfkit_mod_ops", "my_ops", kernel);
    expect(k.module).toBe("bpfkit_mod");
    expect(k.btf).toBe(split);
    expect(k.typeId).toBe(split.find("bpfkit_mod_ops", "STRUCT"));
    expect(k.valueTypeId).toBe(split.find("bpf_struct_ops_bpfkit_mod_ops", "STRUCT"));
    // The ops struct's place in the value is found by its type, not assumed.
    expect(k.dataOffset).toBe(64);
    expect(k.valueSize).toBe(96);
  });

  it("a struct with no bpf_struct_ops_ value type in vmlinux or any module is not-struct-ops", () => {
    // tcp_congestion_ops is in this base (an object's BTF), without a value type anywhere.
    let err: unknown;
    try {
      findKernelStructOps("tcp_congestion_ops", "cc", kernel);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StructOpsError);
    expect((err as StructOpsError).code).toBe("not-struct-ops");
  });

  it("a type no module has is an unknown-kernel-type refusal", () => {
    let err: unknown;
    try {
      findKernelStructOps("nosuch_ops", "m", kernel);
    } catch (e) {
      err = e;
    }
    expect((err as StructOpsError).code).toBe("unknown-kernel-type");
  });
});

describe("LoadOptions.kernelBtf and .modules", () => {
  it("are what load resolves struct_ops types against, instead of the running kernel's", () => {
    // The object's own BTF as vmlinux: it has tcp_congestion_ops but no bpf_struct_ops_ value type.
    const obj = BpfObject.open(fixture("two_cc"));
    try {
      let err: unknown;
      try {
        obj.load({ kernelBtf: base, modules: [] });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(StructOpsError);
      expect((err as StructOpsError).code).toBe("not-struct-ops");
    } finally {
      obj.close();
    }
  });
});
