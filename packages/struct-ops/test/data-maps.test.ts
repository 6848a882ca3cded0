import { BpfObject } from "@bpfkit/struct-ops";
import { MapFlags } from "@bpfkit/syscall";
import { describe, expect, it } from "vitest";
import { dataMapName } from "@bpfkit/object";
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
    using obj = BpfObject.open(fixture("hidden"));
    const flags = Object.fromEntries(obj.dataMaps.map((m) => [m.section, m.spec.flags]));
    expect(flags).toEqual({ ".data.hidden_only": 0, ".data.mixed": MapFlags.MMAPABLE, ".data.statics": 0, ".bss": MapFlags.MMAPABLE });
    expect(obj.dataMaps.map((m) => m.name)).toEqual([".data.hidden_on", ".data.mixed", ".data.statics", "hidden.bss"]);
    expect(obj.map(".data.hidden_only")).toBe(obj.data(".data.hidden_only"));
  });

  it("the object's default name is the file name up to its first dot, as libbpf's", () => {
    using twin = BpfObject.open(fixture("two_cc").replace(/\.bpf\.o$/, ".twin.o"));
    expect(twin.name).toBe("two_cc");
  });
});
