import {
  SHF_ALLOC,
  SHF_COMPRESSED,
  SHF_EXCLUDE,
  SHF_EXECINSTR,
  SHF_GROUP,
  SHF_INFO_LINK,
  SHF_LINK_ORDER,
  SHF_MERGE,
  SHF_OS_NONCONFORMING,
  SHF_STRINGS,
  SHF_TLS,
  SHF_WRITE,
  SHT_LLVM_ADDRSIG,
} from "./constants.ts";

// Section types and flags spelled as llvm-readelf -S spells them, so output can be compared.
const TYPES: Record<number, string> = {
  0: "NULL",
  1: "PROGBITS",
  2: "SYMTAB",
  3: "STRTAB",
  4: "RELA",
  5: "HASH",
  6: "DYNAMIC",
  7: "NOTE",
  8: "NOBITS",
  9: "REL",
  10: "SHLIB",
  11: "DYNSYM",
  14: "INIT_ARRAY",
  15: "FINI_ARRAY",
  16: "PREINIT_ARRAY",
  17: "GROUP",
  18: "SYMTAB_SHNDX",
  [SHT_LLVM_ADDRSIG]: "LLVM_ADDRSIG",
};

/** "PROGBITS", "REL", "LLVM_ADDRSIG"; "0x..." for a type llvm-readelf has no name for here. */
export function sectionTypeName(type: number): string {
  return TYPES[type] ?? `0x${(type >>> 0).toString(16)}`;
}

// In llvm-readelf's order: W A X M S I L O G T C E.
const FLAGS: readonly [number, string][] = [
  [SHF_WRITE, "W"],
  [SHF_ALLOC, "A"],
  [SHF_EXECINSTR, "X"],
  [SHF_MERGE, "M"],
  [SHF_STRINGS, "S"],
  [SHF_INFO_LINK, "I"],
  [SHF_LINK_ORDER, "L"],
  [SHF_OS_NONCONFORMING, "O"],
  [SHF_GROUP, "G"],
  [SHF_TLS, "T"],
  [SHF_COMPRESSED, "C"],
  [SHF_EXCLUDE, "E"],
];

/** sh_flags as letters: "AX", "WA", "MS", "" for none. */
export function sectionFlagLetters(flags: number): string {
  return FLAGS.filter(([bit]) => (flags & bit) !== 0).map(([, l]) => l).join("");
}
