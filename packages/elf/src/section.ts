import { ELF64_SHDR_SIZE, SHN_LORESERVE, SHN_XINDEX, SHT_NOBITS, SHT_NULL, SHT_STRTAB } from "./constants.ts";
import { ElfError, hex } from "./error.ts";
import { E_SHNUM, E_SHOFF, E_SHENTSIZE, E_SHSTRNDX, type ElfHeader } from "./header.ts";
import { type ByteReader, fits } from "./reader.ts";
import { StringTable } from "./strings.ts";

export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly addr: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: number;
  readonly entsize: number;
  /** View of the file bytes (no copy); empty for SHT_NOBITS and SHT_NULL. */
  readonly data: Uint8Array;
  /** File offset of this section's header, for locating errors. */
  readonly headerOffset: number;
}

// Byte offsets of fields inside one ELF64 section header.
export const SH_NAME = 0;
export const SH_TYPE = 4;
export const SH_FLAGS = 8;
export const SH_ADDR = 16;
export const SH_OFFSET = 24;
export const SH_SIZE = 32;
export const SH_LINK = 40;
export const SH_INFO = 44;
export const SH_ADDRALIGN = 48;
export const SH_ENTSIZE = 56;

const EMPTY = new Uint8Array(0);

/** `section ".text" (#3)`, or `section #3` when it has no name. */
export function describeSection(s: { index: number; name: string }): string {
  return s.name === "" ? `section #${s.index}` : `section "${s.name}" (#${s.index})`;
}

/** The ElfError `section` field: the name, or "#<index>" when unnamed. */
export function sectionLabel(s: { index: number; name: string }): string {
  return s.name === "" ? `#${s.index}` : s.name;
}

/**
 * Reads and checks the section header table: its placement, the name string
 * table, every name, and that every section's data lies inside the file.
 */
export function readSections(r: ByteReader, h: ElfHeader): ElfSection[] {
  const total = r.length;
  if (h.shoff === 0) {
    if (h.shnum !== 0) {
      throw new ElfError(
        `e_shnum at ${hex(E_SHNUM)} is ${h.shnum} but e_shoff is 0 (no section header table): the file is corrupt; rebuild it`,
        { offset: E_SHNUM },
      );
    }
    return [];
  }
  if (h.shentsize !== ELF64_SHDR_SIZE) {
    throw new ElfError(
      `e_shentsize at ${hex(E_SHENTSIZE)} is ${h.shentsize}, but ELF64 section headers are ${ELF64_SHDR_SIZE} bytes: the file is corrupt; rebuild it`,
      { offset: E_SHENTSIZE },
    );
  }

  // Section 0 holds the real count and name-table index when they do not fit
  // the 16-bit header fields (extended section numbering).
  let count = h.shnum;
  let shstrndx = h.shstrndx;
  if (count === 0 || shstrndx === SHN_XINDEX) {
    if (!fits(h.shoff, ELF64_SHDR_SIZE, total)) throw tableTruncated(h.shoff, 1, total);
    if (count === 0) {
      count = r.u64(h.shoff + SH_SIZE, "sh_size (the extended section count)", "section", 0);
      if (count === 0) {
        throw new ElfError(
          `e_shnum is 0, which defers to section 0's sh_size (at ${hex(h.shoff + SH_SIZE)}), but that is 0 too: the file is corrupt; rebuild it`,
          { offset: h.shoff + SH_SIZE, section: "#0" },
        );
      }
    }
    if (shstrndx === SHN_XINDEX) shstrndx = r.u32(h.shoff + SH_LINK);
  } else if (shstrndx >= SHN_LORESERVE) {
    throw new ElfError(
      `e_shstrndx at ${hex(E_SHSTRNDX)} is ${hex(shstrndx)}, a reserved index (only SHN_XINDEX 0xffff is meaningful there): the file is corrupt; rebuild it`,
      { offset: E_SHSTRNDX },
    );
  }
  // Division, not multiplication, so a corrupt count cannot overflow or make us allocate.
  if (h.shoff > total || count > Math.floor((total - h.shoff) / ELF64_SHDR_SIZE)) {
    throw tableTruncated(h.shoff, count, total);
  }

  // Filled in two passes (names need the name table, data errors need names),
  // so the records start with placeholders and are completed in place.
  const sections: { -readonly [K in keyof ElfSection]: ElfSection[K] }[] = [];
  const nameOffsets: number[] = [];
  for (let i = 0; i < count; i++) {
    const at = h.shoff + i * ELF64_SHDR_SIZE;
    nameOffsets.push(r.u32(at + SH_NAME));
    sections.push({
      index: i,
      name: "",
      type: r.u32(at + SH_TYPE),
      flags: r.u64(at + SH_FLAGS, "sh_flags", "section", i),
      addr: r.u64(at + SH_ADDR, "sh_addr", "section", i),
      offset: r.u64(at + SH_OFFSET, "sh_offset", "section", i),
      size: r.u64(at + SH_SIZE, "sh_size", "section", i),
      link: r.u32(at + SH_LINK),
      info: r.u32(at + SH_INFO),
      addralign: r.u64(at + SH_ADDRALIGN, "sh_addralign", "section", i),
      entsize: r.u64(at + SH_ENTSIZE, "sh_entsize", "section", i),
      data: EMPTY,
      headerOffset: at,
    });
  }

  const names = nameTable(r, sections, shstrndx, h);
  if (names !== undefined) {
    for (const s of sections) s.name = names.get(nameOffsets[s.index]!, "section", s.index, s.headerOffset + SH_NAME);
  }
  for (const s of sections) s.data = sectionData(r, s);
  return sections;
}

/** The section-name string table, checked before any name is read from it. */
function nameTable(
  r: ByteReader,
  sections: readonly ElfSection[],
  shstrndx: number,
  h: ElfHeader,
): StringTable | undefined {
  // SHN_UNDEF: the file has no section names; every name is "".
  if (shstrndx === 0) return undefined;
  const where = h.shstrndx === SHN_XINDEX ? `section 0 sh_link (at ${hex(h.shoff + SH_LINK)})` : `e_shstrndx (at ${hex(E_SHSTRNDX)})`;
  const offset = h.shstrndx === SHN_XINDEX ? h.shoff + SH_LINK : E_SHSTRNDX;
  const s = sections[shstrndx];
  if (s === undefined) {
    throw new ElfError(
      `${where} names section ${shstrndx} as the section name table, but there are only ${sections.length} sections: the file is corrupt; rebuild it`,
      { offset },
    );
  }
  if (s.type !== SHT_STRTAB) {
    throw new ElfError(
      `${where} names section #${shstrndx} as the section name table, but its type is ${s.type}, not SHT_STRTAB (3): the file is corrupt; rebuild it`,
      { offset: s.headerOffset + SH_TYPE, section: `#${shstrndx}` },
    );
  }
  // Its name is not known yet, so the table is described by index in errors.
  return new StringTable({ index: shstrndx, name: "", offset: s.offset, data: sectionData(r, s) });
}

function sectionData(r: ByteReader, s: Omit<ElfSection, "data">): Uint8Array {
  if (s.type === SHT_NOBITS || s.type === SHT_NULL) return EMPTY;
  if (!fits(s.offset, s.size, r.length)) {
    throw new ElfError(
      `${describeSection(s)} data at ${hex(s.offset)}..${hex(s.offset + s.size)} runs past the end of the file (${hex(r.length)} bytes): the object is truncated; rebuild it`,
      { offset: s.offset, section: sectionLabel(s), code: "TRUNCATED" },
    );
  }
  return r.bytes.subarray(s.offset, s.offset + s.size);
}

function tableTruncated(shoff: number, count: number, total: number): ElfError {
  return new ElfError(
    `section header table at ${hex(shoff)}..${hex(shoff + count * ELF64_SHDR_SIZE)} (${count} headers of ${ELF64_SHDR_SIZE} bytes, e_shoff at ${hex(E_SHOFF)}) runs past the end of the file (${hex(total)} bytes): the object is truncated; rebuild it`,
    { offset: shoff, code: "TRUNCATED" },
  );
}
