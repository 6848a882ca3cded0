import { Kind } from "./kind.ts";

/** Hops and nesting followed before the BTF is called corrupt (a reference cycle). */
export const MAX_CHAIN = 64;
/** Pointer size on BPF (and on every 64-bit kernel bpfkit supports). */
export const PTR_SIZE = 8;

/** Why a size, alignment or resolution cannot be given. */
export type LayoutFailure = "resolve-chain" | "no-size" | "size-chain" | "no-align" | "align-chain" | "nesting";

/**
 * What the layout rules read: the reader (`Btf`, which decodes and throws its own errors) or the
 * dumpers' raw words (`dump/layout.ts`, which must not decode each record it passes and answers
 * with a fallback instead of throwing).
 */
export interface LayoutSource {
  /** Kind of `id`. For an id that does not exist: throw, or a value no kind has. */
  kind(id: number): number;
  sizeOrType(id: number): number;
  /** Word `i` of `id`'s record (only asked for words the kind has). */
  word(id: number, i: number): number;
  /** Whether the reader could decode `id` (an array or record); may throw the reader's error instead of answering false. */
  decodable(id: number): boolean;
  /** Alignment of record `id` worked out before; 0 when not yet. */
  knownAlign(id: number): number;
  rememberAlign(id: number, align: number): void;
  /** Called where the rules give up on `id`: throws, or returns a negative number that is passed up. */
  fail(why: LayoutFailure, id: number): number;
}

/** Skips modifiers and typedefs down to the underlying type. */
export function resolveType(src: LayoutSource, id: number): number {
  for (let hops = 0; hops < MAX_CHAIN; hops++) {
    const k = src.kind(id);
    if (k !== Kind.CONST && k !== Kind.VOLATILE && k !== Kind.RESTRICT && k !== Kind.TYPE_TAG && k !== Kind.TYPEDEF) return id;
    id = src.sizeOrType(id);
  }
  return src.fail("resolve-chain", id);
}

/** Size in bytes of a value of type `id`; negative where the source's `fail` is. */
export function sizeOfType(src: LayoutSource, id: number): number {
  let mult = 1;
  for (let hops = 0; hops < MAX_CHAIN; hops++) {
    id = resolveType(src, id);
    if (id < 0) return id;
    switch (src.kind(id)) {
      case Kind.INT:
      case Kind.STRUCT:
      case Kind.UNION:
      case Kind.ENUM:
      case Kind.ENUM64:
      case Kind.FLOAT:
      case Kind.DATASEC:
        return mult * src.sizeOrType(id);
      case Kind.PTR:
        return mult * PTR_SIZE;
      case Kind.ARRAY:
        if (!src.decodable(id)) return -1;
        mult *= src.word(id, 5);
        id = src.word(id, 3);
        continue;
      case Kind.VAR:
        id = src.sizeOrType(id);
        continue;
      default:
        return src.fail("no-size", id);
    }
  }
  return src.fail("size-chain", id);
}

/** Alignment in bytes of type `id` as a C compiler lays it out (1 for packed records); negative where the source's `fail` is. */
export function alignOfType(src: LayoutSource, id: number, depth = 0): number {
  // Structs nest by value; corrupt BTF can make one contain itself.
  if (depth > MAX_CHAIN) return src.fail("nesting", id);
  for (let hops = 0; hops < MAX_CHAIN; hops++) {
    id = resolveType(src, id);
    if (id < 0) return id;
    switch (src.kind(id)) {
      case Kind.INT:
      case Kind.ENUM:
      case Kind.ENUM64:
      case Kind.FLOAT:
        return Math.max(1, Math.min(PTR_SIZE, src.sizeOrType(id)));
      case Kind.PTR:
        return PTR_SIZE;
      case Kind.ARRAY:
        if (!src.decodable(id)) return -1;
        id = src.word(id, 3);
        continue;
      case Kind.STRUCT:
      case Kind.UNION: {
        // Remembered: records share members, and without it nested records cost exponential time.
        const known = src.knownAlign(id);
        if (known !== 0) return known;
        if (!src.decodable(id)) return -1;
        // A bitfield's declared type counts too (`u64 x: 3` makes a struct 8-byte aligned). A
        // member off its natural alignment, or a size that is no multiple of the alignment,
        // means the record was packed: then it aligns to 1, as a compiler sees it.
        const info = src.word(id, 1);
        const vlen = info & 0xffff;
        const bitfields = info >>> 31 === 1;
        let a = 1;
        for (let i = 0, m = 3; i < vlen; i++, m += 3) {
          const ma = alignOfType(src, src.word(id, m + 1), depth + 1);
          if (ma < 0) return ma;
          const raw = src.word(id, m + 2);
          if ((bitfields ? raw >>> 24 : 0) === 0 && (bitfields ? raw & 0xffffff : raw) % (8 * ma) !== 0) {
            a = 0;
            break;
          }
          a = Math.max(a, ma);
        }
        a = a !== 0 && src.sizeOrType(id) % a === 0 ? a : 1;
        src.rememberAlign(id, a);
        return a;
      }
      default:
        return src.fail("no-align", id);
    }
  }
  return src.fail("align-chain", id);
}
