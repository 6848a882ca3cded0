import {
  ELF64_EHDR_SIZE,
  ELFCLASS32,
  ELFCLASS64,
  ELFDATA2LSB,
  ELFDATA2MSB,
  EV_CURRENT,
} from "./constants.ts";
import { ElfError, hex } from "./error.ts";
import { ByteReader } from "./reader.ts";

/** The ELF64 file header fields the reader uses (raw, before extended numbering). */
export interface ElfHeader {
  readonly littleEndian: boolean;
  readonly osabi: number;
  readonly abiVersion: number;
  readonly type: number;
  readonly machine: number;
  readonly version: number;
  readonly entry: number;
  readonly flags: number;
  readonly shoff: number;
  readonly shentsize: number;
  /** Raw e_shnum: 0 means "see section 0" when shoff is set. */
  readonly shnum: number;
  /** Raw e_shstrndx: SHN_XINDEX means "see section 0". */
  readonly shstrndx: number;
}

const MAGIC = [0x7f, 0x45, 0x4c, 0x46];

// Byte offsets of e_ident entries and ELF64 header fields.
const EI_CLASS = 4;
const EI_DATA = 5;
const EI_VERSION = 6;
const EI_OSABI = 7;
const EI_ABIVERSION = 8;
export const E_TYPE = 16;
export const E_MACHINE = 18;
export const E_VERSION = 20;
export const E_ENTRY = 24;
export const E_SHOFF = 40;
export const E_FLAGS = 48;
export const E_SHENTSIZE = 58;
export const E_SHNUM = 60;
export const E_SHSTRNDX = 62;

/** Checks e_ident and reads the header; returns a reader set to the file's byte order. */
export function readHeader(bytes: Uint8Array): { header: ElfHeader; reader: ByteReader } {
  checkMagic(bytes);

  // Each e_ident byte is checked only if present, so a short ELF32 file
  // still says "ELF32" rather than just "truncated".
  const cls = bytes[EI_CLASS];
  if (cls !== undefined && cls !== ELFCLASS64) {
    if (cls === ELFCLASS32) {
      throw new ElfError(
        `ELF32 objects are not supported (EI_CLASS at ${hex(EI_CLASS)} is 1, ELFCLASS32): bpfkit reads ELF64 only; BPF objects from clang -target bpf/bpfel/bpfeb are always ELF64, so check that this is the right file`,
        { offset: EI_CLASS, code: "UNSUPPORTED" },
      );
    }
    throw new ElfError(
      `unknown ELF class ${cls} at ${hex(EI_CLASS)} (expected 2, ELFCLASS64): the file is corrupt or not an object file`,
      { offset: EI_CLASS },
    );
  }
  const data = bytes[EI_DATA];
  if (data !== undefined && data !== ELFDATA2LSB && data !== ELFDATA2MSB) {
    throw new ElfError(
      `unknown ELF data encoding ${data} at ${hex(EI_DATA)} (expected 1 for little-endian or 2 for big-endian): the file is corrupt`,
      { offset: EI_DATA },
    );
  }
  const version = bytes[EI_VERSION];
  if (version !== undefined && version !== EV_CURRENT) {
    throw new ElfError(`unknown ELF version ${version} at ${hex(EI_VERSION)} (expected 1): the file is corrupt`, {
      offset: EI_VERSION,
    });
  }
  if (bytes.length < ELF64_EHDR_SIZE) {
    throw new ElfError(
      `the ELF64 header needs ${ELF64_EHDR_SIZE} bytes but the file has only ${bytes.length}: the object is truncated; rebuild it`,
      { offset: bytes.length, code: "TRUNCATED" },
    );
  }

  const r = new ByteReader(bytes, data === ELFDATA2LSB);
  const header: ElfHeader = {
    littleEndian: r.littleEndian,
    osabi: r.u8(EI_OSABI),
    abiVersion: r.u8(EI_ABIVERSION),
    type: r.u16(E_TYPE),
    machine: r.u16(E_MACHINE),
    version: r.u32(E_VERSION),
    entry: r.u64(E_ENTRY, "e_entry"),
    flags: r.u32(E_FLAGS),
    shoff: r.u64(E_SHOFF, "e_shoff"),
    shentsize: r.u16(E_SHENTSIZE),
    shnum: r.u16(E_SHNUM),
    shstrndx: r.u16(E_SHSTRNDX),
  };
  return { header, reader: r };
}

function checkMagic(bytes: Uint8Array): void {
  const head = bytes.subarray(0, 4);
  const matches = Array.from(head).every((b, i) => b === MAGIC[i]);
  if (matches && head.length === 4) return;
  if (matches && head.length > 0) {
    // A prefix of the magic: most likely an ELF file cut short, not some other format.
    throw new ElfError(
      `the file has only ${head.length} byte${head.length === 1 ? "" : "s"}, a prefix of the ELF magic 7f 45 4c 46: the object is truncated; rebuild it`,
      { offset: head.length, code: "TRUNCATED" },
    );
  }
  const found = Array.from(head, (b) => b.toString(16).padStart(2, "0")).join(" ");
  const what = head.length === 0 ? "an empty input" : head.length < 4 ? `${found} (only ${head.length} bytes)` : found;
  throw new ElfError(
    `not an ELF file (magic is 7f 45 4c 46, found ${what}): pass the bytes of a compiled object such as clang -target bpf -c x.c -o x.o`,
    { offset: 0, code: "NOT_ELF" },
  );
}
