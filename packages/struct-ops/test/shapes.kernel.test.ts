import { execFileSync } from "node:child_process";
import { possibleCpus } from "@bpfkit/kernel";
import { BpfObject, ObjectError, StateError } from "@bpfkit/struct-ops";
import { BpfError, fdById, MapFlags, type MapInfo, mapInfo } from "@bpfkit/syscall";
import { checkFdLeaks, describeKernel, thrown, trackCreated, waitGone } from "@bpfkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HeldLoad, libbpf18, libbpfLoad } from "../../object/test/support/libbpf18.ts";
import { fixture } from "./support/paths.ts";

const SHAPES = fixture("shapes");
const ref = libbpf18();
if (ref.reason) console.log(`skipping the libbpf 1.8 comparisons of shapes.bpf.o: ${ref.reason}`);

/** The edits of each test, in bpfkit's API and as the libbpf oracle's arguments. */
function edit(obj: BpfObject): void {
  obj.map("sized_by_loader").maxEntries = 8;
  obj.program("fill_slots").autoload = true;
  obj.data(".data.arr").valueSize = 40;
  obj.data(".data.scalars").valueSize = 24;
  obj.map("typed").valueSize = 16;
}
const LIBBPF_EDITS = ["--max-entries", "sized_by_loader=8", "--autoload", "fill_slots", "--value-size", ".data.arr=40", "--value-size", ".data.scalars=24", "--value-size", "typed=16"];

function infoById(id: number): MapInfo {
  using fd = fdById("map", id)!;
  return mapInfo(fd.value);
}

/** What the kernel says of a map's shape (ids and names aside). */
const shape = (i: MapInfo) => ({ type: i.type, keySize: i.keySize, valueSize: i.valueSize, maxEntries: i.maxEntries, flags: i.flags, hasBtf: i.btfValueTypeId !== 0 });

/** A loaded BTF object as bpftool prints it from the kernel. */
const btfDump = (id: number) => execFileSync("bpftool", ["btf", "dump", "id", String(id)], { encoding: "utf8" });

describeKernel("map shapes set before load", () => {
  checkFdLeaks();

  it("a map left at max_entries 0 is refused with the map and the setter named, and nothing is left behind", async () => {
    using obj = BpfObject.open(SHAPES);
    const t = trackCreated(() => obj.load());
    expect(t.error).toBeInstanceOf(ObjectError);
    const err = t.error as ObjectError;
    expect(err.code).toBe("max-entries-zero");
    expect(err.subject).toBe('map "sized_by_loader"');
    expect(err.message).toMatch(/max_entries is 0.*set map.maxEntries before load\(\)/);
    expect((err.cause as BpfError).code).toBe("EINVAL"); // the kernel's refusal, kept
    expect(await waitGone("map", t.ids.map)).toEqual([]);
    expect(await waitGone("btf", t.ids.btf)).toEqual([]);
  });

  it("the kernel creates what was set: max_entries, key and value sizes, flags and NUMA node", () => {
    using obj = BpfObject.open(SHAPES);
    edit(obj);
    obj.map("untyped").keySize = 8;
    obj.map("untyped").flags = MapFlags.NUMA_NODE;
    obj.map("untyped").numaNode = 0;
    obj.load();
    expect(shape(obj.map("sized_by_loader").info())).toMatchObject({ maxEntries: 8 });
    expect(shape(obj.map("untyped").info())).toMatchObject({ keySize: 8, flags: MapFlags.NUMA_NODE });
    expect(shape(obj.map("typed").info())).toEqual({ type: 2, keySize: 4, valueSize: 16, maxEntries: 4, flags: 0, hasBtf: false });
    // What the kernel rounds or fills in when libbpf would: a ring buffer's pages, a perf event array's CPUs.
    expect(obj.map("events").info().maxEntries).toBe(8192);
    expect(obj.map("perf_events").info().maxEntries).toBe(possibleCpus());
    // A resized data section: the kernel's value size, and the verifier let fill_slots write past the old end.
    const arr = obj.data(".data.arr");
    expect(arr.info().valueSize).toBe(40);
    expect(obj.program("fill_slots").testRun().retval).toBe(0);
    expect(arr.get("arr_slots")).toEqual([0n, 0n, 0n, 42n]);
    expect(btfDump(arr.info().btfId)).toMatch(/DATASEC '\.data\.arr' size=40 vlen=2\n\ttype_id=\d+ offset=0 size=8 \(VAR 'arr_head'\)\n\ttype_id=\d+ offset=8 size=32 \(VAR 'arr_slots'\)/);
    // .data.scalars does not end in an array: created without BTF, as libbpf creates it.
    expect(shape(obj.data(".data.scalars").info())).toMatchObject({ valueSize: 24, hasBtf: false });
    obj.program("touch").testRun();
    expect(obj.data(".data.scalars").get("scalar_b")).toBe(3n);

    const edits = [() => (obj.map("typed").maxEntries = 1), () => (obj.data(".data.arr").valueSize = 48), () => (obj.map("typed").flags = 0)];
    for (const set of edits) expect(thrown(set)).toBeInstanceOf(StateError);
    obj.close();
    for (const set of edits) expect(thrown(set)).toBeInstanceOf(StateError); // and after close too
  });

  it("a NUMA node the machine lacks reaches the kernel, which refuses it", () => {
    using obj = BpfObject.open(SHAPES);
    obj.map("sized_by_loader").maxEntries = 8;
    obj.map("untyped").flags = MapFlags.NUMA_NODE;
    obj.map("untyped").numaNode = 1000;
    const err = thrown(() => obj.load());
    expect(err).toBeInstanceOf(BpfError);
    expect((err as BpfError).code).toBe("EINVAL");
  });

  it("maps left uncreated: code that uses them loads while the verifier finds it dead", () => {
    using obj = BpfObject.open(SHAPES);
    obj.map("sized_by_loader").maxEntries = 8;
    obj.map("optional").autocreate = false;
    obj.data(".data.optional").autocreate = false;
    const t = trackCreated(() => obj.load());
    if (t.error) throw t.error;
    const names = t.ids.map.map((id) => infoById(id).name);
    expect(names).not.toContain("optional");
    expect(names).not.toContain(".data.optional");
    expect(names).toContain("typed");
    expect(obj.program("maybe_optional").testRun().retval).toBe(0);
  });

  describe.skipIf(ref.reason !== undefined)("against libbpf 1.8 with the same edits", () => {
    let theirs: HeldLoad;
    beforeAll(async () => {
      theirs = await libbpfLoad(ref.libbpfDir!, SHAPES, LIBBPF_EDITS);
    });
    afterAll(async () => {
      await theirs?.release();
    });

    it("the kernel holds maps of the same shapes, and the same BTF", () => {
      if (!theirs.result.ok) throw new Error(`libbpf failed to load shapes.bpf.o: ${theirs.result.log.slice(-2000)}`);
      using obj = BpfObject.open(SHAPES);
      edit(obj);
      obj.load();
      for (const m of theirs.result.maps) expect(shape(obj.map(m.name).info()), m.name).toEqual(shape(infoById(m.id)));
      const ours = btfDump(obj.data(".data.arr").info().btfId);
      expect(ours).toBe(btfDump(infoById(theirs.result.maps.find((m) => m.name === ".data.arr")!.id).btfId));
    });

    it("a use of an uncreated map: dead, the same xlated code; reachable, the call libbpf makes of it (2001000000 + its map index)", async () => {
      const uncreated = ["--max-entries", "sized_by_loader=8", "--no-autocreate", "optional", "--no-autocreate", ".data.optional"];
      const open = (autoload?: string) => {
        const obj = BpfObject.open(SHAPES);
        obj.map("sized_by_loader").maxEntries = 8;
        obj.map("optional").autocreate = false;
        obj.data(".data.optional").autocreate = false;
        if (autoload) obj.program(autoload).autoload = true;
        return obj;
      };
      const dead = await libbpfLoad(ref.libbpfDir!, SHAPES, uncreated);
      try {
        if (!dead.result.ok) throw new Error(`libbpf failed: ${dead.result.log.slice(-2000)}`);
        using obj = open();
        obj.load();
        const theirProg = dead.result.programs.find((p) => p.name === "maybe_optional")!;
        const xlated = (id: number) => execFileSync(ref.bpftool!, ["prog", "dump", "xlated", "id", String(id)], { encoding: "utf8" }).replace(/map\[id:\d+\]/g, "map[id:N]");
        expect(xlated(obj.program("maybe_optional").info().id)).toBe(xlated(theirProg.id));
      } finally {
        await dead.release();
      }
      for (const [prog, map] of [["need_optional_map", "optional"], ["need_optional_data", ".data.optional"]] as const) {
        const held = await libbpfLoad(ref.libbpfDir!, SHAPES, [...uncreated, "--autoload", prog]);
        await held.release();
        // libbpf names the map in its log only when the poisoned call's imm carries that map's index.
        expect(held.result.log).toContain(`BPF map '${map}' is referenced but wasn't created`);
        const index = Number(new RegExp(`prog '${prog}': relo #\\d+: poisoning insn #\\d+ that loads map #(\\d+) '${map.replace(".", "\\.")}'`).exec(held.result.log)?.[1]);
        using obj = open(prog);
        const err = thrown(() => obj.load());
        expect(err).toBeInstanceOf(BpfError);
        expect((err as BpfError).log).toContain(`invalid func unknown#${2001000000 + index}\n`);
      }
    });
  });
});
