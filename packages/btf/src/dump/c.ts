import type { Btf } from "../btf.ts";
import { BtfError } from "../error.ts";
import { isReferenceKind, Kind } from "../kind.ts";
import { CDeclarations } from "./c-decl.ts";
import { CNames } from "./c-names.ts";
import { Layout } from "./layout.ts";
import { TextBuffer } from "./text-buffer.ts";
import { TypeWords } from "./type-words.ts";
import { WorkBudget } from "./work-budget.ts";

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
 *
 * Types are read straight from the BTF's words and names copied as bytes into one buffer (see
 * TypeWords, TextBuffer): decoding the kernel's 126k types into objects and strings cost most of
 * the time. Wherever the reader would have decoded a type or a name, a bad string offset still
 * fails with the reader's own error, so corrupt BTF fails where and as it always has.
 */
export function dumpC(btf: Btf, options: CDumpOptions = {}): string {
  return new CWriter(btf).write(options);
}

/** Ordering state of a type: not visited, on the current path, queued (or needing no queue). */
const Order = { None: 0, Ordering: 1, Ordered: 2 } as const;
/** Emission state of a type. */
const Emit = { None: 0, Emitting: 1, Emitted: 2 } as const;

const PRAGMA_PUSH = "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n#endif\n\n";
const PRAGMA_POP = "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n";

/** Decides what goes into the header and in which order; CDeclarations writes each piece. */
class CWriter {
  readonly #t: TypeWords;
  readonly #n: number;
  readonly #names: CNames;
  readonly #decls: CDeclarations;
  readonly #budget: WorkBudget;
  readonly #out: TextBuffer;
  readonly #order: Uint8Array;
  readonly #emit: Uint8Array;
  /** A forward declaration (or, for a typedef, its definition) is already out. */
  readonly #fwd: Uint8Array;
  readonly #referenced: Uint8Array;
  readonly #queue: number[] = [];

  constructor(btf: Btf) {
    const t = new TypeWords(btf);
    this.#t = t;
    this.#n = t.n;
    // A vmlinux.h is a little under half the size of its BTF (and fresh pages cost: no bigger).
    this.#out = new TextBuffer((btf.bytes.byteLength >>> 1) + 65536);
    this.#budget = new WorkBudget(t.n);
    this.#names = new CNames(t, this.#out);
    this.#decls = new CDeclarations(btf, t, this.#names, new Layout(t), this.#budget, this.#out);
    this.#order = new Uint8Array(t.n);
    this.#emit = new Uint8Array(t.n);
    this.#fwd = new Uint8Array(t.n);
    this.#referenced = new Uint8Array(t.n);
  }

  write(options: CDumpOptions): string {
    const guard = options.guard ?? "__VMLINUX_H__";
    // A whole dump writes out anonymous enums nothing uses (they define constants); a dump of
    // some roots writes only what they use, so everything counts as used.
    if (options.roots) {
      this.#referenced.fill(1);
      for (const id of options.roots) {
        this.#t.checkRef(id, 0);
        this.#orderType(id, false);
      }
    } else {
      this.#markReferenced();
      for (let id = 1; id < this.#n; id++) this.#orderType(id, false);
    }
    this.#out.text(PRAGMA_PUSH);
    for (const id of this.#queue) this.#emitType(id, 0);
    this.#out.text(PRAGMA_POP);
    // The guard is the caller's text, added as it is (the buffer holds only what UTF-8 can spell).
    return `#ifndef ${guard}\n#define ${guard}\n\n${this.#out.toString()}#endif /* ${guard} */\n`;
  }

  /** Marks every type another type refers to (and checks every reference exists). */
  #markReferenced(): void {
    const { words: w, at, kinds } = this.#t;
    const n = this.#n;
    const referenced = this.#referenced;
    const mark = (ref: number, from: number) => {
      if (ref >= n) this.#t.checkRef(ref, from);
      referenced[ref] = 1;
    };
    for (let id = 1; id < n; id++) {
      const r = at[id]!;
      const vlen = w[r + 1]! & 0xffff;
      const k = kinds[id]!;
      switch (k) {
        case Kind.ARRAY:
          mark(w[r + 3]!, id);
          mark(w[r + 4]!, id);
          break;
        case Kind.STRUCT:
        case Kind.UNION:
          for (let i = 0; i < vlen; i++) mark(w[r + 4 + 3 * i]!, id);
          break;
        case Kind.FUNC_PROTO:
          mark(w[r + 2]!, id);
          for (let i = 0; i < vlen; i++) mark(w[r + 4 + 2 * i]!, id);
          break;
        case Kind.DATASEC:
          for (let i = 0; i < vlen; i++) mark(w[r + 3 + 3 * i]!, id);
          break;
        default:
          // size_type is a type id
          if (isReferenceKind(k) || k === Kind.FUNC || k === Kind.VAR || k === Kind.DECL_TAG) mark(w[r + 2]!, id);
          break;
      }
    }
  }

  // ---- ordering ----------------------------------------------------------------------------

  /**
   * Puts the named definitions `id` needs into the emission queue, dependencies first.
   * Returns whether the type is "strong" — needed by value, so a forward declaration will not
   * do — which tells a typedef reached through a pointer whether it must wait for its target.
   */
  #orderType(id: number, throughPtr: boolean): boolean {
    if (this.#order[id] === Order.Ordered) return true;
    const kind = this.#t.kind(id);
    if (this.#order[id] === Order.Ordering) {
      // A loop through a pointer to a named record is what forward declarations are for.
      if ((kind === Kind.STRUCT || kind === Kind.UNION) && throughPtr && this.#t.nameOffset(id) !== 0) return false;
      throw new BtfError("type cycle that no forward declaration can break", { typeId: id, code: "cycle" });
    }
    this.#budget.enter(id);
    const strong = this.#orderKind(id, kind, throughPtr);
    this.#budget.leave();
    return strong;
  }

  #orderKind(id: number, kind: number, throughPtr: boolean): boolean {
    const t = this.#t;
    switch (kind) {
      case Kind.UNKN:
        return false;
      case Kind.INT:
      case Kind.FLOAT:
        this.#order[id] = Order.Ordered;
        return false;
      case Kind.PTR: {
        const strong = this.#orderType(t.checkRef(t.sizeOrType(id), id), true);
        this.#order[id] = Order.Ordered;
        return strong;
      }
      case Kind.ARRAY:
        t.requireDecodable(id);
        return this.#orderType(t.checkRef(t.word(id, 3), id), false);
      case Kind.STRUCT:
      case Kind.UNION:
        return this.#orderRecord(id, throughPtr);
      case Kind.ENUM:
      case Kind.ENUM64:
      case Kind.FWD:
        // Named ones are top-level declarations; an anonymous enum nobody uses still defines constants.
        if (t.nameOffset(id) !== 0 || !this.#referenced[id]) this.#queue.push(id);
        this.#order[id] = Order.Ordered;
        return true;
      case Kind.TYPEDEF: {
        const strong = this.#orderType(t.checkRef(t.sizeOrType(id), id), throughPtr);
        if (throughPtr && !strong) return false;
        this.#queue.push(id);
        this.#order[id] = Order.Ordered;
        return true;
      }
      case Kind.VOLATILE:
      case Kind.CONST:
      case Kind.RESTRICT:
      case Kind.TYPE_TAG:
        return this.#orderType(t.checkRef(t.sizeOrType(id), id), throughPtr);
      case Kind.FUNC_PROTO:
        return this.#orderProto(id, throughPtr);
      default:
        // FUNC, VAR, DATASEC, DECL_TAG: nothing a header declares.
        this.#order[id] = Order.Ordered;
        return false;
    }
  }

  #orderRecord(id: number, throughPtr: boolean): boolean {
    const t = this.#t;
    const named = t.nameOffset(id) !== 0;
    // Behind a pointer a named record only needs its forward declaration.
    if (throughPtr && named) return false;
    this.#order[id] = Order.Ordering;
    t.requireDecodable(id);
    const at = t.at[id]!;
    const vlen = t.words[at + 1]! & 0xffff;
    for (let i = 0; i < vlen; i++) this.#orderType(t.words[at + 4 + 3 * i]!, false);
    if (named) this.#queue.push(id);
    this.#order[id] = Order.Ordered;
    return true;
  }

  /** A prototype is strong when its return or a parameter type is. */
  #orderProto(id: number, throughPtr: boolean): boolean {
    const t = this.#t;
    t.requireDecodable(id);
    const at = t.at[id]!;
    const vlen = t.words[at + 1]! & 0xffff;
    let strong = this.#orderType(t.words[at + 2]!, throughPtr);
    for (let i = 0; i < vlen; i++) if (this.#orderType(t.words[at + 4 + 2 * i]!, throughPtr)) strong = true;
    return strong;
  }

  // ---- emission ----------------------------------------------------------------------------

  /**
   * Emits `id` (when `container` is 0, as a top-level definition) after the forward
   * declarations its definition refers to. `container` is the record being defined, whose own
   * name needs no forward declaration.
   */
  #emitType(id: number, container: number): void {
    if (this.#emit[id] === Emit.Emitted) return;
    const kind = this.#t.kind(id);
    if (this.#emit[id] === Emit.Emitting) {
      this.#emitAgain(id, kind, container);
      return;
    }
    this.#budget.enter(id);
    this.#emitKind(id, kind, container);
    this.#budget.leave();
  }

  /** Reached again while being emitted: only a pointer can lead here, and a forward declaration serves. */
  #emitAgain(id: number, kind: number, container: number): void {
    if (this.#fwd[id]) return;
    if (kind === Kind.STRUCT || kind === Kind.UNION) {
      if (id === container || this.#t.nameOffset(id) === 0) return;
      this.#decls.recordRef(id);
      this.#out.text(";\n\n");
      this.#fwd[id] = 1;
    } else if (kind === Kind.TYPEDEF) {
      if (!this.#names.isBuiltin(id)) {
        this.#decls.typedef(id);
        this.#out.text(";\n\n");
      }
      this.#fwd[id] = 1;
    }
  }

  #emitKind(id: number, kind: number, container: number): void {
    const t = this.#t;
    switch (kind) {
      case Kind.INT:
      case Kind.FLOAT:
        this.#emit[id] = Emit.Emitted;
        break;
      case Kind.ENUM:
      case Kind.ENUM64:
        if (container === 0) {
          this.#decls.enumDef(id, 0);
          this.#out.text(";\n\n");
        }
        this.#emit[id] = Emit.Emitted;
        break;
      case Kind.FWD:
        this.#decls.fwdRef(id);
        this.#out.text(";\n\n");
        this.#emit[id] = Emit.Emitted;
        break;
      case Kind.PTR:
      case Kind.VOLATILE:
      case Kind.CONST:
      case Kind.RESTRICT:
      case Kind.TYPE_TAG:
        this.#emitType(t.sizeOrType(id), container);
        break;
      case Kind.ARRAY:
        t.requireDecodable(id);
        this.#emitType(t.word(id, 3), container);
        break;
      case Kind.TYPEDEF:
        this.#emit[id] = Emit.Emitting;
        this.#emitType(t.sizeOrType(id), id);
        if (!this.#fwd[id] && !this.#names.isBuiltin(id)) {
          this.#decls.typedef(id);
          this.#out.text(";\n\n");
        }
        this.#emit[id] = Emit.Emitted;
        break;
      case Kind.STRUCT:
      case Kind.UNION:
        this.#emitRecord(id, container);
        break;
      case Kind.FUNC_PROTO: {
        t.requireDecodable(id);
        const at = t.at[id]!;
        const vlen = t.words[at + 1]! & 0xffff;
        this.#emitType(t.words[at + 2]!, container);
        for (let i = 0; i < vlen; i++) this.#emitType(t.words[at + 4 + 2 * i]!, container);
        break;
      }
      default:
        break;
    }
  }

  #emitRecord(id: number, container: number): void {
    this.#emit[id] = Emit.Emitting;
    const named = this.#t.nameOffset(id) !== 0;
    if (container === 0 || !named) {
      // Its body will be written out: everything its members mention must be declared.
      const inner = named ? id : container;
      const t = this.#t;
      t.requireDecodable(id);
      const at = t.at[id]!;
      const vlen = t.words[at + 1]! & 0xffff;
      for (let i = 0; i < vlen; i++) this.#emitType(t.words[at + 4 + 3 * i]!, inner);
    } else if (!this.#fwd[id] && id !== container) {
      this.#decls.recordRef(id);
      this.#out.text(";\n\n");
      this.#fwd[id] = 1;
    }
    if (container === 0) {
      this.#decls.recordDef(id, 0);
      this.#out.text(";\n\n");
      this.#emit[id] = Emit.Emitted;
    } else {
      this.#emit[id] = Emit.None;
    }
  }
}
