/**
 * What kind of problem an {@link ElfError} reports, so callers can branch
 * without parsing messages.
 * - `NOT_ELF`: the bytes do not start with the ELF magic.
 * - `UNSUPPORTED`: a valid ELF this reader does not handle (ELF32).
 * - `TRUNCATED`: something the file describes lies past its end.
 * - `MALFORMED`: fields are inconsistent or out of range.
 */
export type ElfErrorCode = "NOT_ELF" | "UNSUPPORTED" | "TRUNCATED" | "MALFORMED";

/** The only error parseElf and the ElfFile accessors throw. */
export class ElfError extends Error {
  override readonly name: string = "ElfError";
  readonly code: ElfErrorCode;
  // `declare` so an unknown offset/section is absent, not an own `undefined`
  // property that would show up in logs and in deep equality.
  /** Byte offset in the file of the field or data at fault. */
  declare readonly offset?: number;
  /** Section name, or "#<index>" when the name is not known. */
  declare readonly section?: string;

  constructor(message: string, where?: { offset?: number; section?: string; code?: ElfErrorCode }) {
    super(message);
    this.code = where?.code ?? "MALFORMED";
    if (where?.offset !== undefined) this.offset = where.offset;
    if (where?.section !== undefined) this.section = where.section;
  }
}

/** `0x1a0`-style hex for messages. */
export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** Hex for a 64-bit value held as two 32-bit halves (it may not fit a number). */
export function hex64(hi: number, lo: number): string {
  return hi === 0 ? hex(lo) : `0x${hi.toString(16)}${lo.toString(16).padStart(8, "0")}`;
}
