import type { Btf } from "../btf.ts";
import { BtfError } from "../error.ts";
import { ENTRY_WORDS, Kind, RECORD_WORDS } from "../kind.ts";
import type { StringTable } from "../strings.ts";
import { hostLittleEndian } from "../endian.ts";

/**
 * A BTF's records and strings laid out for a dumper that visits types many times: every record's
 * words in host order in one array, found by type id, and one string table that BTF string
 * offsets index directly (for split BTF, the base's bytes first). Reading a field is one array
 * access: no object per type, no decoded name. Kernel BTF in host order is viewed in place;
 * other byte orders and split BTF are copied once.
 */
export class TypeWords {
  /** Every record's words, host order. */
  readonly words: Uint32Array;
  /** Index in `words` of each type's record, by id (void, id 0, has none). */
  readonly at: Uint32Array;
  /** Kind of each type, by id (0 for void). */
  readonly kinds: Uint8Array;
  /** The string bytes, at their BTF offsets. */
  readonly str: Uint8Array;
  /** One past the last type id. */
  readonly n: number;
  readonly #btf: Btf;
  /** Per blob, base first: its first type id, its strings' first offset, and the last offset a terminated string can start at. */
  readonly #blobs: { firstId: number; strStart: number; lastStart: number }[];
  /** `#blobs[0].lastStart` when there is one blob (the usual case: one comparison per name). */
  readonly #onlyLastStart: number;

  constructor(btf: Btf) {
    const chain: Btf[] = [];
    for (let b: Btf | undefined = btf; b; b = b.base) chain.unshift(b);
    const inPlace = (b: Btf) => b.littleEndian === hostLittleEndian && (b.bytes.byteOffset + b.header.typeStart) % 4 === 0;
    const section = (b: Btf) => new Uint32Array(b.bytes.buffer, b.bytes.byteOffset + b.header.typeStart, b.header.typeLen >>> 2);
    if (chain.length === 1 && inPlace(btf)) {
      this.words = section(btf);
    } else {
      this.words = new Uint32Array(chain.reduce((sum, b) => sum + (b.header.typeLen >>> 2), 0));
      let w = 0;
      for (const b of chain) {
        const len = b.header.typeLen >>> 2;
        if (inPlace(b)) {
          this.words.set(section(b), w);
        } else {
          const v = new DataView(b.bytes.buffer, b.bytes.byteOffset + b.header.typeStart, b.header.typeLen);
          for (let i = 0; i < len; i++) this.words[w + i] = v.getUint32(i * 4, b.littleEndian);
        }
        w += len;
      }
    }
    // Parsing checked that each blob's records tile its type section: walk them in order.
    const n = btf.lastId + 1;
    this.n = n;
    this.#btf = btf;
    const words = this.words;
    this.at = new Uint32Array(n);
    this.kinds = new Uint8Array(n);
    let w = 0;
    for (let id = 1; id < n; id++) {
      const info = words[w + 1]!;
      const kind = (info >>> 24) & 0x1f;
      this.at[id] = w;
      this.kinds[id] = kind;
      w += 3 + RECORD_WORDS[kind]! + ENTRY_WORDS[kind]! * (info & 0xffff);
    }
    const tables = chain.map((b) => b.strings);
    if (tables.length === 1) {
      this.str = btf.strings.bytes;
    } else {
      this.str = new Uint8Array(btf.strings.end);
      for (const t of tables) this.str.set(t.bytes, t.start);
    }
    this.#blobs = chain.map((b, i) => ({ firstId: b.firstId, strStart: tables[i]!.start, lastStart: lastStart(tables[i]!) }));
    this.#onlyLastStart = this.#blobs.length === 1 ? this.#blobs[0]!.lastStart : -1;
  }

  /** Kind of `id` (0 for void); for an id past the last, the reader's error. */
  kind(id: number): number {
    return id < this.n ? this.kinds[id]! : this.#btf.kind(id);
  }

  /** The size_or_type word. */
  sizeOrType(id: number): number {
    return this.words[this.at[id]! + 2]!;
  }

  nameOffset(id: number): number {
    return this.words[this.at[id]!]!;
  }

  /** Word `i` of `id`'s record (0 name, 1 info, 2 size or type, then the kind's data). */
  word(id: number, i: number): number {
    return this.words[this.at[id]! + i]!;
  }

  /** `ref`, a type id read from `from`'s record, when such a type exists. */
  checkRef(ref: number, from: number): number {
    if (!Number.isInteger(ref) || ref < 0 || ref >= this.n) throw new BtfError(`reference to type ${ref}, which does not exist`, { typeId: from, code: "bad-type-id" });
    return ref;
  }

  /** Stands in for decoding `id`: where the reader could not (see `decodable`), decodes it, so it throws its own error. */
  requireDecodable(id: number): void {
    if (!this.decodable(id)) this.#btf.type(id);
  }

  /** `id`'s name offset; where the reader could not read the name, its error. */
  readableName(id: number): number {
    const off = this.nameOffset(id);
    if (!this.nameOk(off, id)) this.#btf.nameOf(id);
    return off;
  }

  /** The (readable) name at `off` as the reader decodes it: for the rare name with non-ASCII bytes. */
  decodeName(off: number): string {
    return this.#btf.strings.get(off);
  }

  /**
   * Whether the reader could decode type `id` (a record, array, enum or prototype: the kinds
   * whose entries have names): its name and every entry's name are readable (see `nameOk`).
   */
  decodable(id: number): boolean {
    const w = this.words;
    const at = this.at[id]!;
    if (!this.nameOk(w[at]!, id)) return false;
    const kind = this.kinds[id];
    const step = kind === Kind.STRUCT || kind === Kind.UNION || kind === Kind.ENUM64 ? 3 : kind === Kind.ENUM || kind === Kind.FUNC_PROTO ? 2 : 0;
    if (step === 0) return true;
    const vlen = w[at + 1]! & 0xffff;
    for (let i = 0, e = at + 3; i < vlen; i++, e += step) if (!this.nameOk(w[e]!, id)) return false;
    return true;
  }

  /**
   * Whether the reader could decode the string at `off` for type `id`: inside the string table of
   * the blob that holds `id` (or of its bases) and NUL-terminated there. When it is not, the
   * caller asks the reader, which throws its own error.
   */
  nameOk(off: number, id: number): boolean {
    if (this.#blobs.length === 1) return off <= this.#onlyLastStart;
    let i = this.#blobs.length - 1;
    while (i > 0 && this.#blobs[i]!.firstId > id) i--;
    while (i > 0 && this.#blobs[i]!.strStart > off) i--;
    return off <= this.#blobs[i]!.lastStart;
  }
}

/** The last offset in `t` where a NUL-terminated string starts (below `t.start` when none can). */
function lastStart(t: StringTable): number {
  return t.start + t.bytes.lastIndexOf(0);
}
