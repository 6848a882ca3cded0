// Parses the GNU readelf output committed beside each fixture (see
// fixtures/build.sh: `readelf -W --file-header --section-headers --symbols
// --relocs`). GNU binutils shares no code with LLVM, which wrote the objects,
// or with this package, so agreeing with it is an independent check.
import { readFileSync } from "node:fs";

export interface ReadelfSection {
  index: number;
  name: string;
  type: number;
  addr: number;
  offset: number;
  size: number;
  entsize: number;
  flags: string; // readelf's letters, e.g. "AX"
  link: number;
  info: number;
  addralign: number;
}

export interface ReadelfSymbol {
  index: number;
  value: number;
  size: number;
  type: number;
  bind: number;
  visibility: number;
  shndx: number;
  name: string; // for STT_SECTION symbols readelf prints the section's name
}

export interface ReadelfRelocation {
  offset: number;
  symbol: number;
  type: number;
  addend: number | undefined; // undefined for REL
}

export interface Readelf {
  littleEndian: boolean;
  type: number;
  machine: number;
  shoff: number;
  shnum: number;
  shstrndx: number;
  sections: ReadelfSection[];
  symbols: ReadelfSymbol[];
  /** Relocation sections by name, entries in file order. */
  relocations: Map<string, ReadelfRelocation[]>;
}

const SECTION_TYPES: Record<string, number> = {
  NULL: 0,
  PROGBITS: 1,
  SYMTAB: 2,
  STRTAB: 3,
  RELA: 4,
  NOBITS: 8,
  REL: 9,
  LLVM_ADDRSIG: 0x6fff4c03,
  X86_64_UNWIND: 0x70000001, // .eh_frame on x86-64
};
const SYMBOL_TYPES: Record<string, number> = { NOTYPE: 0, OBJECT: 1, FUNC: 2, SECTION: 3, FILE: 4, COMMON: 5, TLS: 6 };
const BINDS: Record<string, number> = { LOCAL: 0, GLOBAL: 1, WEAK: 2 };
const VISIBILITIES: Record<string, number> = { DEFAULT: 0, INTERNAL: 1, HIDDEN: 2, PROTECTED: 3 };
const MACHINES: Record<string, number> = { "Linux BPF": 247, "Advanced Micro Devices X86-64": 62, PowerPC64: 21 };
const FILE_TYPES: Record<string, number> = { REL: 1, EXEC: 2, DYN: 3 };

/** readelf's flag letters for the sh_flags bits our fixtures use. */
export const FLAG_LETTERS: [string, number][] = [
  ["W", 0x1],
  ["A", 0x2],
  ["X", 0x4],
  ["M", 0x10],
  ["S", 0x20],
  ["I", 0x40],
  ["L", 0x80],
  ["G", 0x200],
  ["T", 0x400],
  ["C", 0x800],
  ["E", 0x80000000],
];

function lookup(table: Record<string, number>, key: string, what: string): number {
  const v = table[key];
  if (v !== undefined) return v;
  const loos = /^LOOS\+0x([0-9a-f]+)$/.exec(key);
  if (loos && what === "section type") return 0x60000000 + Number.parseInt(loos[1]!, 16);
  throw new Error(`readelf oracle: unknown ${what} ${JSON.stringify(key)}`);
}

function field(text: string, label: string): string {
  const m = new RegExp(`^\\s*${label}:\\s*(.*?)\\s*$`, "m").exec(text);
  if (!m) throw new Error(`readelf oracle: no "${label}" line`);
  return m[1]!;
}

const hexNum = (s: string): number => Number.parseInt(s, 16);

export function readReadelf(url: URL): Readelf {
  const text = readFileSync(url, "utf8");
  const lines = text.split("\n");

  const sections: ReadelfSection[] = [];
  const sectionLine =
    /^\s*\[\s*(\d+)\]\s(.*?)\s+(\S+)\s+([0-9a-f]{16})\s([0-9a-f]+)\s([0-9a-f]+)\s([0-9a-f]+)\s(.*?)\s+(\d+)\s+(\d+)\s+(\d+)$/;
  const symbolLine = /^\s*(\d+):\s([0-9a-f]{16})\s+(0x[0-9a-f]+|\d+)\s(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s?(.*)$/;
  const relocHead = /^Relocation section '(.*)' at offset 0x[0-9a-f]+ contains \d+ entr(?:y|ies):$/;
  const relocLine = /^([0-9a-f]{16})\s+([0-9a-f]{8})([0-9a-f]{8})\s+\S+\s*(.*)$/;

  const symbols: ReadelfSymbol[] = [];
  const relocations = new Map<string, ReadelfRelocation[]>();
  let current: ReadelfRelocation[] | undefined;
  let rela = false;
  for (const line of lines) {
    let m = sectionLine.exec(line);
    if (m) {
      sections.push({
        index: Number(m[1]),
        name: m[2]!.trim(),
        type: lookup(SECTION_TYPES, m[3]!, "section type"),
        addr: hexNum(m[4]!),
        offset: hexNum(m[5]!),
        size: hexNum(m[6]!),
        entsize: hexNum(m[7]!),
        flags: m[8]!.trim(),
        link: Number(m[9]),
        info: Number(m[10]),
        addralign: Number(m[11]),
      });
      continue;
    }
    m = symbolLine.exec(line);
    if (m) {
      const ndx = m[7]!;
      symbols.push({
        index: Number(m[1]),
        value: hexNum(m[2]!),
        size: Number(m[3]),
        type: lookup(SYMBOL_TYPES, m[4]!, "symbol type"),
        bind: lookup(BINDS, m[5]!, "symbol binding"),
        visibility: lookup(VISIBILITIES, m[6]!, "visibility"),
        shndx: ndx === "UND" ? 0 : ndx === "ABS" ? 0xfff1 : ndx === "COM" ? 0xfff2 : Number(ndx),
        name: m[8]!,
      });
      continue;
    }
    m = relocHead.exec(line);
    if (m) {
      current = [];
      relocations.set(m[1]!, current);
      continue;
    }
    if (line.includes("Symbol's Name + Addend")) rela = true;
    else if (line.includes("Symbol's Name")) rela = false;
    m = relocLine.exec(line);
    if (m && current) {
      let addend: number | undefined;
      if (rela) {
        // "<value> <name> + c", "<value> <name> - 8", or a bare hex addend when there is no symbol.
        const signed = /([+-]) ([0-9a-f]+)$/.exec(m[4]!);
        addend = signed ? (signed[1] === "-" ? -1 : 1) * hexNum(signed[2]!) : hexNum(m[4]!.trim());
      }
      current.push({ offset: hexNum(m[1]!), symbol: hexNum(m[2]!), type: hexNum(m[3]!), addend });
    } else if (line.trim() === "") {
      current = undefined;
    }
  }

  return {
    littleEndian: field(text, "Data").includes("little endian"),
    type: lookup(FILE_TYPES, field(text, "Type").split(" ")[0]!, "file type"),
    machine: lookup(MACHINES, field(text, "Machine"), "machine"),
    shoff: Number.parseInt(field(text, "Start of section headers"), 10),
    shnum: Number.parseInt(field(text, "Number of section headers"), 10),
    shstrndx: Number.parseInt(field(text, "Section header string table index"), 10),
    sections,
    symbols,
    relocations,
  };
}
