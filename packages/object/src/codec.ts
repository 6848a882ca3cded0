import { type Btf, IntEncoding, Kind } from "@bpfkit/btf";

/** What a BTF-typed value reads as in TypeScript: structs and unions as objects, arrays as arrays. */
export type Value = number | bigint | boolean | string | Uint8Array | readonly Value[] | { readonly [member: string]: Value };

function isRecord(v: Value): v is { readonly [member: string]: Value } {
  return typeof v === "object" && !(v instanceof Uint8Array) && !Array.isArray(v);
}

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
  const t = btf.type(r);
  if (t.kind === "ARRAY" && t.nelems > 0) {
    const size = btf.sizeOf(t.elemType);
    return Array.from({ length: t.nelems }, (_, i) => decodeValue(btf, t.elemType, bytes.subarray(i * size, (i + 1) * size)));
  }
  if (t.kind === "STRUCT" || t.kind === "UNION") {
    const out: Record<string, Value> = {};
    for (const m of t.members) {
      if (m.name === "") continue; // anonymous members: read them through their own fields' names
      if (m.bitfieldSize) {
        out[m.name] = readBits(bytes, m.bitOffset, m.bitfieldSize);
        continue;
      }
      const at = m.bitOffset / 8;
      out[m.name] = decodeValue(btf, m.type, bytes.subarray(at, at + btf.sizeOf(m.type)));
    }
    return out;
  }
  return bytes.slice();
}

/** An unsigned little-endian bitfield (BPF targets here are little-endian). */
function readBits(bytes: Uint8Array, bitOffset: number, bits: number): number | bigint {
  let v = 0n;
  for (let i = Math.floor((bitOffset + bits - 1) / 8); i >= Math.floor(bitOffset / 8); i--) v = (v << 8n) | BigInt(bytes[i] ?? 0);
  const out = (v >> BigInt(bitOffset % 8)) & ((1n << BigInt(bits)) - 1n);
  return bits > 32 ? out : Number(out);
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
  const t = btf.type(r);
  if (Array.isArray(value) && t.kind === "ARRAY") {
    if (value.length > t.nelems) throw new RangeError(`${what} has ${t.nelems} elements; got ${value.length}`);
    const size = btf.sizeOf(t.elemType);
    out.fill(0);
    value.forEach((v: Value, i: number) => {
      encodeValue(btf, t.elemType, v, out.subarray(i * size, (i + 1) * size), `${what}[${i}]`);
    });
    return;
  }
  if (isRecord(value) && (t.kind === "STRUCT" || t.kind === "UNION")) {
    out.fill(0); // members not given are zero, as in a C initialiser
    for (const [name, v] of Object.entries(value)) {
      const m = t.members.find((x) => x.name === name);
      if (!m) throw new TypeError(`${what} has no member "${name}" (has: ${t.members.map((x) => x.name).join(", ")})`);
      if (m.bitfieldSize) throw new TypeError(`${what}.${name} is a bitfield; pass the whole value as bytes`);
      const at = m.bitOffset / 8;
      encodeValue(btf, m.type, v, out.subarray(at, at + btf.sizeOf(m.type)), `${what}.${name}`);
    }
    return;
  }
  throw new TypeError(`${what}: cannot encode ${typeof value} as ${btf.type(r).kind}`);
}
