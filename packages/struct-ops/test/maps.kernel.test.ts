import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BpfObject, ObjectError } from "@bpfkit/struct-ops";
import { MapFlags, MapType, mapCreate, mapInfo, mapLookup, objGet, objPin, ProgType } from "@bpfkit/syscall";
import { checkFdLeaks, describeKernel, thrown, trackCreated, useBpffs, waitGone } from "@bpfkit/testing";
import { expect, it } from "vitest";
import { fixture } from "./support/paths.ts";

const MAPS = fixture("maps");
const u32 = (n: number) => {
  const b = new Uint8Array(new ArrayBuffer(4));
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
};
/** The kernel's own answer for a map-in-map or program-array slot: the id of what it holds. */
function slotId(mapFd: number, slot: number): number | undefined {
  const out = new Uint8Array(new ArrayBuffer(4));
  return mapLookup(mapFd, u32(slot), out) ? new DataView(out.buffer).getUint32(0, true) : undefined;
}
const ctxArgs = (a: number, b: number) => new Uint8Array([...u32(a), ...u32(b)]);
const possible = () => {
  const text = readFileSync("/sys/devices/system/cpu/possible", "utf8").trim();
  return Number(text.split(/[-,]/).at(-1)) + 1;
};

describeKernel("BTF-defined maps (.maps)", () => {
  checkFdLeaks();
  const bpffs = useBpffs();

  it("a pin root that is not a bpffs fails the load naming the map and the fix, and leaves nothing behind", async () => {
    const root = mkdtempSync(join(tmpdir(), "bpfkit-not-bpffs-"));
    try {
      using obj = BpfObject.open(MAPS, { pinRoot: root });
      const t = trackCreated(() => obj.load());
      const err = thrown(() => {
        if (t.error) throw t.error;
      });
      expect(err).toBeInstanceOf(ObjectError);
      expect((err as Error).message).toContain(`map "pinned_hash": cannot pin it by name at ${join(root, "pinned_hash")}`);
      expect((err as Error).message).toContain(`${root} is not on a BPF filesystem`);
      expect(t.ids.map.length).toBeGreaterThan(0);
      expect(await waitGone("map", t.ids.map)).toEqual([]);
      expect(await waitGone("prog", t.ids.prog)).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("creates every map as its C definition says, pins by name and fills initial slots", () => {
    const root = join(bpffs(), "create");
    mkdirSync(root);
    using obj = BpfObject.open(MAPS, { pinRoot: root });
    obj.load();
    // As declared in fixtures/src/maps.bpf.c, read back from the kernel.
    const expected: Record<string, [number, number, number, number, number]> = {
      pinned_hash: [MapType.HASH, 8, 16, 64, MapFlags.NO_PREALLOC],
      sized: [MapType.ARRAY, 4, 8, 4, 0],
      per_cpu: [MapType.PERCPU_ARRAY, 4, 8, 1, 0],
      inner_a: [MapType.ARRAY, 4, 4, 1, 0],
      inner_b: [MapType.ARRAY, 4, 4, 1, 0],
      outer: [MapType.ARRAY_OF_MAPS, 4, 4, 4, 0],
      jumps: [MapType.PROG_ARRAY, 4, 4, 2, 0],
      bloom: [MapType.BLOOM_FILTER, 0, 4, 16, 0],
      on_node0: [MapType.ARRAY, 4, 4, 1, MapFlags.NUMA_NODE],
    };
    for (const [name, [type, key, value, max, flags]] of Object.entries(expected)) {
      const i = obj.map(name).info();
      expect([i.type, i.keySize, i.valueSize, i.maxEntries, i.flags, i.name], name).toEqual([type, key, value, max, flags, name]);
    }
    expect(obj.map("bloom").info().mapExtra).toBe(3n); // __uint(map_extra, 3): hash functions
    // Typed key and value carry BTF; the sized one does not.
    expect(obj.map("pinned_hash").info().btfValueTypeId).toBeGreaterThan(0);
    expect(obj.map("sized").info().btfValueTypeId).toBe(0);

    // The pin is the same kernel map.
    using pinned = objGet(join(root, "pinned_hash"), "map");
    expect(mapInfo(pinned.value).id).toBe(obj.map("pinned_hash").info().id);
    expect(existsSync(join(root, "sized"))).toBe(false);

    const outer = obj.map("outer").fd.value;
    expect(slotId(outer, 0)).toBe(obj.map("inner_a").info().id);
    expect(slotId(outer, 1)).toBeUndefined();
    expect(slotId(outer, 2)).toBe(obj.map("inner_b").info().id);
    const jumps = obj.map("jumps").fd.value;
    expect(slotId(jumps, 0)).toBeUndefined();
    expect(slotId(jumps, 1)).toBe(obj.program("tail_target").info().id);
  });

  it("runs code over them: typed API, per-CPU values, callbacks, map-in-map and tail calls", () => {
    const root = join(bpffs(), "run");
    mkdirSync(root);
    using obj = BpfObject.open(MAPS, { pinRoot: root });
    obj.load();
    obj.map("inner_a").set(0, 41);
    const touch = obj.program("touch_maps");
    expect(touch.testRun({ ctxIn: ctxArgs(5, 6) }).retval).toBe(0);
    expect(touch.testRun({ ctxIn: ctxArgs(5, 6) }).retval).toBe(0);
    expect(touch.testRun({ ctxIn: ctxArgs(7, 8) }).retval).toBe(0);

    const hash = obj.map("pinned_hash");
    expect(hash.get({ a: 5, b: 6 })).toEqual({ hits: 2n, tag: "bpfkit" });
    expect(hash.get({ a: 7, b: 8 })).toEqual({ hits: 1n, tag: "bpfkit" });
    expect(hash.get({ a: 1, b: 1 })).toBeUndefined();
    expect([...hash.keys()].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)))).toEqual([
      { a: 5, b: 6 },
      { a: 7, b: 8 },
    ]);
    hash.set({ a: 9, b: 9 }, { hits: 100n, tag: "ts" });
    expect(hash.delete({ a: 7, b: 8 })).toBe(true);
    expect(hash.delete({ a: 7, b: 8 })).toBe(false);
    expect(new Map([...hash.entries()].map(([k, v]) => [JSON.stringify(k), v]))).toEqual(
      new Map([
        [JSON.stringify({ a: 5, b: 6 }), { hits: 2n, tag: "bpfkit" }],
        [JSON.stringify({ a: 9, b: 9 }), { hits: 100n, tag: "ts" }],
      ]),
    );

    // Sized map without BTF: an 8-byte value reads as a bigint; the program added a=5, 5, 7.
    expect(obj.map("sized").get(0)).toBe(17n);
    const perCpu = obj.map("per_cpu").get(0) as bigint[];
    expect(perCpu).toHaveLength(possible());
    expect(perCpu.reduce((s, v) => s + v, 0n)).toBe(3n);
    obj.map("per_cpu").set(0, 10n);
    expect(obj.map("per_cpu").get(0)).toEqual(new Array(possible()).fill(10n));

    const bss = obj.data(".bss");
    expect(bss.mapped).toBe(true);
    expect(bss.get("loop_sum")).toBe(45n); // 0 + 1 + ... + 9, summed by the bpf_loop callback
    expect(bss.get("inner_seen")).toEqual([42, 0, 1, 0]);

    // The tail call lands in tail_target, which returns 7 and marks .bss.
    const r = obj.program("tail_caller").testRun({ dataIn: new Uint8Array(64) });
    expect(r.retval).toBe(7);
    expect(bss.get("tail_taken")).toBe(1);
  });

  it("reads and writes global data through mmap, seen by the kernel's own lookup", () => {
    const root = join(bpffs(), "mmap");
    mkdirSync(root);
    using obj = BpfObject.open(MAPS, { pinRoot: root });
    obj.load();
    const bss = obj.data(".bss");
    bss.set("loop_sum", 0x1122334455667788n);
    const raw = new Uint8Array(new ArrayBuffer(bss.spec.valueSize));
    expect(mapLookup(bss.fd.value, u32(0), raw)).toBe(true);
    const at = bss.variable("loop_sum").offset;
    expect(new DataView(raw.buffer).getBigUint64(at, true)).toBe(0x1122334455667788n);
    obj.program("touch_maps").testRun({ ctxIn: ctxArgs(1, 2) });
    expect(bss.get("loop_sum")).toBe(45n);
    unlinkSync(join(root, "pinned_hash"));
  });

  it("reuses a compatible pinned map, and refuses an incompatible one, leaving nothing behind", async () => {
    const root = join(bpffs(), "reuse");
    mkdirSync(root);
    let firstId = 0;
    {
      using a = BpfObject.open(MAPS, { pinRoot: root });
      a.load();
      a.program("touch_maps").testRun({ ctxIn: ctxArgs(3, 4) });
      firstId = a.map("pinned_hash").info().id;
      expect(a.map("pinned_hash").reused).toBe(false);
    }
    {
      using b = BpfObject.open(MAPS, { pinRoot: root });
      b.load();
      expect(b.map("pinned_hash").reused).toBe(true);
      expect(b.map("pinned_hash").info().id).toBe(firstId);
      expect(b.map("pinned_hash").get({ a: 3, b: 4 })).toEqual({ hits: 1n, tag: "bpfkit" });
    }
    unlinkSync(join(root, "pinned_hash"));
    expect(await waitGone("map", [firstId])).toEqual([]);

    // Something else pinned under the name: an array, not a hash.
    {
      using other = mapCreate({ type: MapType.ARRAY, keySize: 4, valueSize: 16, maxEntries: 64, name: "pinned_hash" });
      objPin(other.value, join(root, "pinned_hash"));
    }
    using c = BpfObject.open(MAPS, { pinRoot: root });
    const t = trackCreated(() => c.load());
    const err = thrown(() => {
      if (t.error) throw t.error;
    });
    expect(err).toBeInstanceOf(ObjectError);
    expect((err as Error).message).toMatch(/pinned at .*pinned_hash cannot be reused: its type is 2, the object's is 1/);
    expect(await waitGone("map", t.ids.map)).toEqual([]);
    expect(await waitGone("btf", t.ids.btf)).toEqual([]);
    unlinkSync(join(root, "pinned_hash"));
  });

  it("removes the pins a failed load made", async () => {
    const root = join(bpffs(), "rollback");
    mkdirSync(root);
    using obj = BpfObject.open(MAPS, { pinRoot: root });
    obj.program("tail_caller").type = ProgType.KPROBE; // a tc program cannot load as a kprobe
    const t = trackCreated(() => obj.load());
    expect(t.error).toBeDefined();
    expect(existsSync(join(root, "pinned_hash"))).toBe(false);
    expect(await waitGone("map", t.ids.map)).toEqual([]);
    expect(await waitGone("prog", t.ids.prog)).toEqual([]);
  });
});
