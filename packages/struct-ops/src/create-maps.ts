import { possibleCpus } from "@bpfkit/kernel";
import type { MapSpec } from "@bpfkit/object";
import { BpfError, type Fd, MapFlags, MapType, mapCreate, mapInfo, mapUpdate, objGet, objPin } from "@bpfkit/syscall";
import { ObjectError } from "./errors.ts";
import { type BpfMap, setMapFd } from "./map.ts";
import type { Opened } from "./open.ts";

// Map types whose max_entries must be 0 (the storage is per object, not sized up front).
const SIZED_BY_KERNEL = new Set<number>([
  MapType.CGROUP_STORAGE,
  MapType.PERCPU_CGROUP_STORAGE,
  MapType.SK_STORAGE,
  MapType.INODE_STORAGE,
  MapType.TASK_STORAGE,
  MapType.CGRP_STORAGE,
]);

/**
 * Creates one map. A definition left at max_entries 0 for a loader to size (sched_ext's
 * scx_pair sets `pair_ctx` from the CPU count) fails with EINVAL; that refusal names the map and
 * the setter.
 */
function create(spec: MapSpec, btfFd: number | undefined, object: string, innerMapFd?: number, extra?: KernelTyped): Fd {
  try {
    return createRaw(spec, btfFd, innerMapFd, extra);
  } catch (e) {
    if (e instanceof BpfError && e.code === "EINVAL" && spec.maxEntries === 0 && !SIZED_BY_KERNEL.has(spec.type)) {
      throw new ObjectError(object, `max_entries is 0, which the kernel refuses for this map type: set map.maxEntries before load() (what a C loader does with bpf_map__set_max_entries)`, {
        subject: `map "${spec.name}"`,
        code: "max-entries-zero",
        cause: e,
      });
    }
    throw e;
  }
}

/** A struct_ops map's value type, which is the kernel's (vmlinux or a module's), not the object's. */
interface KernelTyped {
  readonly btfVmlinuxValueTypeId: number;
  /** The module's BTF fd when the type is a module's (then MapFlags.VTYPE_BTF_OBJ_FD is set). */
  readonly valueTypeBtfObjFd?: number;
}

function createRaw(spec: MapSpec, btfFd: number | undefined, innerMapFd?: number, kernelTyped?: KernelTyped): Fd {
  const btf = btfFd !== undefined && (spec.btfKeyTypeId || spec.btfValueTypeId);
  const module = kernelTyped?.valueTypeBtfObjFd !== undefined;
  return mapCreate({
    type: spec.type,
    keySize: spec.keySize,
    valueSize: spec.valueSize,
    maxEntries: spec.maxEntries,
    flags: spec.flags | (module ? MapFlags.VTYPE_BTF_OBJ_FD : 0),
    name: spec.name,
    ...(spec.numaNode ? { numaNode: spec.numaNode } : {}),
    ...(spec.mapExtra ? { mapExtra: spec.mapExtra } : {}),
    ...(innerMapFd !== undefined ? { innerMapFd } : {}),
    ...(btf ? { btfFd, btfKeyTypeId: spec.btfKeyTypeId, btfValueTypeId: spec.btfValueTypeId } : {}),
    // A struct_ops map needs the object's BTF fd even though its value type is the kernel's.
    ...(kernelTyped ? { btfFd: btfFd ?? 0, btfVmlinuxValueTypeId: kernelTyped.btfVmlinuxValueTypeId } : {}),
    ...(module ? { valueTypeBtfObjFd: kernelTyped!.valueTypeBtfObjFd } : {}),
  });
}

/**
 * The one place maps are created: `.maps` maps (below), global data sections and struct_ops
 * maps (from load) all go through here, so every map gets the same rules: numa node, map_extra,
 * BTF only when it has key/value types, the max_entries 0 refusal explained.
 */
export function createMap(spec: MapSpec, o: { readonly object: string; readonly btfFd: number | undefined; readonly kernelTyped?: KernelTyped }): Fd {
  return create(spec, o.btfFd, o.object, undefined, o.kernelTyped);
}

/** A map-in-map is created against a throwaway inner map of its template's shape. */
function createWithInner(spec: MapSpec, btfFd: number | undefined, object: string): Fd {
  if (!spec.inner) return create(spec, btfFd, object);
  using inner = create(withDefaultSize({ ...spec.inner, name: spec.inner.name.slice(0, 15) }), btfFd, object);
  return create(spec, btfFd, object, inner.value);
}

/** libbpf sizes a perf event array left at max_entries 0 by the possible CPUs. */
function withDefaultSize(spec: MapSpec): MapSpec {
  if (spec.type === MapType.PERF_EVENT_ARRAY && spec.maxEntries === 0) spec.maxEntries = possibleCpus();
  return spec;
}

/** Opens the map pinned at `path`, or undefined when nothing is pinned there. */
function openPinned(path: string): Fd | undefined {
  try {
    return objGet(path, "map");
  } catch (e) {
    if (e instanceof BpfError && e.code === "ENOENT") return undefined;
    throw e;
  }
}

/** Is the pinned map one this definition could have created? (libbpf's rule: same shape, flags and extra.) */
function incompatibility(fd: Fd, spec: MapSpec): string | undefined {
  const info = mapInfo(fd.value);
  const checks: [string, number | bigint, number | bigint][] = [
    ["type", info.type, spec.type],
    ["key_size", info.keySize, spec.keySize],
    ["value_size", info.valueSize, spec.valueSize],
    ["max_entries", info.maxEntries, spec.maxEntries],
    ["map_flags", info.flags, spec.flags],
    ["map_extra", info.mapExtra, spec.mapExtra ?? 0n],
  ];
  for (const [field, theirs, ours] of checks) if (theirs !== ours) return `its ${field} is ${theirs}, the object's is ${ours}`;
  return undefined;
}

/**
 * Creates the `.maps` maps (or takes compatible pinned ones), pins those with a pin path, and
 * fills map-in-map slots. Returns the paths it pinned, for the caller to remove on failure.
 */
export function createBtfMaps(o: Opened, btfFd: number | undefined, pinnedNow: string[]): void {
  for (const { map } of o.btfMaps) {
    if (!map.autocreate) continue;
    withDefaultSize(map.spec);
    const path = map.pinPath;
    const existing = path ? openPinned(path) : undefined;
    if (existing) {
      const why = incompatibility(existing, map.spec);
      if (why) {
        existing.close();
        throw new ObjectError(o.name, `the map pinned at ${path} cannot be reused: ${why}; remove the pin (rm ${path}) or change the definition`, {
          subject: `map "${map.name}"`,
          code: "pin-mismatch",
        });
      }
      setMapFd(map, existing, { reused: true, pinned: path });
      continue;
    }
    const fd = createWithInner(map.spec, btfFd, o.name);
    setMapFd(map, fd);
    if (path) {
      try {
        objPin(fd.value, path);
      } catch (e) {
        // The map is pinned by name (LIBBPF_PIN_BY_NAME): say which, and where its root is set.
        throw new ObjectError(o.name, `cannot pin it by name at ${path} (OpenOptions.pinRoot sets the directory): ${(e as Error).message}`, {
          subject: `map "${map.name}"`,
          code: "pin-failed",
        });
      }
      pinnedNow.push(path);
      setMapFd(map, fd, { pinned: path });
    }
  }
  fillSlots(o, (m) => m.spec.type !== MapType.PROG_ARRAY);
}

/** Writes `values = { [i] = &x }` initialisers: inner map fds now, program fds once programs are loaded. */
export function fillSlots(o: Opened, which: (m: BpfMap) => boolean): void {
  for (const s of o.mapSlots) {
    const map = o.btfMaps.find((m) => m.map.name === s.map)!.map;
    if (!which(map) || !map.created || map.reused) continue;
    const sym = o.elf.symbols[s.symbol];
    const fd = slotTarget(o, map, s.symbol);
    const key = new Uint8Array(new ArrayBuffer(map.spec.keySize));
    new DataView(key.buffer).setUint32(0, s.slot, true);
    const value = new Uint8Array(new ArrayBuffer(4));
    new DataView(value.buffer).setInt32(0, fd, true);
    try {
      mapUpdate(map.fd.value, key, value);
    } catch (e) {
      throw new ObjectError(o.name, `cannot set values[${s.slot}] to "${sym?.name}": ${(e as Error).message}`, { subject: `map "${map.name}"` });
    }
  }
}

function slotTarget(o: Opened, map: BpfMap, symbol: number): number {
  const sym = o.elf.symbols[symbol];
  const fail = (msg: string): never => {
    throw new ObjectError(o.name, msg, { subject: `map "${map.name}"` });
  };
  if (!sym) return fail(`values refer to symbol #${symbol}, which does not exist`);
  if (map.spec.type === MapType.PROG_ARRAY) {
    const prog = o.programs.find((p) => p.sectionIndex === sym.shndx && p.sectionInsn * 8 === sym.value);
    if (!prog) return fail(`values refer to "${sym.name}", which is not a program`);
    if (!prog.loaded) return fail(`values refer to program "${prog.name}", which is not loaded (autoload is off)`);
    return prog.fd.value;
  }
  const inner = o.btfMaps.find((m) => sym.shndx === o.mapsIndex && m.offset === sym.value);
  if (!inner) return fail(`values refer to "${sym.name}", which is not a map of .maps`);
  if (!inner.map.created) return fail(`values refer to map "${inner.map.name}", which is not created (autocreate is off)`);
  return inner.map.fd.value;
}
