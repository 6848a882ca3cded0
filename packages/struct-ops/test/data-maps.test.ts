import { BpfObject } from "@bpfkit/struct-ops";
import { describe, expect, it } from "vitest";
import { fixture } from "./support/paths.ts";

describe("global data maps at run time", () => {
  it("a data map is found under its section name by map() and data()", () => {
    using obj = BpfObject.open(fixture("hidden"));
    expect(obj.map(".data.hidden_only")).toBe(obj.data(".data.hidden_only"));
    expect(obj.dataMaps.map((m) => m.name)).toEqual([".data.hidden_on", ".data.mixed", ".data.statics", "hidden.bss"]);
  });

  it("the object's default name is the file name up to its first dot, as libbpf's", () => {
    using twin = BpfObject.open(fixture("two_cc").replace(/\.bpf\.o$/, ".twin.o"));
    expect(twin.name).toBe("two_cc");
  });
});
