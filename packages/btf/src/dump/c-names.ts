import { Kind } from "../kind.ts";
import { NameCounts } from "./name-counts.ts";
import type { TextBuffer } from "./text-buffer.ts";
import type { TypeWords } from "./type-words.ts";

const utf8 = new TextEncoder();
const BUILTIN_VA_LIST = utf8.encode("__builtin_va_list");

/**
 * Names as C sees them. Two distinct types may not share a name in one namespace, so the N-th
 * type of a name is written `name___N`, as bpftool does: tags (struct, union, enum) and ordinary
 * identifiers (typedefs, enumerators) are counted apart, in the order the dump first writes them.
 */
export class CNames {
  readonly #t: TypeWords;
  readonly #out: TextBuffer;
  /** Each type's `___N` once its name is settled (1: no suffix; 0: not settled yet). */
  readonly #dup: Int32Array;
  readonly #tags: NameCounts;
  readonly #idents: NameCounts;

  constructor(t: TypeWords, out: TextBuffer) {
    this.#t = t;
    this.#out = out;
    this.#dup = new Int32Array(t.n);
    const decode = (off: number) => t.decodeName(off);
    // Kernel BTF: a tenth of its types are named records and enums; typedefs and enumerators a sixth.
    this.#tags = new NameCounts(t.str, decode, t.n >>> 3);
    this.#idents = new NameCounts(t.str, decode, t.n >>> 2);
  }

  /** Settles a struct/union/enum's name (FWDs announce a definition: they take no number); returns its N. */
  tagDup(id: number): number {
    return this.#settle(id, this.#tags);
  }

  /** Settles a typedef's name; returns its N. */
  identDup(id: number): number {
    return this.#settle(id, this.#idents);
  }

  #settle(id: number, seen: NameCounts): number {
    const settled = this.#dup[id]!;
    if (settled !== 0) return settled;
    const t = this.#t;
    const off = t.readableName(id);
    const dup = t.str[off] !== 0 && t.kind(id) !== Kind.FWD ? seen.add(off) : 1;
    this.#dup[id] = dup;
    return dup;
  }

  /** Writes a struct/union/enum's name. */
  tag(id: number): void {
    const dup = this.tagDup(id);
    this.write(this.#t.nameOffset(id), dup);
  }

  /** Writes a typedef's name. */
  ident(id: number): void {
    const dup = this.identDup(id);
    this.write(this.#t.nameOffset(id), dup);
  }

  /** Writes the enumerator named at `off`: every one written counts, even a repeat of the same enum. */
  enumerator(off: number): void {
    this.write(off, this.#idents.add(off));
  }

  /** Writes the name at `off`, then `___dup` when dup > 1. */
  write(off: number, dup: number): void {
    const out = this.#out;
    if (!out.name(this.#t.str, off)) out.text(this.#t.decodeName(off));
    if (dup > 1) {
      out.text("___");
      out.uint(dup);
    }
  }

  /** Whether the (readable) name at `off` is `name`'s bytes. */
  is(off: number, name: Uint8Array): boolean {
    const s = this.#t.str;
    for (let i = 0; i < name.length; i++) if (s[off + i] !== name[i]) return false;
    return s[off + name.length] === 0;
  }

  /**
   * A typedef the compiler has built in (redefining one is an error). Uses of it are written as
   * the type the BTF says it stands for, so layouts stay the kernel's.
   */
  isBuiltin(id: number): boolean {
    return this.is(this.#t.readableName(id), BUILTIN_VA_LIST);
  }
}
