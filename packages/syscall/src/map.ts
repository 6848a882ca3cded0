import { Attr, fieldEnd, offsetOf } from "./attr.ts";
import { bpfCall, bpfRaw } from "./call.ts";
import { Cmd } from "./cmd.ts";
import { BpfError } from "./error.ts";
import { Fd } from "./fd.ts";
import { MAP_CREATE as C, MAP_ELEM as E } from "./gen/attr-layout.ts";

export interface MapCreateOptions {
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags?: number;
  readonly name?: string;
  readonly innerMapFd?: number;
  readonly numaNode?: number;
  readonly ifindex?: number;
  readonly btfFd?: number;
  readonly btfKeyTypeId?: number;
  readonly btfValueTypeId?: number;
  /** struct_ops: the kernel's `bpf_struct_ops_<name>` type id in vmlinux or module BTF. */
  readonly btfVmlinuxValueTypeId?: number;
  readonly mapExtra?: bigint;
  /** struct_ops in a module: that module's BTF fd (with MapFlags.VTYPE_BTF_OBJ_FD). */
  readonly valueTypeBtfObjFd?: number;
}

/** Bytes through the last MAP_CREATE field mapCreate can set. */
const CREATE_SIZE = fieldEnd(C.value_type_btf_obj_fd);
/**
 * The MAP_*_ELEM attr: lookups run in tight loops, so its offsets are plain numbers, their
 * sizes checked here once. `value` and `next_key` are one field (a union).
 */
const ELEM_SIZE = fieldEnd(E.flags);
const ELEM_FD = offsetOf(E.map_fd, 4);
const ELEM_KEY = offsetOf(E.key, 8);
const ELEM_VALUE = offsetOf(E.value, 8);
const ELEM_FLAGS = offsetOf(E.flags, 8);

/** BPF_MAP_CREATE. */
export function mapCreate(o: MapCreateOptions): Fd {
  const a = new Attr(CREATE_SIZE)
    .u32(C.map_type, o.type)
    .u32(C.key_size, o.keySize)
    .u32(C.value_size, o.valueSize)
    .u32(C.max_entries, o.maxEntries)
    .u32(C.map_flags, o.flags ?? 0)
    .u32(C.inner_map_fd, o.innerMapFd ?? 0)
    .u32(C.numa_node, o.numaNode ?? 0);
  if (o.name) a.name(C.map_name, o.name);
  if (o.ifindex) a.u32(C.map_ifindex, o.ifindex);
  if (o.btfFd !== undefined) a.u32(C.btf_fd, o.btfFd).u32(C.btf_key_type_id, o.btfKeyTypeId ?? 0).u32(C.btf_value_type_id, o.btfValueTypeId ?? 0);
  if (o.btfVmlinuxValueTypeId) a.u32(C.btf_vmlinux_value_type_id, o.btfVmlinuxValueTypeId);
  if (o.mapExtra) a.u64(C.map_extra, o.mapExtra);
  if (o.valueTypeBtfObjFd !== undefined) a.i32(C.value_type_btf_obj_fd, o.valueTypeBtfObjFd);
  return new Fd(bpfCall(Cmd.MAP_CREATE, a, o.name ? `map "${o.name}"` : undefined), "map");
}

function elemAttr(fd: number, key: Uint8Array | undefined, value: Uint8Array | undefined, flags: bigint | number): Attr {
  return new Attr(ELEM_SIZE).u32(ELEM_FD, fd).ptr(ELEM_KEY, key).ptr(ELEM_VALUE, value).u64(ELEM_FLAGS, flags);
}

/** BPF_MAP_LOOKUP_ELEM into `value`; false when the key is absent. */
export function mapLookup(fd: number, key: Uint8Array, value: Uint8Array, flags = 0): boolean {
  const r = bpfRaw(Cmd.MAP_LOOKUP_ELEM, elemAttr(fd, key, value, flags));
  if (r.ret >= 0) return true;
  if (r.errno === 2 /* ENOENT */) return false;
  throw new BpfError(Cmd.MAP_LOOKUP_ELEM, r.errno);
}

/** BPF_MAP_UPDATE_ELEM (flags: UpdateFlags). */
export function mapUpdate(fd: number, key: Uint8Array, value: Uint8Array, flags = 0): void {
  bpfCall(Cmd.MAP_UPDATE_ELEM, elemAttr(fd, key, value, flags));
}

/** BPF_MAP_DELETE_ELEM; false when the key was absent. */
export function mapDelete(fd: number, key: Uint8Array): boolean {
  const r = bpfRaw(Cmd.MAP_DELETE_ELEM, elemAttr(fd, key, undefined, 0));
  if (r.ret >= 0) return true;
  if (r.errno === 2) return false;
  throw new BpfError(Cmd.MAP_DELETE_ELEM, r.errno);
}

/** BPF_MAP_GET_NEXT_KEY: writes the key after `key` (or the first, for undefined) into `next`; false at the end. */
export function mapNextKey(fd: number, key: Uint8Array | undefined, next: Uint8Array): boolean {
  const r = bpfRaw(Cmd.MAP_GET_NEXT_KEY, elemAttr(fd, key, next, 0));
  if (r.ret >= 0) return true;
  if (r.errno === 2) return false;
  throw new BpfError(Cmd.MAP_GET_NEXT_KEY, r.errno);
}

/** BPF_MAP_FREEZE: no more writes from user space. */
export function mapFreeze(fd: number): void {
  bpfCall(Cmd.MAP_FREEZE, new Attr(fieldEnd(E.map_fd)).u32(E.map_fd, fd));
}
