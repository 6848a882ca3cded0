import type { Btf } from "./btf.ts";
import { BtfError } from "./error.ts";
import { Kind, kindName } from "./kind.ts";
import type { BtfType } from "./types.ts";

/**
 * How `cTypeName` spells a type. Each style is what one kind of output has always printed, so
 * listings, comments and error messages that quote types stay as they were:
 * - `"compact"` (default): the type as declared, one level after another: `const char *`,
 *   `char[8]`, `struct (anon)`, a prototype as `int (*)(int, ...)` (or `int name(...)` with
 *   `funcName`); for externs and listings.
 * - `"declarator"`: as a C declarator would write it: `int (*)(int)` for a pointer to a function,
 *   `char **`, `int * const`, `int[2][3]`, anonymous records as `struct {…}`, a bare prototype as
 *   `function`; throws BtfError on a reference cycle. For comments in generated code.
 * - `"resolved"`: qualifiers dropped and each typedef followed by what it names,
 *   `__u32 (unsigned int)`, `enum libbpf_tristate`; for messages about a value's type.
 */
export type CTypeNameStyle = "compact" | "declarator" | "resolved";

export interface CTypeNameOptions {
  /** Default `"compact"`. */
  readonly style?: CTypeNameStyle;
  /** What an anonymous struct, union or enum is called (default `(anon)`; `{…}` in the declarator style). */
  readonly anonymous?: string;
  /** `"compact"` only: the name a top-level FUNC_PROTO declares (default `(*)`). */
  readonly funcName?: string;
}

/** Hops a type chain may take before it is called a cycle (the reader's MAX_CHAIN). */
const MAX_DEPTH = 64;

/** Type `id` as C spells it, without going into records: `__u32`, `const void *`, `char[8]`. */
export function cTypeName(btf: Btf, id: number, options: CTypeNameOptions = {}): string {
  switch (options.style ?? "compact") {
    case "compact":
      return compact(btf, id, options.anonymous ?? "(anon)", options.funcName ?? "");
    case "declarator":
      return declarator(btf, id, options.anonymous ?? "{…}", 0);
    case "resolved":
      return resolved(btf, id, options.anonymous ?? "(anon)");
  }
}

/** `[12] STRUCT sock`: a type by id, kind and name, as libbpf's log names one. */
export function describeType(btf: Btf, id: number): string {
  const name = id === 0 ? "void" : btf.nameOf(id);
  return `[${id}] ${id === 0 ? "VOID" : kindName(btf.kind(id))} ${name || "<anon>"}`;
}

/** `struct s`, `union (anon)`, `enum e` (ENUM64 too): a record or enum by its tag, the same in every style; undefined for other kinds. */
function tagged(t: BtfType, anonymous: string): string | undefined {
  switch (t.kind) {
    case "STRUCT":
    case "UNION":
    case "ENUM":
      return `${t.kind.toLowerCase()} ${t.name || anonymous}`;
    case "ENUM64":
      return `enum ${t.name || anonymous}`;
    default:
      return undefined;
  }
}

function compact(btf: Btf, id: number, anonymous: string, funcName: string): string {
  const t = btf.type(id);
  switch (t.kind) {
    case "VOID":
      return "void";
    case "INT":
    case "TYPEDEF":
    case "FLOAT":
      return t.name;
    case "FWD":
      return `${t.union ? "union" : "struct"} ${t.name || anonymous}`;
    case "CONST":
    case "VOLATILE":
    case "RESTRICT":
      return `${t.kind.toLowerCase()} ${compact(btf, t.type, anonymous, "")}`;
    case "TYPE_TAG":
      return compact(btf, t.type, anonymous, "");
    case "PTR":
      return `${compact(btf, t.type, anonymous, "")} *`;
    case "ARRAY":
      return `${compact(btf, t.elemType, anonymous, "")}[${t.nelems}]`;
    case "FUNC_PROTO": {
      const params = t.params.map((p) => (p.type === 0 ? "..." : compact(btf, p.type, anonymous, ""))).join(", ");
      return `${compact(btf, t.returnType, anonymous, "")} ${funcName || "(*)"}(${params || "void"})`;
    }
    default:
      return tagged(t, anonymous) ?? t.kind.toLowerCase();
  }
}

function declarator(btf: Btf, id: number, anonymous: string, depth: number): string {
  if (depth > MAX_DEPTH) throw new BtfError("type chain too long (a reference cycle?)", { typeId: id, code: "cycle" });
  if (id === 0) return "void";
  const t = btf.type(id);
  switch (t.kind) {
    case "PTR": {
      const target = btf.type(btf.skipModifiers(t.type));
      if (target.kind === "FUNC_PROTO") {
        const last = target.params.length - 1;
        const params = target.params.map((p, i) => (p.type === 0 && i === last ? "..." : declarator(btf, p.type, anonymous, depth + 1)));
        return `${declarator(btf, target.returnType, anonymous, depth + 1)} (*)(${params.join(", ") || "void"})`;
      }
      return `${declarator(btf, t.type, anonymous, depth + 1)} *`.replaceAll("* *", "**");
    }
    case "CONST":
    case "VOLATILE":
    case "RESTRICT": {
      const q = t.kind.toLowerCase();
      // A qualified pointer is written with the qualifier after its star.
      const target = declarator(btf, t.type, anonymous, depth + 1);
      return btf.kind(btf.skipModifiers(t.type)) === Kind.PTR ? `${target} ${q}` : `${q} ${target}`;
    }
    case "TYPE_TAG":
      return declarator(btf, t.type, anonymous, depth + 1);
    case "ARRAY": {
      let dims = `[${t.nelems}]`;
      let elem = t.elemType;
      for (let hops = 0; btf.kind(elem) === Kind.ARRAY; hops++) {
        if (hops > MAX_DEPTH) throw new BtfError("array nesting too deep (a reference cycle?)", { typeId: id, code: "cycle" });
        const inner = btf.type(elem) as { elemType: number; nelems: number };
        dims += `[${inner.nelems}]`;
        elem = inner.elemType;
      }
      return `${declarator(btf, elem, anonymous, depth + 1)}${dims}`;
    }
    case "FUNC_PROTO":
      return "function";
    case "FWD":
      return `${t.union ? "union" : "struct"} ${t.name}`;
    default:
      return tagged(t, anonymous) ?? (t.name || t.kind);
  }
}

function resolved(btf: Btf, id: number, anonymous: string): string {
  const t = btf.type(btf.skipModifiers(id));
  switch (t.kind) {
    case "TYPEDEF":
      return `${t.name} (${resolved(btf, t.type, anonymous)})`;
    case "ARRAY":
      return `${resolved(btf, t.elemType, anonymous)}[${t.nelems}]`;
    case "VOID":
      return "void";
    default:
      return tagged(t, anonymous) ?? (t.name || t.kind.toLowerCase());
  }
}
