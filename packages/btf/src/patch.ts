import type { Btf } from "./btf.ts";
import { BtfError } from "./error.ts";
import { Kind } from "./kind.ts";

/**
 * In-place edits of a BTF blob's fixed-size fields, on a copy: what a loader must change before
 * handing object BTF to the kernel (DATASEC sizes and variable offsets clang leaves at 0, kinds
 * an older kernel does not know). Structural edits belong to the BTF writer.
 */
export class BtfPatch {
  readonly btf: Btf;
  readonly bytes: Uint8Array;
  readonly #view: DataView;

  constructor(btf: Btf) {
    this.btf = btf;
    this.bytes = btf.bytes.slice();
    this.#view = new DataView(this.bytes.buffer);
  }

  #u32(off: number, value: number): void {
    this.#view.setUint32(off, value >>> 0, this.btf.littleEndian);
  }

  #local(id: number, kind: number): number {
    if (id < this.btf.firstId) throw new BtfError("cannot patch a type of the base BTF", { typeId: id });
    if (this.btf.kind(id) !== kind) throw new BtfError(`expected kind ${kind}`, { typeId: id });
    return this.btf.typeOffset(id);
  }

  /** Sets a DATASEC's size. */
  setDatasecSize(id: number, size: number): void {
    this.#u32(this.#local(id, Kind.DATASEC) + 8, size);
  }

  /** Sets the offset of a DATASEC's `index`-th variable. */
  setDatasecVarOffset(id: number, index: number, offset: number): void {
    const off = this.#local(id, Kind.DATASEC);
    if (index < 0 || index >= this.btf.vlen(id)) throw new BtfError(`DATASEC has no variable #${index}`, { typeId: id });
    this.#u32(off + 12 + index * 12 + 4, offset);
  }

  /** Rewrites a type's info word (kind, vlen, kind_flag) and size_or_type; for sanitising. */
  setInfo(id: number, kind: number, vlen: number, kindFlag: boolean, sizeOrType: number): void {
    if (id < this.btf.firstId) throw new BtfError("cannot patch a type of the base BTF", { typeId: id });
    const off = this.btf.typeOffset(id);
    this.#u32(off + 4, ((kindFlag ? 1 : 0) << 31) | ((kind & 0x1f) << 24) | (vlen & 0xffff));
    this.#u32(off + 8, sizeOrType);
  }

  /** Sets the linkage of a FUNC (kept in its vlen). */
  setFuncLinkage(id: number, linkage: number): void {
    const off = this.#local(id, Kind.FUNC);
    const info = this.#view.getUint32(off + 4, this.btf.littleEndian);
    this.#u32(off + 4, (info & 0xffff0000) | (linkage & 0xffff));
  }
}
