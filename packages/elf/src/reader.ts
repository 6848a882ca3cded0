import { ElfError, hex, hex64 } from "./error.ts";

/**
 * Endian-aware reads at absolute file offsets. Callers check that the bytes
 * are inside the file before reading; this class only refuses 64-bit values
 * a JS number cannot hold exactly.
 */
export class ByteReader {
  readonly bytes: Uint8Array;
  readonly littleEndian: boolean;
  private readonly view: DataView;

  constructor(bytes: Uint8Array, littleEndian: boolean) {
    this.bytes = bytes;
    this.littleEndian = littleEndian;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  u8(at: number): number {
    return this.view.getUint8(at);
  }

  u16(at: number): number {
    return this.view.getUint16(at, this.littleEndian);
  }

  u32(at: number): number {
    return this.view.getUint32(at, this.littleEndian);
  }

  /**
   * Unsigned 64-bit. `field`, `record` and `index` name the field for the
   * error message ("symbol #3 st_value"); they are plain values so that the
   * success path builds no strings.
   */
  u64(at: number, field: string, record?: RecordKind, index?: number, section?: string): number {
    const hi = this.high(at);
    const lo = this.low(at);
    // Anything at or above 2^53 would silently lose bits as a number.
    if (hi > 0x1fffff) throw tooLarge(at, hex64(hi, lo), field, record, index, section);
    return hi * 0x1_0000_0000 + lo;
  }

  /** Signed 64-bit (RELA addends); arguments as for u64. */
  i64(at: number, field: string, record?: RecordKind, index?: number, section?: string): number {
    const hi = this.high(at);
    const lo = this.low(at);
    const value = (hi | 0) * 0x1_0000_0000 + lo;
    if (!Number.isSafeInteger(value)) throw tooLarge(at, hex64(hi, lo), field, record, index, section);
    return value;
  }

  /** High 32 bits of the 64-bit value at `at`. */
  private high(at: number): number {
    return this.view.getUint32(this.littleEndian ? at + 4 : at, this.littleEndian);
  }

  private low(at: number): number {
    return this.view.getUint32(this.littleEndian ? at : at + 4, this.littleEndian);
  }
}

/** The kind of record a field belongs to, for messages. */
export type RecordKind = "section" | "symbol" | "relocation";

function tooLarge(
  at: number,
  value: string,
  field: string,
  record: RecordKind | undefined,
  index: number | undefined,
  section: string | undefined,
): ElfError {
  const what = record === undefined ? field : `${record} #${index} ${field}`;
  // A section header's own fields are reported against that section.
  const label = section ?? (record === "section" ? `#${index}` : undefined);
  return new ElfError(
    `${what} at ${hex(at)} is ${value}, beyond the 2^53 - 1 a JavaScript number holds exactly: the file is corrupt; rebuild it`,
    label === undefined ? { offset: at } : { offset: at, section: label },
  );
}

/** True when [offset, offset + size) lies inside a buffer of `total` bytes (no overflow). */
export function fits(offset: number, size: number, total: number): boolean {
  return offset <= total && size <= total - offset;
}
