// Writes small synthetic ELF64 files for tests that need shapes clang does not
// produce (RELA in BPF, extended numbering, SHT_SYMTAB_SHNDX) or exact control
// over a corrupt field. Deliberately simple: no alignment rules beyond 8 bytes.
import { SHN_XINDEX, SHT_STRTAB } from "../src/constants.ts";

export interface SectionSpec {
  name: string;
  type: number;
  flags?: number;
  data?: Uint8Array;
  /** sh_size; defaults to data.length. */
  size?: number;
  /** sh_offset; defaults to where the data was placed. */
  offset?: number;
  link?: number;
  info?: number;
  entsize?: number;
  addralign?: number;
}

export interface ElfSpec {
  littleEndian?: boolean;
  type?: number;
  machine?: number;
  /** Sections after the null section; ".shstrtab" is appended last. */
  sections: SectionSpec[];
  /** Put the section count and name-table index in section 0 (e_shnum = 0, e_shstrndx = SHN_XINDEX). */
  extendedNumbering?: boolean;
}

export interface BuiltElf {
  bytes: Uint8Array;
  shoff: number;
  shstrndx: number;
  /** File offset of section header `index`. */
  header(index: number): number;
}

/** Endian-aware writes into new bytes, or in place into existing ones (to corrupt a field). */
export class Writer {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  constructor(
    bytesOrSize: Uint8Array | number,
    readonly littleEndian: boolean,
  ) {
    this.bytes = typeof bytesOrSize === "number" ? new Uint8Array(bytesOrSize) : bytesOrSize;
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  }
  u8(at: number, v: number): void {
    this.view.setUint8(at, v);
  }
  u16(at: number, v: number): void {
    this.view.setUint16(at, v, this.littleEndian);
  }
  u32(at: number, v: number): void {
    this.view.setUint32(at, v, this.littleEndian);
  }
  u64(at: number, v: number | bigint): void {
    this.view.setBigUint64(at, BigInt.asUintN(64, BigInt(v)), this.littleEndian);
  }
}

const align8 = (n: number): number => (n + 7) & ~7;

/** A string table holding `names` (offset 0 is the empty name); returns each name's offset. */
export function stringTable(names: readonly string[]): { data: Uint8Array; offsets: Map<string, number> } {
  const offsets = new Map<string, number>([["", 0]]);
  const parts: number[] = [0];
  for (const name of names) {
    if (offsets.has(name)) continue;
    offsets.set(name, parts.length);
    for (const b of new TextEncoder().encode(name)) parts.push(b);
    parts.push(0);
  }
  return { data: Uint8Array.from(parts), offsets };
}

export interface SymbolSpec {
  name?: string;
  value?: number;
  size?: number;
  bind?: number;
  type?: number;
  visibility?: number;
  shndx?: number;
}

/** .symtab bytes (a null symbol first, then `symbols`) and the .strtab that names them. */
export function symbolTable(symbols: readonly SymbolSpec[], littleEndian: boolean): { symtab: Uint8Array; strtab: Uint8Array } {
  const { data: strtab, offsets } = stringTable(symbols.map((s) => s.name ?? ""));
  const w = new Writer((symbols.length + 1) * 24, littleEndian);
  symbols.forEach((s, i) => {
    const at = (i + 1) * 24;
    w.u32(at, offsets.get(s.name ?? "")!);
    w.u8(at + 4, ((s.bind ?? 0) << 4) | (s.type ?? 0));
    w.u8(at + 5, s.visibility ?? 0);
    w.u16(at + 6, s.shndx ?? 0);
    w.u64(at + 8, s.value ?? 0);
    w.u64(at + 16, s.size ?? 0);
  });
  return { symtab: w.bytes, strtab };
}

export interface RelocationSpec {
  offset: number;
  symbol: number;
  type: number;
  addend?: number | bigint;
}

/** REL (16-byte) or RELA (24-byte) entries. */
export function relocationTable(entries: readonly RelocationSpec[], rela: boolean, littleEndian: boolean): Uint8Array {
  const size = rela ? 24 : 16;
  const w = new Writer(entries.length * size, littleEndian);
  entries.forEach((e, i) => {
    const at = i * size;
    w.u64(at, e.offset);
    w.u64(at + 8, (BigInt(e.symbol) << 32n) | BigInt(e.type));
    if (rela) w.u64(at + 16, e.addend ?? 0);
  });
  return w.bytes;
}

export function buildElf(spec: ElfSpec): BuiltElf {
  const le = spec.littleEndian ?? true;
  const all: SectionSpec[] = [{ name: "", type: 0 }, ...spec.sections];
  const shstrndx = all.length;
  const names = stringTable(all.map((s) => s.name).concat(".shstrtab"));
  all.push({ name: ".shstrtab", type: SHT_STRTAB, data: names.data, addralign: 1 });

  // Layout: header, each section's data 8-aligned, then the section header table.
  const placed: number[] = [];
  let cursor = 64;
  for (const s of all) {
    cursor = align8(cursor);
    placed.push(s.data ? cursor : 0);
    cursor += s.data?.length ?? 0;
  }
  const shoff = align8(cursor);
  const w = new Writer(shoff + all.length * 64, le);

  w.bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, le ? 1 : 2, 1], 0);
  w.u16(16, spec.type ?? 1);
  w.u16(18, spec.machine ?? 247);
  w.u32(20, 1);
  w.u64(40, shoff);
  w.u16(52, 64);
  w.u16(58, 64);
  w.u16(60, spec.extendedNumbering ? 0 : all.length);
  w.u16(62, spec.extendedNumbering ? SHN_XINDEX : shstrndx);

  all.forEach((s, i) => {
    if (s.data) w.bytes.set(s.data, placed[i]!);
    const at = shoff + i * 64;
    w.u32(at, names.offsets.get(s.name)!);
    w.u32(at + 4, s.type);
    w.u64(at + 8, s.flags ?? 0);
    w.u64(at + 24, s.offset ?? placed[i]!);
    w.u64(at + 32, s.size ?? s.data?.length ?? 0);
    w.u32(at + 40, s.link ?? 0);
    w.u32(at + 44, s.info ?? 0);
    w.u64(at + 48, s.addralign ?? (i === 0 ? 0 : 1));
    w.u64(at + 56, s.entsize ?? 0);
  });
  if (spec.extendedNumbering) {
    w.u64(shoff + 32, all.length);
    w.u32(shoff + 40, shstrndx);
  }
  return { bytes: w.bytes, shoff, shstrndx, header: (i) => shoff + i * 64 };
}
