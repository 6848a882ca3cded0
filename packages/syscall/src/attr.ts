import { backend } from "./ffi/select.ts";

/**
 * A bpf() attribute block: zeroed, little-endian host layout, sized by the caller to the last
 * field it uses (so older kernels, which reject unknown non-zero tails, accept it).
 * Buffers referenced by pointer are kept here so they stay alive for the whole call.
 */
export class Attr {
  readonly bytes: Uint8Array;
  readonly #view: DataView;
  readonly #keep: Uint8Array[] = [];
  #end = 0;

  constructor(size: number) {
    // An explicit ArrayBuffer: bun:ffi pointers to small typed arrays can go stale otherwise.
    this.bytes = new Uint8Array(new ArrayBuffer(size));
    this.#view = new DataView(this.bytes.buffer);
  }

  /** Bytes up to the end of the last field written: the size passed to bpf(). */
  get size(): number {
    return this.#end;
  }

  #touch(end: number): void {
    if (end > this.#end) this.#end = end;
  }

  u32(offset: number, value: number): this {
    this.#touch(offset + 4);
    this.#view.setUint32(offset, value >>> 0, true);
    return this;
  }

  i32(offset: number, value: number): this {
    this.#touch(offset + 4);
    this.#view.setInt32(offset, value, true);
    return this;
  }

  u64(offset: number, value: number | bigint): this {
    this.#touch(offset + 8);
    this.#view.setBigUint64(offset, BigInt(value), true);
    return this;
  }

  /** Writes the address of `buf` (0 for none) and keeps `buf` alive with this attr. */
  ptr(offset: number, buf: Uint8Array | undefined): this {
    if (!buf || buf.byteLength === 0) return this.u64(offset, 0n);
    this.#keep.push(buf);
    return this.u64(offset, backend().address(buf));
  }

  /** A NUL-terminated name in a fixed char[size] field, truncated to fit. */
  name(offset: number, size: number, value: string): this {
    const enc = new TextEncoder().encode(value);
    this.#touch(offset + size);
    this.bytes.set(enc.subarray(0, size - 1), offset);
    return this;
  }

  getU32(offset: number): number {
    return this.#view.getUint32(offset, true);
  }

  getU64(offset: number): bigint {
    return this.#view.getBigUint64(offset, true);
  }
}

/** A zeroed buffer backed by its own ArrayBuffer, safe to hand to the kernel. */
export function nativeBuffer(size: number): Uint8Array {
  return new Uint8Array(new ArrayBuffer(size));
}

/** Copies `data` into a fresh native buffer. */
export function toNative(data: Uint8Array): Uint8Array {
  const out = nativeBuffer(data.byteLength);
  out.set(data);
  return out;
}

/** A NUL-terminated C string in a native buffer. */
export function cString(value: string): Uint8Array {
  const enc = new TextEncoder().encode(value);
  const out = nativeBuffer(enc.byteLength + 1);
  out.set(enc);
  return out;
}
