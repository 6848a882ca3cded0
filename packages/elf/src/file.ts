import { SHT_REL, SHT_RELA, SHT_SYMTAB } from "./constants.ts";
import { ElfError } from "./error.ts";
import { readHeader } from "./header.ts";
import type { ByteReader } from "./reader.ts";
import { type ElfRelocation, readRelocations } from "./relocation.ts";
import { describeSection, type ElfSection, readSections, SH_TYPE, sectionLabel } from "./section.ts";
import { StringTable } from "./strings.ts";
import { type ElfSymbol, readSymbols } from "./symbol.ts";

/** A parsed ELF64 file. Accessors that decode lazily also throw only ElfError. */
export interface ElfFile {
  readonly bytes: Uint8Array;
  readonly littleEndian: boolean;
  /** e_type (ET_REL for compiled BPF objects). */
  readonly type: number;
  /** e_machine (EM_BPF = 247). */
  readonly machine: number;
  /** e_flags. */
  readonly flags: number;
  /** EI_OSABI. */
  readonly osabi: number;
  /** Every section in header order; index 0 is the null section ([] if the file has no section headers). */
  readonly sections: readonly ElfSection[];
  /** The first section with that name. */
  section(name: string): ElfSection | undefined;
  /** The .symtab (SHT_SYMTAB) entries, index 0 included; [] if there is none. Decoded on first access. */
  readonly symbols: readonly ElfSymbol[];
  /** Entries of every REL/RELA section whose sh_info is `target.index`, in section order. */
  relocations(target: ElfSection): readonly ElfRelocation[];
  /** Every SHT_REL and SHT_RELA section, in section order. */
  relocationSections(): readonly ElfSection[];
}

/** `ElfFile.parse(bytes)`: the one way in, named as `Btf.parse` and `BtfExt.parse` are. */
export const ElfFile = {
  /**
   * Parses the ELF64 header and section headers of `bytes` (which is kept, not
   * copied). Throws ElfError, and nothing else, for any input.
   */
  parse(bytes: Uint8Array): ElfFile {
    return parseElf(bytes);
  },
} as const;

/** @deprecated Use `ElfFile.parse(bytes)`. */
export function parseElf(bytes: Uint8Array): ElfFile {
  if (!(bytes instanceof Uint8Array)) {
    throw new ElfError(`parseElf expects a Uint8Array, got ${bytes === null ? "null" : typeof bytes}: pass the file's bytes`);
  }
  const { header, reader } = readHeader(bytes);
  const sections = readSections(reader, header);
  return new ParsedElf(reader, header.type, header.machine, header.flags, header.osabi, sections);
}

class ParsedElf implements ElfFile {
  readonly bytes: Uint8Array;
  readonly littleEndian: boolean;
  readonly type: number;
  readonly machine: number;
  readonly flags: number;
  readonly osabi: number;
  readonly sections: readonly ElfSection[];
  private readonly reader: ByteReader;
  private byName: Map<string, ElfSection> | undefined;
  private symbolCache: readonly ElfSymbol[] | undefined;
  private relocSections: readonly ElfSection[] | undefined;
  private readonly relocCache = new Map<number, readonly ElfRelocation[]>();
  private readonly stringTables = new Map<number, StringTable>();

  constructor(
    reader: ByteReader,
    type: number,
    machine: number,
    flags: number,
    osabi: number,
    sections: readonly ElfSection[],
  ) {
    this.reader = reader;
    this.bytes = reader.bytes;
    this.littleEndian = reader.littleEndian;
    this.type = type;
    this.machine = machine;
    this.flags = flags;
    this.osabi = osabi;
    this.sections = sections;
  }

  section(name: string): ElfSection | undefined {
    if (this.byName === undefined) {
      const map = new Map<string, ElfSection>();
      for (const s of this.sections) if (!map.has(s.name)) map.set(s.name, s);
      this.byName = map;
    }
    return this.byName.get(name);
  }

  get symbols(): readonly ElfSymbol[] {
    if (this.symbolCache === undefined) {
      const tables = this.sections.filter((s) => s.type === SHT_SYMTAB);
      const [table, extra] = tables;
      if (extra !== undefined) {
        // Relocations name symbols by index into "the" symbol table: two are ambiguous.
        throw new ElfError(
          `${describeSection(extra)} is a second SHT_SYMTAB (the first is #${table!.index}); an ELF file has at most one: the file is corrupt; rebuild it`,
          { offset: extra.headerOffset + SH_TYPE, section: sectionLabel(extra) },
        );
      }
      this.symbolCache = table === undefined ? [] : readSymbols(this.reader, table, this.sections, (s) => this.strings(s));
    }
    return this.symbolCache;
  }

  relocationSections(): readonly ElfSection[] {
    this.relocSections ??= this.sections.filter((s) => s.type === SHT_REL || s.type === SHT_RELA);
    return this.relocSections;
  }

  relocations(target: ElfSection): readonly ElfRelocation[] {
    const cached = this.relocCache.get(target.index);
    if (cached !== undefined) return cached;
    const merged: ElfRelocation[] = [];
    for (const rel of this.relocationSections()) {
      if (rel.info !== target.index) continue;
      for (const entry of readRelocations(this.reader, rel, this.sections, this.type)) merged.push(entry);
    }
    this.relocCache.set(target.index, merged);
    return merged;
  }

  /** One StringTable per section, so its name cache is shared by all users. */
  private strings(s: ElfSection): StringTable {
    let table = this.stringTables.get(s.index);
    if (table === undefined) {
      table = new StringTable(s);
      this.stringTables.set(s.index, table);
    }
    return table;
  }
}
