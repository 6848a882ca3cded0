import type { Btf } from "../btf.ts";
import { BtfError } from "../error.ts";
import { Kind } from "../kind.ts";
import type { BtfComposite, BtfEnum, BtfEnum64 } from "../types.ts";

export interface CDumpOptions {
  /** Include-guard macro; default `__VMLINUX_H__`, as bpftool writes it. */
  readonly guard?: string;
  /** Only these types and what their definitions need (default: every type). */
  readonly roots?: readonly number[];
}

/**
 * BTF as a C header in the shape of bpftool's `format c` (the vmlinux.h BPF programs include):
 * every struct, union, enum and typedef, each defined before anything that embeds it, forward
 * declarations where only a pointer is needed, anonymous types inline, and the layout spelled
 * out so clang reproduces the BTF's exactly — explicit padding bitfields, `packed` where members
 * sit off their natural alignment, `mode()` for enums that are not 4 bytes. Records are wrapped
 * in clang's preserve_access_index so field accesses become CO-RE relocations.
 */
export function dumpC(btf: Btf, options: CDumpOptions = {}): string {
  return new CWriter(btf).write(options);
}

/** Deepest nesting of declarators and embedded types followed before calling the BTF corrupt. */
const MAX_DEPTH = 256;
const PTR_BITS = 64;

/** Ordering state of a type: not visited, on the current path, queued (or needing no queue). */
const Order = { None: 0, Ordering: 1, Ordered: 2 } as const;
/** Emission state of a type. */
const Emit = { None: 0, Emitting: 1, Emitted: 2 } as const;

class CWriter {
  readonly #btf: Btf;
  readonly #n: number;
  readonly #order: Uint8Array;
  readonly #emit: Uint8Array;
  /** A forward declaration (or, for a typedef, its definition) is already out. */
  readonly #fwd: Uint8Array;
  readonly #referenced: Uint8Array;
  readonly #names: (string | undefined)[];
  /** Tags (struct/union/enum) and ordinary identifiers (typedefs, enumerators) seen so far. */
  readonly #tagNames = new Map<string, number>();
  readonly #identNames = new Map<string, number>();
  readonly #queue: number[] = [];
  readonly #out: string[] = [];
  #depth = 0;
  /**
   * Work left before the BTF counts as hostile: anonymous types are written inline at every use,
   * so corrupt BTF that shares them can make the output grow exponentially.
   */
  #budget: number;

  constructor(btf: Btf) {
    this.#btf = btf;
    this.#n = btf.lastId + 1;
    this.#order = new Uint8Array(this.#n);
    this.#emit = new Uint8Array(this.#n);
    this.#fwd = new Uint8Array(this.#n);
    this.#referenced = new Uint8Array(this.#n);
    this.#names = new Array(this.#n);
    this.#budget = 64 * this.#n + 100_000;
  }

  write(options: CDumpOptions): string {
    const guard = options.guard ?? "__VMLINUX_H__";
    // A whole dump writes out anonymous enums nothing uses (they define constants); a dump of
    // some roots writes only what they use, so everything counts as used.
    if (options.roots) this.#referenced.fill(1);
    else this.#markReferenced();
    const roots = options.roots ?? rangeIds(1, this.#n);
    for (const id of roots) {
      this.#check(id, 0);
      this.#orderType(id, false);
    }
    for (const id of this.#queue) this.#emitType(id, 0);
    return [
      `#ifndef ${guard}\n#define ${guard}\n\n`,
      "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n#endif\n\n",
      ...this.#out,
      "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n",
      `#endif /* ${guard} */\n`,
    ].join("");
  }

  #check(ref: number, from: number): number {
    if (!Number.isInteger(ref) || ref < 0 || ref >= this.#n) throw new BtfError(`reference to type ${ref}, which does not exist`, { typeId: from });
    return ref;
  }

  #enter(id: number): void {
    if (++this.#depth > MAX_DEPTH) throw new BtfError(`types nest more than ${MAX_DEPTH} deep (a reference cycle?)`, { typeId: id });
    this.#spend(id, 1);
  }

  #spend(id: number, work: number): void {
    this.#budget -= work;
    if (this.#budget < 0) throw new BtfError("the C rendering of these types grows out of all proportion to the BTF (anonymous types shared in a loop?)", { typeId: id });
  }

  /** Marks every type another type refers to (and checks every reference exists). */
  #markReferenced(): void {
    const btf = this.#btf;
    const mark = (ref: number, from: number) => {
      this.#referenced[this.#check(ref, from)] = 1;
    };
    // Straight from the records' words: decoding 100k+ types (and their names) costs far more.
    for (let id = 1; id < this.#n; id++) {
      const vlen = btf.vlen(id);
      switch (btf.kind(id)) {
        case Kind.PTR:
        case Kind.TYPEDEF:
        case Kind.VOLATILE:
        case Kind.CONST:
        case Kind.RESTRICT:
        case Kind.TYPE_TAG:
        case Kind.FUNC:
        case Kind.VAR:
        case Kind.DECL_TAG:
          mark(btf.sizeOrType(id), id);
          break;
        case Kind.ARRAY:
          mark(btf.word(id, 3), id);
          mark(btf.word(id, 4), id);
          break;
        case Kind.STRUCT:
        case Kind.UNION:
          for (let i = 0; i < vlen; i++) mark(btf.word(id, 4 + 3 * i), id);
          break;
        case Kind.FUNC_PROTO:
          mark(btf.sizeOrType(id), id);
          for (let i = 0; i < vlen; i++) mark(btf.word(id, 4 + 2 * i), id);
          break;
        case Kind.DATASEC:
          for (let i = 0; i < vlen; i++) mark(btf.word(id, 3 + 3 * i), id);
          break;
        default:
          break;
      }
    }
  }

  /**
   * Puts the named definitions `id` needs into the emission queue, dependencies first.
   * Returns whether the type is "strong" — needed by value, so a forward declaration will not
   * do — which tells a typedef reached through a pointer whether it must wait for its target.
   */
  #orderType(id: number, throughPtr: boolean): boolean {
    if (this.#order[id] === Order.Ordered) return true;
    const btf = this.#btf;
    const kind = btf.kind(id);
    if (this.#order[id] === Order.Ordering) {
      // A loop through a pointer to a named record is what forward declarations are for.
      if ((kind === Kind.STRUCT || kind === Kind.UNION) && throughPtr && this.#named(id)) return false;
      throw new BtfError("type cycle that no forward declaration can break", { typeId: id });
    }
    this.#enter(id);
    try {
      switch (kind) {
        case Kind.UNKN:
          return false;
        case Kind.INT:
        case Kind.FLOAT:
          this.#order[id] = Order.Ordered;
          return false;
        case Kind.PTR: {
          const strong = this.#orderType(this.#check(btf.sizeOrType(id), id), true);
          this.#order[id] = Order.Ordered;
          return strong;
        }
        case Kind.ARRAY: {
          const t = btf.type(id) as { elemType: number };
          return this.#orderType(this.#check(t.elemType, id), false);
        }
        case Kind.STRUCT:
        case Kind.UNION: {
          const named = this.#named(id);
          // Behind a pointer a named record only needs its forward declaration.
          if (throughPtr && named) return false;
          this.#order[id] = Order.Ordering;
          for (const m of (btf.type(id) as BtfComposite).members) this.#orderType(m.type, false);
          if (named) this.#queue.push(id);
          this.#order[id] = Order.Ordered;
          return true;
        }
        case Kind.ENUM:
        case Kind.ENUM64:
        case Kind.FWD:
          // Named ones are top-level declarations; an anonymous enum nobody uses still defines constants.
          if (this.#named(id) || !this.#referenced[id]) this.#queue.push(id);
          this.#order[id] = Order.Ordered;
          return true;
        case Kind.TYPEDEF: {
          const strong = this.#orderType(this.#check(btf.sizeOrType(id), id), throughPtr);
          if (throughPtr && !strong) return false;
          this.#queue.push(id);
          this.#order[id] = Order.Ordered;
          return true;
        }
        case Kind.VOLATILE:
        case Kind.CONST:
        case Kind.RESTRICT:
        case Kind.TYPE_TAG:
          return this.#orderType(this.#check(btf.sizeOrType(id), id), throughPtr);
        case Kind.FUNC_PROTO: {
          const t = btf.type(id) as { returnType: number; params: readonly { type: number }[] };
          let strong = this.#orderType(t.returnType, throughPtr);
          for (const p of t.params) if (this.#orderType(p.type, throughPtr)) strong = true;
          return strong;
        }
        default:
          // FUNC, VAR, DATASEC, DECL_TAG: nothing a header declares.
          this.#order[id] = Order.Ordered;
          return false;
      }
    } finally {
      this.#depth--;
    }
  }

  /**
   * Emits `id` (when `container` is 0, as a top-level definition) after the forward
   * declarations its definition refers to. `container` is the record being defined, whose own
   * name needs no forward declaration.
   */
  #emitType(id: number, container: number): void {
    if (this.#emit[id] === Emit.Emitted) return;
    const btf = this.#btf;
    const kind = btf.kind(id);
    if (this.#emit[id] === Emit.Emitting) {
      // Reached again while being emitted: only a pointer can lead here, and a forward declaration serves.
      if (this.#fwd[id]) return;
      if (kind === Kind.STRUCT || kind === Kind.UNION) {
        if (id === container || !this.#named(id)) return;
        this.#out.push(`${this.#recordKeyword(id)} ${this.#tagName(id)};\n\n`);
        this.#fwd[id] = 1;
      } else if (kind === Kind.TYPEDEF) {
        if (!this.#isBuiltin(id)) this.#out.push(`${this.#typedefDef(id)};\n\n`);
        this.#fwd[id] = 1;
      }
      return;
    }
    this.#enter(id);
    try {
      switch (kind) {
        case Kind.INT:
        case Kind.FLOAT:
          this.#emit[id] = Emit.Emitted;
          break;
        case Kind.ENUM:
        case Kind.ENUM64:
          if (container === 0) this.#out.push(`${this.#enumDef(id, 0)};\n\n`);
          this.#emit[id] = Emit.Emitted;
          break;
        case Kind.FWD:
          this.#out.push(`${btf.kindFlag(id) ? "union" : "struct"} ${this.#tagName(id)};\n\n`);
          this.#emit[id] = Emit.Emitted;
          break;
        case Kind.PTR:
        case Kind.VOLATILE:
        case Kind.CONST:
        case Kind.RESTRICT:
        case Kind.TYPE_TAG:
          this.#emitType(btf.sizeOrType(id), container);
          break;
        case Kind.ARRAY:
          this.#emitType((btf.type(id) as { elemType: number }).elemType, container);
          break;
        case Kind.TYPEDEF:
          this.#emit[id] = Emit.Emitting;
          this.#emitType(btf.sizeOrType(id), id);
          if (!this.#fwd[id] && !this.#isBuiltin(id)) this.#out.push(`${this.#typedefDef(id)};\n\n`);
          this.#emit[id] = Emit.Emitted;
          break;
        case Kind.STRUCT:
        case Kind.UNION: {
          this.#emit[id] = Emit.Emitting;
          const named = this.#named(id);
          if (container === 0 || !named) {
            // Its body will be written out: everything its members mention must be declared.
            const inner = named ? id : container;
            for (const m of (btf.type(id) as BtfComposite).members) this.#emitType(m.type, inner);
          } else if (!this.#fwd[id] && id !== container) {
            this.#out.push(`${this.#recordKeyword(id)} ${this.#tagName(id)};\n\n`);
            this.#fwd[id] = 1;
          }
          if (container === 0) {
            this.#out.push(`${this.#recordDef(id, 0)};\n\n`);
            this.#emit[id] = Emit.Emitted;
          } else {
            this.#emit[id] = Emit.None;
          }
          break;
        }
        case Kind.FUNC_PROTO: {
          const t = btf.type(id) as { returnType: number; params: readonly { type: number }[] };
          this.#emitType(t.returnType, container);
          for (const p of t.params) this.#emitType(p.type, container);
          break;
        }
        default:
          break;
      }
    } finally {
      this.#depth--;
    }
  }

  // ---- names -------------------------------------------------------------------------------

  /** A struct/union/enum's name, with `___N` appended to the N-th distinct type of that name. */
  #tagName(id: number): string {
    return this.#resolveName(id, this.#tagNames);
  }

  /** A typedef's name (typedefs share C's ordinary namespace with enumerators). */
  #identName(id: number): string {
    return this.#resolveName(id, this.#identNames);
  }

  #resolveName(id: number, seen: Map<string, number>): string {
    const cached = this.#names[id];
    if (cached !== undefined) return cached;
    const name = this.#btf.nameOf(id);
    let out = name;
    // Forward declarations may repeat; they never clash with the definition they announce.
    if (name !== "" && this.#btf.kind(id) !== Kind.FWD) {
      const dup = (seen.get(name) ?? 0) + 1;
      seen.set(name, dup);
      if (dup > 1) out = `${name}___${dup}`;
    }
    this.#names[id] = out;
    return out;
  }

  /**
   * Typedefs the compiler has built in (redefining one is an error). Uses of them are written
   * as the type the BTF says they stand for, so layouts stay the kernel's.
   */
  #isBuiltin(id: number): boolean {
    return this.#btf.nameOf(id) === "__builtin_va_list";
  }

  /** Has a name (is not anonymous): decided on the name offset, without decoding the name. */
  #named(id: number): boolean {
    return this.#btf.nameOffset(id) !== 0;
  }

  #recordKeyword(id: number): string {
    return this.#btf.kind(id) === Kind.UNION ? "union" : "struct";
  }

  // ---- definitions -------------------------------------------------------------------------

  #typedefDef(id: number): string {
    const name = this.#identName(id);
    const target = this.#btf.sizeOrType(id);
    // Old GCC describes __gnuc_va_list as a typedef of void; what it means is the builtin.
    if (target === 0 && name === "__gnuc_va_list") return "typedef __builtin_va_list __gnuc_va_list";
    return `typedef ${this.#decl(target, name, 0)}`;
  }

  #enumDef(id: number, lvl: number): string {
    const t = this.#btf.type(id) as BtfEnum | BtfEnum64;
    const name = this.#tagName(id);
    let s = name ? `enum ${name}` : "enum";
    if (t.values.length === 0) return s;
    s += " {";
    const pad = tabs(lvl + 1);
    const suffix = t.kind === "ENUM64" ? (t.signed ? "LL" : "ULL") : "";
    for (const v of t.values) {
      const dup = (this.#identNames.get(v.name) ?? 0) + 1;
      this.#identNames.set(v.name, dup);
      s += `\n${pad}${dup > 1 ? `${v.name}___${dup}` : v.name} = ${v.value}${suffix},`;
    }
    s += `\n${tabs(lvl)}}`;
    return s + enumSizeAttribute(t);
  }

  /** A struct or union definition whose layout clang will reproduce exactly. */
  #recordDef(id: number, lvl: number): string {
    const btf = this.#btf;
    const t = btf.type(id) as BtfComposite;
    const isStruct = t.kind === "STRUCT";
    const name = this.#tagName(id);
    const packed = this.#isPacked(t);
    let s = `${isStruct ? "struct" : "union"}${name ? ` ${name}` : ""} {`;
    const pad = tabs(lvl + 1);
    let off = 0;
    let end = 0;
    let prevBitfield = false;
    for (const m of t.members) {
      const inBitfield = prevBitfield && m.bitfieldSize !== 0;
      if (isStruct) s += this.#padding(id, off, m.bitOffset, packed ? 1 : this.#alignOf(m.type), inBitfield, pad);
      s += `\n${pad}${this.#decl(m.type, m.name, lvl + 1)}`;
      if (m.bitfieldSize) {
        s += `: ${m.bitfieldSize}`;
        off = m.bitOffset + m.bitfieldSize;
        prevBitfield = true;
      } else {
        off = m.bitOffset + this.#sizeOf(m.type) * 8;
        prevBitfield = false;
      }
      s += ";";
      end = Math.max(end, off);
    }
    // Tail padding: in a struct, explicit; in a union, a member as large as the union.
    if (isStruct) s += this.#padding(id, off, t.size * 8, this.#alignOf(id), false, pad);
    else if (end < t.size * 8) s += `\n${pad}char __bpfkit_pad[${t.size}];`; // unnamed bitfields do not size a union
    s += t.members.length || t.size ? `\n${tabs(lvl)}}` : "}";
    return packed ? `${s} __attribute__((packed))` : s;
  }

  /**
   * Padding up to bit `next`. Gaps of up to 8 KiB (the kernel's largest is 4 KiB) are unnamed
   * bitfields, invisible to BTF; a larger one becomes a named byte array, so the output stays
   * proportional to the BTF's size whatever sizes corrupt BTF claims.
   */
  #padding(id: number, cur: number, next: number, nextAlign: number, inBitfield: boolean, pad: string): string {
    const gap = next - cur;
    if (gap <= 8 * 8192) {
      this.#spend(id, Math.max(0, gap >> 6));
      return padding(cur, next, nextAlign, inBitfield, pad);
    }
    const start = roundUp(cur, 8);
    const end = Math.floor(next / 8) * 8;
    return `${padding(cur, start, 1, inBitfield, pad)}\n${pad}char __bpfkit_pad${cur}[${(end - start) / 8}];${padding(end, next, 1, false, pad)}`;
  }

  /**
   * Whether clang must be told `packed`: a non-bitfield member sits off its natural alignment,
   * or the size is not a multiple of the largest member alignment.
   */
  #isPacked(t: BtfComposite): boolean {
    let maxAlign = 1;
    for (const m of t.members) {
      const a = this.#alignOf(m.type);
      if (m.bitfieldSize === 0 && m.bitOffset % (8 * a) !== 0) return true;
      maxAlign = Math.max(maxAlign, a);
    }
    return t.size % maxAlign !== 0;
  }

  /** Alignment as clang would compute it for our output (packed records align to 1). */
  #alignOf(id: number): number {
    try {
      return this.#btf.alignOf(id);
    } catch (e) {
      if (e instanceof BtfError) return 1;
      throw e;
    }
  }

  #sizeOf(id: number): number {
    try {
      return this.#btf.sizeOf(id);
    } catch (e) {
      if (e instanceof BtfError) return 0;
      throw e;
    }
  }

  // ---- declarations ------------------------------------------------------------------------

  /**
   * The C declaration of `name` with type `id`: `int *const p`, `void (*fn[2])(int)`, or an
   * anonymous record's whole body. BTF chains go outside-in (the declared object's type first);
   * C writes qualifiers of pointers after the `*`, qualifiers of everything else before the base
   * type, and needs parentheses where a pointer meets an array or function.
   */
  #decl(id: number, name: string, lvl: number): string {
    const btf = this.#btf;
    this.#enter(id);
    try {
      // Most declarations are a base type, or a pointer to one: no chain to work out.
      const k0 = btf.kind(id);
      if (isBaseKind(k0) && !(k0 === Kind.TYPEDEF && this.#isBuiltin(id))) {
        const base = this.#baseName(id, lvl);
        return name ? `${base} ${name}` : base;
      }
      if (k0 === Kind.PTR) {
        const target = this.#check(btf.sizeOrType(id), id);
        const k1 = btf.kind(target);
        if (isBaseKind(k1) && !(k1 === Kind.TYPEDEF && this.#isBuiltin(target))) return `${this.#baseName(target, lvl)} *${name}`;
      }
      const chain: number[] = [];
      let base = id;
      for (;;) {
        const k = btf.kind(base);
        if (k === Kind.PTR || k === Kind.CONST || k === Kind.VOLATILE || k === Kind.RESTRICT || k === Kind.TYPE_TAG || k === Kind.FUNC_PROTO) {
          chain.push(base);
          base = this.#check(btf.sizeOrType(base), base);
        } else if (k === Kind.ARRAY) {
          chain.push(base);
          base = this.#check((btf.type(base) as { elemType: number }).elemType, base);
        } else if (k === Kind.TYPEDEF && this.#isBuiltin(base)) {
          // Spelled out as the kernel's target defines it: BPF's own va_list is a mere pointer.
          base = this.#check(btf.sizeOrType(base), base);
        } else {
          break;
        }
        if (chain.length > MAX_DEPTH) throw new BtfError("declarator chain too long (a reference cycle?)", { typeId: id });
      }
      let decl = name;
      let quals: string[] = [];
      /** Qualifiers of an array apply to its elements: carried down past it. */
      let carried: string[] = [];
      for (const op of chain) {
        const k = btf.kind(op);
        if (k === Kind.CONST || k === Kind.VOLATILE || k === Kind.RESTRICT || k === Kind.TYPE_TAG) {
          const q = qualifier(k, btf.nameOf(op));
          if (!quals.includes(q)) quals.push(q);
          continue;
        }
        if (k === Kind.PTR) {
          decl = `*${[...quals, decl].filter((p) => p !== "").join(" ")}`;
          quals = carried;
          carried = [];
        } else if (k === Kind.ARRAY) {
          carried = carried.concat(quals.filter((q) => !carried.includes(q)));
          quals = [];
          decl = `${decl.startsWith("*") ? `(${decl})` : decl}[${(btf.type(op) as { nelems: number }).nelems}]`;
        } else {
          // A function type cannot be qualified: drop any qualifiers on it.
          quals = carried;
          carried = [];
          decl = `${decl.startsWith("*") ? `(${decl})` : decl}(${this.#params(op, lvl)})`;
        }
      }
      quals = quals.concat(carried.filter((q) => !quals.includes(q)));
      const cv = quals.filter((q) => !q.startsWith("__attribute__"));
      const tags = quals.filter((q) => q.startsWith("__attribute__"));
      return [...cv, this.#baseName(base, lvl), ...tags, decl].filter((p) => p !== "").join(" ");
    } finally {
      this.#depth--;
    }
  }

  #params(id: number, lvl: number): string {
    const params = (this.#btf.type(id) as { params: readonly { name: string; type: number }[] }).params;
    if (params.length === 0) return "void";
    // A lone void parameter has no C spelling but an unprototyped list.
    if (params.length === 1 && params[0]!.type === 0) return "";
    return params.map((p, i) => (i === params.length - 1 && p.type === 0 ? "..." : this.#decl(p.type, p.name, lvl))).join(", ");
  }

  #baseName(id: number, lvl: number): string {
    const btf = this.#btf;
    if (id === 0) return "void";
    switch (btf.kind(id)) {
      case Kind.INT:
      case Kind.FLOAT:
        return btf.nameOf(id) || anonymousInt(btf.sizeOrType(id));
      case Kind.TYPEDEF:
        return this.#identName(id);
      case Kind.STRUCT:
      case Kind.UNION:
        return !this.#named(id) ? this.#recordDef(id, lvl) : `${this.#recordKeyword(id)} ${this.#tagName(id)}`;
      case Kind.ENUM:
      case Kind.ENUM64:
        return !this.#named(id) ? this.#enumDef(id, lvl) : `enum ${this.#tagName(id)}`;
      case Kind.FWD:
        return `${btf.kindFlag(id) ? "union" : "struct"} ${this.#tagName(id)}`;
      default:
        throw new BtfError(`a ${btf.type(id).kind} cannot be the type of a field or declaration`, { typeId: id });
    }
  }
}

/** Kinds that end a declarator chain: named or written out where they are used. */
function isBaseKind(kind: number): boolean {
  return kind === Kind.UNKN || kind === Kind.INT || kind === Kind.FLOAT || kind === Kind.STRUCT || kind === Kind.UNION || kind === Kind.ENUM || kind === Kind.ENUM64 || kind === Kind.FWD || kind === Kind.TYPEDEF;
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
function enumSizeAttribute(t: BtfEnum | BtfEnum64): string {
  switch (t.size) {
    case 1:
      return " __attribute__((mode(byte)))";
    case 2:
      return " __attribute__((mode(HI)))";
    case 8: {
      const needs64 = t.kind === "ENUM64" && t.values.some((v) => v.value > 0xffffffffn || v.value < -0x80000000n);
      return needs64 ? "" : " __attribute__((mode(DI)))";
    }
    default:
      return "";
  }
}

/**
 * Explicit padding from bit `cur` to bit `next` (where a member of alignment `nextAlign`
 * starts), as unnamed bitfields. Uses the widest of long/int/short/char whose boundary lies in
 * the gap, so the compiler's own alignment does part of the work; a `type: 0` first forces the
 * boundary when the compiler would not reach it by itself.
 */
function padding(cur: number, next: number, nextAlign: number, inBitfield: boolean, pad: string): string {
  if (cur >= next) return "";
  const PADS: readonly [string, number][] = [
    ["long", PTR_BITS],
    ["int", 32],
    ["short", 16],
    ["char", 8],
  ];
  let type = "char";
  let bits = 8;
  let aligned = cur;
  for (const [t, b] of PADS) {
    type = t;
    bits = b;
    aligned = roundUp(cur, b);
    if (aligned <= next) break;
  }
  let s = "";
  if (aligned > cur && aligned <= next) {
    if (inBitfield || (aligned === next && roundUp(cur, nextAlign * 8) !== aligned) || (aligned !== next && next - aligned <= aligned - cur)) {
      s += `\n${pad}${type}: ${inBitfield ? aligned - cur : 0};`;
    }
    cur = aligned;
  }
  while (cur < next) {
    const n = Math.min(next - cur, bits);
    // The last piece may be narrower than the padding type: use the smallest type that holds it.
    const t = n === bits ? type : n <= 8 ? "char" : n <= 16 ? "short" : n <= 32 ? "int" : "long";
    s += `\n${pad}${t}: ${n};`;
    cur += n;
  }
  return s;
}

const roundUp = (x: number, to: number) => Math.ceil(x / to) * to;

function tabs(n: number): string {
  return "\t".repeat(n);
}

function anonymousInt(size: number): string {
  return size === 1 ? "char" : size === 2 ? "short" : size === 8 ? "long" : size === 16 ? "__int128" : "int";
}

function rangeIds(from: number, to: number): number[] {
  const out = new Array<number>(Math.max(0, to - from));
  for (let i = from; i < to; i++) out[i - from] = i;
  return out;
}
