import type { Btf } from "../btf.ts";
import { BtfError } from "../error.ts";
import { Kind } from "../kind.ts";
import type { CNames } from "./c-names.ts";
import { writePadding } from "./c-padding.ts";
import type { Layout } from "./layout.ts";
import type { TextBuffer } from "./text-buffer.ts";
import type { TypeWords } from "./type-words.ts";
import { MAX_DEPTH, type WorkBudget } from "./work-budget.ts";

const GNUC_VA_LIST = new TextEncoder().encode("__gnuc_va_list");

/**
 * The C text of types: definitions of typedefs, enums, structs and unions, and the declarations
 * inside them, written into the dump's buffer in the order the text reads — which is also the
 * order names are settled in, so `___N` numbers come out as the text would have them.
 */
export class CDeclarations {
  readonly #btf: Btf;
  readonly #t: TypeWords;
  readonly #names: CNames;
  readonly #layout: Layout;
  readonly #budget: WorkBudget;
  readonly #out: TextBuffer;

  constructor(btf: Btf, t: TypeWords, names: CNames, layout: Layout, budget: WorkBudget, out: TextBuffer) {
    this.#btf = btf;
    this.#t = t;
    this.#names = names;
    this.#layout = layout;
    this.#budget = budget;
    this.#out = out;
  }

  // ---- definitions -------------------------------------------------------------------------

  typedef(id: number): void {
    const t = this.#t;
    const dup = this.#names.identDup(id);
    const off = t.nameOffset(id);
    const target = t.sizeOrType(id);
    // Old GCC describes __gnuc_va_list as a typedef of void; what it means is the builtin.
    if (target === 0 && dup === 1 && this.#names.is(off, GNUC_VA_LIST)) {
      this.#out.text("typedef __builtin_va_list __gnuc_va_list");
      return;
    }
    this.#out.text("typedef ");
    this.#decl(target, off, dup, 0);
  }

  enumDef(id: number, lvl: number): void {
    const t = this.#t;
    const out = this.#out;
    t.requireDecodable(id);
    const dup = this.#names.tagDup(id);
    const off = t.nameOffset(id);
    out.text("enum");
    if (t.str[off] !== 0) {
      out.byte(32);
      this.#names.write(off, dup);
    }
    const w = t.words;
    const at = t.at[id]!;
    const info = w[at + 1]!;
    const vlen = info & 0xffff;
    if (vlen === 0) return;
    const is64 = t.kinds[id] === Kind.ENUM64;
    const signed = info >>> 31 === 1;
    out.text(" {");
    let needs64 = false;
    for (let i = 0, e = at + 3; i < vlen; i++, e += is64 ? 3 : 2) {
      out.byte(10);
      out.tabs(lvl + 1);
      this.#names.enumerator(w[e]!);
      out.text(" = ");
      const lo = w[e + 1]!;
      if (!is64) {
        out.int(signed ? lo | 0 : lo);
        out.byte(44);
        continue;
      }
      const u = (BigInt(w[e + 2]!) << 32n) | BigInt(lo);
      const v = signed ? BigInt.asIntN(64, u) : u;
      if (v > 0xffffffffn || v < -0x80000000n) needs64 = true;
      out.text(`${v}${signed ? "LL" : "ULL"},`);
    }
    out.byte(10);
    out.tabs(lvl);
    out.byte(125);
    out.text(enumSizeAttribute(t.sizeOrType(id), needs64));
  }

  /** A struct or union definition whose layout clang will reproduce exactly. */
  recordDef(id: number, lvl: number): void {
    const t = this.#t;
    const out = this.#out;
    t.requireDecodable(id);
    const w = t.words;
    const at = t.at[id]!;
    const info = w[at + 1]!;
    const vlen = info & 0xffff;
    const bitfields = info >>> 31 === 1;
    const size = w[at + 2]!;
    const isStruct = t.kinds[id] === Kind.STRUCT;
    const dup = this.#names.tagDup(id);
    const packed = this.#isPacked(id);
    out.text(isStruct ? "struct" : "union");
    if (t.str[w[at]!] !== 0) {
      out.byte(32);
      this.#names.write(w[at]!, dup);
    }
    out.text(" {");
    let off = 0;
    let end = 0;
    let prevBitfield = false;
    for (let i = 0, m = at + 3; i < vlen; i++, m += 3) {
      const type = w[m + 1]!;
      const raw = w[m + 2]!;
      const bitOffset = bitfields ? raw & 0xffffff : raw;
      const bitfieldSize = bitfields ? raw >>> 24 : 0;
      const inBitfield = prevBitfield && bitfieldSize !== 0;
      if (isStruct) writePadding(out, this.#budget, id, off, bitOffset, packed ? 1 : this.#layout.alignOf(type), inBitfield, lvl + 1);
      out.byte(10);
      out.tabs(lvl + 1);
      this.#decl(type, w[m]!, 1, lvl + 1);
      if (bitfieldSize) {
        out.text(": ");
        out.uint(bitfieldSize);
        off = bitOffset + bitfieldSize;
        prevBitfield = true;
      } else {
        off = bitOffset + this.#layout.sizeOf(type) * 8;
        prevBitfield = false;
      }
      out.byte(59);
      end = Math.max(end, off);
    }
    // Tail padding: in a struct, explicit; in a union, a member as large as the union.
    if (isStruct) {
      writePadding(out, this.#budget, id, off, size * 8, this.#layout.alignOf(id), false, lvl + 1);
    } else if (end < size * 8) {
      // Unnamed bitfields do not size a union.
      out.byte(10);
      out.tabs(lvl + 1);
      out.text("char __bpfkit_pad[");
      out.uint(size);
      out.text("];");
    }
    if (vlen || size) {
      out.byte(10);
      out.tabs(lvl);
    }
    out.byte(125);
    if (packed) out.text(" __attribute__((packed))");
  }

  /**
   * Whether clang must be told `packed`: a non-bitfield member sits off its natural alignment,
   * or the size is not a multiple of the largest member alignment.
   */
  #isPacked(id: number): boolean {
    const w = this.#t.words;
    const at = this.#t.at[id]!;
    const info = w[at + 1]!;
    const vlen = info & 0xffff;
    const bitfields = info >>> 31 === 1;
    let maxAlign = 1;
    for (let i = 0, m = at + 3; i < vlen; i++, m += 3) {
      const a = this.#layout.alignOf(w[m + 1]!);
      const raw = w[m + 2]!;
      const bitfieldSize = bitfields ? raw >>> 24 : 0;
      const bitOffset = bitfields ? raw & 0xffffff : raw;
      if (bitfieldSize === 0 && bitOffset % (8 * a) !== 0) return true;
      maxAlign = Math.max(maxAlign, a);
    }
    return w[at + 2]! % maxAlign !== 0;
  }

  /** `struct name` or `union name`. */
  recordRef(id: number): void {
    this.#out.text(this.#t.kinds[id] === Kind.UNION ? "union " : "struct ");
    this.#names.tag(id);
  }

  /** A FWD's `struct name` or `union name`. */
  fwdRef(id: number): void {
    this.#out.text(this.#t.word(id, 1) >>> 31 === 1 ? "union " : "struct ");
    this.#names.tag(id);
  }

  // ---- declarations ------------------------------------------------------------------------

  /**
   * The C declaration of the name at string offset `nameOff` (with `___nameDup` when > 1) with
   * type `id`: `int *const p`, `void (*fn[2])(int)`, or an anonymous record's whole body.
   */
  #decl(id: number, nameOff: number, nameDup: number, lvl: number): void {
    const t = this.#t;
    const out = this.#out;
    this.#budget.enter(id);
    // Most declarations are a base type, or a pointer to one: written straight out.
    if (this.#isPlainBase(id)) {
      this.#baseName(id, lvl);
      if (t.str[nameOff] !== 0) {
        out.byte(32);
        this.#names.write(nameOff, nameDup);
      }
    } else if (t.kind(id) === Kind.PTR && this.#isPlainBase(t.checkRef(t.sizeOrType(id), id))) {
      this.#baseName(t.sizeOrType(id), lvl);
      out.text(" *");
      this.#names.write(nameOff, nameDup);
    } else {
      this.#chainDecl(id, nameOff, nameDup, lvl);
    }
    this.#budget.leave();
  }

  /** Ends a declarator chain, and is no builtin typedef (which is spelled out as its target). */
  #isPlainBase(id: number): boolean {
    const k = this.#t.kind(id);
    return isBaseKind(k) && !(k === Kind.TYPEDEF && this.#names.isBuiltin(id));
  }

  /**
   * `#decl` with a chain of pointers, arrays, qualifiers and prototypes. BTF chains go outside-in
   * (the declared object's type first); C writes qualifiers of pointers after the `*`, qualifiers
   * of everything else before the base type, and needs parentheses where a pointer meets an
   * array or function.
   */
  #chainDecl(id: number, nameOff: number, nameDup: number, lvl: number): void {
    const t = this.#t;
    const out = this.#out;
    const chain: number[] = [];
    let base = id;
    for (;;) {
      const k = t.kind(base);
      if (k === Kind.PTR || k === Kind.CONST || k === Kind.VOLATILE || k === Kind.RESTRICT || k === Kind.TYPE_TAG || k === Kind.FUNC_PROTO) {
        chain.push(base);
        base = t.checkRef(t.sizeOrType(base), base);
      } else if (k === Kind.ARRAY) {
        chain.push(base);
        t.requireDecodable(base);
        base = t.checkRef(t.word(base, 3), base);
      } else if (k === Kind.TYPEDEF && this.#names.isBuiltin(base)) {
        // Spelled out as the kernel's target defines it: BPF's own va_list is a mere pointer.
        base = t.checkRef(t.sizeOrType(base), base);
      } else {
        break;
      }
      if (chain.length > MAX_DEPTH) throw new BtfError("declarator chain too long (a reference cycle?)", { typeId: id, code: "cycle" });
    }
    // The declarator grows outward from the name: its left part is built here, its right part
    // (array bounds, parameter lists, which may hold whole declarations) is written out as it
    // comes. Base type and qualifiers go before both once the chain is done.
    const start = out.p;
    let left = "";
    /** The declarator is empty so far / starts with `*` (and so needs parentheses before a suffix). */
    let empty = t.str[nameOff] === 0;
    let star = t.str[nameOff] === 42;
    let quals: string[] = [];
    /** Qualifiers of an array apply to its elements: carried down past it. */
    let carried: string[] = [];
    for (const op of chain) {
      const k = t.kind(op);
      if (k === Kind.CONST || k === Kind.VOLATILE || k === Kind.RESTRICT || k === Kind.TYPE_TAG) {
        t.readableName(op);
        const q = qualifier(k, k === Kind.TYPE_TAG ? this.#btf.nameOf(op) : "");
        if (!quals.includes(q)) quals.push(q);
        continue;
      }
      if (k === Kind.PTR) {
        left = `*${quals.join(" ")}${quals.length && !empty ? " " : ""}${left}`;
        star = true;
        quals = carried;
        carried = [];
      } else if (k === Kind.ARRAY) {
        carried = withQuals(carried, quals);
        quals = [];
        if (star) {
          left = `(${left}`;
          out.byte(41);
        }
        out.byte(91);
        out.uint(t.word(op, 5));
        out.byte(93);
        star = false;
      } else {
        // A function type cannot be qualified: drop any qualifiers on it.
        quals = carried;
        carried = [];
        if (star) {
          left = `(${left}`;
          out.byte(41);
        }
        out.byte(40);
        this.#params(op, lvl);
        out.byte(41);
        star = false;
      }
      empty = false;
    }
    quals = withQuals(quals, carried);
    const rightEnd = out.p;
    this.#baseName(base, lvl);
    // Now in C's order: qualifiers, base type, type tags, declarator, blanks between non-empty
    // parts. The base type moves to the front, past the qualifiers; the right part waits aside.
    const hasBase = out.p > rightEnd;
    out.keep(start, rightEnd);
    let cv = "";
    for (const q of quals) if (!isTypeTag(q)) cv = cv ? `${cv} ${q}` : q;
    out.moveTail(rightEnd, start + cv.length + (cv && hasBase ? 1 : 0));
    const after = out.p;
    out.p = start;
    out.text(cv);
    if (cv && hasBase) out.byte(32);
    out.p = after;
    let sep = cv !== "" || hasBase;
    for (const q of quals) {
      if (!isTypeTag(q)) continue;
      if (sep) out.byte(32);
      out.text(q);
      sep = true;
    }
    if (!empty) {
      if (sep) out.byte(32);
      out.text(left);
      this.#names.write(nameOff, nameDup);
      out.appendKept();
    }
  }

  #params(id: number, lvl: number): void {
    const t = this.#t;
    const out = this.#out;
    t.requireDecodable(id);
    const at = t.at[id]!;
    const vlen = t.words[at + 1]! & 0xffff;
    if (vlen === 0) {
      out.text("void");
      return;
    }
    // A lone void parameter has no C spelling but an unprototyped list.
    if (vlen === 1 && t.words[at + 4] === 0) return;
    for (let i = 0, p = at + 3; i < vlen; i++, p += 2) {
      if (i > 0) out.text(", ");
      const type = t.words[p + 1]!;
      if (i === vlen - 1 && type === 0) out.text("...");
      else this.#decl(type, t.words[p]!, 1, lvl);
    }
  }

  #baseName(id: number, lvl: number): void {
    const t = this.#t;
    const out = this.#out;
    if (id === 0) {
      out.text("void");
      return;
    }
    switch (t.kind(id)) {
      case Kind.INT:
      case Kind.FLOAT: {
        const off = t.readableName(id);
        if (t.str[off] !== 0) this.#names.write(off, 1);
        else out.text(anonymousInt(t.sizeOrType(id)));
        return;
      }
      case Kind.TYPEDEF:
        this.#names.ident(id);
        return;
      case Kind.STRUCT:
      case Kind.UNION:
        if (t.nameOffset(id) === 0) this.recordDef(id, lvl);
        else this.recordRef(id);
        return;
      case Kind.ENUM:
      case Kind.ENUM64:
        if (t.nameOffset(id) === 0) {
          this.enumDef(id, lvl);
        } else {
          out.text("enum ");
          this.#names.tag(id);
        }
        return;
      case Kind.FWD:
        this.fwdRef(id);
        return;
      default:
        throw new BtfError(`a ${this.#btf.type(id).kind} cannot be the type of a field or declaration`, { typeId: id, code: "wrong-kind" });
    }
  }
}

/** Kinds that end a declarator chain: named or written out where they are used. */
function isBaseKind(kind: number): boolean {
  return kind === Kind.UNKN || kind === Kind.INT || kind === Kind.FLOAT || kind === Kind.STRUCT || kind === Kind.UNION || kind === Kind.ENUM || kind === Kind.ENUM64 || kind === Kind.FWD || kind === Kind.TYPEDEF;
}

/** `a`, then the qualifiers of `b` that `a` lacks. */
function withQuals(a: string[], b: readonly string[]): string[] {
  if (b.length === 0) return a;
  const out = a.slice();
  for (const q of b) if (!a.includes(q)) out.push(q);
  return out;
}

/** Type tags are attributes: written after the base type, where clang applies them to it. */
function isTypeTag(qualifier: string): boolean {
  return qualifier.startsWith("__attribute__");
}

function qualifier(kind: number, name: string): string {
  switch (kind) {
    case Kind.CONST:
      return "const";
    case Kind.VOLATILE:
      return "volatile";
    case Kind.RESTRICT:
      return "restrict";
    default:
      return `__attribute__((btf_type_tag(${JSON.stringify(name)})))`;
  }
}

/** clang sizes an enum to fit its values (4 bytes, or 8 when one needs it); `mode` overrides that. */
function enumSizeAttribute(size: number, needs64: boolean): string {
  switch (size) {
    case 1:
      return " __attribute__((mode(byte)))";
    case 2:
      return " __attribute__((mode(HI)))";
    case 8:
      return needs64 ? "" : " __attribute__((mode(DI)))";
    default:
      return "";
  }
}

function anonymousInt(size: number): string {
  return size === 1 ? "char" : size === 2 ? "short" : size === 8 ? "long" : size === 16 ? "__int128" : "int";
}
