import { BtfError } from "./error.ts";

/**
 * A BTF string table, decoded lazily: a name becomes a JS string only when asked for, and is
 * then cached by offset. Split BTF continues its base's offsets.
 */
export class StringTable {
  readonly #bytes: Uint8Array;
  readonly #base: StringTable | undefined;
  /** First offset owned by this table (the base's length for split BTF). */
  readonly start: number;
  readonly #cache = new Map<number, string>();

  constructor(bytes: Uint8Array, base?: StringTable) {
    this.#bytes = bytes;
    this.#base = base;
    this.start = base ? base.end : 0;
  }

  /** One past the last offset this table (and its base) covers. */
  get end(): number {
    return this.start + this.#bytes.byteLength;
  }

  get bytes(): Uint8Array {
    return this.#bytes;
  }

  /** The base's table, for split BTF. */
  get base(): StringTable | undefined {
    return this.#base;
  }

  get(offset: number, typeId?: number): string {
    if (offset < this.start) {
      if (this.#base) return this.#base.get(offset, typeId);
    }
    const cached = this.#cache.get(offset);
    if (cached !== undefined) return cached;
    const rel = offset - this.start;
    if (rel < 0 || rel >= this.#bytes.byteLength) {
      throw new BtfError(`string offset ${offset} is outside the string table (${this.start}..${this.end})`, { typeId, code: "malformed" });
    }
    const b = this.#bytes;
    let end = rel;
    let ascii = true;
    while (end < b.byteLength && b[end] !== 0) {
      if (b[end]! > 0x7f) ascii = false;
      end++;
    }
    if (end === b.byteLength) throw new BtfError(`string at offset ${offset} is not NUL-terminated`, { typeId, code: "malformed" });
    // Nearly all BTF names are short ASCII identifiers: fromCharCode beats TextDecoder there.
    const s = ascii && end - rel < 256 ? String.fromCharCode.apply(null, b.subarray(rel, end) as unknown as number[]) : new TextDecoder().decode(b.subarray(rel, end));
    this.#cache.set(offset, s);
    return s;
  }

  /** The table holding `offset` and the offset relative to it; undefined when out of range. */
  locate(offset: number): { bytes: Uint8Array; rel: number } | undefined {
    if (offset < this.start) return this.#base?.locate(offset);
    const rel = offset - this.start;
    return rel < this.#bytes.byteLength ? { bytes: this.#bytes, rel } : undefined;
  }

  /** Does the string at `offset` equal `name`? Compares bytes, without decoding. */
  equals(offset: number, name: Uint8Array): boolean {
    if (offset < this.start) return this.#base ? this.#base.equals(offset, name) : false;
    const rel = offset - this.start;
    const b = this.#bytes;
    if (rel + name.byteLength >= b.byteLength) return false;
    for (let i = 0; i < name.byteLength; i++) if (b[rel + i] !== name[i]) return false;
    return b[rel + name.byteLength] === 0;
  }
}
