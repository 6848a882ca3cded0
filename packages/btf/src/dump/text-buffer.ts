const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Text written as UTF-8 bytes into one growing buffer, turned into a string once at the end:
 * names are copied from the string table as bytes, numbers written digit by digit, so a dump
 * makes no string per name or line.
 */
export class TextBuffer {
  bytes: Uint8Array;
  /** Bytes written so far. */
  p = 0;
  #kept = new Uint8Array(256);
  #keptLen = 0;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(Math.max(1024, capacity));
  }

  /** Makes room for `n` more bytes. */
  room(n: number): void {
    if (this.p + n <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.p + n));
    grown.set(this.bytes.subarray(0, this.p));
    this.bytes = grown;
  }

  byte(c: number): void {
    this.room(1);
    this.bytes[this.p++] = c;
  }

  /** Any string; ASCII (nearly all of it) is copied a character at a time. */
  text(s: string): void {
    this.room(s.length);
    const b = this.bytes;
    let p = this.p;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) {
        this.p = p;
        this.append(encoder.encode(s.slice(i)));
        return;
      }
      b[p++] = c;
    }
    this.p = p;
  }

  append(src: Uint8Array): void {
    this.room(src.length);
    this.bytes.set(src, this.p);
    this.p += src.length;
  }

  /**
   * Copies the NUL-terminated ASCII string at `off` in `str`. Returns false, writing nothing, when
   * it holds other bytes: those the caller writes as the reader decodes them.
   */
  name(str: Uint8Array, off: number): boolean {
    const start = this.p;
    let b = this.bytes;
    let p = start;
    for (let i = off; i < str.length; i++) {
      const c = str[i]!;
      if (c === 0) break;
      if (c > 0x7f) {
        this.p = start;
        return false;
      }
      if (p === b.length) {
        this.p = p;
        this.room(1);
        b = this.bytes;
      }
      b[p++] = c;
    }
    this.p = p;
    return true;
  }

  /** A non-negative integer (exact up to 2^53). */
  uint(n: number): void {
    if (n > 0x7fffffff) {
      this.text(String(n));
      return;
    }
    let digits = 1;
    for (let x = n; x >= 10; x = (x / 10) | 0) digits++;
    this.room(digits);
    const b = this.bytes;
    let q = this.p + digits;
    this.p = q;
    do {
      const d = (n / 10) | 0;
      b[--q] = 48 + n - d * 10;
      n = d;
    } while (n > 0);
  }

  /** An integer (exact past ±2^31). */
  int(n: number): void {
    if (n < 0) {
      this.byte(45);
      n = -n;
    }
    this.uint(n);
  }

  tabs(n: number): void {
    this.room(n);
    for (let i = 0; i < n; i++) this.bytes[this.p++] = 9;
  }

  /**
   * Moves bytes `from`..`p` (the last ones written) to start at `to`, which may be before or after
   * `from`, and continues writing after them.
   */
  moveTail(from: number, to: number): void {
    const len = this.p - from;
    if (to > from) this.room(to - from);
    this.bytes.copyWithin(to, from, from + len);
    this.p = to + len;
  }

  /** Keeps a copy of bytes `from`..`to` aside, for `appendKept` (one at a time). */
  keep(from: number, to: number): void {
    const len = to - from;
    if (this.#kept.length < len) this.#kept = new Uint8Array(Math.max(len, 2 * this.#kept.length));
    const b = this.bytes;
    const k = this.#kept;
    for (let i = 0; i < len; i++) k[i] = b[from + i]!;
    this.#keptLen = len;
  }

  appendKept(): void {
    const len = this.#keptLen;
    this.room(len);
    const b = this.bytes;
    const k = this.#kept;
    let p = this.p;
    for (let i = 0; i < len; i++) b[p++] = k[i]!;
    this.p = p;
  }

  /** The text (a BOM it starts with would be dropped: start it with something else). */
  toString(): string {
    return decoder.decode(this.bytes.subarray(0, this.p));
  }
}
