// The errno proof, shared by the Bun and Deno suites: many failing bpf() calls whose errnos
// rotate (so a stale or overwritten errno cannot pass for the right one), successful calls in
// between, and allocation, forced GC and finalizers that set errno themselves, all around them.
import {
  Attr,
  attrLayout,
  type BpfInterceptor,
  backend,
  bpfRaw,
  Cmd,
  errnoName,
  type Fd,
  libcRaw,
  MapType,
  mapCreate,
  mapFreeze,
  mapUpdate,
  nativeBuffer,
} from "../src/index.ts";
import { u32, u64 } from "./objects.ts";

const { MAP_CREATE, MAP_ELEM } = attrLayout;

export interface StressOptions {
  /** Failing calls to make (each checked). */
  readonly failures: number;
  /** Force a full GC every this many calls. */
  readonly gcEvery: number;
  readonly gc: () => void;
  /** Let the event loop (and so FinalizationRegistry callbacks) run every this many calls. */
  readonly yieldEvery?: number;
  /**
   * "libc": call bpf() through libc's syscall() and read errno, whatever entry this process
   * uses; default: bpfRaw (the direct entry where there is one).
   */
  readonly via?: "libc";
}

type Raw = (cmd: number, attr: Attr) => { ret: number; errno: number };

const BPF_NR: Readonly<Record<string, number>> = { x64: 321, arm64: 280 };

function viaLibc(cmd: number, attr: Attr): { ret: number; errno: number } {
  const nr = BPF_NR[backend().arch];
  if (nr === undefined) throw new Error(`no bpf() number for ${backend().arch} in the stress`);
  return backend().call("syscall", [nr, cmd, attr.bytes, attr.size]);
}

export interface StressResult {
  readonly calls: number;
  readonly failures: number;
  readonly successes: number;
  /** Failures per errno name. */
  readonly byCode: Readonly<Record<string, number>>;
  readonly gcs: number;
  /** Finalizers that ran (each made a failing socket() call: errno EAFNOSUPPORT). */
  readonly finalizers: number;
  /** The first few wrong results; empty when errno was right every time. */
  readonly mismatches: readonly string[];
  readonly ms: number;
}

const PRESENT = 0x1122334455667788n;
// A descriptor number no process here will have open.
const NO_FD = 0x7fffffff;
// Larger than union bpf_attr on any kernel (168 bytes on 6.18): bytes past it must be zero.
const OVERSIZE = 512;

interface Case {
  readonly name: string;
  /** Expected errno; 0 for a call that must succeed. */
  readonly errno: number;
  run(): { ret: number; errno: number };
}

function cases(hash: Fd, frozen: Fd, bpfRaw: Raw): Case[] {
  const hashFd = hash.value;
  const frozenFd = frozen.value;
  const elem = (fd: number, key: Uint8Array, value: Uint8Array) =>
    new Attr(32).u32(MAP_ELEM.map_fd, fd).ptr(MAP_ELEM.key, key).ptr(MAP_ELEM.value, value);
  const present = (value: Uint8Array) => {
    const r = bpfRaw(Cmd.MAP_LOOKUP_ELEM, elem(hashFd, u32(1), value));
    // A wrong value would mean the kernel wrote somewhere else: a stale pointer.
    if (r.ret === 0 && new DataView(value.buffer).getBigUint64(0, true) !== PRESENT) return { ret: -2, errno: 0 };
    return r;
  };
  return [
    { name: "lookup on a descriptor that is not open", errno: 9, run: () => bpfRaw(Cmd.MAP_LOOKUP_ELEM, elem(NO_FD, u32(1), nativeBuffer(8))) },
    { name: "lookup of an absent key", errno: 2, run: () => bpfRaw(Cmd.MAP_LOOKUP_ELEM, elem(hashFd, u32(2), nativeBuffer(8))) },
    {
      name: "map create with an unknown map type",
      errno: 22,
      run: () =>
        bpfRaw(
          Cmd.MAP_CREATE,
          new Attr(28).u32(MAP_CREATE.map_type, 9999).u32(MAP_CREATE.key_size, 4).u32(MAP_CREATE.value_size, 4).u32(MAP_CREATE.max_entries, 1),
        ),
    },
    {
      name: "attr with a non-zero byte past the kernel's union bpf_attr",
      errno: 7,
      run: () => bpfRaw(Cmd.MAP_LOOKUP_ELEM, new Attr(OVERSIZE).u32(MAP_ELEM.map_fd, hashFd).u32(OVERSIZE - 4, 1)),
    },
    {
      name: "lookup with key pointer 8",
      errno: 14,
      run: () => bpfRaw(Cmd.MAP_LOOKUP_ELEM, new Attr(32).u32(MAP_ELEM.map_fd, hashFd).u64(MAP_ELEM.key, 8n).ptr(MAP_ELEM.value, nativeBuffer(8))),
    },
    { name: "update of a frozen map", errno: 1, run: () => bpfRaw(Cmd.MAP_UPDATE_ELEM, elem(frozenFd, u32(0), u64(1n))) },
    {
      name: "lookup of a present key into a native buffer",
      errno: 0,
      run: () => present(nativeBuffer(8)),
    },
    {
      // Small and without an explicit ArrayBuffer: the kind Bun keeps inline (see ffi/bun.ts).
      name: "lookup of a present key into a small inline typed array",
      errno: 0,
      run: () => present(new Uint8Array(8)),
    },
    {
      name: "first key of the hash map",
      errno: 0,
      run: () => bpfRaw(Cmd.MAP_GET_NEXT_KEY, new Attr(32).u32(MAP_ELEM.map_fd, hashFd).ptr(MAP_ELEM.next_key, nativeBuffer(4))),
    },
  ];
}

// Allocation of several shapes between calls: young garbage, strings, typed arrays, and a
// ring of survivors so old-generation collections have work too.
const ring: unknown[] = new Array(512);
function churn(i: number): void {
  const objs = Array.from({ length: 1 + (i % 7) }, (_, k) => ({ k, s: `item-${i}-${k}` }));
  const bytes = new Uint8Array(16 + (i % 997));
  bytes[0] = i & 0xff;
  ring[i % ring.length] = i % 3 === 0 ? objs : i % 3 === 1 ? bytes : JSON.stringify(objs);
}

export async function errnoStress(o: StressOptions): Promise<StressResult> {
  const hash = mapCreate({ type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 4, name: "errno_stress" });
  const frozen = mapCreate({ type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, name: "errno_frozen" });
  let finalizers = 0;
  // Finalizers run JS that sets errno (socket() with a bogus family: EAFNOSUPPORT). If one ever
  // ran between a bpf() call and our errno read, that call would report 97.
  const registry = new FinalizationRegistry<number>(() => {
    finalizers++;
    libcRaw("socket", [9999, 0, 0]);
  });
  try {
    mapUpdate(hash.value, u32(1), u64(PRESENT));
    mapFreeze(frozen.value);
    const all = cases(hash, frozen, o.via === "libc" ? viaLibc : bpfRaw);
    const byCode: Record<string, number> = {};
    const mismatches: string[] = [];
    let failures = 0;
    let successes = 0;
    let calls = 0;
    let gcs = 0;
    let seed = 0x2545f491;
    let prev = 0;
    const yieldEvery = o.yieldEvery ?? 2000;
    const t0 = performance.now();
    while (failures < o.failures) {
      // Pseudo-random order, never the same case twice in a row: consecutive failures then
      // differ in errno, so reading the previous call's errno would be caught.
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      const idx = (prev + 1 + ((seed >>> 0) % (all.length - 1))) % all.length;
      prev = idx;
      const c = all[idx] as Case;
      churn(calls);
      if (calls % 64 === 0) registry.register({ calls }, calls);
      const r = c.run();
      calls++;
      const ok = c.errno === 0 ? r.ret >= 0 && r.errno === 0 : r.ret === -1 && r.errno === c.errno;
      if (!ok && mismatches.length < 10) {
        mismatches.push(`call ${calls} (${c.name}): expected ${c.errno === 0 ? "success" : errnoName(c.errno)}, got ret ${r.ret} errno ${errnoName(r.errno)}`);
      }
      if (c.errno === 0) successes++;
      else {
        failures++;
        const code = errnoName(r.errno);
        byCode[code] = (byCode[code] ?? 0) + 1;
      }
      if (calls % o.gcEvery === 0) {
        o.gc();
        gcs++;
      }
      if (calls % yieldEvery === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    return { calls, failures, successes, byCode, gcs, finalizers, mismatches, ms: Math.round(performance.now() - t0) };
  } finally {
    hash.close();
    frozen.close();
  }
}

/**
 * The control: an interceptor under which every failure reports the previous failure's errno,
 * as a stale errno read would. The stress must catch it (it caps its mismatches at 10).
 */
export function staleErrno(): BpfInterceptor {
  let previous = 0;
  return (_cmd, _attr, next) => {
    const r = next();
    if (r.ret !== -1) return r;
    const stale = previous || r.errno;
    previous = r.errno;
    return { ret: -1, errno: stale };
  };
}
