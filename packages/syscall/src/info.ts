import { Attr, type AttrField, fieldEnd, nativeBuffer } from "./attr.ts";
import { bpfCall } from "./call.ts";
import { Cmd } from "./cmd.ts";
import { LinkType } from "@bpfkit/object/uapi";
import { BTF_INFO, LINK_INFO, MAP_INFO, OBJ_GET_INFO_BY_FD as I, PROG_INFO, SIZE } from "./gen/attr-layout.ts";

/** A NUL-terminated string in a char[] field of `buf` (or all of `buf`). */
function cstr(buf: Uint8Array, f: AttrField = { offset: 0, size: buf.byteLength }): string {
  const s = buf.subarray(f.offset, f.offset + f.size);
  const end = s.indexOf(0);
  return new TextDecoder().decode(end < 0 ? s : s.subarray(0, end));
}

const u32 = (v: DataView, f: AttrField<4>): number => v.getUint32(f.offset, true);
const u64 = (v: DataView, f: AttrField<8>): bigint => v.getBigUint64(f.offset, true);
/** A bitfield inside a little-endian u32 unit. */
const bits32 = (v: DataView, f: AttrField<4> & { readonly bit: number; readonly bits: number }): number =>
  (v.getUint32(f.offset, true) >>> f.bit) & (2 ** f.bits - 1);

/** BPF_OBJ_GET_INFO_BY_FD into `info` (which the kernel fills up to its own struct size). */
function infoByFd(fd: number, info: Uint8Array): void {
  bpfCall(Cmd.OBJ_GET_INFO_BY_FD, new Attr(SIZE.OBJ_GET_INFO_BY_FD).u32(I.bpf_fd, fd).u32(I.info_len, info.byteLength).ptr(I.info, info));
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
  // The whole struct as the generating kernel has it; an older kernel fills its own prefix.
  const info = nativeBuffer(SIZE.PROG_INFO);
  infoByFd(fd, info);
  let v = new DataView(info.buffer);
  const nrMaps = u32(v, PROG_INFO.nr_map_ids);
  const xlatedLen = u32(v, PROG_INFO.xlated_prog_len);
  let maps: Uint8Array | undefined;
  let xlated: Uint8Array | undefined;
  if (nrMaps > 0 || (o.xlated && xlatedLen > 0)) {
    const again = new Attr(SIZE.PROG_INFO);
    maps = nrMaps > 0 ? nativeBuffer(nrMaps * 4) : undefined;
    xlated = o.xlated && xlatedLen > 0 ? nativeBuffer(xlatedLen) : undefined;
    if (maps) again.u32(PROG_INFO.nr_map_ids, nrMaps).ptr(PROG_INFO.map_ids, maps);
    if (xlated) again.u32(PROG_INFO.xlated_prog_len, xlatedLen).ptr(PROG_INFO.xlated_prog_insns, xlated);
    infoByFd(fd, again.bytes);
    info.set(again.bytes);
    v = new DataView(info.buffer);
  }
  const mapIds: number[] = [];
  if (maps) {
    const mv = new DataView(maps.buffer);
    for (let i = 0; i < Math.min(nrMaps, u32(v, PROG_INFO.nr_map_ids)); i++) mapIds.push(mv.getUint32(i * 4, true));
  }
  const { offset: tagAt, size: tagSize } = PROG_INFO.tag;
  const tag = Array.from(info.subarray(tagAt, tagAt + tagSize), (b) => b.toString(16).padStart(2, "0")).join("");
  const result: ProgInfo & { xlated?: Uint8Array } = {
    type: u32(v, PROG_INFO.type),
    id: u32(v, PROG_INFO.id),
    tag,
    name: cstr(info, PROG_INFO.name),
    jitedProgLen: u32(v, PROG_INFO.jited_prog_len),
    xlatedProgLen: xlatedLen,
    loadTime: u64(v, PROG_INFO.load_time),
    createdByUid: u32(v, PROG_INFO.created_by_uid),
    mapIds,
    gplCompatible: bits32(v, PROG_INFO.gpl_compatible) === 1,
    btfId: u32(v, PROG_INFO.btf_id),
    nrFuncInfo: u32(v, PROG_INFO.nr_func_info),
    nrLineInfo: u32(v, PROG_INFO.nr_line_info),
    runTimeNs: u64(v, PROG_INFO.run_time_ns),
    runCnt: u64(v, PROG_INFO.run_cnt),
    verifiedInsns: u32(v, PROG_INFO.verified_insns),
    attachBtfObjId: u32(v, PROG_INFO.attach_btf_obj_id),
    attachBtfId: u32(v, PROG_INFO.attach_btf_id),
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
  // Through map_extra, the last field decoded: the hash fields after it are asked for apart.
  const info = nativeBuffer(fieldEnd(MAP_INFO.map_extra));
  infoByFd(fd, info);
  const v = new DataView(info.buffer);
  return {
    type: u32(v, MAP_INFO.type),
    id: u32(v, MAP_INFO.id),
    keySize: u32(v, MAP_INFO.key_size),
    valueSize: u32(v, MAP_INFO.value_size),
    maxEntries: u32(v, MAP_INFO.max_entries),
    flags: u32(v, MAP_INFO.map_flags),
    name: cstr(info, MAP_INFO.name),
    btfVmlinuxValueTypeId: u32(v, MAP_INFO.btf_vmlinux_value_type_id),
    btfId: u32(v, MAP_INFO.btf_id),
    btfKeyTypeId: u32(v, MAP_INFO.btf_key_type_id),
    btfValueTypeId: u32(v, MAP_INFO.btf_value_type_id),
    btfVmlinuxId: u32(v, MAP_INFO.btf_vmlinux_id),
    mapExtra: u64(v, MAP_INFO.map_extra),
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
  const info = nativeBuffer(SIZE.LINK_INFO);
  infoByFd(fd, info);
  const v = new DataView(info.buffer);
  const type = u32(v, LINK_INFO.type);
  return {
    type,
    id: u32(v, LINK_INFO.id),
    progId: u32(v, LINK_INFO.prog_id),
    structOpsMapId: type === LinkType.STRUCT_OPS ? u32(v, LINK_INFO.struct_ops.map_id) : undefined,
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
  const first = new Attr(SIZE.BTF_INFO).ptr(BTF_INFO.name, name).u32(BTF_INFO.name_len, name.byteLength);
  infoByFd(fd, first.bytes);
  const size = first.getU32(BTF_INFO.btf_size);
  const base = {
    id: first.getU32(BTF_INFO.id),
    size,
    name: cstr(name),
    kernelBtf: first.getU32(BTF_INFO.kernel_btf) !== 0,
  };
  if (!withData) return base;
  const data = nativeBuffer(size);
  infoByFd(fd, new Attr(SIZE.BTF_INFO).ptr(BTF_INFO.btf, data).u32(BTF_INFO.btf_size, size).bytes);
  return { ...base, data };
}
