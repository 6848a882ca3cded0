import { unlinkSync } from "node:fs";
import type { Btf } from "@bpfkit/btf";
import { pageSize, possibleCpus } from "@bpfkit/kernel";
import type { MapSpec } from "@bpfkit/object";
import { decodeValue, encodeValue, type Value } from "@bpfkit/object";
import { type Fd, type MapInfo, MapType, mapDelete, mapInfo, mapLookup, mapNextKey, mapUpdate, objGet, objPin } from "@bpfkit/syscall";
import { StateError } from "./errors.ts";


/** Key 0 of a one-element array map (global data, struct_ops): never written, shared. */
export const ZERO_KEY: Uint8Array = new Uint8Array(4);

/** A key or value as the map API takes it: raw bytes, or a value encoded from BTF (or a plain integer). */
export type MapKey = Value;

const PER_CPU = new Set<number>([MapType.PERCPU_HASH, MapType.PERCPU_ARRAY, MapType.LRU_PERCPU_HASH, MapType.PERCPU_CGROUP_STORAGE]);
const RING_BUFFERS = new Set<number>([MapType.RINGBUF, MapType.USER_RINGBUF]);
/**
 * A ring buffer's size as the kernel wants it, a power-of-2 number of pages: `n` if it is one,
 * else the next one up (libbpf's rounding; 0 stays 0 so the kernel says it is missing).
 */
export function ringBufferSize(n: number): number {
  if (n === 0) return 0;
  const page = pageSize();
  const pages = n / page;
  if (Number.isInteger(pages) && (pages & (pages - 1)) === 0) return n;
  for (let size = page; size <= 0xffffffff; size *= 2) if (size > n) return size;
  return n;
}

/** Package-private (index.ts does not export it): the loader gives a created or reused map its fd. */
export let setMapFd: (map: BpfMap, fd: Fd, how?: { reused?: boolean; pinned?: string }) => void;
/**
 * Package-private: refuses a shape edit after creation, of a value that is no u32, or of what the
 * kernel sets for struct_ops (DataMap's valueSize setter uses it too).
 */
export let checkShapeEdit: (map: BpfMap, field: string, n: number, o?: { kernelDecides?: boolean }) => void;

/**
 * A map of an object. Its spec is settable until load; after load it has an fd. Keys and values
 * are encoded from the object's BTF when the map has BTF types (structs as objects, integers as
 * number or bigint), as little-endian integers when they are 1, 2, 4 or 8 bytes, else as bytes.
 * Per-CPU maps read and write one value per possible CPU, as an array.
 */
export class BpfMap implements Disposable {
  readonly spec: MapSpec;
  /** ELF section it comes from (".bss", ".maps", ".struct_ops.link", ...). */
  readonly section: string;
  /** Create it at load? Settable until load. */
  autocreate = true;
  /** Where load pins it (or finds a pinned map to reuse); set by pinning or by reusePinned(). */
  pinPath: string | undefined;
  readonly #btf: Btf | undefined;
  /** The key and value BTF types the definition gave. */
  readonly #btfTypes: readonly [number, number];
  #fd: Fd | undefined;
  #pinned: string | undefined;
  #reused = false;

  constructor(spec: MapSpec, section: string, btf?: Btf) {
    if (RING_BUFFERS.has(spec.type)) spec.maxEntries = ringBufferSize(spec.maxEntries);
    this.spec = spec;
    this.section = section;
    this.#btf = btf;
    this.#btfTypes = [spec.btfKeyTypeId, spec.btfValueTypeId];
  }

  get name(): string {
    return this.spec.name;
  }

  /**
   * max_entries. Settable until load, like the other shape fields below (libbpf's
   * `bpf_map__set_max_entries` and friends); a ring buffer's is rounded up to a power-of-2
   * number of pages, as libbpf rounds it.
   */
  get maxEntries(): number {
    return this.spec.maxEntries;
  }

  set maxEntries(n: number) {
    checkShapeEdit(this, "maxEntries", n, { kernelDecides: true });
    this.spec.maxEntries = RING_BUFFERS.has(this.spec.type) ? ringBufferSize(n) : n;
  }

  /** key_size, settable until load. */
  get keySize(): number {
    return this.spec.keySize;
  }

  set keySize(n: number) {
    checkShapeEdit(this, "keySize", n, { kernelDecides: true });
    this.spec.keySize = n;
    this.#fitBtf();
  }

  /**
   * value_size, settable until load. A global data map also resizes its initial value and, as
   * libbpf does, its section's BTF (see DataMap).
   */
  get valueSize(): number {
    return this.spec.valueSize;
  }

  set valueSize(n: number) {
    checkShapeEdit(this, "valueSize", n, { kernelDecides: true });
    this.spec.valueSize = n;
    this.#fitBtf();
  }

  /**
   * Key and value BTF types only while their sizes are the map's: a map whose size was edited
   * away from them is created without BTF, which is where libbpf ends up (the kernel refuses
   * the mismatch, and libbpf retries without BTF).
   */
  #fitBtf(): void {
    const btf = this.#btf;
    if (!btf) return;
    const [key, value] = this.#btfTypes;
    const fits = (id: number, size: number) => id === 0 || btf.sizeOf(id) === size;
    const ok = fits(key, this.spec.keySize) && fits(value, this.spec.valueSize);
    this.spec.btfKeyTypeId = ok ? key : 0;
    this.spec.btfValueTypeId = ok ? value : 0;
  }

  /** map_flags (MapFlags), settable until load. A global data map is mmapped after load only with MapFlags.MMAPABLE. */
  get flags(): number {
    return this.spec.flags;
  }

  set flags(n: number) {
    checkShapeEdit(this, "flags", n);
    this.spec.flags = n;
  }

  /** numa_node, settable until load; the kernel takes it only with MapFlags.NUMA_NODE in flags. */
  get numaNode(): number {
    return this.spec.numaNode ?? 0;
  }

  set numaNode(n: number) {
    checkShapeEdit(this, "numaNode", n);
    this.spec.numaNode = n;
  }

  static {
    checkShapeEdit = (map, field, n, o = {}) => {
      // Once created (even if closed since), the kernel's map had the old shape: no edit means anything.
      if (map.#fd) throw new StateError(`map "${map.name}" is already created; set ${field} before load() (the kernel fixes a map's shape when it creates it)`, "already-loaded");
      if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`map "${map.name}": ${field} must be an integer from 0 to 4294967295; got ${n}`);
      if (o.kernelDecides && map.spec.type === MapType.STRUCT_OPS) {
        throw new StateError(`struct_ops map "${map.name}": its ${field} comes from the kernel's struct_ops type and cannot be set`, "not-settable");
      }
    };
    setMapFd = (map, fd, how = {}) => {
      map.#fd = fd;
      map.#reused = how.reused ?? false;
      map.#pinned = how.pinned;
    };
  }

  get created(): boolean {
    return this.#fd !== undefined && !this.#fd.closed;
  }

  /** The map's fd; throws unless created. */
  get fd(): Fd {
    if (!this.#fd || this.#fd.closed) throw new StateError(`map "${this.name}" is not created (load the object first)`, "not-loaded");
    return this.#fd;
  }

  /** Did load take an already pinned map instead of creating one? */
  get reused(): boolean {
    return this.#reused;
  }

  /** The path this map is pinned at (by pin(), or by load for pinned maps), if any. */
  get pinned(): string | undefined {
    return this.#pinned;
  }


  /** Map info, read from the kernel. */
  info(): MapInfo {
    return mapInfo(this.fd.value);
  }

  /** Before load: use the map pinned at `path` (it must match this map's definition) instead of creating one. */
  reusePinned(path: string): void {
    if (this.#fd) throw new StateError(`map "${this.name}" is already created; reusePinned() must come before load()`, "already-loaded");
    this.pinPath = path;
  }

  /** Pins the map at `path` on a bpffs; it then outlives this process until unpinned. */
  pin(path: string): void {
    objPin(this.fd.value, path);
    this.#pinned = path;
  }

  /** Removes the pin (this map's, or `path`). */
  unpin(path: string | undefined = this.#pinned): void {
    if (!path) throw new StateError(`map "${this.name}" is not pinned`, "not-pinned");
    unlinkSync(path);
    if (path === this.#pinned) this.#pinned = undefined;
  }

  get perCpu(): boolean {
    return PER_CPU.has(this.spec.type);
  }

  /** Raw lookup: the value bytes for `key` (all CPUs' values, each padded to 8, for per-CPU maps), or undefined. */
  lookup(key: Uint8Array): Uint8Array | undefined {
    const value = new Uint8Array(new ArrayBuffer(this.#valueBytes()));
    return mapLookup(this.fd.value, key, value) ? value : undefined;
  }

  /** Raw update (flags: UpdateFlags). */
  update(key: Uint8Array, value: Uint8Array, flags = 0): void {
    mapUpdate(this.fd.value, key, value, flags);
  }

  /** The value at `key`, decoded; per-CPU maps give one value per possible CPU. */
  get(key: MapKey): Value | undefined {
    const raw = this.lookup(this.#encode(key, this.spec.keySize, this.spec.btfKeyTypeId, "key"));
    return raw && this.#decodeValue(raw);
  }

  /** Sets `key` to `value` (flags: UpdateFlags). For per-CPU maps pass an array (one per CPU) or one value for all. */
  set(key: MapKey, value: Value, flags = 0): void {
    mapUpdate(this.fd.value, this.#encode(key, this.spec.keySize, this.spec.btfKeyTypeId, "key"), this.#encodeValue(value), flags);
  }

  /** Deletes `key`; false when it was absent. */
  delete(key: MapKey): boolean {
    return mapDelete(this.fd.value, this.#encode(key, this.spec.keySize, this.spec.btfKeyTypeId, "key"));
  }

  /** Every key, decoded, in the kernel's order (a map changed meanwhile may skip or repeat keys, as in C). */
  *keys(): Generator<Value> {
    for (const raw of this.#rawKeys()) yield this.#decode(raw, this.spec.btfKeyTypeId);
  }

  /** Every [key, value] pair still present when visited. */
  *entries(): Generator<[Value, Value]> {
    for (const raw of this.#rawKeys()) {
      const v = this.lookup(raw);
      if (v) yield [this.#decode(raw, this.spec.btfKeyTypeId), this.#decodeValue(v)];
    }
  }

  *#rawKeys(): Generator<Uint8Array> {
    let prev: Uint8Array | undefined;
    for (;;) {
      const next = new Uint8Array(new ArrayBuffer(this.spec.keySize));
      if (!mapNextKey(this.fd.value, prev, next)) return;
      yield next;
      prev = next;
    }
  }

  #valueBytes(): number {
    return this.perCpu ? roundUp8(this.spec.valueSize) * possibleCpus() : this.spec.valueSize;
  }

  #decodeValue(raw: Uint8Array): Value {
    if (!this.perCpu) return this.#decode(raw, this.spec.btfValueTypeId);
    const stride = roundUp8(this.spec.valueSize);
    return Array.from({ length: possibleCpus() }, (_, cpu) =>
      this.#decode(raw.subarray(cpu * stride, cpu * stride + this.spec.valueSize), this.spec.btfValueTypeId),
    );
  }

  #encodeValue(value: Value): Uint8Array {
    const { valueSize, btfValueTypeId } = this.spec;
    if (!this.perCpu) return this.#encode(value, valueSize, btfValueTypeId, "value");
    const cpus = possibleCpus();
    if (Array.isArray(value) && value.length !== cpus && !this.#isArrayType(btfValueTypeId)) {
      throw new RangeError(`map "${this.name}" is per-CPU over ${cpus} possible CPUs; got ${value.length} values`);
    }
    const perCpu = Array.isArray(value) && value.length === cpus ? (value as readonly Value[]) : new Array<Value>(cpus).fill(value);
    const stride = roundUp8(valueSize);
    const out = new Uint8Array(new ArrayBuffer(stride * cpus));
    perCpu.forEach((v, cpu) => {
      out.set(this.#encode(v, valueSize, btfValueTypeId, `value for CPU ${cpu}`), cpu * stride);
    });
    return out;
  }

  #isArrayType(id: number): boolean {
    return !!this.#btf && id !== 0 && this.#btf.type(this.#btf.resolve(id)).kind === "ARRAY";
  }

  #encode(v: Value, size: number, typeId: number, what: string): Uint8Array {
    const out = new Uint8Array(new ArrayBuffer(size));
    if (v instanceof Uint8Array) {
      if (v.byteLength !== size) throw new RangeError(`map "${this.name}": ${what} is ${size} bytes; got ${v.byteLength}`);
      out.set(v);
    } else if (this.#btf && typeId) {
      encodeValue(this.#btf, typeId, v, out, `map "${this.name}" ${what}`);
    } else if ((typeof v === "number" || typeof v === "bigint") && (size === 1 || size === 2 || size === 4 || size === 8)) {
      const big = BigInt(v);
      if (big < -(1n << BigInt(size * 8 - 1)) || big >= 1n << BigInt(size * 8)) throw new RangeError(`map "${this.name}": ${what} ${v} does not fit in ${size} bytes`);
      const u = BigInt.asUintN(size * 8, big);
      for (let i = 0; i < size; i++) out[i] = Number((u >> BigInt(8 * i)) & 0xffn);
    } else {
      throw new TypeError(`map "${this.name}" has no BTF type for its ${what}; pass ${size} raw bytes`);
    }
    return out;
  }

  #decode(raw: Uint8Array, typeId: number): Value {
    if (this.#btf && typeId) return decodeValue(this.#btf, typeId, raw);
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    switch (raw.byteLength) {
      case 1:
        return v.getUint8(0);
      case 2:
        return v.getUint16(0, true);
      case 4:
        return v.getUint32(0, true);
      case 8:
        return v.getBigUint64(0, true);
    }
    return raw.slice();
  }

  /**
   * Closes the map's fd (and unmaps a data map's value); a second close does nothing. For a map
   * of a BpfObject this releases it early (the kernel frees it once no program, pin or other fd
   * holds it); the object's close() then skips it.
   */
  close(): void {
    this.#fd?.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

function roundUp8(n: number): number {
  return (n + 7) & ~7;
}

/** Opens a map pinned at `path` (any map, not only an object's), for the typed API above without BTF. */
export function openPinnedMap(path: string): BpfMap {
  const fd = objGet(path, "map");
  try {
    const info = mapInfo(fd.value);
    const map = new BpfMap(
      {
        name: info.name,
        type: info.type,
        keySize: info.keySize,
        valueSize: info.valueSize,
        maxEntries: info.maxEntries,
        flags: info.flags,
        btfKeyTypeId: 0,
        btfValueTypeId: 0,
      },
      "",
    );
    setMapFd(map, fd, { reused: true, pinned: path });
    return map;
  } catch (e) {
    fd.close();
    throw e;
  }
}
