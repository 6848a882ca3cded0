import { type Btf, IntEncoding, Kind } from "@bpfkit/btf";

/** What a BTF-typed value reads as in TypeScript. */
export type Value = number | bigint | boolean | string | Uint8Array;

function isCharArray(btf: Btf, id: number): boolean {
  const t = btf.type(btf.resolve(id));
  if (t.kind !== "ARRAY") return false;
  const e = btf.type(btf.resolve(t.elemType));
  return e.kind === "INT" && e.size === 1 && ((e.encoding & IntEncoding.CHAR) !== 0 || e.name === "char");
}

/**
 * Decodes `bytes` as BTF type `id`: integers and enums as number (bigint for 8 bytes), bool as
 * boolean, char arrays as string (up to the first NUL), pointers as bigint, anything else as bytes.
 */
export function decodeValue(btf: Btf, id: number, bytes: Uint8Array): Value {
  const r = btf.resolve(id);
  const k = btf.kind(r);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (k === Kind.INT || k === Kind.ENUM || k === Kind.ENUM64) {
    const t = btf.type(r) as { size: number; encoding?: number; signed?: boolean };
    const signed = t.encoding !== undefined ? (t.encoding & IntEncoding.SIGNED) !== 0 : !!t.signed;
    if (t.encoding !== undefined && (t.encoding & IntEncoding.BOOL) !== 0) return bytes[0] !== 0;
    switch (t.size) {
      case 1:
        return signed ? v.getInt8(0) : v.getUint8(0);
      case 2:
        return signed ? v.getInt16(0, true) : v.getUint16(0, true);
      case 4:
        return signed ? v.getInt32(0, true) : v.getUint32(0, true);
      case 8:
        return signed ? v.getBigInt64(0, true) : v.getBigUint64(0, true);
    }
  }
  if (k === Kind.PTR) return v.getBigUint64(0, true);
  if (isCharArray(btf, r)) {
    const end = bytes.indexOf(0);
    return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
  }
  return bytes.slice();
}

/** Encodes `value` as BTF type `id` into `out` (exactly the type's size). Throws TypeError on a mismatch. */
export function encodeValue(btf: Btf, id: number, value: Value, out: Uint8Array, what: string): void {
  const r = btf.resolve(id);
  const k = btf.kind(r);
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  if (k === Kind.INT || k === Kind.ENUM || k === Kind.ENUM64 || k === Kind.PTR) {
    const size = out.byteLength;
    if (typeof value === "boolean") value = value ? 1 : 0;
    if (typeof value !== "number" && typeof value !== "bigint") {
      throw new TypeError(`${what} is a ${size}-byte integer; got ${typeof value}`);
    }
    const big = BigInt(value);
    const min = -(1n << BigInt(size * 8 - 1));
    const max = (1n << BigInt(size * 8)) - 1n;
    if (big < min || big > max) throw new RangeError(`${what}: ${value} does not fit in ${size} bytes`);
    const u = BigInt.asUintN(size * 8, big);
    for (let i = 0; i < size; i++) v.setUint8(i, Number((u >> BigInt(8 * i)) & 0xffn));
    return;
  }
  if (typeof value === "string") {
    if (!isCharArray(btf, r)) throw new TypeError(`${what} is not a char array; cannot set a string`);
    const enc = new TextEncoder().encode(value);
    if (enc.byteLength >= out.byteLength) {
      throw new RangeError(`${what}: "${value}" is ${enc.byteLength} bytes; at most ${out.byteLength - 1} fit (with the NUL)`);
    }
    out.fill(0);
    out.set(enc);
    return;
  }
  if (value instanceof Uint8Array) {
    if (value.byteLength !== out.byteLength) throw new RangeError(`${what} is ${out.byteLength} bytes; got ${value.byteLength}`);
    out.set(value);
    return;
  }
  throw new TypeError(`${what}: cannot encode ${typeof value} as ${btf.type(r).kind}`);
}
