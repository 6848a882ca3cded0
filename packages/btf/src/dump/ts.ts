import type { Btf } from "../btf.ts";
import { BtfError } from "../error.ts";
import { IntEncoding, Kind } from "../kind.ts";
import { cTypeName } from "../type-name.ts";
import type { BtfComposite, BtfMember } from "../types.ts";

export interface TsDumpOptions {
  /** Only these types and the types their members hold by value (default: every type). */
  readonly roots?: readonly number[];
}

/**
 * TypeScript for the BTF's structs, unions and enums: the shape a value has once its bytes are
 * decoded. Each struct or union is an interface (members of anonymous nested records appear
 * flat, as C accesses them); each enum a const object of its values plus a type of the same
 * name. Integers up to 32 bits are `number` (`boolean` for _Bool), wider ones `bigint`;
 * pointers are `bigint` addresses; arrays of integers and floats are typed arrays, other
 * arrays plain arrays. Every member is commented with its C type, offset and size.
 */
export function dumpTs(btf: Btf, options: TsDumpOptions = {}): string {
  return new TsWriter(btf).write(options.roots);
}

const MAX_DEPTH = 64;

/** Words TypeScript will not take as a type or const name. */
const RESERVED = new Set(
  (
    "any bigint boolean never number object string symbol undefined unknown void null " +
    "break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if import in instanceof new return super switch this throw true try typeof var while with " +
    "implements interface let package private protected public static yield await type"
  ).split(" "),
);

const TYPED_ARRAYS: Record<string, string> = {
  u1: "Uint8Array",
  s1: "Int8Array",
  u2: "Uint16Array",
  s2: "Int16Array",
  u4: "Uint32Array",
  s4: "Int32Array",
  u8: "BigUint64Array",
  s8: "BigInt64Array",
  f4: "Float32Array",
  f8: "Float64Array",
};

class TsWriter {
  readonly #btf: Btf;
  readonly #names = new Map<number, string>();
  readonly #seen = new Map<string, number>();
  /** Work left: anonymous records are written inline at each use, which corrupt BTF can make explode. */
  #budget: number;

  constructor(btf: Btf) {
    this.#btf = btf;
    this.#budget = 64 * (btf.lastId + 1) + 100_000;
  }

  #depth = 0;

  /** Runs `fn` one level deeper into nested records, refusing nesting no real type has. */
  #nested<T>(id: number, fn: () => T): T {
    try {
      if (++this.#depth > MAX_DEPTH) throw new BtfError("records nest too deep (a record containing itself?)", { typeId: id, code: "cycle" });
      return fn();
    } finally {
      this.#depth--;
    }
  }

  #spend(id: number): void {
    if (--this.#budget < 0) throw new BtfError("the TypeScript for these types grows out of all proportion to the BTF (anonymous records shared in a loop?)", { typeId: id, code: "too-large" });
  }

  write(roots: readonly number[] | undefined): string {
    const btf = this.#btf;
    const ids = roots ? this.#closure(roots) : allIds(btf);
    const out = [
      "// TypeScript shapes of C types, written by bpfkit from BTF. Integers up to 32 bits are\n",
      "// numbers, wider ones bigints; pointers are bigint addresses; integer arrays are typed arrays.\n\n",
    ];
    for (const id of ids) {
      const k = btf.kind(id);
      if ((k === Kind.STRUCT || k === Kind.UNION) && btf.nameOf(id) !== "") out.push(this.#record(id));
      else if ((k === Kind.ENUM || k === Kind.ENUM64) && btf.nameOf(id) !== "") out.push(this.#enum(id));
    }
    return out.join("");
  }

  /** Named records and enums reachable from `roots` by value (pointers end the walk). */
  #closure(roots: readonly number[]): number[] {
    const btf = this.#btf;
    const found = new Set<number>();
    const visit = (id: number, depth: number): void => {
      if (depth > MAX_DEPTH) throw new BtfError("types nest too deep (a reference cycle?)", { typeId: id, code: "cycle" });
      id = btf.resolve(id);
      const k = btf.kind(id);
      if (k === Kind.ARRAY) {
        visit((btf.type(id) as { elemType: number }).elemType, depth + 1);
        return;
      }
      if (k !== Kind.STRUCT && k !== Kind.UNION && k !== Kind.ENUM && k !== Kind.ENUM64) return;
      if (found.has(id)) return;
      found.add(id);
      if (k === Kind.STRUCT || k === Kind.UNION) for (const m of btf.members(id)) visit(m.type, depth + 1);
    };
    for (const r of roots) visit(r, 0);
    return [...found].sort((a, b) => a - b);
  }

  /** The TypeScript name of a named record or enum: C's, `___N` for the N-th of a name, `_` after reserved words. */
  #name(id: number): string {
    let n = this.#names.get(id);
    if (n === undefined) {
      const c = this.#btf.nameOf(id);
      const dup = (this.#seen.get(c) ?? 0) + 1;
      this.#seen.set(c, dup);
      n = dup > 1 ? `${c}___${dup}` : RESERVED.has(c) ? `${c}_` : c;
      this.#names.set(id, n);
    }
    return n;
  }

  #record(id: number): string {
    const btf = this.#btf;
    const t = btf.type(id) as BtfComposite;
    const kw = t.kind === "STRUCT" ? "struct" : "union";
    return `/** ${kw} ${t.name}: ${t.size} bytes${t.kind === "UNION" ? ", members overlap" : ""} */\nexport interface ${this.#name(id)} ${this.#body(t, 0, "")}\n\n`;
  }

  /** `{ member: type; … }` with anonymous nested records' members lifted in (at their offsets). */
  #body(t: BtfComposite, base: number, indent: string): string {
    const lines: string[] = [];
    this.#nested(t.id, () => this.#members(t, base, indent, lines, 0));
    return lines.length ? `{\n${lines.join("")}${indent}}` : "{}";
  }

  #members(t: BtfComposite, base: number, indent: string, lines: string[], depth: number): void {
    if (depth > MAX_DEPTH) throw new BtfError("anonymous records nest too deep (a reference cycle?)", { typeId: t.id, code: "cycle" });
    const btf = this.#btf;
    for (const m of t.members) {
      this.#spend(t.id);
      const r = btf.resolve(m.type);
      const k = btf.kind(r);
      if (m.name === "" && (k === Kind.STRUCT || k === Kind.UNION)) {
        this.#nested(r, () => this.#members(btf.type(r) as BtfComposite, base + m.bitOffset, indent, lines, depth + 1));
        continue;
      }
      if (m.name === "") continue; // unnamed padding bitfield
      lines.push(`${indent}  /** ${this.#where(m, base)}: ${cTypeName(this.#btf, m.type, { style: "declarator" })} */\n`);
      lines.push(`${indent}  ${m.name}: ${this.#tsType(m, `${indent}  `)};\n`);
    }
  }

  #where(m: BtfMember, base: number): string {
    const bit = base + m.bitOffset;
    if (m.bitfieldSize) return `bit ${bit}, ${m.bitfieldSize} bit${m.bitfieldSize > 1 ? "s" : ""}`;
    let size = "";
    try {
      const n = this.#btf.sizeOf(m.type);
      size = `, ${n} byte${n === 1 ? "" : "s"}`;
    } catch (e) {
      if (!(e instanceof BtfError)) throw e;
    }
    return bit % 8 === 0 ? `offset ${bit / 8}${size}` : `bit ${bit}${size}`;
  }

  #tsType(m: BtfMember, indent: string): string {
    if (m.bitfieldSize) {
      const r = this.#btf.resolve(m.type);
      if (this.#btf.kind(r) === Kind.INT && (this.#btf.type(r) as { encoding: number }).encoding & IntEncoding.BOOL) return "boolean";
      return m.bitfieldSize > 32 ? "bigint" : "number";
    }
    return this.#valueType(m.type, indent, 0);
  }

  /** The decoded-value type of a C type. */
  #valueType(id: number, indent: string, depth: number): string {
    if (depth > MAX_DEPTH) throw new BtfError("array nesting too deep (a reference cycle?)", { typeId: id, code: "cycle" });
    this.#spend(id);
    const btf = this.#btf;
    const r = btf.resolve(id);
    const t = btf.type(r);
    switch (t.kind) {
      case "INT":
        if (t.encoding & IntEncoding.BOOL) return "boolean";
        return t.size > 4 ? "bigint" : "number";
      case "FLOAT":
        return "number";
      case "PTR":
        return "bigint";
      case "ENUM":
        return t.name ? this.#name(r) : "number";
      case "ENUM64":
        return t.name ? this.#name(r) : "bigint";
      case "STRUCT":
      case "UNION":
        return t.name ? this.#name(r) : this.#body(t, 0, indent);
      case "ARRAY": {
        const elem = btf.resolve(t.elemType);
        const e = btf.type(elem);
        let key = "";
        // char arrays are mostly strings: bytes, whatever char's signedness.
        if (e.kind === "INT" && !(e.encoding & IntEncoding.BOOL)) key = `${e.encoding & IntEncoding.SIGNED && e.name !== "char" ? "s" : "u"}${e.size}`;
        else if (e.kind === "FLOAT") key = `f${e.size}`;
        else if (e.kind === "ENUM") key = `${e.signed ? "s" : "u"}${e.size}`;
        const typed = TYPED_ARRAYS[key];
        if (typed) return typed;
        return `${this.#valueType(elem, indent, depth + 1)}[]`;
      }
      default:
        // void, a forward declaration, a function: nothing a value can hold.
        return "unknown";
    }
  }

  #enum(id: number): string {
    const t = this.#btf.type(id);
    if (t.kind !== "ENUM" && t.kind !== "ENUM64") return "";
    const name = this.#name(id);
    const suffix = t.kind === "ENUM64" ? "n" : "";
    const values = t.values.map((v) => `  ${JSON.stringify(v.name)}: ${v.value}${suffix},\n`).join("");
    const type = t.values.length ? `(typeof ${name})[keyof typeof ${name}]` : t.kind === "ENUM64" ? "bigint" : "number";
    return `/** enum ${t.name}: ${t.size} bytes${t.signed ? ", signed" : ""} */\nexport const ${name} = {\n${values}} as const;\nexport type ${name} = ${type};\n\n`;
  }
}

function allIds(btf: Btf): number[] {
  const out: number[] = [];
  for (let id = 1; id <= btf.lastId; id++) out.push(id);
  return out;
}
