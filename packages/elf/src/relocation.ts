import { ELF64_REL_SIZE, ELF64_RELA_SIZE, ET_REL, SHT_DYNSYM, SHT_RELA, SHT_SYMTAB } from "./constants.ts";
import { ElfError, hex } from "./error.ts";
import type { ByteReader } from "./reader.ts";
import { describeSection, type ElfSection, SH_ENTSIZE, SH_LINK, SH_SIZE, sectionLabel } from "./section.ts";
import { symbolCount } from "./symbol.ts";

export interface ElfRelocation {
  /** r_offset: byte offset in the target section (address in non-ET_REL files). */
  readonly offset: number;
  /** Index into the symbol table the relocation section links to (.symtab in objects). */
  readonly symbol: number;
  /** Machine-specific type (R_BPF_* for EM_BPF). */
  readonly type: number;
  /** r_addend for RELA; 0 for REL, whose addend is stored in the target bytes. */
  readonly addend: number;
}

// Byte offsets of fields inside one ELF64 REL/RELA entry.
const R_OFFSET = 0;
const R_INFO = 8;
const R_ADDEND = 16;

/**
 * Decodes one REL or RELA section. Checks its entry size, its symbol table
 * link, every symbol index, and (in relocatable objects, where r_offset is
 * section-relative) that every offset falls inside the target section.
 */
export function readRelocations(
  r: ByteReader,
  rel: ElfSection,
  sections: readonly ElfSection[],
  fileType: number,
): ElfRelocation[] {
  const rela = rel.type === SHT_RELA;
  const entsize = rela ? ELF64_RELA_SIZE : ELF64_REL_SIZE;
  const label = sectionLabel(rel);
  if (rel.entsize !== entsize) {
    throw new ElfError(
      `${describeSection(rel)} has sh_entsize ${rel.entsize}, but ELF64 ${rela ? "RELA" : "REL"} entries are ${entsize} bytes: the file is corrupt; rebuild it`,
      { offset: rel.headerOffset + SH_ENTSIZE, section: label },
    );
  }
  if (rel.data.length % entsize !== 0) {
    throw new ElfError(
      `${describeSection(rel)} size ${hex(rel.data.length)} is not a multiple of its ${entsize}-byte entries: the file is corrupt; rebuild it`,
      { offset: rel.headerOffset + SH_SIZE, section: label },
    );
  }
  const symtab = sections[rel.link];
  if (symtab === undefined || (symtab.type !== SHT_SYMTAB && symtab.type !== SHT_DYNSYM)) {
    const what = symtab === undefined ? `there are only ${sections.length} sections` : `${describeSection(symtab)} has type ${symtab.type}`;
    throw new ElfError(
      `${describeSection(rel)} sh_link is ${rel.link}, which should name its symbol table, but ${what}: the file is corrupt; rebuild it`,
      { offset: rel.headerOffset + SH_LINK, section: label },
    );
  }
  const symbols = symbolCount(symtab);
  // Only ET_REL offsets are section-relative; elsewhere they are addresses.
  const target = fileType === ET_REL ? sections[rel.info] : undefined;

  const out: ElfRelocation[] = [];
  const count = rel.data.length / entsize;
  for (let i = 0; i < count; i++) {
    // rel.data is inside the file (checked when sections were read).
    const at = rel.offset + i * entsize;
    const offset = r.u64(at + R_OFFSET, "r_offset", "relocation", i, label);
    // r_info: symbol index in the high 32 bits, type in the low 32.
    const infoHi = r.u32(at + R_INFO + (r.littleEndian ? 4 : 0));
    const infoLo = r.u32(at + R_INFO + (r.littleEndian ? 0 : 4));
    if (infoHi >= symbols) {
      throw new ElfError(
        `relocation #${i} of ${describeSection(rel)} (entry at ${hex(at)}) uses symbol ${infoHi}, but ${describeSection(symtab)} has ${symbols} entries: the file is corrupt; rebuild it`,
        { offset: at + R_INFO, section: label },
      );
    }
    if (target !== undefined && offset >= target.size) {
      throw new ElfError(
        `relocation #${i} of ${describeSection(rel)} (entry at ${hex(at)}) has r_offset ${hex(offset)}, outside its target ${describeSection(target)} of ${hex(target.size)} bytes: the file is corrupt; rebuild it`,
        { offset: at + R_OFFSET, section: label },
      );
    }
    out.push({
      offset,
      symbol: infoHi,
      type: infoLo,
      addend: rela ? r.i64(at + R_ADDEND, "r_addend", "relocation", i, label) : 0,
    });
  }
  return out;
}
