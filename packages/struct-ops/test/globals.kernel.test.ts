import { BpfObject } from "@bpfkit/struct-ops";
import { MapFlags } from "@bpfkit/syscall";
import { checkFdLeaks, describeKernel } from "@bpfkit/testing";
import { expect, it } from "vitest";
import { fixture } from "./support/paths.ts";

describeKernel("global data in custom .data.* and .rodata.* sections", () => {
  checkFdLeaks();

  it("gives each section its own map, settable before load and read after, .rodata.* frozen", () => {
    using obj = BpfObject.open(fixture("globals"));
    expect(obj.dataMaps.map((m) => m.section).sort()).toEqual([".bss", ".data.counters", ".rodata.limits"]);
    obj.data(".data.counters").set("custom_counter", 40n);
    obj.data(".rodata.limits").set("limit", 7);
    obj.data(".rodata.limits").set("greeting", "Hi");
    obj.load();
    expect(obj.program("sum_globals").testRun().retval).toBe(0);
    // (40 + 1) * 100 + 7 + 'H' (72), computed by the program from the values set here.
    expect(obj.data(".bss").get("result")).toBe(41n * 100n + 7n + 72n);
    expect(obj.data(".data.counters").get("custom_counter")).toBe(41n);
    const ro = obj.data(".rodata.limits").info();
    expect(ro.flags & MapFlags.RDONLY_PROG).toBe(MapFlags.RDONLY_PROG);
    expect(() => obj.data(".rodata.limits").set("limit", 1)).toThrow(/read-only/);
  });
});
