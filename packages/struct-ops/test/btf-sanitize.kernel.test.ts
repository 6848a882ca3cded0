import { execFileSync } from "node:child_process";
import { btfFeatures, overrideFeature, resetProbes } from "@bpfkit/kernel";
import { BpfObject } from "@bpfkit/struct-ops";
import { checkFdLeaks, describeKernel } from "@bpfkit/testing";
import { afterEach, expect, it } from "vitest";
import { fixture } from "./support/paths.ts";

const KINDS = fixture("btf_kinds");

/** The kinds of the BTF the kernel holds for a loaded program, as bpftool (not bpfkit) reads them. */
function loadedKinds(obj: BpfObject): string {
  const id = obj.program("use_kinds").info().btfId;
  return execFileSync("bpftool", ["btf", "dump", "id", String(id)], { encoding: "utf8" });
}

function runAndCheck(obj: BpfObject): void {
  expect(obj.program("use_kinds").testRun().retval).toBe(0);
  // wide = WIDE_BIG (0x11223344) plus scale(14) = 42, as the C source computes.
  expect(obj.data(".bss").get("result")).toBe(0x11223344n + 42n);
}

describeKernel("object BTF sanitised for the kernel's BTF features", () => {
  checkFdLeaks();
  afterEach(() => resetProbes());

  it("probes this kernel's features: a 6.x kernel has every kind", () => {
    const major = Number(execFileSync("uname", ["-r"], { encoding: "utf8" }).split(".")[0]);
    if (major >= 6) expect(Object.values(btfFeatures()).every(Boolean)).toBe(true);
  });

  it("loads the object's BTF as it is when the kernel knows every kind", () => {
    using obj = BpfObject.open(KINDS);
    obj.load();
    const dump = loadedKinds(obj);
    expect(dump).toMatch(/\] FLOAT 'float'/);
    expect(dump).toMatch(/\] DECL_TAG 'bpfkit_member'/);
    expect(dump).toMatch(/\] TYPE_TAG 'bpfkit_ptr'/);
    expect(dump).toMatch(/FUNC 'scale' type_id=\d+ linkage=global/);
    runAndCheck(obj);
  });

  it("rewrites FLOAT, DECL_TAG, TYPE_TAG and global FUNC for a kernel without them, and the program still runs", () => {
    for (const name of ["btf_float", "btf_decl_tag", "btf_type_tag", "btf_enum64", "btf_global_func"]) overrideFeature(name, false);
    using obj = BpfObject.open(KINDS);
    obj.load();
    const dump = loadedKinds(obj);
    expect(dump).not.toMatch(/\] (FLOAT|DECL_TAG|TYPE_TAG|ENUM64) /);
    expect(dump).toMatch(/FUNC 'scale' type_id=\d+ linkage=static/);
    runAndCheck(obj);
  });
});
