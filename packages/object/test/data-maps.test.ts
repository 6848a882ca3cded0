import { readFileSync } from "node:fs";
import { dataMapName, ObjectSpec } from "@bpfkit/object";
import { MapFlags } from "@bpfkit/object/uapi";
import { describe, expect, it } from "vitest";
import { fixture } from "./support/paths.ts";

describe("global data maps as libbpf makes them", () => {
  it("names: the object's name in front of .data/.rodata/.bss/.kconfig, a custom section on its own", () => {
    // libbpf's own examples (internal_map_name), and sched_ext's sections as libbpf 1.8 names them.
    expect(dataMapName("my_object_name", ".rodata")).toBe("my_objec.rodata");
    expect(dataMapName("my_object_name", ".bss")).toBe("my_objec.bss");
    expect(dataMapName("my_object_name", ".kconfig")).toBe("my_obje.kconfig");
    expect(dataMapName("my_object_name", ".rodata.abracadabra")).toBe(".rodata.abracad");
    expect(dataMapName("scx_central", ".data.uei_dump")).toBe(".data.uei_dump");
    expect(dataMapName("scx_central", ".data.cpu_started_at")).toBe(".data.cpu_start");
    expect(dataMapName("a-b", ".bss")).toBe("a_b.bss");
  });

  it("mmapable only with a visible variable: hidden and static ones do not count (flags at open)", () => {
    // What libbpf 1.8 reports for the same object at open (bpf_map__map_flags).
    const spec = ObjectSpec.parse(new Uint8Array(readFileSync(fixture("hidden"))), { name: "hidden" });
    const flags = Object.fromEntries(spec.dataSections.map((d) => [d.section, d.map.flags]));
    expect(flags).toEqual({ ".data.hidden_only": 0, ".data.mixed": MapFlags.MMAPABLE, ".data.statics": 0, ".bss": MapFlags.MMAPABLE });
    expect(spec.dataSections.map((d) => d.map.name)).toEqual([".data.hidden_on", ".data.mixed", ".data.statics", "hidden.bss"]);
  });
});
