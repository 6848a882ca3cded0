import { AttrError } from "./error.ts";
import { backend } from "./ffi/select.ts";

/**
 * Where a field lives in a bpf() attr or an info struct: its byte offset and size. Every field
 * bpfkit uses comes from src/gen/attr-layout.ts, generated from the kernel's own BTF; the size
 * type parameter lets the compiler refuse a u32 write into a u64 field.
 */
export interface AttrField<S extends number = number> {
  readonly offset: number;
  readonly size: S;
}

/** Throws the AttrError for `at` accessed as `width` bytes in a `buffer`-byte attr (kept out of the hot path). */
function misfit(at: AttrField | number, width: number, buffer: number): never {
  if (typeof at === "number") throw new AttrError("out-of-range", at, width, width, buffer);
  if (at.size !== width) throw new AttrError("field-size", at.offset, at.size, width, buffer);
  throw new AttrError("out-of-range", at.offset, at.size, width, buffer);
}

/**
 * The offset of a field, after checking it is `width` bytes: for hot paths, which keep plain
 * numbers made once at module load (`const KEY = offsetOf(MAP_ELEM.key, 8)`) rather than
 * reading descriptors on every call.
 */
export function offsetOf<S extends number>(f: AttrField<NoInfer<S>>, width: S): number {
  if (f.size !== width) throw new AttrError("field-size", f.offset, f.size, width, f.offset + f.size);
  return f.offset;
}

/** The end of a field: an attr "to the last field used" is this long. */
export function fieldEnd(f: AttrField): number {
  return f.offset + f.size;
}

/**
 * A bpf() attribute block: zeroed, little-endian host layout, sized by the caller to the last
 * field it uses (so older kernels, which reject unknown non-zero tails, accept it).
 * Buffers referenced by pointer are kept here so they stay alive for the whole call.
 * Fields are given as descriptors from src/gen/attr-layout.ts (`MAP_CREATE.max_entries`), or as
 * raw byte offsets.
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

  /** The offset of `at`, checked: a field must be `width` bytes, and either must fit the buffer. */
  #at(at: AttrField | number, width: number): number {
    const offset = typeof at === "number" ? at : at.size === width ? at.offset : -1;
    if (offset < 0 || offset + width > this.bytes.byteLength) misfit(at, width, this.bytes.byteLength);
    return offset;
  }

  /** Bytes up to the end of the last field written: the size passed to bpf(). */
  get size(): number {
    return this.#end;
  }

  #touch(end: number): void {
    if (end > this.#end) this.#end = end;
  }

  u32(at: AttrField<4> | number, value: number): this {
    const offset = this.#at(at, 4);
    this.#touch(offset + 4);
    this.#view.setUint32(offset, value >>> 0, true);
    return this;
  }

  i32(at: AttrField<4> | number, value: number): this {
    const offset = this.#at(at, 4);
    this.#touch(offset + 4);
    this.#view.setInt32(offset, value, true);
    return this;
  }

  u64(at: AttrField<8> | number, value: number | bigint): this {
    const offset = this.#at(at, 8);
    this.#touch(offset + 8);
    this.#view.setBigUint64(offset, BigInt(value), true);
    return this;
  }

  /** Writes the address of `buf` (0 for none) and keeps `buf` alive with this attr. */
  ptr(at: AttrField<8> | number, buf: Uint8Array | undefined): this {
    if (!buf || buf.byteLength === 0) return this.u64(at, 0n);
    this.#keep.push(buf);
    return this.u64(at, backend().address(buf));
  }

  /** A NUL-terminated name in a fixed char[] field, truncated to fit. */
  name(field: AttrField, value: string): this;
  /** A NUL-terminated name in the char[size] at `offset`, truncated to fit. */
  name(offset: number, size: number, value: string): this;
  name(at: AttrField | number, sizeOrValue: number | string, maybe?: string): this {
    const offset = typeof at === "number" ? at : at.offset;
    const size = typeof at === "number" ? (sizeOrValue as number) : at.size;
    const value = typeof at === "number" ? (maybe as string) : (sizeOrValue as string);
    if (offset < 0 || offset + size > this.bytes.byteLength) misfit(offset, size, this.bytes.byteLength);
    const enc = new TextEncoder().encode(value);
    this.#touch(offset + size);
    this.bytes.set(enc.subarray(0, size - 1), offset);
    return this;
  }

  getU32(at: AttrField<4> | number): number {
    return this.#view.getUint32(this.#at(at, 4), true);
  }

  getU64(at: AttrField<8> | number): bigint {
    return this.#view.getBigUint64(this.#at(at, 8), true);
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
