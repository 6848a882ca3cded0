import { alignOfType, type LayoutSource, sizeOfType } from "../layout.ts";
import type { TypeWords } from "./type-words.ts";

/** Not a kind: what `kind` gives for an id past the last, so the rules fall back rather than ask the reader. */
const NO_KIND = 255;

/**
 * `Btf.sizeOf` and `Btf.alignOf` (the rules in ../layout.ts) answered from the words, for
 * dumpers: the reader decodes each record it passes through (names included), which a dump of
 * 100k+ types pays for over and over. Where the reader throws these give the dumper's fallback
 * instead (size 0, alignment 1). Record alignments are remembered as the reader remembers them:
 * once worked out whole. (This memory starts empty for each dump, where the reader's keeps
 * answers it gave before; that can only matter for records nested more than 64 deep by value,
 * which the depth limit rejects depending on what is already known.)
 */
export class Layout implements LayoutSource {
  readonly #src: TypeWords;
  readonly #words: Uint32Array;
  readonly #at: Uint32Array;
  readonly #kinds: Uint8Array;
  readonly #n: number;
  /** Alignment of each record worked out so far (0: not yet). */
  readonly #aligns: Uint8Array;

  constructor(src: TypeWords) {
    this.#src = src;
    this.#words = src.words;
    this.#at = src.at;
    this.#kinds = src.kinds;
    this.#n = src.n;
    this.#aligns = new Uint8Array(this.#n);
  }

  /** Size in bytes of a value of type `id`; 0 where the reader throws. */
  sizeOf(id: number): number {
    const s = sizeOfType(this, id);
    return Math.max(0, s);
  }

  /** Alignment in bytes of type `id` as a compiler lays it out (1 for packed records); 1 where the reader throws. */
  alignOf(id: number): number {
    const a = alignOfType(this, id);
    return a < 0 ? 1 : a;
  }

  kind(id: number): number {
    return id < this.#n ? this.#kinds[id]! : NO_KIND;
  }

  sizeOrType(id: number): number {
    return this.#words[this.#at[id]! + 2]!;
  }

  word(id: number, i: number): number {
    return this.#words[this.#at[id]! + i]!;
  }

  decodable(id: number): boolean {
    return this.#src.decodable(id);
  }

  knownAlign(id: number): number {
    return this.#aligns[id]!;
  }

  rememberAlign(id: number, align: number): void {
    this.#aligns[id] = align;
  }

  /** Every failure unwinds every level, as the reader's exception does. */
  fail(): number {
    return -1;
  }
}
