import { BtfError } from "./error.ts";
import { type BtfHeader, readHeader } from "./header.ts";
import { NameIndex } from "./name-index.ts";
import { Kind, extraSize, kindByName, kindName } from "./kind.ts";
import { StringTable } from "./strings.ts";
import type { BtfMember, BtfType } from "./types.ts";

export interface ParseOptions {
  /** For split BTF (a kernel module's): the BTF it extends, usually vmlinux. */
  readonly base?: Btf;
}

/** How many typedef/modifier hops resolution follows before calling it a cycle. */
const MAX_CHAIN = 64;
const hostLittleEndian: boolean = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Pointer size on BPF (and on every 64-bit kernel bpfkit supports). */
const PTR_SIZE = 8;

/**
 * Parsed BTF. Parsing only records where each type starts (one Uint32Array); types are decoded
 * when asked for and names when first read, so kernel BTF (~130k types) costs one linear scan.
 */
export class Btf {
  readonly bytes: Uint8Array;
  readonly header: BtfHeader;
  readonly base: Btf | undefined;
  readonly strings: StringTable;
  /** Id of this blob's first type: 1, or for split BTF one past the base's last. */
  readonly firstId: number;
  readonly #view: DataView;
  readonly #le: boolean;
  /** Absolute byte offset of each local type, indexed by (id - firstId). */
  readonly #offsets: Uint32Array;
  #names: NameIndex | undefined;
  readonly #cache = new Map<number, BtfType>();

  private constructor(bytes: Uint8Array, base: Btf | undefined) {
    this.bytes = bytes;
    this.base = base;
    this.header = readHeader(bytes);
    this.#le = this.header.littleEndian;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const h = this.header;
    this.strings = new StringTable(bytes.subarray(h.strStart, h.strStart + h.strLen), base?.strings);
    if (!base && h.strLen > 0 && bytes[h.strStart] !== 0) {
      throw new BtfError("BTF string table does not start with the empty string", { offset: h.strStart });
    }
    this.firstId = base ? base.lastId + 1 : 1;
    this.#offsets = this.#index();
  }

  /** Parses BTF bytes (a .BTF section, or /sys/kernel/btf/*). Throws BtfError on malformed input. */
  static parse(bytes: Uint8Array, options: ParseOptions = {}): Btf {
    return new Btf(bytes, options.base);
  }

  #index(): Uint32Array {
    const { typeStart, typeLen } = this.header;
    const end = typeStart + typeLen;
    const v = this.#view;
    const le = this.#le;
    // Every type is at least 12 bytes: this bounds the count without trusting any field.
    const offsets = new Uint32Array(Math.floor(typeLen / 12));
    // Kernel BTF is host-order and word-aligned: read it as words (much faster before the JIT
    // warms up than DataView calls); anything else goes through the DataView.
    const abs = this.bytes.byteOffset + typeStart;
    const words = le && hostLittleEndian && abs % 4 === 0 ? new Uint32Array(this.bytes.buffer, abs, typeLen >>> 2) : undefined;
    let n = 0;
    let off = typeStart;
    while (off < end) {
      if (end - off < 12) throw new BtfError("BTF type record cut short by the end of the type section", { typeId: this.firstId + n, offset: off });
      const info = words ? words[(off - typeStart + 4) >>> 2]! : v.getUint32(off + 4, le);
      const kind = (info >>> 24) & 0x1f;
      const vlen = info & 0xffff;
      const extra = extraSize(kind, vlen);
      if (extra === undefined || kind === 0) {
        throw new BtfError(`unknown BTF kind ${kind}: the BTF is corrupt or newer than bpfkit`, { typeId: this.firstId + n, offset: off });
      }
      const next = off + 12 + extra;
      if (next > end) {
        throw new BtfError(`${kindName(kind)} with vlen ${vlen} runs past the end of the type section`, { typeId: this.firstId + n, offset: off });
      }
      offsets[n++] = off;
      off = next;
    }
    return offsets.slice(0, n);
  }

  /** Number of types this blob defines (not counting void or a base's types). */
  get count(): number {
    return this.#offsets.length;
  }

  /** Highest valid type id, base types included. */
  get lastId(): number {
    return this.firstId + this.#offsets.length - 1;
  }

  /** True for BTF from a big-endian object (clang -target bpfeb). */
  get littleEndian(): boolean {
    return this.#le;
  }

  #local(id: number): number {
    const i = id - this.firstId;
    if (!Number.isInteger(id) || i < 0 || i >= this.#offsets.length) {
      throw new BtfError(`type id ${id} does not exist (valid: ${this.base ? 0 : 1}..${this.lastId})`, { typeId: id });
    }
    return this.#offsets[i]!;
  }

  /** Byte offset of type `id`'s record in `bytes` (for writers and dumps). */
  typeOffset(id: number): number {
    if (id < this.firstId && this.base) return this.base.typeOffset(id);
    return this.#local(id);
  }

  /** Which blob holds `id`: this one or a base. */
  #owner(id: number): Btf {
    if (id < this.firstId && this.base) return this.base.#owner(id);
    return this;
  }

  #info(id: number): number {
    return this.#view.getUint32(this.#local(id) + 4, this.#le);
  }

  /** Kind number (Kind.*); 0 for void. */
  kind(id: number): number {
    if (id === 0) return Kind.UNKN;
    const o = this.#owner(id);
    return (o.#info(id) >>> 24) & 0x1f;
  }

  vlen(id: number): number {
    if (id === 0) return 0;
    const o = this.#owner(id);
    return o.#info(id) & 0xffff;
  }

  kindFlag(id: number): boolean {
    if (id === 0) return false;
    const o = this.#owner(id);
    return (o.#info(id) >>> 31) === 1;
  }

  /** The size_or_type word: size for sized kinds, referenced type for the others. */
  sizeOrType(id: number): number {
    const o = this.#owner(id);
    return o.#view.getUint32(o.#local(id) + 8, o.#le);
  }

  /** Type name ("" for anonymous types; "void" for 0). */
  nameOf(id: number): string {
    if (id === 0) return "void";
    const o = this.#owner(id);
    return o.strings.get(o.#view.getUint32(o.#local(id), o.#le), id);
  }

  /** The raw name offset of a type, for writers. */
  nameOffset(id: number): number {
    const o = this.#owner(id);
    return o.#view.getUint32(o.#local(id), o.#le);
  }

  /** Decodes type `id`. Decoded types are cached; the cache only holds what was asked for. */
  type(id: number): BtfType {
    if (id === 0) return { id: 0, kind: "VOID", name: "void" };
    const o = this.#owner(id);
    if (o !== this) return o.type(id);
    let t = this.#cache.get(id);
    if (!t) {
      t = this.#decode(id);
      this.#cache.set(id, t);
    }
    return t;
  }

  #decode(id: number): BtfType {
    const off = this.#local(id);
    const v = this.#view;
    const le = this.#le;
    const info = v.getUint32(off + 4, le);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const kflag = info >>> 31 === 1;
    const st = v.getUint32(off + 8, le);
    const name = this.strings.get(v.getUint32(off, le), id);
    const x = off + 12;
    const str = (o: number) => this.strings.get(v.getUint32(o, le), id);
    switch (kind) {
      case Kind.INT: {
        const d = v.getUint32(x, le);
        return { id, kind: "INT", name, size: st, encoding: (d >>> 24) & 0x0f, bitOffset: (d >>> 16) & 0xff, bits: d & 0xff };
      }
      case Kind.PTR:
        return { id, kind: "PTR", name, type: st };
      case Kind.ARRAY:
        return { id, kind: "ARRAY", name, elemType: v.getUint32(x, le), indexType: v.getUint32(x + 4, le), nelems: v.getUint32(x + 8, le) };
      case Kind.STRUCT:
      case Kind.UNION: {
        const members: BtfMember[] = new Array(vlen);
        for (let i = 0; i < vlen; i++) {
          const m = x + i * 12;
          const raw = v.getUint32(m + 8, le);
          members[i] = {
            name: str(m),
            type: v.getUint32(m + 4, le),
            bitOffset: kflag ? raw & 0xffffff : raw,
            bitfieldSize: kflag ? raw >>> 24 : 0,
          };
        }
        return { id, kind: kind === Kind.STRUCT ? "STRUCT" : "UNION", name, size: st, members };
      }
      case Kind.ENUM: {
        const values = [];
        for (let i = 0; i < vlen; i++) {
          const e = x + i * 8;
          values.push({ name: str(e), value: kflag ? v.getInt32(e + 4, le) : v.getUint32(e + 4, le) });
        }
        return { id, kind: "ENUM", name, size: st, signed: kflag, values };
      }
      case Kind.ENUM64: {
        const values = [];
        for (let i = 0; i < vlen; i++) {
          const e = x + i * 12;
          const lo = BigInt(v.getUint32(e + 4, le));
          const hi = BigInt(v.getUint32(e + 8, le));
          const u = (hi << 32n) | lo;
          values.push({ name: str(e), value: kflag ? BigInt.asIntN(64, u) : u });
        }
        return { id, kind: "ENUM64", name, size: st, signed: kflag, values };
      }
      case Kind.FWD:
        return { id, kind: "FWD", name, union: kflag };
      case Kind.TYPEDEF:
        return { id, kind: "TYPEDEF", name, type: st };
      case Kind.VOLATILE:
        return { id, kind: "VOLATILE", name, type: st };
      case Kind.CONST:
        return { id, kind: "CONST", name, type: st };
      case Kind.RESTRICT:
        return { id, kind: "RESTRICT", name, type: st };
      case Kind.TYPE_TAG:
        return { id, kind: "TYPE_TAG", name, type: st };
      case Kind.FUNC:
        return { id, kind: "FUNC", name, type: st, linkage: vlen };
      case Kind.FUNC_PROTO: {
        const params = [];
        for (let i = 0; i < vlen; i++) params.push({ name: str(x + i * 8), type: v.getUint32(x + i * 8 + 4, le) });
        return { id, kind: "FUNC_PROTO", name, returnType: st, params };
      }
      case Kind.VAR:
        return { id, kind: "VAR", name, type: st, linkage: v.getUint32(x, le) };
      case Kind.DATASEC: {
        const vars = [];
        for (let i = 0; i < vlen; i++) {
          const s = x + i * 12;
          vars.push({ type: v.getUint32(s, le), offset: v.getUint32(s + 4, le), size: v.getUint32(s + 8, le) });
        }
        return { id, kind: "DATASEC", name, size: st, vars };
      }
      case Kind.FLOAT:
        return { id, kind: "FLOAT", name, size: st };
      case Kind.DECL_TAG:
        return { id, kind: "DECL_TAG", name, type: st, componentIdx: v.getInt32(x, le) };
      default:
        throw new BtfError(`unknown BTF kind ${kind}`, { typeId: id, offset: off });
    }
  }

  /**
   * First type id with this name (and kind, a Kind number or name), searching the base first.
   * The first lookup hashes every name once; later ones are O(1).
   */
  find(name: string, kind?: number | string): number | undefined {
    const k = typeof kind === "string" ? kindByName(kind) : kind;
    if (typeof kind === "string" && k === undefined) throw new BtfError(`unknown BTF kind name "${kind}"`);
    const fromBase = this.base?.find(name, k);
    if (fromBase !== undefined) return fromBase;
    return this.#nameIndex().first(name, k);
  }

  /** Every type id with this name (and kind), ascending, base first. */
  findAll(name: string, kind?: number | string): number[] {
    const k = typeof kind === "string" ? kindByName(kind) : kind;
    const out = this.base ? this.base.findAll(name, k) : [];
    return out.concat(this.#nameIndex().all(name, k));
  }

  #nameIndex(): NameIndex {
    if (!this.#names) {
      const v = this.#view;
      const le = this.#le;
      const nameOffs = new Uint32Array(this.#offsets.length);
      const kinds = new Uint8Array(this.#offsets.length);
      for (let i = 0; i < nameOffs.length; i++) {
        const off = this.#offsets[i]!;
        nameOffs[i] = v.getUint32(off, le);
        kinds[i] = (v.getUint32(off + 4, le) >>> 24) & 0x1f;
      }
      this.#names = new NameIndex(this.strings, nameOffs, kinds, this.firstId);
    }
    return this.#names;
  }

  /** Skips CONST, VOLATILE, RESTRICT and TYPE_TAG. */
  skipModifiers(id: number): number {
    for (let hops = 0; hops < MAX_CHAIN; hops++) {
      const k = this.kind(id);
      if (k !== Kind.CONST && k !== Kind.VOLATILE && k !== Kind.RESTRICT && k !== Kind.TYPE_TAG) return id;
      id = this.sizeOrType(id);
    }
    throw new BtfError("modifier chain too long (a reference cycle?)", { typeId: id });
  }

  /** Skips modifiers and typedefs down to the underlying type. */
  resolve(id: number): number {
    for (let hops = 0; hops < MAX_CHAIN; hops++) {
      const k = this.kind(id);
      if (k !== Kind.CONST && k !== Kind.VOLATILE && k !== Kind.RESTRICT && k !== Kind.TYPE_TAG && k !== Kind.TYPEDEF) return id;
      id = this.sizeOrType(id);
    }
    throw new BtfError("typedef/modifier chain too long (a reference cycle?)", { typeId: id });
  }

  /** Size in bytes of a value of type `id`. */
  sizeOf(id: number): number {
    let mult = 1;
    for (let hops = 0; hops < MAX_CHAIN; hops++) {
      id = this.resolve(id);
      const k = this.kind(id);
      switch (k) {
        case Kind.INT:
        case Kind.STRUCT:
        case Kind.UNION:
        case Kind.ENUM:
        case Kind.ENUM64:
        case Kind.FLOAT:
        case Kind.DATASEC:
          return mult * this.sizeOrType(id);
        case Kind.PTR:
          return mult * PTR_SIZE;
        case Kind.ARRAY: {
          const a = this.type(id) as { elemType: number; nelems: number };
          mult *= a.nelems;
          id = a.elemType;
          continue;
        }
        case Kind.VAR:
          id = this.sizeOrType(id);
          continue;
        default:
          throw new BtfError(`${id === 0 ? "void" : kindName(k)} has no size`, { typeId: id });
      }
    }
    throw new BtfError("array nesting too deep (a reference cycle?)", { typeId: id });
  }

  /** Natural alignment in bytes of type `id`. */
  alignOf(id: number): number {
    return this.#alignOf(id, 0);
  }

  #alignOf(id: number, depth: number): number {
    // Structs nest by value; corrupt BTF can make one contain itself.
    if (depth > MAX_CHAIN) throw new BtfError("struct nesting too deep (a struct containing itself?)", { typeId: id });
    for (let hops = 0; hops < MAX_CHAIN; hops++) {
      id = this.resolve(id);
      const k = this.kind(id);
      switch (k) {
        case Kind.INT:
        case Kind.ENUM:
        case Kind.ENUM64:
        case Kind.FLOAT:
          return Math.min(PTR_SIZE, this.sizeOrType(id));
        case Kind.PTR:
          return PTR_SIZE;
        case Kind.ARRAY:
          id = (this.type(id) as { elemType: number }).elemType;
          continue;
        case Kind.STRUCT:
        case Kind.UNION: {
          let a = 1;
          for (const m of this.members(id)) if (m.bitfieldSize === 0) a = Math.max(a, this.#alignOf(m.type, depth + 1));
          return a;
        }
        default:
          throw new BtfError(`${kindName(k)} has no alignment`, { typeId: id });
      }
    }
    throw new BtfError("type chain too long (a reference cycle?)", { typeId: id });
  }

  /** Members of a STRUCT or UNION (after resolving typedefs). */
  members(id: number): readonly BtfMember[] {
    const t = this.type(this.resolve(id));
    if (t.kind !== "STRUCT" && t.kind !== "UNION") {
      throw new BtfError(`expected a struct or union, found ${t.kind}`, { typeId: t.id });
    }
    return t.members;
  }

  /** Member by name, or undefined. */
  member(id: number, name: string): (BtfMember & { readonly index: number }) | undefined {
    const ms = this.members(id);
    for (let i = 0; i < ms.length; i++) if (ms[i]!.name === name) return { ...ms[i]!, index: i };
    return undefined;
  }

  /** For a pointer to a function prototype (possibly through typedefs/modifiers): the FUNC_PROTO id. */
  funcProtoOfPointer(id: number): number | undefined {
    const p = this.resolve(id);
    if (this.kind(p) !== Kind.PTR) return undefined;
    const f = this.resolve(this.sizeOrType(p));
    return this.kind(f) === Kind.FUNC_PROTO ? f : undefined;
  }

  /** All local type ids, ascending. */
  *ids(): IterableIterator<number> {
    for (let id = this.firstId; id <= this.lastId; id++) yield id;
  }
}
