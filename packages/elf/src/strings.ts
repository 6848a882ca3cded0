import { ElfError, hex } from "./error.ts";

/** The section a string table lives in, as much as errors need. */
export interface StringTableSection {
  readonly index: number;
  readonly name: string;
  readonly offset: number;
  readonly data: Uint8Array;
}

/**
 * A string table (SHT_STRTAB): NUL-terminated names addressed by byte offset.
 * Decoded names are cached by offset: clang keeps section and symbol names in
 * one table, and a symbol often shares its name with a section.
 */
export class StringTable {
  readonly section: StringTableSection;
  private readonly cache = new Map<number, string>();

  constructor(section: StringTableSection) {
    this.section = section;
  }

  /**
   * The name at `offset`, for `record` #`index`. `field` is the file offset of
   * the field holding `offset` and `owner` the section it is in (default: the
   * named section itself), for the error. No strings are built unless it fails.
   */
  get(offset: number, record: "section" | "symbol", index: number, field: number, owner?: string): string {
    const cached = this.cache.get(offset);
    if (cached !== undefined) return cached;
    const data = this.section.data;
    if (offset >= data.length) {
      // Offset 0 in an empty table is the conventional empty name.
      if (offset === 0) return "";
      const problem = `points at ${hex(offset)}, outside string table ${this.describe()} of ${hex(data.length)} bytes`;
      throw this.error(problem, record, index, field, owner);
    }
    const end = data.indexOf(0, offset);
    if (end < 0) {
      const problem = `starts at ${hex(offset)} in string table ${this.describe()} but has no terminating NUL before the table ends at ${hex(data.length)}`;
      throw this.error(problem, record, index, field, owner);
    }
    const name = decodeUtf8(data, offset, end);
    this.cache.set(offset, name);
    return name;
  }

  private error(problem: string, record: string, index: number, field: number, owner: string | undefined): ElfError {
    return new ElfError(
      `name of ${record} #${index} (field at ${hex(field)}) ${problem}: the file is corrupt; rebuild it`,
      { offset: field, section: owner ?? `#${index}` },
    );
  }

  private describe(): string {
    const { name, index } = this.section;
    return name === "" ? `#${index}` : `"${name}" (#${index})`;
  }
}

/**
 * UTF-8 to string without TextDecoder (not in the ES library this package is
 * typed against). Names are almost always ASCII; malformed sequences become
 * U+FFFD one byte at a time rather than throwing.
 */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  let out = "";
  let i = start;
  while (i < end) {
    const b0 = bytes[i]!;
    if (b0 < 0x80) {
      out += String.fromCharCode(b0);
      i += 1;
      continue;
    }
    const decoded = decodeMultiByte(bytes, i, end, b0);
    if (decoded === undefined) {
      out += "\ufffd";
      i += 1;
    } else {
      out += String.fromCodePoint(decoded[0]);
      i += decoded[1];
    }
  }
  return out;
}

/** [code point, byte length] of the sequence at `i`, or undefined if malformed. */
function decodeMultiByte(bytes: Uint8Array, i: number, end: number, b0: number): [number, number] | undefined {
  let length: number;
  let cp: number;
  // Bounds on the second byte reject overlong forms, surrogates and > U+10FFFF.
  let lo = 0x80;
  let hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    length = 2;
    cp = b0 & 0x1f;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3;
    cp = b0 & 0x0f;
    if (b0 === 0xe0) lo = 0xa0;
    if (b0 === 0xed) hi = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4;
    cp = b0 & 0x07;
    if (b0 === 0xf0) lo = 0x90;
    if (b0 === 0xf4) hi = 0x8f;
  } else {
    return undefined;
  }
  if (i + length > end) return undefined;
  for (let k = 1; k < length; k++) {
    const b = bytes[i + k]!;
    if (b < (k === 1 ? lo : 0x80) || b > (k === 1 ? hi : 0xbf)) return undefined;
    cp = (cp << 6) | (b & 0x3f);
  }
  return [cp, length];
}
