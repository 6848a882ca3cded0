import type { Btf } from "./btf.ts";
import { decodeType } from "./decode.ts";
import { BtfError } from "./error.ts";
import { BTF_MAGIC } from "./header.ts";
import { FuncLinkage, Kind, VarLinkage, extraSize, kindName } from "./kind.ts";
import type { BtfType, BtfVarSecinfo } from "./types.ts";
import { hostLittleEndian } from "./endian.ts";

export interface MemberSpec {
  readonly name?: string;
  readonly type: number;
  /** Offset from the start of the struct, in bits. */
  readonly bitOffset: number;
  /** Bitfield width; 0 or absent for a regular member. */
  readonly bitfieldSize?: number;
}

/**
 * A type to add, in the shape `Btf.type()` decodes to (so a decoded type can be added as is).
 * Optional fields take the value a compiler would write: INT bits = size × 8, ENUM size 4 and
 * signed when a value is negative, FUNC/VAR linkage global, DECL_TAG on the type itself (-1).
 */
export type BtfTypeSpec =
  | { readonly kind: "INT"; readonly name: string; readonly size: number; readonly encoding?: number; readonly bitOffset?: number; readonly bits?: number }
  | { readonly kind: "PTR" | "VOLATILE" | "CONST" | "RESTRICT"; readonly type: number; readonly name?: string }
  | { readonly kind: "TYPEDEF" | "TYPE_TAG"; readonly name: string; readonly type: number }
  | { readonly kind: "ARRAY"; readonly elemType: number; readonly indexType: number; readonly nelems: number; readonly name?: string }
  | {
      readonly kind: "STRUCT" | "UNION";
      readonly name?: string;
      readonly size: number;
      readonly members: readonly MemberSpec[];
      /** Bitfield-style member offsets; default: when any member is a bitfield. */
      readonly kindFlag?: boolean;
    }
  | { readonly kind: "ENUM"; readonly name?: string; readonly size?: number; readonly signed?: boolean; readonly values: readonly { readonly name: string; readonly value: number }[] }
  | { readonly kind: "ENUM64"; readonly name?: string; readonly size?: number; readonly signed?: boolean; readonly values: readonly { readonly name: string; readonly value: bigint }[] }
  | { readonly kind: "FWD"; readonly name: string; readonly union?: boolean }
  | { readonly kind: "FUNC"; readonly name: string; readonly type: number; readonly linkage?: number }
  | { readonly kind: "FUNC_PROTO"; readonly returnType: number; readonly params: readonly { readonly name?: string; readonly type: number }[]; readonly name?: string }
  | { readonly kind: "VAR"; readonly name: string; readonly type: number; readonly linkage?: number }
  | { readonly kind: "DATASEC"; readonly name: string; readonly size: number; readonly vars: readonly BtfVarSecinfo[] }
  | { readonly kind: "FLOAT"; readonly name: string; readonly size: number }
  | { readonly kind: "DECL_TAG"; readonly name: string; readonly type: number; readonly componentIdx?: number };

export interface BuilderOptions {
  /** Byte order of the output; default little-endian (what BPF on x86/arm64 uses). */
  readonly littleEndian?: boolean;
  /** Build split BTF over this base: ids and string offsets continue the base's. */
  readonly base?: Btf;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Builds BTF: from scratch (`add` each type), or from parsed BTF (`BtfBuilder.from`) to edit
 * and re-serialise. Records are kept as 32-bit words in one growing array, so copying the
 * kernel's ~130k types allocates no object per type; `build()` writes them out in id order.
 * Unedited input written in the canonical layout (24-byte header, types, then strings) comes
 * back byte for byte.
 */
export class BtfBuilder {
  readonly base: Btf | undefined;
  readonly littleEndian: boolean;
  /** Id of the first type this builder owns: 1, or one past the base's last. */
  readonly firstId: number;
  /** Header flags byte, copied from parsed input. */
  flags = 0;
  #words = new Uint32Array(256);
  #used = 0;
  /** Word index of each local type's record, by id - firstId. */
  #at = new Uint32Array(64);
  #count = 0;
  /** A record was replaced by a longer or shorter one and now lives out of id order. */
  #moved = false;
  #str: Uint8Array;
  #strLen: number;
  #strIndex: Map<string, number> | undefined;

  constructor(options: BuilderOptions = {}) {
    this.base = options.base;
    this.littleEndian = options.littleEndian ?? options.base?.littleEndian ?? true;
    this.firstId = options.base ? options.base.lastId + 1 : 1;
    // Split BTF's own string table may be empty (offset 0 is the base's ""); base BTF's starts with "".
    this.#str = new Uint8Array(256);
    this.#strLen = options.base ? 0 : 1;
  }

  /** A builder holding `btf`'s own types and strings exactly as they are. */
  static from(btf: Btf): BtfBuilder {
    const b = new BtfBuilder({ littleEndian: btf.littleEndian, ...(btf.base ? { base: btf.base } : {}) });
    const h = btf.header;
    b.flags = h.flags;
    const n = btf.count;
    const words = h.typeLen >>> 2;
    b.#words = new Uint32Array(Math.max(words, 16));
    if (btf.littleEndian === hostLittleEndian) {
      b.#words.set(new Uint32Array(btf.bytes.slice(h.typeStart, h.typeStart + h.typeLen).buffer));
    } else {
      const v = new DataView(btf.bytes.buffer, btf.bytes.byteOffset + h.typeStart, h.typeLen);
      for (let i = 0; i < words; i++) b.#words[i] = v.getUint32(i * 4, btf.littleEndian);
    }
    b.#used = words;
    b.#at = new Uint32Array(Math.max(n, 16));
    for (let i = 0; i < n; i++) b.#at[i] = (btf.typeOffset(btf.firstId + i) - h.typeStart) >>> 2;
    b.#count = n;
    b.#str = btf.strings.bytes.slice();
    b.#strLen = b.#str.byteLength;
    return b;
  }

  /** Number of types this builder owns. */
  get count(): number {
    return this.#count;
  }

  /** Highest type id so far (base types included). */
  get lastId(): number {
    return this.firstId + this.#count - 1;
  }

  /** Offset of `s` in the string table, adding it if absent ("" is always 0). */
  addString(s: string): number {
    if (s === "") return 0;
    const index = this.#strings();
    const known = index.get(s);
    if (known !== undefined) return known;
    const enc = encoder.encode(s);
    if (enc.includes(0)) throw new BtfError(`a BTF string cannot contain NUL: ${JSON.stringify(s)}`, { code: "bad-argument" });
    this.#str = grow8(this.#str, this.#strLen + enc.byteLength + 1);
    const rel = this.#strLen;
    this.#str.set(enc, rel);
    this.#str[rel + enc.byteLength] = 0;
    this.#strLen += enc.byteLength + 1;
    const off = this.#strStart() + rel;
    index.set(s, off);
    return off;
  }

  /** The string at `offset` (base strings included). */
  string(offset: number): string {
    const start = this.#strStart();
    if (offset < start) {
      if (this.base) return this.base.strings.get(offset);
      throw new BtfError(`string offset ${offset} is outside the string table`, { code: "bad-argument" });
    }
    const rel = offset - start;
    if (rel >= this.#strLen) throw new BtfError(`string offset ${offset} is outside the string table (${start}..${start + this.#strLen})`, { code: "bad-argument" });
    const end = this.#str.indexOf(0, rel);
    if (end < 0 || end >= this.#strLen) throw new BtfError(`string at offset ${offset} is not NUL-terminated`, { code: "bad-argument" });
    return decoder.decode(this.#str.subarray(rel, end));
  }

  #strStart(): number {
    return this.base ? this.base.strings.end : 0;
  }

  /** String → offset for the local table, built on first use (first occurrence wins). */
  #strings(): Map<string, number> {
    if (!this.#strIndex) {
      const index = new Map<string, number>();
      const start = this.#strStart();
      const b = this.#str;
      for (let p = 0; p < this.#strLen; ) {
        let end = b.indexOf(0, p);
        if (end < 0 || end > this.#strLen) end = this.#strLen;
        if (end > p) {
          const s = decoder.decode(b.subarray(p, end));
          if (!index.has(s)) index.set(s, start + p);
        }
        p = end + 1;
      }
      this.#strIndex = index;
    }
    return this.#strIndex;
  }

  /** Appends a type; returns its id. References to ids not yet added are allowed. */
  add(spec: BtfTypeSpec): number {
    const rec = this.#encode(spec, this.lastId + 1);
    const at = this.#append(rec);
    if (this.#count === this.#at.length) this.#at = grow32(this.#at, this.#count + 1);
    this.#at[this.#count++] = at;
    return this.lastId;
  }

  /** Replaces type `id` (one of this builder's own) with `spec`, of any kind. */
  replace(id: number, spec: BtfTypeSpec): void {
    const i = this.#index(id);
    const rec = this.#encode(spec, id);
    const at = this.#at[i]!;
    if (rec.length === this.#recordWords(at, id)) {
      this.#words.set(rec, at);
    } else {
      this.#at[i] = this.#append(rec);
      this.#moved = true;
    }
  }

  /** Decodes type `id` (base types are read from the base). */
  type(id: number): BtfType {
    if (id === 0) return { id: 0, kind: "VOID", name: "void" };
    if (id < this.firstId && this.base) return this.base.type(id);
    const at = this.#at[this.#index(id)]!;
    const w = this.#words;
    return decodeType(id, (k) => w[at + k]!, (o) => this.string(o));
  }

  /** Kind number of type `id` (0 for void). */
  kind(id: number): number {
    if (id === 0) return Kind.UNKN;
    if (id < this.firstId && this.base) return this.base.kind(id);
    return (this.#words[this.#at[this.#index(id)]! + 1]! >>> 24) & 0x1f;
  }

  #index(id: number): number {
    const i = id - this.firstId;
    if (!Number.isInteger(id) || i < 0 || i >= this.#count) {
      throw new BtfError(`type id ${id} is not one of this builder's types (${this.firstId}..${this.lastId})`, { typeId: id, code: "bad-type-id" });
    }
    return i;
  }

  #recordWords(at: number, id: number): number {
    const info = this.#words[at + 1]!;
    const extra = extraSize((info >>> 24) & 0x1f, info & 0xffff);
    if (extra === undefined) throw new BtfError(`type has unknown kind ${(info >>> 24) & 0x1f}`, { typeId: id, code: "unsupported" });
    return 3 + extra / 4;
  }

  #append(rec: Uint32Array): number {
    this.#words = grow32(this.#words, this.#used + rec.length);
    this.#words.set(rec, this.#used);
    const at = this.#used;
    this.#used += rec.length;
    return at;
  }

  #encode(spec: BtfTypeSpec, id: number): Uint32Array {
    const name = (s: string | undefined) => this.addString(s ?? "");
    const info = (kind: number, vlen: number, kflag: boolean) => {
      if (vlen > 0xffff) throw new BtfError(`${kindName(kind)} with ${vlen} entries: BTF allows at most 65535`, { typeId: id, code: "out-of-range" });
      return ((kflag ? 0x80000000 : 0) | (kind << 24) | vlen) >>> 0;
    };
    const u32 = (v: number, what: string) => {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new BtfError(`${what} ${v} does not fit in 32 bits`, { typeId: id, code: "out-of-range" });
      return v;
    };
    switch (spec.kind) {
      case "INT": {
        const bits = spec.bits ?? spec.size * 8;
        const bitOffset = spec.bitOffset ?? 0;
        const encoding = spec.encoding ?? 0;
        if (bits > 255 || bitOffset > 255 || encoding > 15) throw new BtfError(`INT encoding ${encoding}, offset ${bitOffset} or ${bits} bits is out of range`, { typeId: id, code: "out-of-range" });
        return Uint32Array.of(name(spec.name), info(Kind.INT, 0, false), u32(spec.size, "INT size"), (encoding << 24) | (bitOffset << 16) | bits);
      }
      case "PTR":
      case "VOLATILE":
      case "CONST":
      case "RESTRICT":
      case "TYPEDEF":
      case "TYPE_TAG":
        return Uint32Array.of(name(spec.name), info(Kind[spec.kind], 0, false), u32(spec.type, "type id"));
      case "ARRAY":
        return Uint32Array.of(name(spec.name), info(Kind.ARRAY, 0, false), 0, u32(spec.elemType, "type id"), u32(spec.indexType, "type id"), u32(spec.nelems, "element count"));
      case "STRUCT":
      case "UNION": {
        const kflag = spec.kindFlag ?? spec.members.some((m) => (m.bitfieldSize ?? 0) > 0);
        const rec = new Uint32Array(3 + 3 * spec.members.length);
        rec[0] = name(spec.name);
        rec[1] = info(Kind[spec.kind], spec.members.length, kflag);
        rec[2] = u32(spec.size, "size");
        spec.members.forEach((m, i) => {
          const bf = m.bitfieldSize ?? 0;
          if (!kflag && bf) throw new BtfError(`member ${m.name ?? i} is a bitfield but kindFlag is off`, { typeId: id, code: "bad-argument" });
          if (kflag && (m.bitOffset > 0xffffff || bf > 0xff)) throw new BtfError(`member ${m.name ?? i}: bitfield offset or size out of range`, { typeId: id, code: "out-of-range" });
          rec[3 + i * 3] = name(m.name);
          rec[4 + i * 3] = u32(m.type, "type id");
          rec[5 + i * 3] = kflag ? ((bf << 24) | m.bitOffset) >>> 0 : u32(m.bitOffset, "member offset");
        });
        return rec;
      }
      case "ENUM": {
        const signed = spec.signed ?? spec.values.some((v) => v.value < 0);
        const rec = new Uint32Array(3 + 2 * spec.values.length);
        rec[0] = name(spec.name);
        rec[1] = info(Kind.ENUM, spec.values.length, signed);
        rec[2] = u32(spec.size ?? 4, "size");
        spec.values.forEach((v, i) => {
          if (!Number.isInteger(v.value) || v.value < -0x80000000 || v.value > 0xffffffff) throw new BtfError(`enumerator ${v.name} = ${v.value} does not fit in 32 bits (use ENUM64)`, { typeId: id, code: "out-of-range" });
          rec[3 + i * 2] = name(v.name);
          rec[4 + i * 2] = v.value >>> 0;
        });
        return rec;
      }
      case "ENUM64": {
        const signed = spec.signed ?? spec.values.some((v) => v.value < 0n);
        const rec = new Uint32Array(3 + 3 * spec.values.length);
        rec[0] = name(spec.name);
        rec[1] = info(Kind.ENUM64, spec.values.length, signed);
        rec[2] = u32(spec.size ?? 8, "size");
        spec.values.forEach((v, i) => {
          if (v.value < -(1n << 63n) || v.value >= 1n << 64n) throw new BtfError(`enumerator ${v.name} = ${v.value} does not fit in 64 bits`, { typeId: id, code: "out-of-range" });
          const u = BigInt.asUintN(64, v.value);
          rec[3 + i * 3] = name(v.name);
          rec[4 + i * 3] = Number(u & 0xffffffffn);
          rec[5 + i * 3] = Number(u >> 32n);
        });
        return rec;
      }
      case "FWD":
        return Uint32Array.of(name(spec.name), info(Kind.FWD, 0, spec.union ?? false), 0);
      case "FUNC":
        return Uint32Array.of(name(spec.name), info(Kind.FUNC, spec.linkage ?? FuncLinkage.GLOBAL, false), u32(spec.type, "type id"));
      case "FUNC_PROTO": {
        const rec = new Uint32Array(3 + 2 * spec.params.length);
        rec[0] = name(spec.name);
        rec[1] = info(Kind.FUNC_PROTO, spec.params.length, false);
        rec[2] = u32(spec.returnType, "type id");
        spec.params.forEach((p, i) => {
          rec[3 + i * 2] = name(p.name);
          rec[4 + i * 2] = u32(p.type, "type id");
        });
        return rec;
      }
      case "VAR":
        return Uint32Array.of(name(spec.name), info(Kind.VAR, 0, false), u32(spec.type, "type id"), u32(spec.linkage ?? VarLinkage.GLOBAL_ALLOCATED, "linkage"));
      case "DATASEC": {
        const rec = new Uint32Array(3 + 3 * spec.vars.length);
        rec[0] = name(spec.name);
        rec[1] = info(Kind.DATASEC, spec.vars.length, false);
        rec[2] = u32(spec.size, "size");
        spec.vars.forEach((v, i) => {
          rec[3 + i * 3] = u32(v.type, "type id");
          rec[4 + i * 3] = u32(v.offset, "offset");
          rec[5 + i * 3] = u32(v.size, "size");
        });
        return rec;
      }
      case "FLOAT":
        return Uint32Array.of(name(spec.name), info(Kind.FLOAT, 0, false), u32(spec.size, "size"));
      case "DECL_TAG":
        return Uint32Array.of(name(spec.name), info(Kind.DECL_TAG, 0, false), u32(spec.type, "type id"), (spec.componentIdx ?? -1) >>> 0);
      default:
        throw new BtfError(`cannot add a type of kind ${(spec as { kind: string }).kind}`, { typeId: id, code: "bad-argument" });
    }
  }

  /** Serialises: a 24-byte header, the types in id order, then the strings. */
  build(): Uint8Array {
    let typeWords = this.#used;
    if (this.#moved) {
      typeWords = 0;
      for (let i = 0; i < this.#count; i++) typeWords += this.#recordWords(this.#at[i]!, this.firstId + i);
    }
    const typeLen = typeWords * 4;
    const out = new Uint8Array(24 + typeLen + this.#strLen);
    const v = new DataView(out.buffer);
    const le = this.littleEndian;
    v.setUint16(0, BTF_MAGIC, le);
    v.setUint8(2, 1);
    v.setUint8(3, this.flags);
    v.setUint32(4, 24, le);
    v.setUint32(8, 0, le);
    v.setUint32(12, typeLen, le);
    v.setUint32(16, typeLen, le);
    v.setUint32(20, this.#strLen, le);
    const types = new Uint32Array(typeWords);
    if (this.#moved) {
      let w = 0;
      for (let i = 0; i < this.#count; i++) {
        const at = this.#at[i]!;
        const n = this.#recordWords(at, this.firstId + i);
        types.set(this.#words.subarray(at, at + n), w);
        w += n;
      }
    } else {
      types.set(this.#words.subarray(0, typeWords));
    }
    if (le === hostLittleEndian) out.set(new Uint8Array(types.buffer), 24);
    else for (let i = 0; i < typeWords; i++) v.setUint32(24 + i * 4, types[i]!, le);
    out.set(this.#str.subarray(0, this.#strLen), 24 + typeLen);
    return out;
  }
}

function grow32<T extends Uint32Array>(buf: T, need: number): T {
  if (need <= buf.length) return buf;
  const out = new Uint32Array(Math.max(need, buf.length * 2)) as T;
  out.set(buf);
  return out;
}

function grow8<T extends Uint8Array>(buf: T, need: number): T {
  if (need <= buf.byteLength) return buf;
  const out = new Uint8Array(Math.max(need, buf.byteLength * 2)) as T;
  out.set(buf);
  return out;
}
