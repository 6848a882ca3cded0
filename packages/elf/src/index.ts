// @bpfkit/elf: a bounds-checked ELF64 reader (little- and big-endian) over one Uint8Array.
export * from "./constants.ts";
export { ElfError, type ElfErrorCode } from "./error.ts";
export { ElfFile, parseElf } from "./file.ts";
export type { ElfRelocation } from "./relocation.ts";
export type { ElfSection } from "./section.ts";
export { sectionFlagLetters, sectionTypeName } from "./section-names.ts";
export type { ElfSymbol } from "./symbol.ts";
