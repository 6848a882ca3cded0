import { BpfObject, StateError } from "@bpfkit/struct-ops";
import { thrown } from "@bpfkit/testing";
import { describe, expect, it } from "vitest";
import { ringBufferSize } from "../src/map.ts";
import { fixture } from "./support/paths.ts";

describe("map shape edits before load", () => {
  it("ring buffers are sized as libbpf sizes them: a power-of-2 number of pages, rounded up", () => {
    expect([0, 1, 4096, 5000, 8192, 12288, 1 << 20].map(ringBufferSize)).toEqual([0, 4096, 4096, 8192, 8192, 16384, 1 << 20]);
    using obj = BpfObject.open(fixture("shapes"));
    expect(obj.map("events").maxEntries).toBe(8192); // __uint(max_entries, 5000)
    obj.map("events").maxEntries = 70000;
    expect(obj.map("events").maxEntries).toBe(131072);
  });

  it("edits land in the spec; a size that no longer matches the BTF type drops the BTF types, a matching one restores them", () => {
    using obj = BpfObject.open(fixture("shapes"));
    const typed = obj.map("typed");
    const [key, value] = [typed.spec.btfKeyTypeId, typed.spec.btfValueTypeId];
    expect(key && value).toBeTruthy();
    typed.valueSize = 16;
    expect([typed.valueSize, typed.spec.btfKeyTypeId, typed.spec.btfValueTypeId]).toEqual([16, 0, 0]);
    typed.valueSize = 8;
    expect([typed.spec.btfKeyTypeId, typed.spec.btfValueTypeId]).toEqual([key, value]);
    typed.maxEntries = 9;
    typed.keySize = 4;
    typed.flags = 1;
    typed.numaNode = 2;
    expect([typed.maxEntries, typed.keySize, typed.flags, typed.numaNode]).toEqual([9, 4, 1, 2]);
  });

  it("a data section that ends in an array: the array follows the new size, as in libbpf's BTF fix-up", () => {
    using obj = BpfObject.open(fixture("shapes"));
    const arr = obj.data(".data.arr");
    arr.set("arr_slots", [7n]);
    arr.valueSize = 40;
    expect(arr.resize).toMatchObject({ variable: "arr_slots", size: 32 });
    expect(arr.initial.byteLength).toBe(40);
    expect(arr.get("arr_head")).toBe(4n); // the first bytes are kept
    expect(arr.get("arr_slots")).toEqual([7n, 0n, 0n, 0n]);
    arr.set("arr_slots", [1n, 2n, 3n, 4n]);
    expect(arr.variable("arr_slots")).toMatchObject({ offset: 8, size: 32 });
    expect(arr.spec.btfValueTypeId).not.toBe(0);
    arr.valueSize = 8; // down to no element at all: still an array (of 0)
    expect(arr.resize).toMatchObject({ variable: "arr_slots", size: 0 });
  });

  it("a data section that does not: created without BTF (libbpf's fallback), and variables past the end are gone", () => {
    using obj = BpfObject.open(fixture("shapes"));
    const scalars = obj.data(".data.scalars");
    scalars.valueSize = 12;
    expect(scalars.resize).toEqual({ refused: 'its last variable, "scalar_b", is not an array' });
    expect(scalars.spec.btfValueTypeId).toBe(0);
    expect(scalars.variables.map((v) => v.name)).toEqual(["scalar_a"]);
    expect(scalars.get("scalar_a")).toBe(1n); // still typed from the object's BTF
    expect(thrown(() => scalars.get("scalar_b"))).toBeInstanceOf(StateError);
  });

  it("refuses what cannot be set, saying why", () => {
    using obj = BpfObject.open(fixture("dummy_ops"));
    const st = obj.structOpsMaps[0]!;
    expect(thrown(() => (st.valueSize = 8))).toBeInstanceOf(StateError);
    expect((thrown(() => (st.maxEntries = 2)) as Error).message).toMatch(/comes from the kernel's struct_ops type/);
    st.flags |= 0; // flags stay the user's to set (BPF_F_LINK comes from the section)
    using shapes = BpfObject.open(fixture("shapes"));
    expect((thrown(() => (shapes.map("typed").maxEntries = -1)) as Error).message).toMatch(/map "typed": maxEntries must be an integer from 0 to 4294967295; got -1/);
    expect(thrown(() => (shapes.map("typed").keySize = 1.5))).toBeInstanceOf(RangeError);
    using kconfig = BpfObject.open(fixture("kconfig"));
    expect((thrown(() => (kconfig.data(".kconfig").valueSize = 64)) as Error).message).toMatch(/laid out by the loader/);
  });
});
