import type { StringTable } from "./strings.ts";

const encoder = new TextEncoder();

/**
 * Name → type ids without decoding names: each type's name bytes are hashed (FNV-1a) into an
 * open chain table of typed arrays; a lookup hashes the query and compares bytes.
 */
export class NameIndex {
  readonly #strings: StringTable;
  readonly #nameOffs: Uint32Array;
  readonly #kinds: Uint8Array;
  readonly #firstId: number;
  readonly #heads: Int32Array;
  readonly #next: Int32Array;
  readonly #mask: number;

  constructor(strings: StringTable, nameOffs: Uint32Array, kinds: Uint8Array, firstId: number) {
    this.#strings = strings;
    this.#nameOffs = nameOffs;
    this.#kinds = kinds;
    this.#firstId = firstId;
    let named = 0;
    for (let i = 0; i < nameOffs.length; i++) if (nameOffs[i] !== 0) named++;
    // About two slots per named type keeps chains short; anonymous types are never inserted.
    let size = 16;
    while (size < named * 2) size *= 2;
    this.#mask = size - 1;
    // Chains hold index + 1, so the zeroed arrays start out empty: no fill pass over them.
    this.#heads = new Int32Array(size);
    this.#next = new Int32Array(nameOffs.length);
    // Insert from the last type to the first, so each chain lists ids in ascending order.
    const own = strings.bytes;
    const start = strings.start;
    const heads = this.#heads;
    const next = this.#next;
    const mask = this.#mask;
    for (let i = nameOffs.length - 1; i >= 0; i--) {
      const off = nameOffs[i]!;
      if (off === 0) continue; // anonymous
      let bytes = own;
      let p = off - start;
      if (p < 0 || p >= own.byteLength) {
        // Split BTF may name its types with base strings; an offset nowhere is simply unfindable.
        const at = strings.locate(off);
        if (!at) continue;
        bytes = at.bytes;
        p = at.rel;
      }
      let h = 0x811c9dc5;
      for (let c = bytes[p]; c !== undefined && c !== 0; c = bytes[++p]) h = Math.imul(h ^ c, 0x01000193);
      const slot = h & mask;
      next[i] = heads[slot]!;
      heads[slot] = i + 1;
    }
  }

  #walk(name: string, kind: number | undefined, all: boolean): number[] {
    const q = encoder.encode(name);
    let h = 0x811c9dc5;
    for (let p = 0; p < q.byteLength; p++) h = Math.imul(h ^ q[p]!, 0x01000193);
    const out: number[] = [];
    for (let i = this.#heads[h & this.#mask]! - 1; i >= 0; i = this.#next[i]! - 1) {
      if (kind !== undefined && this.#kinds[i] !== kind) continue;
      if (!this.#strings.equals(this.#nameOffs[i]!, q)) continue;
      out.push(this.#firstId + i);
      if (!all) break;
    }
    return out;
  }

  first(name: string, kind?: number): number | undefined {
    return this.#walk(name, kind, false)[0];
  }

  all(name: string, kind?: number): number[] {
    return this.#walk(name, kind, true);
  }
}
