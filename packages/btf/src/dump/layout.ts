import { Kind } from "../kind.ts";
import type { TypeWords } from "./type-words.ts";

/** Hops and nesting the reader follows before calling the BTF corrupt (Btf's MAX_CHAIN). */
const MAX_CHAIN = 64;
const PTR_SIZE = 8;

/**
 * `Btf.sizeOf` and `Btf.alignOf` answered from the words, for dumpers: the reader's versions
 * decode each record they pass through (names included), which a dump of 100k+ types pays for
 * over and over. Same rules, same hop and depth limits, and where the reader throws these give
 * the dumper's fallback instead (size 0, alignment 1). Record alignments are remembered as the
 * reader remembers them: once worked out whole. (This memory starts empty for each dump, where
 * the reader's keeps answers it gave before; that can only matter for records nested more than
 * 64 deep by value, which the depth limit rejects depending on what is already known.)
 */
export class Layout {
  readonly #src: TypeWords;
  readonly #n: number;
  /** Alignment of each record worked out so far (0: not yet). */
  readonly #aligns: Uint8Array;

  constructor(src: TypeWords) {
    this.#src = src;
    this.#n = src.n;
    this.#aligns = new Uint8Array(this.#n);
  }

  /** Size in bytes of a value of type `id`; 0 where the reader throws. */
  sizeOf(id: number): number {
    const { words, at, kinds } = this.#src;
    let mult = 1;
    for (let hops = 0; hops < MAX_CHAIN; hops++) {
      id = this.#resolve(id);
      if (id < 0) return 0;
      switch (kinds[id]) {
        case Kind.INT:
        case Kind.STRUCT:
        case Kind.UNION:
        case Kind.ENUM:
        case Kind.ENUM64:
        case Kind.FLOAT:
        case Kind.DATASEC:
          return mult * words[at[id]! + 2]!;
        case Kind.PTR:
          return mult * PTR_SIZE;
        case Kind.ARRAY:
          if (!this.#src.decodable(id)) return 0;
          mult *= words[at[id]! + 5]!;
          id = words[at[id]! + 3]!;
          continue;
        case Kind.VAR:
          id = words[at[id]! + 2]!;
          continue;
        default:
          return 0;
      }
    }
    return 0;
  }

  /** Alignment in bytes of type `id` as a compiler lays it out (1 for packed records); 1 where the reader throws. */
  alignOf(id: number): number {
    const a = this.#align(id, 0);
    return a < 0 ? 1 : a;
  }

  /** -1 where the reader throws (which unwinds every level, as its exception does). */
  #align(id: number, depth: number): number {
    // Structs nest by value; corrupt BTF can make one contain itself.
    if (depth > MAX_CHAIN) return -1;
    const { words, at, kinds } = this.#src;
    for (let hops = 0; hops < MAX_CHAIN; hops++) {
      id = this.#resolve(id);
      if (id < 0) return -1;
      switch (kinds[id]) {
        case Kind.INT:
        case Kind.ENUM:
        case Kind.ENUM64:
        case Kind.FLOAT:
          return Math.max(1, Math.min(PTR_SIZE, words[at[id]! + 2]!));
        case Kind.PTR:
          return PTR_SIZE;
        case Kind.ARRAY:
          if (!this.#src.decodable(id)) return -1;
          id = words[at[id]! + 3]!;
          continue;
        case Kind.STRUCT:
        case Kind.UNION: {
          const known = this.#aligns[id]!;
          if (known !== 0) return known;
          if (!this.#src.decodable(id)) return -1;
          // A bitfield's declared type counts too (`u64 x: 3` makes a struct 8-byte aligned). A
          // member off its natural alignment, or a size that is no multiple of the alignment,
          // means the record was packed: then it aligns to 1, as a compiler sees it.
          const r = at[id]!;
          const info = words[r + 1]!;
          const vlen = info & 0xffff;
          const bitfields = info >>> 31 === 1;
          let a = 1;
          for (let i = 0, m = r + 3; i < vlen; i++, m += 3) {
            const ma = this.#align(words[m + 1]!, depth + 1);
            if (ma < 0) return -1;
            const raw = words[m + 2]!;
            if ((bitfields ? raw >>> 24 : 0) === 0 && (bitfields ? raw & 0xffffff : raw) % (8 * ma) !== 0) {
              a = 0;
              break;
            }
            a = Math.max(a, ma);
          }
          a = a !== 0 && words[r + 2]! % a === 0 ? a : 1;
          this.#aligns[id] = a;
          return a;
        }
        default:
          return -1;
      }
    }
    return -1;
  }

  /** Skips modifiers and typedefs (Btf.resolve); -1 where the reader throws. */
  #resolve(id: number): number {
    const { words, at, kinds } = this.#src;
    for (let hops = 0; hops < MAX_CHAIN; hops++) {
      if (id >= this.#n) return -1;
      const k = kinds[id];
      if (k !== Kind.CONST && k !== Kind.VOLATILE && k !== Kind.RESTRICT && k !== Kind.TYPE_TAG && k !== Kind.TYPEDEF) return id;
      id = words[at[id]! + 2]!;
    }
    return -1;
  }
}
