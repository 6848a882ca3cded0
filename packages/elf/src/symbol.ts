import { ELF64_SYM_SIZE, SHN_XINDEX, SHT_STRTAB, SHT_SYMTAB_SHNDX } from "./constants.ts";
import { ElfError, hex } from "./error.ts";
import type { ByteReader } from "./reader.ts";
import { describeSection, type ElfSection, SH_ENTSIZE, SH_LINK, SH_SIZE, sectionLabel } from "./section.ts";
import type { StringTable } from "./strings.ts";

export interface ElfSymbol {
  readonly index: number;
  readonly name: string;
  readonly value: number;
  readonly size: number;
  /** st_info >> 4 (STB_*). */
  readonly bind: number;
  /** st_info & 0xf (STT_*). */
  readonly type: number;
  /** st_other & 3 (STV_*). */
  readonly visibility: number;
  /**
   * Section index as stored, including SHN_UNDEF/SHN_ABS/SHN_COMMON; SHN_XINDEX
   * is replaced by the real index from SHT_SYMTAB_SHNDX when that table exists.
   * Not checked against the section count: callers look it up.
   */
  readonly shndx: number;
}

// Byte offsets of fields inside one ELF64 symbol.
const ST_NAME = 0;
const ST_INFO = 4;
const ST_OTHER = 5;
const ST_SHNDX = 6;
const ST_VALUE = 8;
const ST_SIZE = 16;

/**
 * Checks that a symbol table (SYMTAB or DYNSYM) has ELF64-sized entries that
 * tile its data exactly, and returns the entry count.
 */
export function symbolCount(table: ElfSection): number {
  if (table.entsize !== ELF64_SYM_SIZE) {
    throw new ElfError(
      `${describeSection(table)} has sh_entsize ${table.entsize}, but ELF64 symbols are ${ELF64_SYM_SIZE} bytes: the file is corrupt; rebuild it`,
      { offset: table.headerOffset + SH_ENTSIZE, section: sectionLabel(table) },
    );
  }
  if (table.data.length % ELF64_SYM_SIZE !== 0) {
    throw new ElfError(
      `${describeSection(table)} size ${hex(table.data.length)} is not a multiple of its ${ELF64_SYM_SIZE}-byte entries: the file is corrupt; rebuild it`,
      { offset: table.headerOffset + SH_SIZE, section: sectionLabel(table) },
    );
  }
  return table.data.length / ELF64_SYM_SIZE;
}

/** The string table a symbol table's sh_link names, checked to be one. */
export function linkedStringTable(
  table: ElfSection,
  sections: readonly ElfSection[],
  strings: (s: ElfSection) => StringTable,
): StringTable {
  const target = sections[table.link];
  if (target === undefined || target.type !== SHT_STRTAB) {
    const what = target === undefined ? `there are only ${sections.length} sections` : `${describeSection(target)} has type ${target.type}, not SHT_STRTAB (3)`;
    throw new ElfError(
      `${describeSection(table)} sh_link is ${table.link}, which should name its string table, but ${what}: the file is corrupt; rebuild it`,
      { offset: table.headerOffset + SH_LINK, section: sectionLabel(table) },
    );
  }
  return strings(target);
}

/** Decodes every entry of a symbol table, index 0 included. */
export function readSymbols(
  r: ByteReader,
  table: ElfSection,
  sections: readonly ElfSection[],
  strings: (s: ElfSection) => StringTable,
): ElfSymbol[] {
  const count = symbolCount(table);
  const names = linkedStringTable(table, sections, strings);
  const label = sectionLabel(table);
  let xindex: ElfSection | null | undefined; // looked up only if some symbol needs it
  const symbols: ElfSymbol[] = [];
  for (let i = 0; i < count; i++) {
    // table.data is inside the file (checked when sections were read).
    const at = table.offset + i * ELF64_SYM_SIZE;
    const info = r.u8(at + ST_INFO);
    let shndx = r.u16(at + ST_SHNDX);
    if (shndx === SHN_XINDEX) {
      if (xindex === undefined) xindex = extendedIndexTable(table, sections);
      if (xindex !== null) shndx = extendedIndex(r, xindex, i, table);
    }
    symbols.push({
      index: i,
      name: names.get(r.u32(at + ST_NAME), "symbol", i, at + ST_NAME, label),
      value: r.u64(at + ST_VALUE, "st_value", "symbol", i, label),
      size: r.u64(at + ST_SIZE, "st_size", "symbol", i, label),
      bind: info >> 4,
      type: info & 0xf,
      visibility: r.u8(at + ST_OTHER) & 3,
      shndx,
    });
  }
  return symbols;
}

/** The SHT_SYMTAB_SHNDX section tied to `table`, or null if there is none. */
function extendedIndexTable(table: ElfSection, sections: readonly ElfSection[]): ElfSection | null {
  const found = sections.find((s) => s.type === SHT_SYMTAB_SHNDX && s.link === table.index);
  if (found === undefined) return null;
  if (found.entsize !== 4) {
    throw new ElfError(
      `${describeSection(found)} (SHT_SYMTAB_SHNDX) has sh_entsize ${found.entsize}, expected 4: the file is corrupt; rebuild it`,
      { offset: found.headerOffset + SH_ENTSIZE, section: sectionLabel(found) },
    );
  }
  return found;
}

function extendedIndex(r: ByteReader, xindex: ElfSection, i: number, table: ElfSection): number {
  if ((i + 1) * 4 > xindex.data.length) {
    throw new ElfError(
      `symbol #${i} of ${describeSection(table)} has st_shndx SHN_XINDEX, but ${describeSection(xindex)} holds only ${Math.floor(xindex.data.length / 4)} entries: the file is corrupt; rebuild it`,
      { offset: xindex.headerOffset + SH_SIZE, section: sectionLabel(xindex) },
    );
  }
  return r.u32(xindex.offset + i * 4);
}
