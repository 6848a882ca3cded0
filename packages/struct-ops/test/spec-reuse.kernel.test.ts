// One parsed ObjectSpec loaded twice through the kernel: the spec is never changed by edits or
// load (struct_ops prepare used to write the kernel value size and program types back into it).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { BpfObject, ObjectSpec } from "@bpfkit/struct-ops";
import { MapType, ProgType } from "@bpfkit/syscall";
import { checkFdLeaks, describeKernel, trackCreated, waitGone } from "@bpfkit/testing";
import { expect, it } from "vitest";
import { fixture } from "./support/paths.ts";

const CC_OBJECT = fileURLToPath(new URL("../../../examples/tcp-cc/cc.bpf.o", import.meta.url));

describeKernel("an ObjectSpec is reusable", () => {
  checkFdLeaks();

  it("loads twice: two sets of kernel objects, and the spec as parsed", async () => {
    const spec = ObjectSpec.parse(new Uint8Array(readFileSync(CC_OBJECT)), { name: "cc" });
    const before = JSON.stringify(spec.programs.map((p) => [p.name, p.type, p.expectedAttachType]));
    const run = trackCreated(() => [BpfObject.load(spec), BpfObject.load(spec)] as const);
    expect(run.error).toBeUndefined();
    const [a, b] = run.result!;
    try {
      // Each load made its own struct_ops map, with the kernel's value size (not the spec's).
      const ma = a.structOps("bpfkit_reno").info();
      const mb = b.structOps("bpfkit_reno").info();
      expect(ma.type).toBe(MapType.STRUCT_OPS);
      expect(mb.type).toBe(MapType.STRUCT_OPS);
      expect(ma.id).not.toBe(mb.id);
      expect(ma.valueSize).toBe(mb.valueSize);
      expect(ma.valueSize).toBeGreaterThan(0);
      const progs = [a, b].flatMap((o) => o.programs.map((p) => p.info()));
      for (const p of progs) expect(p.type).toBe(ProgType.STRUCT_OPS);
      // Two loads, two of every program: the kernel holds each one the interceptor saw created.
      expect(progs.map((p) => p.id).sort()).toEqual([...run.ids.prog].sort());
      expect(progs.length).toBe(2 * spec.programs.length);
    } finally {
      a.close();
      b.close();
    }
    // The spec still says what the file says: section-derived types, nothing the loads set.
    expect(JSON.stringify(spec.programs.map((p) => [p.name, p.type, p.expectedAttachType]))).toBe(before);
    expect(Object.isFrozen(spec.programs)).toBe(true);
    expect(await waitGone("prog", run.ids.prog)).toEqual([]);
    expect(await waitGone("map", run.ids.map)).toEqual([]);
  });

  it("edits of an open object stay in that object", () => {
    const spec = ObjectSpec.parse(new Uint8Array(readFileSync(fixture("globals"))), { name: "globals" });
    const initial = spec.dataSections.find((d) => d.section === ".data.counters")!.initial.slice();
    using a = BpfObject.fromSpec(spec);
    a.data(".data.counters").set("custom_counter", 40n);
    a.data(".data.counters").valueSize = 64;
    using b = BpfObject.fromSpec(spec);
    expect(b.data(".data.counters").get("custom_counter")).not.toBe(40n);
    expect(b.data(".data.counters").valueSize).toBe(initial.byteLength);
    expect([...spec.dataSections.find((d) => d.section === ".data.counters")!.initial]).toEqual([...initial]);
  });
});
