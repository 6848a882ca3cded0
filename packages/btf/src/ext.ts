import type { Btf } from "./btf.ts";
import { BtfError } from "./error.ts";

/** One bpf_func_info record. `insnOff` is in bytes from the start of its ELF section. */
export interface FuncInfo {
  readonly insnOff: number;
  readonly typeId: number;
}

/** One bpf_line_info record (insnOff in bytes). */
export interface LineInfo {
  readonly insnOff: number;
  readonly fileNameOff: number;
  readonly lineOff: number;
  /** line << 10 | column */
  readonly lineCol: number;
}

/** CO-RE relocation kinds (bpf_core_relo_kind). */
export const CoreReloKind = {
  FIELD_BYTE_OFFSET: 0,
  FIELD_BYTE_SIZE: 1,
  FIELD_EXISTS: 2,
  FIELD_SIGNED: 3,
  FIELD_LSHIFT_U64: 4,
  FIELD_RSHIFT_U64: 5,
  TYPE_ID_LOCAL: 6,
  TYPE_ID_TARGET: 7,
  TYPE_EXISTS: 8,
  TYPE_SIZE: 9,
  ENUMVAL_EXISTS: 10,
  ENUMVAL_VALUE: 11,
  TYPE_MATCHES: 12,
} as const;

/** One bpf_core_relo record (insnOff in bytes). */
export interface CoreRelo {
  readonly insnOff: number;
  readonly typeId: number;
  readonly accessStrOff: number;
  /** "0:1:2" style access spec, decoded from the BTF string table. */
  readonly accessStr: string;
  readonly kind: number;
}

export interface ExtSection<T> {
  /** ELF section the records apply to, e.g. "struct_ops/init". */
  readonly section: string;
  readonly records: readonly T[];
}

export interface BtfExt {
  readonly funcInfoRecSize: number;
  readonly lineInfoRecSize: number;
  readonly coreReloRecSize: number;
  readonly funcInfo: readonly ExtSection<FuncInfo>[];
  readonly lineInfo: readonly ExtSection<LineInfo>[];
  readonly coreRelos: readonly ExtSection<CoreRelo>[];
}

/** `BtfExt.parse(bytes, btf)`: named as `Btf.parse` and `ElfFile.parse` are. */
export const BtfExt = {
  /** Parses a .BTF.ext section; strings (section names, access specs) and byte order come from `btf`. Throws BtfError. */
  parse(bytes: Uint8Array, btf: Btf): BtfExt {
    return parseBtfExt(bytes, btf);
  },
} as const;

/**
 * Parses a .BTF.ext section; strings (section names, access specs) come from `btf`.
 * @deprecated Use `BtfExt.parse(bytes, btf)`.
 */
export function parseBtfExt(bytes: Uint8Array, btf: Btf): BtfExt {
  if (bytes.byteLength < 8) throw new BtfError(".BTF.ext is shorter than its header", { offset: 0, code: "truncated" });
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = btf.littleEndian;
  if (v.getUint16(0, le) !== 0xeb9f) throw new BtfError(".BTF.ext has a bad magic (or a byte order unlike its .BTF)", { offset: 0, code: "bad-magic" });
  const hdrLen = v.getUint32(4, le);
  if (hdrLen < 24 || hdrLen > bytes.byteLength) throw new BtfError(`.BTF.ext header length ${hdrLen} is out of range`, { offset: 4, code: "malformed" });
  const sub = (offField: number) => {
    if (offField + 8 > hdrLen) return { start: 0, len: 0 };
    const off = v.getUint32(offField, le);
    const len = v.getUint32(offField + 4, le);
    if (hdrLen + off > bytes.byteLength || len > bytes.byteLength - hdrLen - off) {
      throw new BtfError(`.BTF.ext subsection ${off}+${len} runs past the end`, { offset: offField, code: "truncated" });
    }
    return { start: hdrLen + off, len };
  };
  const fi = readInfo(v, le, sub(8), btf, 8, (o) => ({ insnOff: v.getUint32(o, le), typeId: v.getUint32(o + 4, le) }));
  const li = readInfo(v, le, sub(16), btf, 16, (o) => ({
    insnOff: v.getUint32(o, le),
    fileNameOff: v.getUint32(o + 4, le),
    lineOff: v.getUint32(o + 8, le),
    lineCol: v.getUint32(o + 12, le),
  }));
  const cr = readInfo(v, le, sub(24), btf, 16, (o) => {
    const accessStrOff = v.getUint32(o + 8, le);
    return {
      insnOff: v.getUint32(o, le),
      typeId: v.getUint32(o + 4, le),
      accessStrOff,
      accessStr: btf.strings.get(accessStrOff),
      kind: v.getUint32(o + 12, le),
    };
  });
  return {
    funcInfoRecSize: fi.recSize,
    lineInfoRecSize: li.recSize,
    coreReloRecSize: cr.recSize,
    funcInfo: fi.sections,
    lineInfo: li.sections,
    coreRelos: cr.sections,
  };
}

function readInfo<T>(
  v: DataView,
  le: boolean,
  at: { start: number; len: number },
  btf: Btf,
  minRec: number,
  read: (offset: number) => T,
): { recSize: number; sections: ExtSection<T>[] } {
  if (at.len === 0) return { recSize: minRec, sections: [] };
  if (at.len < 4) throw new BtfError(".BTF.ext subsection too short for its record size", { offset: at.start, code: "truncated" });
  const recSize = v.getUint32(at.start, le);
  if (recSize < minRec || recSize > 1024 || recSize % 4 !== 0) {
    throw new BtfError(`.BTF.ext record size ${recSize} is invalid (expected >= ${minRec})`, { offset: at.start, code: "malformed" });
  }
  const end = at.start + at.len;
  const sections: ExtSection<T>[] = [];
  let off = at.start + 4;
  while (off < end) {
    if (end - off < 8) throw new BtfError(".BTF.ext section header cut short", { offset: off, code: "truncated" });
    const section = btf.strings.get(v.getUint32(off, le));
    const n = v.getUint32(off + 4, le);
    off += 8;
    if (n * recSize > end - off) throw new BtfError(`.BTF.ext: ${n} records for "${section}" run past the end`, { offset: off - 4, code: "truncated" });
    const records: T[] = [];
    for (let i = 0; i < n; i++, off += recSize) records.push(read(off));
    sections.push({ section, records });
  }
  return { recSize, sections };
}
