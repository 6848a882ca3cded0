/**
 * How many times each name has been declared so far in one C namespace, for `name___N`
 * renaming. Names are hashed straight from the string table's bytes into typed arrays: no string
 * per name. A name with non-ASCII bytes is decoded and counted by its text instead, because
 * decoding is what makes names equal (invalid UTF-8 becomes U+FFFD, so different bytes can
 * spell the same name); such a name never equals an ASCII one.
 */
export class NameCounts {
  readonly #str: Uint8Array;
  readonly #decode: (off: number) => string;
  /** Open addressing: a slot's string offset + 1 (0: empty), the name's hash, its count. */
  #keys: Int32Array;
  #hashes: Int32Array;
  #counts: Int32Array;
  #size = 0;
  readonly #decoded = new Map<string, number>();

  /**
   * `str`: the string bytes, at their offsets; `decode`: the reader's decoding of one;
   * `expected`: about how many names will come (growing the table costs more than sizing it).
   */
  constructor(str: Uint8Array, decode: (off: number) => string, expected: number) {
    this.#str = str;
    this.#decode = decode;
    let slots = 1024;
    while (slots < 2 * expected) slots *= 2;
    this.#keys = new Int32Array(slots);
    this.#hashes = new Int32Array(slots);
    this.#counts = new Int32Array(slots);
  }

  /** Counts one more declaration of the (NUL-terminated) name at `off`; returns its count, this one included. */
  add(off: number): number {
    const s = this.#str;
    let h = 0x811c9dc5 | 0;
    let end = off;
    for (; end < s.length; end++) {
      const c = s[end]!;
      if (c === 0) break;
      if (c > 0x7f) return this.#addDecoded(off);
      h = Math.imul(h ^ c, 0x01000193);
    }
    const mask = this.#keys.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const key = this.#keys[i]!;
      if (key === 0) {
        this.#keys[i] = off + 1;
        this.#hashes[i] = h;
        this.#counts[i] = 1;
        if (++this.#size * 2 > this.#keys.length) this.#grow();
        return 1;
      }
      if (this.#hashes[i] === h && sameName(s, key - 1, off, end - off)) return ++this.#counts[i]!;
    }
  }

  #addDecoded(off: number): number {
    const name = this.#decode(off);
    const n = (this.#decoded.get(name) ?? 0) + 1;
    this.#decoded.set(name, n);
    return n;
  }

  #grow(): void {
    const keys = this.#keys;
    const hashes = this.#hashes;
    const counts = this.#counts;
    const size = keys.length * 2;
    this.#keys = new Int32Array(size);
    this.#hashes = new Int32Array(size);
    this.#counts = new Int32Array(size);
    const mask = size - 1;
    for (let j = 0; j < keys.length; j++) {
      if (keys[j] === 0) continue;
      let i = hashes[j]! & mask;
      while (this.#keys[i] !== 0) i = (i + 1) & mask;
      this.#keys[i] = keys[j]!;
      this.#hashes[i] = hashes[j]!;
      this.#counts[i] = counts[j]!;
    }
  }
}

/** Whether the name at `a` is the `len` bytes at `b` (kernel BTF stores each name once: usually `a === b`). */
function sameName(s: Uint8Array, a: number, b: number, len: number): boolean {
  if (a === b) return true;
  for (let i = 0; i < len; i++) if (s[a + i] !== s[b + i]) return false;
  return s[a + len] === 0;
}
