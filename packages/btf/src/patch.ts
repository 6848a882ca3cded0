import type { Btf } from "./btf.ts";
import { BtfError } from "./error.ts";
import { Kind } from "./kind.ts";

/**
 * Edits of a BTF blob, on a copy: what a loader must change before handing object BTF to the
 * kernel — DATASEC sizes and variable offsets clang leaves at 0, extern FUNCs in `.ksyms`, kinds
 * an older kernel does not know — plus appending types and strings. `build()` re-serialises.
 */
export class BtfPatch {
  readonly btf: Btf;
  #types: Uint8Array;
  #typeLen: number;
  #strings: Uint8Array;
  #strLen: number;
  #added = 0;
  readonly #le: boolean;

  constructor(btf: Btf) {
    if (btf.base) throw new BtfError("patching split BTF is not supported", { code: "unsupported" });
    this.btf = btf;
    this.#le = btf.littleEndian;
    const h = btf.header;
    this.#types = btf.bytes.slice(h.typeStart, h.typeStart + h.typeLen);
    this.#typeLen = h.typeLen;
    this.#strings = btf.bytes.slice(h.strStart, h.strStart + h.strLen);
    this.#strLen = h.strLen;
  }

  #view(): DataView {
    return new DataView(this.#types.buffer, this.#types.byteOffset, this.#types.byteLength);
  }

  #u32(off: number, value: number): void {
    this.#view().setUint32(off, value >>> 0, this.#le);
  }

  #getU32(off: number): number {
    return this.#view().getUint32(off, this.#le);
  }

  /** Offset of an original type's record within the type section. */
  #rec(id: number, kind?: number): number {
    if (id < 1 || id > this.btf.lastId) throw new BtfError(`cannot patch type ${id}: not an original type of this BTF`, { typeId: id, code: "bad-type-id" });
    if (kind !== undefined && this.btf.kind(id) !== kind) {
      throw new BtfError(`cannot patch type ${id}: expected kind ${kind}, found ${this.btf.kind(id)}`, { typeId: id, code: "wrong-kind" });
    }
    return this.btf.typeOffset(id) - this.btf.header.typeStart;
  }

  /** Sets a DATASEC's size. */
  setDatasecSize(id: number, size: number): void {
    this.#u32(this.#rec(id, Kind.DATASEC) + 8, size);
  }

  /** Sets the type, offset and size of a DATASEC's `index`-th entry. */
  setDatasecVar(id: number, index: number, entry: { type?: number; offset?: number; size?: number }): void {
    const off = this.#rec(id, Kind.DATASEC);
    if (index < 0 || index >= this.btf.vlen(id)) throw new BtfError(`DATASEC has no variable #${index}`, { typeId: id, code: "bad-argument" });
    const at = off + 12 + index * 12;
    if (entry.type !== undefined) this.#u32(at, entry.type);
    if (entry.offset !== undefined) this.#u32(at + 4, entry.offset);
    if (entry.size !== undefined) this.#u32(at + 8, entry.size);
  }

  /** Rewrites a type's info word (kind, vlen, kind_flag) and size_or_type; for sanitising. */
  setInfo(id: number, kind: number, vlen: number, kindFlag: boolean, sizeOrType: number): void {
    const off = this.#rec(id);
    this.#u32(off + 4, ((kindFlag ? 1 : 0) << 31) | ((kind & 0x1f) << 24) | (vlen & 0xffff));
    this.#u32(off + 8, sizeOrType);
  }

  /** Sets the linkage of a FUNC (kept in its vlen). */
  setFuncLinkage(id: number, linkage: number): void {
    const off = this.#rec(id, Kind.FUNC);
    this.#u32(off + 4, (this.#getU32(off + 4) & 0xffff0000) | (linkage & 0xffff));
  }

  /** Sets a VAR's type and linkage. */
  setVar(id: number, type: number, linkage: number): void {
    const off = this.#rec(id, Kind.VAR);
    this.#u32(off + 8, type);
    this.#u32(off + 12, linkage);
  }

  /** Sets the name offset of a FUNC_PROTO parameter. */
  setParamName(id: number, index: number, nameOff: number): void {
    const off = this.#rec(id, Kind.FUNC_PROTO);
    if (index < 0 || index >= this.btf.vlen(id)) throw new BtfError(`FUNC_PROTO has no parameter #${index}`, { typeId: id, code: "bad-argument" });
    this.#u32(off + 12 + index * 8, nameOff);
  }

  /** Appends a string; returns its offset. */
  addString(s: string): number {
    const enc = new TextEncoder().encode(s);
    const off = this.#strLen;
    this.#strings = grow(this.#strings, this.#strLen + enc.byteLength + 1);
    this.#strings.set(enc, off);
    this.#strings[off + enc.byteLength] = 0;
    this.#strLen += enc.byteLength + 1;
    return off;
  }

  /** Appends a raw type record (12-byte header + kind data); returns its id. */
  addType(words: readonly number[]): number {
    const bytes = words.length * 4;
    this.#types = grow(this.#types, this.#typeLen + bytes);
    const v = this.#view();
    for (let i = 0; i < words.length; i++) v.setUint32(this.#typeLen + i * 4, words[i]! >>> 0, this.#le);
    this.#typeLen += bytes;
    this.#added++;
    return this.btf.lastId + this.#added;
  }

  /** Appends `VAR name` of `type` with `linkage`; returns its id. */
  addVar(name: string, type: number, linkage: number): number {
    return this.addType([this.addString(name), (Kind.VAR << 24) >>> 0, type, linkage]);
  }

  /** Appends an INT; returns its id. */
  addInt(name: string, size: number, encoding: number): number {
    return this.addType([this.addString(name), (Kind.INT << 24) >>> 0, size, ((encoding & 0xf) << 24) | (size * 8)]);
  }

  /** The patched BTF: a standard 24-byte header, types, then strings. */
  build(): Uint8Array {
    const out = new Uint8Array(24 + this.#typeLen + this.#strLen);
    const v = new DataView(out.buffer);
    const le = this.#le;
    v.setUint16(0, 0xeb9f, le);
    v.setUint8(2, 1);
    v.setUint8(3, this.btf.header.flags);
    v.setUint32(4, 24, le);
    v.setUint32(8, 0, le);
    v.setUint32(12, this.#typeLen, le);
    v.setUint32(16, this.#typeLen, le);
    v.setUint32(20, this.#strLen, le);
    out.set(this.#types.subarray(0, this.#typeLen), 24);
    out.set(this.#strings.subarray(0, this.#strLen), 24 + this.#typeLen);
    return out;
  }
}

function grow(buf: Uint8Array, need: number): Uint8Array {
  if (need <= buf.byteLength) return buf;
  const out = new Uint8Array(Math.max(need, buf.byteLength * 2));
  out.set(buf);
  return out;
}
