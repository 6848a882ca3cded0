import { Attr, nativeBuffer } from "./attr.ts";
import { bpfCall } from "./call.ts";
import { Cmd } from "./cmd.ts";

function cstr(buf: Uint8Array, off: number, len: number): string {
  const s = buf.subarray(off, off + len);
  const end = s.indexOf(0);
  return new TextDecoder().decode(end < 0 ? s : s.subarray(0, end));
}

/** BPF_OBJ_GET_INFO_BY_FD into `info` (which the kernel fills up to its own struct size). */
function infoByFd(fd: number, info: Uint8Array): void {
  bpfCall(Cmd.OBJ_GET_INFO_BY_FD, new Attr(16).u32(0, fd).u32(4, info.byteLength).ptr(8, info));
}

export interface ProgInfo {
  readonly type: number;
  readonly id: number;
  readonly tag: string;
  readonly name: string;
  readonly xlatedProgLen: number;
  readonly jitedProgLen: number;
  readonly loadTime: bigint;
  readonly createdByUid: number;
  readonly mapIds: readonly number[];
  readonly gplCompatible: boolean;
  readonly btfId: number;
  readonly nrFuncInfo: number;
  readonly nrLineInfo: number;
  readonly runTimeNs: bigint;
  readonly runCnt: bigint;
  readonly verifiedInsns: number;
  readonly attachBtfObjId: number;
  readonly attachBtfId: number;
}

export interface ProgInfoOptions {
  /** Also fetch the translated (post-verifier) instructions. */
  readonly xlated?: boolean;
}

/** bpf_prog_info of a program fd. */
export function progInfo(fd: number, o: ProgInfoOptions = {}): ProgInfo & { readonly xlated?: Uint8Array } {
  // First pass learns the array sizes; a second fetches map ids (and instructions if asked).
  const info = nativeBuffer(232);
  infoByFd(fd, info);
  let v = new DataView(info.buffer);
  const nrMaps = v.getUint32(52, true);
  const xlatedLen = v.getUint32(20, true);
  let maps: Uint8Array | undefined;
  let xlated: Uint8Array | undefined;
  if (nrMaps > 0 || (o.xlated && xlatedLen > 0)) {
    const again = new Attr(232);
    maps = nrMaps > 0 ? nativeBuffer(nrMaps * 4) : undefined;
    xlated = o.xlated && xlatedLen > 0 ? nativeBuffer(xlatedLen) : undefined;
    if (maps) again.u32(52, nrMaps).ptr(56, maps);
    if (xlated) again.u32(20, xlatedLen).ptr(32, xlated);
    again.u32(228, 0);
    infoByFd(fd, again.bytes);
    info.set(again.bytes);
    v = new DataView(info.buffer);
  }
  const mapIds: number[] = [];
  if (maps) {
    const mv = new DataView(maps.buffer);
    for (let i = 0; i < Math.min(nrMaps, v.getUint32(52, true)); i++) mapIds.push(mv.getUint32(i * 4, true));
  }
  const tag = Array.from(info.subarray(8, 16), (b) => b.toString(16).padStart(2, "0")).join("");
  const result: ProgInfo & { xlated?: Uint8Array } = {
    type: v.getUint32(0, true),
    id: v.getUint32(4, true),
    tag,
    name: cstr(info, 64, 16),
    jitedProgLen: v.getUint32(16, true),
    xlatedProgLen: xlatedLen,
    loadTime: v.getBigUint64(40, true),
    createdByUid: v.getUint32(48, true),
    mapIds,
    gplCompatible: (v.getUint32(84, true) & 1) === 1,
    btfId: v.getUint32(128, true),
    nrFuncInfo: v.getUint32(144, true),
    nrLineInfo: v.getUint32(148, true),
    runTimeNs: v.getBigUint64(192, true),
    runCnt: v.getBigUint64(200, true),
    verifiedInsns: v.getUint32(216, true),
    attachBtfObjId: v.getUint32(220, true),
    attachBtfId: v.getUint32(224, true),
  };
  if (xlated) result.xlated = xlated;
  return result;
}

export interface MapInfo {
  readonly type: number;
  readonly id: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly name: string;
  /** struct_ops: the kernel value type id (`bpf_struct_ops_<name>`) in the BTF object `btfVmlinuxId`. */
  readonly btfVmlinuxValueTypeId: number;
  readonly btfId: number;
  readonly btfKeyTypeId: number;
  readonly btfValueTypeId: number;
  /** struct_ops: id of the BTF object (vmlinux or module) holding the value type. */
  readonly btfVmlinuxId: number;
  readonly mapExtra: bigint;
}

/** bpf_map_info of a map fd. */
export function mapInfo(fd: number): MapInfo {
  const info = nativeBuffer(88);
  infoByFd(fd, info);
  const v = new DataView(info.buffer);
  return {
    type: v.getUint32(0, true),
    id: v.getUint32(4, true),
    keySize: v.getUint32(8, true),
    valueSize: v.getUint32(12, true),
    maxEntries: v.getUint32(16, true),
    flags: v.getUint32(20, true),
    name: cstr(info, 24, 16),
    btfVmlinuxValueTypeId: v.getUint32(44, true),
    btfId: v.getUint32(64, true),
    btfKeyTypeId: v.getUint32(68, true),
    btfValueTypeId: v.getUint32(72, true),
    btfVmlinuxId: v.getUint32(76, true),
    mapExtra: v.getBigUint64(80, true),
  };
}

export interface LinkInfo {
  readonly type: number;
  readonly id: number;
  readonly progId: number;
  /** For struct_ops links: the map registered through this link (0 once detached). */
  readonly structOpsMapId: number | undefined;
}

/** bpf_link_info of a link fd (the struct_ops part decoded; other kinds keep type/id/prog). */
export function linkInfo(fd: number): LinkInfo {
  const info = nativeBuffer(64);
  infoByFd(fd, info);
  const v = new DataView(info.buffer);
  const type = v.getUint32(0, true);
  return {
    type,
    id: v.getUint32(4, true),
    progId: v.getUint32(8, true),
    structOpsMapId: type === 9 /* LinkType.STRUCT_OPS */ ? v.getUint32(16, true) : undefined,
  };
}

export interface BtfInfo {
  readonly id: number;
  readonly size: number;
  readonly name: string;
  readonly kernelBtf: boolean;
}

/** bpf_btf_info of a BTF fd; with `withData`, also the raw BTF bytes. */
export function btfInfo(fd: number, withData = false): BtfInfo & { readonly data?: Uint8Array } {
  const name = nativeBuffer(64);
  const first = new Attr(32).ptr(16, name).u32(24, name.byteLength);
  infoByFd(fd, first.bytes);
  const size = first.getU32(8);
  const base = {
    id: first.getU32(12),
    size,
    name: cstr(name, 0, name.byteLength),
    kernelBtf: first.getU32(28) !== 0,
  };
  if (!withData) return base;
  const data = nativeBuffer(size);
  infoByFd(fd, new Attr(32).ptr(0, data).u32(8, size).bytes);
  return { ...base, data };
}
