import { checkFdLeaks, describeKernel, waitGone } from "@bpfkit/testing";
import { expect, it } from "vitest";
import {
  BpfError,
  MapFlags,
  MapType,
  backend,
  UpdateFlags,
  mapCreate,
  mapDelete,
  mapFreeze,
  mapInfo,
  mapLookup,
  mapNextKey,
  mapUpdate,
  objectIds,
  sys,
} from "../src/index.ts";
import { u32, u64 } from "./objects.ts";

const readU32 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getUint32(0, true);
const readU64 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getBigUint64(0, true);

describeKernel("maps", () => {
  checkFdLeaks();

  it("create, update, lookup, next key and delete over a HASH map", () => {
    using m = mapCreate({ type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 16, name: "kt_hash" });
    for (const k of [1, 2, 3]) mapUpdate(m.value, u32(k), u64(BigInt(k) * 100n));
    const value = new Uint8Array(8);
    expect(mapLookup(m.value, u32(2), value)).toBe(true);
    expect(readU64(value)).toBe(200n);
    expect(mapLookup(m.value, u32(9), value)).toBe(false);

    // Walk every key: each once, then the end.
    const seen: number[] = [];
    let key: Uint8Array | undefined;
    for (;;) {
      const next = new Uint8Array(4);
      if (!mapNextKey(m.value, key, next)) break;
      seen.push(readU32(next));
      key = next;
    }
    expect(seen.sort()).toEqual([1, 2, 3]);

    expect(mapDelete(m.value, u32(2))).toBe(true);
    expect(mapDelete(m.value, u32(2))).toBe(false);
    expect(mapLookup(m.value, u32(2), value)).toBe(false);
  });

  it("BPF_NOEXIST on a present key is EEXIST, as a BpfError with fields", () => {
    using m = mapCreate({ type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 4 });
    mapUpdate(m.value, u32(1), u64(1n));
    const e = (() => {
      try {
        mapUpdate(m.value, u32(1), u64(2n), UpdateFlags.NOEXIST);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(BpfError);
    expect(e).toMatchObject({ commandName: "BPF_MAP_UPDATE_ELEM", code: "EEXIST", errno: 17 });
  });

  it("after MAP_FREEZE an update fails with EPERM", () => {
    using m = mapCreate({ type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    mapUpdate(m.value, u32(0), u64(5n));
    mapFreeze(m.value);
    expect(() => mapUpdate(m.value, u32(0), u64(6n))).toThrowError(
      expect.objectContaining({ name: "BpfError", code: "EPERM", commandName: "BPF_MAP_UPDATE_ELEM" }),
    );
    const value = new Uint8Array(8);
    expect(mapLookup(m.value, u32(0), value)).toBe(true);
    expect(readU64(value)).toBe(5n);
  });

  it("an mmap'ed ARRAY map seen through backend().view() is the map's memory", () => {
    using m = mapCreate({ type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 2, flags: MapFlags.MMAPABLE });
    const PROT_READ_WRITE = 3;
    const MAP_SHARED = 1;
    const addr = sys.mmap(4096, PROT_READ_WRITE, MAP_SHARED, m.value, 0);
    try {
      const view = backend().view(addr, 4096);
      new DataView(view.buffer, view.byteOffset).setBigUint64(8, 0xfeedn, true);
      const value = new Uint8Array(8);
      expect(mapLookup(m.value, u32(1), value)).toBe(true);
      expect(readU64(value)).toBe(0xfeedn);
    } finally {
      sys.munmap(addr, 4096);
    }
  });

  it("mapInfo reports what was created", () => {
    using m = mapCreate({ type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 16, name: "kt_info" });
    expect(mapInfo(m.value)).toMatchObject({
      type: MapType.HASH,
      keySize: 4,
      valueSize: 8,
      maxEntries: 16,
      flags: 0,
      name: "kt_info",
      btfId: 0,
    });
  });

  it("objectIds('map') lists the map's id; once closed, the kernel lets it go", async () => {
    const m = mapCreate({ type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 });
    const id = mapInfo(m.value).id;
    expect(id).toBeGreaterThan(0);
    expect(objectIds("map")).toContain(id);
    m.close();
    expect(await waitGone("map", [id])).toEqual([]);
  });
});
