import { decodeType } from "./decode.ts";
import { BtfError } from "./error.ts";
import { type BtfHeader, readHeader } from "./header.ts";
import { alignOfType, type LayoutFailure, type LayoutSource, MAX_CHAIN, resolveType, sizeOfType } from "./layout.ts";
import { NameIndex } from "./name-index.ts";
import { Kind, extraSize, kindByName, kindName } from "./kind.ts";
import { StringTable } from "./strings.ts";
import type { BtfMember, BtfType } from "./types.ts";
import { hostLittleEndian } from "./endian.ts";

export interface ParseOptions {
  /** For split BTF (a kernel module's): the BTF it extends, usually vmlinux. */
  readonly base?: Btf;
}

/** The reader's words for where the layout rules give up. */
const LAYOUT_FAILURES: Record<LayoutFailure, (btf: Btf, id: number) => string> = {
  "resolve-chain": () => "typedef/modifier chain too long (a reference cycle?)",
  "no-size": (btf, id) => `${id === 0 ? "void" : kindName(btf.kind(id))} has no size`,
  "size-chain": () => "array nesting too deep (a reference cycle?)",
  nesting: () => "struct nesting too deep (a struct containing itself?)",
  "no-align": (btf, id) => `${kindName(btf.kind(id))} has no alignment`,
  "align-chain": () => "type chain too long (a reference cycle?)",
};

/**
 * Lookups answered by scanning before the name index is built. A struct_ops load asks the kernel
 * BTF about five names; hashing all of its ~127k names first costs several times that.
 */
const SCANS_BEFORE_INDEX = 8;
const utf8 = new TextEncoder();

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
  /** Lookups answered by #scan so far (see SCANS_BEFORE_INDEX). */
  #scans = 0;
  /** #hostWords(): not yet worked out (undefined), or no host-order view possible (null). */
  #words: Uint32Array | null | undefined;
  readonly #cache = new Map<number, BtfType>();
  readonly #aligns = new Map<number, number>();
  #layoutSource: LayoutSource | undefined;

  private constructor(bytes: Uint8Array, base: Btf | undefined) {
    this.bytes = bytes;
    this.base = base;
    this.header = readHeader(bytes);
    this.#le = this.header.littleEndian;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const h = this.header;
    this.strings = new StringTable(bytes.subarray(h.strStart, h.strStart + h.strLen), base?.strings);
    if (!base && h.strLen > 0 && bytes[h.strStart] !== 0) {
      throw new BtfError("BTF string table does not start with the empty string", { offset: h.strStart, code: "malformed" });
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
    // Every type is at least 12 bytes: this bounds the count without trusting any field.
    const most = Math.floor(typeLen / 12);
    // Kernel BTF is host-order and word-aligned: scan it as words, in one tight loop (the
    // kernel's 126k types take a few milliseconds before the JIT has warmed up). Its types
    // average over 20 bytes, so a third smaller first guess at the count saves touching pages;
    // BTF of tiny types that overflows it is scanned again below with room for the most.
    const abs = this.bytes.byteOffset + typeStart;
    if (this.#le === hostLittleEndian && abs % 4 === 0) {
      const words = new Uint32Array(this.bytes.buffer, abs, typeLen >>> 2);
      const guess = new Uint32Array(Math.min(most, (typeLen >>> 4) + 1));
      const n = scanWords(words, guess, typeStart);
      if (n >= 0) return guess.subarray(0, n);
      if (n === FULL) {
        const all = new Uint32Array(most);
        const m = scanWords(words, all, typeStart);
        if (m >= 0) return all.subarray(0, m);
      }
    }
    const offsets = new Uint32Array(most);
    // Other byte orders and alignments, and corrupt input (for the precise error).
    const end = typeStart + typeLen;
    const v = this.#view;
    const le = this.#le;
    let n = 0;
    let off = typeStart;
    while (off < end) {
      if (end - off < 12) throw new BtfError("BTF type record cut short by the end of the type section", { typeId: this.firstId + n, offset: off, code: "truncated" });
      const info = v.getUint32(off + 4, le);
      const kind = (info >>> 24) & 0x1f;
      const vlen = info & 0xffff;
      const extra = extraSize(kind, vlen);
      if (extra === undefined || kind === 0) {
        throw new BtfError(`unknown BTF kind ${kind}: the BTF is corrupt or newer than bpfkit`, { typeId: this.firstId + n, offset: off, code: "unsupported" });
      }
      const next = off + 12 + extra;
      if (next > end) {
        throw new BtfError(`${kindName(kind)} with vlen ${vlen} runs past the end of the type section`, { typeId: this.firstId + n, offset: off, code: "truncated" });
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
      throw new BtfError(`type id ${id} does not exist (valid: ${this.base ? 0 : 1}..${this.lastId})`, { typeId: id, code: "bad-type-id" });
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

  /**
   * Word `index` of type `id`'s record, unsigned: 0 name offset, 1 info, 2 size or type, then
   * the kind's data (for a STRUCT, member i's type is word 4 + 3i). For readers that walk
   * references without decoding names.
   */
  word(id: number, index: number): number {
    const o = this.#owner(id);
    const off = o.#local(id);
    const info = o.#view.getUint32(off + 4, o.#le);
    const words = 3 + (extraSize((info >>> 24) & 0x1f, info & 0xffff) ?? 0) / 4;
    if (!Number.isInteger(index) || index < 0 || index >= words) throw new BtfError(`type has no word ${index} (its record has ${words})`, { typeId: id, code: "bad-argument" });
    return o.#view.getUint32(off + index * 4, o.#le);
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
    return decodeType(id, (i) => v.getUint32(off + i * 4, le), (o) => this.strings.get(o, id));
  }

  /**
   * First type id with this name (and kind, a Kind number or name), searching the base first.
   * The first few lookups scan the types; after that every name is hashed once and lookups are O(1).
   */
  find(name: string, kind?: number | string): number | undefined {
    const k = typeof kind === "string" ? kindByName(kind) : kind;
    if (typeof kind === "string" && k === undefined) throw new BtfError(`unknown BTF kind name "${kind}"`, { code: "bad-argument" });
    const fromBase = this.base?.find(name, k);
    if (fromBase !== undefined) return fromBase;
    return this.#lookup(name, k, false)[0];
  }

  /** Every type id with this name (and kind), ascending, base first. */
  findAll(name: string, kind?: number | string): number[] {
    const k = typeof kind === "string" ? kindByName(kind) : kind;
    const out = this.base ? this.base.findAll(name, k) : [];
    return out.concat(this.#lookup(name, k, true));
  }

  #lookup(name: string, kind: number | undefined, all: boolean): number[] {
    if (!this.#names && this.#scans < SCANS_BEFORE_INDEX) {
      this.#scans++;
      return this.#scan(utf8.encode(name), kind, all);
    }
    const index = this.#nameIndex();
    if (all) return index.all(name, kind);
    const id = index.first(name, kind);
    return id === undefined ? [] : [id];
  }

  /** A linear search of this blob's types, comparing name bytes in place (no decoding). */
  #scan(q: Uint8Array, kind: number | undefined, all: boolean): number[] {
    const out: number[] = [];
    const offs = this.#offsets;
    const strings = this.strings;
    const own = strings.bytes;
    const start = strings.start;
    const first = q.byteLength > 0 ? q[0] : 0;
    const words = this.#hostWords();
    const v = this.#view;
    const le = this.#le;
    for (let i = 0; i < offs.length; i++) {
      const off = offs[i]!;
      const nameOff = words ? words[off >>> 2]! : v.getUint32(off, le);
      if (nameOff === 0) continue; // anonymous: never found by name, as in the index
      if (kind !== undefined) {
        const info = words ? words[(off >>> 2) + 1]! : v.getUint32(off + 4, le);
        if (((info >>> 24) & 0x1f) !== kind) continue;
      }
      const rel = nameOff - start;
      if (rel >= 0 && rel < own.byteLength && own[rel] !== first) continue;
      if (!strings.equals(nameOff, q)) continue;
      out.push(this.firstId + i);
      if (!all) break;
    }
    return out;
  }

  /**
   * The blob as host-order 32-bit words, indexed by byte offset / 4, when its byte order and
   * alignment allow one view (kernel BTF always does); undefined otherwise (read through #view).
   */
  #hostWords(): Uint32Array | undefined {
    if (this.#words === undefined) {
      const b = this.bytes;
      const fits = this.#le === hostLittleEndian && b.byteOffset % 4 === 0 && this.header.typeStart % 4 === 0;
      this.#words = fits ? new Uint32Array(b.buffer, b.byteOffset, b.byteLength >>> 2) : null;
    }
    return this.#words ?? undefined;
  }

  #nameIndex(): NameIndex {
    if (!this.#names) {
      const v = this.#view;
      const le = this.#le;
      const offs = this.#offsets;
      const nameOffs = new Uint32Array(offs.length);
      const kinds = new Uint8Array(offs.length);
      const words = this.#hostWords();
      if (words) {
        for (let i = 0; i < offs.length; i++) {
          const w = offs[i]! >>> 2;
          nameOffs[i] = words[w]!;
          kinds[i] = (words[w + 1]! >>> 24) & 0x1f;
        }
      } else {
        for (let i = 0; i < offs.length; i++) {
          nameOffs[i] = v.getUint32(offs[i]!, le);
          kinds[i] = (v.getUint32(offs[i]! + 4, le) >>> 24) & 0x1f;
        }
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
    throw new BtfError("modifier chain too long (a reference cycle?)", { typeId: id, code: "cycle" });
  }

  /** Skips modifiers and typedefs down to the underlying type. */
  resolve(id: number): number {
    return resolveType(this.#layout(), id);
  }

  /** Size in bytes of a value of type `id`. */
  sizeOf(id: number): number {
    return sizeOfType(this.#layout(), id);
  }

  /** Alignment in bytes of type `id` as a C compiler lays it out (1 for packed records). */
  alignOf(id: number): number {
    return alignOfType(this.#layout(), id);
  }

  /** The layout rules' view of this reader: it decodes what it passes, and throws where they give up. */
  #layout(): LayoutSource {
    this.#layoutSource ??= {
      kind: (id) => this.kind(id),
      sizeOrType: (id) => this.sizeOrType(id),
      word: (id, i) => {
        const o = this.#owner(id);
        return o.#view.getUint32(o.#local(id) + i * 4, o.#le);
      },
      decodable: (id) => {
        this.type(id);
        return true;
      },
      knownAlign: (id) => this.#aligns.get(id) ?? 0,
      rememberAlign: (id, a) => {
        this.#aligns.set(id, a);
      },
      fail: (why, id) => {
        throw new BtfError(LAYOUT_FAILURES[why](this, id), { typeId: id, code: why === "no-size" || why === "no-align" ? "no-layout" : "cycle" });
      },
    };
    return this.#layoutSource;
  }

  /** Members of a STRUCT or UNION (after resolving typedefs). */
  members(id: number): readonly BtfMember[] {
    const t = this.type(this.resolve(id));
    if (t.kind !== "STRUCT" && t.kind !== "UNION") {
      throw new BtfError(`expected a struct or union, found ${t.kind}`, { typeId: t.id, code: "wrong-kind" });
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

/** Words after the 12-byte header: FIXED[kind] + PER_ENTRY[kind] × vlen; 255 marks a kind that does not exist. */
const FIXED_WORDS = new Uint8Array(32).fill(255);
const ENTRY_WORDS = new Uint8Array(32);
for (let k = 1; k < 32; k++) {
  const fixed = extraSize(k, 0);
  if (fixed === undefined) continue;
  FIXED_WORDS[k] = fixed / 4;
  ENTRY_WORDS[k] = ((extraSize(k, 1) ?? 0) - fixed) / 4;
}

/**
 * Records where each type starts (`start` plus its byte offset in the section) in a type section
 * viewed as host-order words. Returns the count, or -1 if the section is malformed (the caller
 * rescans for the error).
 */
/** scanWords ran out of room in `out` (every other failure is -1: corrupt, for the slow path to name). */
const FULL = -2;

function scanWords(words: Uint32Array, out: Uint32Array, start: number): number {
  const end = words.length;
  const room = out.length;
  let w = 0;
  let n = 0;
  while (w < end) {
    if (end - w < 3) return -1;
    if (n === room) return FULL;
    const info = words[w + 1]!;
    const kind = (info >>> 24) & 0x1f;
    const fixed = FIXED_WORDS[kind]!;
    if (fixed === 255) return -1;
    const next = w + 3 + fixed + ENTRY_WORDS[kind]! * (info & 0xffff);
    if (next > end) return -1;
    out[n++] = start + w * 4;
    w = next;
  }
  return n;
}
