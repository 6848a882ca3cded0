import { Attr } from "./attr.ts";
import { bpfCall, bpfRaw } from "./call.ts";
import { Cmd } from "./cmd.ts";
import { OBJ_NAME_LEN } from "./constants.ts";
import { BpfError } from "./error.ts";
import { Fd } from "./fd.ts";

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

/** BPF_MAP_CREATE. */
export function mapCreate(o: MapCreateOptions): Fd {
  const a = new Attr(80)
    .u32(0, o.type)
    .u32(4, o.keySize)
    .u32(8, o.valueSize)
    .u32(12, o.maxEntries)
    .u32(16, o.flags ?? 0)
    .u32(20, o.innerMapFd ?? 0)
    .u32(24, o.numaNode ?? 0);
  if (o.name) a.name(28, OBJ_NAME_LEN, o.name);
  if (o.ifindex) a.u32(44, o.ifindex);
  if (o.btfFd !== undefined) a.u32(48, o.btfFd).u32(52, o.btfKeyTypeId ?? 0).u32(56, o.btfValueTypeId ?? 0);
  if (o.btfVmlinuxValueTypeId) a.u32(60, o.btfVmlinuxValueTypeId);
  if (o.mapExtra) a.u64(64, o.mapExtra);
  if (o.valueTypeBtfObjFd !== undefined) a.i32(72, o.valueTypeBtfObjFd);
  return new Fd(bpfCall(Cmd.MAP_CREATE, a, o.name ? `map "${o.name}"` : undefined), "map");
}

function elemAttr(fd: number, key: Uint8Array | undefined, value: Uint8Array | undefined, flags: bigint | number): Attr {
  return new Attr(32).u32(0, fd).ptr(8, key).ptr(16, value).u64(24, flags);
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
  bpfCall(Cmd.MAP_FREEZE, new Attr(4).u32(0, fd));
}
