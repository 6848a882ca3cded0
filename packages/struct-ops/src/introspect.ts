import { Btf } from "@bpfkit/btf";
import { BtfObjects, kernelBtf } from "@bpfkit/kernel";
import { decodeValue, type Value } from "@bpfkit/object";
import { btfInfo, fdById, LinkType, linkDetach, linkInfo, MapType, mapDelete, mapInfo, mapLookup, objectIds, progInfo } from "@bpfkit/syscall";
import { VALUE_PREFIX } from "./kernel-struct-ops.ts";
import { ZERO_KEY } from "./map.ts";

/** A struct_ops map as the kernel reports it. */
export interface StructOpsInfo {
  readonly id: number;
  readonly name: string;
  /** e.g. "tcp_congestion_ops", named from the BTF object that defines it (vmlinux or a module). */
  readonly kernelType: string;
  /** Name of that BTF object: "vmlinux" or the module's. */
  readonly btfObject: string;
  /**
   * Kernel state of the value: "init" (value never written), "inuse" (a legacy map, registered),
   * "ready" (a link map's value is written; its links register it), "tobefree" (being released).
   */
  readonly state: "init" | "inuse" | "tobefree" | "ready" | "unknown";
  /** Links registering it (for .struct_ops.link maps). */
  readonly links: readonly number[];
}

const STATES = ["init", "inuse", "tobefree", "ready"] as const;

/** Every struct_ops map in the kernel, with its kernel type, state and links. */
export function listStructOps(): StructOpsInfo[] {
  const linksByMap = new Map<number, number[]>();
  for (const id of objectIds("link")) {
    const fd = fdById("link", id);
    if (!fd) continue;
    try {
      const info = linkInfo(fd.value);
      if (info.type === LinkType.STRUCT_OPS && info.structOpsMapId) {
        const list = linksByMap.get(info.structOpsMapId) ?? [];
        list.push(id);
        linksByMap.set(info.structOpsMapId, list);
      }
    } finally {
      fd.close();
    }
  }
  const btfs = new BtfObjects();
  const out: StructOpsInfo[] = [];
  for (const id of objectIds("map")) {
    const fd = fdById("map", id);
    if (!fd) continue;
    try {
      const info = mapInfo(fd.value);
      if (info.type !== MapType.STRUCT_OPS) continue;
      const owner = btfs.get(info.btfVmlinuxId);
      const typeName = owner ? owner.btf.nameOf(info.btfVmlinuxValueTypeId) : `#${info.btfVmlinuxValueTypeId}`;
      const value = new Uint8Array(new ArrayBuffer(info.valueSize));
      let state: StructOpsInfo["state"] = "unknown";
      // The value starts with the kernel's common header: refcount, then the state enum.
      if (mapLookup(fd.value, new Uint8Array(4), value)) state = STATES[new DataView(value.buffer).getUint32(4, true)] ?? "unknown";
      out.push({
        id,
        name: info.name,
        kernelType: typeName.startsWith(VALUE_PREFIX) ? typeName.slice(VALUE_PREFIX.length) : typeName,
        btfObject: owner?.name ?? `btf#${info.btfVmlinuxId}`,
        state,
        links: linksByMap.get(id) ?? [],
      });
    } finally {
      fd.close();
    }
  }
  return out;
}

/** One member of a registered struct_ops value, as the kernel holds it. */
export interface StructOpsMemberDump {
  readonly name: string;
  /** Function slots hold a program (the kernel reports its id); data members hold a value. */
  readonly program?: { readonly id: number; readonly name: string };
  readonly value?: Value;
}

export interface StructOpsDump extends StructOpsInfo {
  readonly members: readonly StructOpsMemberDump[];
}

/** Reads a struct_ops map's value from the kernel and decodes it with the kernel type's BTF. */
export function dumpStructOps(id: number): StructOpsDump | undefined {
  const info = listStructOps().find((m) => m.id === id);
  if (!info) return undefined;
  using fd = fdById("map", id);
  if (!fd) return undefined;
  const mi = mapInfo(fd.value);
  const owner = new BtfObjects().get(mi.btfVmlinuxId);
  if (!owner) return { ...info, members: [] };
  const btf = owner.btf;
  const value = new Uint8Array(new ArrayBuffer(mi.valueSize));
  if (!mapLookup(fd.value, new Uint8Array(4), value)) return { ...info, members: [] };
  const vtype = mi.btfVmlinuxValueTypeId;
  // The ops struct is the value type's member that is not the common header.
  const data = btf.members(vtype).find((m) => m.name === "data") ?? btf.members(vtype)[1];
  if (!data) return { ...info, members: [] };
  const base = data.bitOffset / 8;
  const members: StructOpsMemberDump[] = [];
  for (const m of btf.members(data.type)) {
    const at = base + Math.floor(m.bitOffset / 8);
    if (m.bitfieldSize !== 0) continue;
    if (btf.funcProtoOfPointer(m.type) !== undefined) {
      // For function slots the kernel reports the program's id where the pointer would be.
      const progId = Number(new DataView(value.buffer).getBigUint64(at, true));
      members.push({ name: m.name, ...(progId ? { program: { id: progId, name: programName(progId) } } : {}) });
      continue;
    }
    members.push({ name: m.name, value: decodeValue(btf, m.type, value.subarray(at, at + btf.sizeOf(m.type))) });
  }
  return { ...info, members };
}

function programName(id: number): string {
  using fd = fdById("prog", id);
  return fd ? progInfo(fd.value).name : "";
}

/**
 * Unregisters a struct_ops map another process registered, by what `listStructOps` reported: a
 * link map's links are detached (a pin of a link then holds a detached link until removed), a
 * legacy map's value is deleted. "not-registered": neither links nor the "inuse" state, nothing
 * done; "gone": the map or its links went away meanwhile.
 */
export function unregisterStructOps(m: StructOpsInfo): "detached" | "deleted" | "not-registered" | "gone" {
  if (m.links.length > 0) {
    let detached = false;
    for (const linkId of m.links) {
      using fd = fdById("link", linkId);
      if (!fd) continue;
      linkDetach(fd.value);
      detached = true;
    }
    return detached ? "detached" : "gone";
  }
  if (m.state !== "inuse") return "not-registered";
  using fd = fdById("map", m.id);
  if (!fd) return "gone";
  mapDelete(fd.value, ZERO_KEY);
  return "deleted";
}
