import type { Btf } from "../btf.ts";
import { FuncLinkage, IntEncoding, kindName, VarLinkage } from "../kind.ts";

const FUNC_LINKAGE: Record<number, string> = { [FuncLinkage.STATIC]: "static", [FuncLinkage.GLOBAL]: "global", [FuncLinkage.EXTERN]: "extern" };
const VAR_LINKAGE: Record<number, string> = { [VarLinkage.STATIC]: "static", [VarLinkage.GLOBAL_ALLOCATED]: "global", [VarLinkage.GLOBAL_EXTERN]: "extern" };

function intEncoding(encoding: number): string {
  switch (encoding) {
    case 0:
      return "(none)";
    case IntEncoding.SIGNED:
      return "SIGNED";
    case IntEncoding.CHAR:
      return "CHAR";
    case IntEncoding.BOOL:
      return "BOOL";
    default:
      return "UNKN";
  }
}

const q = (name: string) => `'${name || "(anon)"}'`;

/** One type in bpftool's raw format: its header line and any member lines. */
function line(btf: Btf, id: number): string {
  const t = btf.type(id);
  const head = `[${id}] ${t.kind} ${q(t.name)}`;
  switch (t.kind) {
    case "INT":
      return `${head} size=${t.size} bits_offset=${t.bitOffset} nr_bits=${t.bits} encoding=${intEncoding(t.encoding)}`;
    case "PTR":
    case "TYPEDEF":
    case "VOLATILE":
    case "CONST":
    case "RESTRICT":
    case "TYPE_TAG":
      return `${head} type_id=${t.type}`;
    case "ARRAY":
      return `${head} type_id=${t.elemType} index_type_id=${t.indexType} nr_elems=${t.nelems}`;
    case "STRUCT":
    case "UNION": {
      let s = `${head} size=${t.size} vlen=${t.members.length}`;
      for (const m of t.members) {
        s += `\n\t${q(m.name)} type_id=${m.type} bits_offset=${m.bitOffset}`;
        if (m.bitfieldSize) s += ` bitfield_size=${m.bitfieldSize}`;
      }
      return s;
    }
    case "ENUM": {
      let s = `${head} encoding=${t.signed ? "SIGNED" : "UNSIGNED"} size=${t.size} vlen=${t.values.length}`;
      for (const v of t.values) s += `\n\t${q(v.name)} val=${v.value}`;
      return s;
    }
    case "ENUM64": {
      let s = `${head} encoding=${t.signed ? "SIGNED" : "UNSIGNED"} size=${t.size} vlen=${t.values.length}`;
      for (const v of t.values) s += `\n\t${q(v.name)} val=${v.value}${t.signed ? "LL" : "ULL"}`;
      return s;
    }
    case "FWD":
      return `${head} fwd_kind=${t.union ? "union" : "struct"}`;
    case "FUNC":
      return `${head} type_id=${t.type} linkage=${FUNC_LINKAGE[t.linkage] ?? "(unknown)"}`;
    case "FUNC_PROTO": {
      let s = `${head} ret_type_id=${t.returnType} vlen=${t.params.length}`;
      for (const p of t.params) s += `\n\t${q(p.name)} type_id=${p.type}`;
      return s;
    }
    case "VAR":
      return `${head} type_id=${t.type}, linkage=${VAR_LINKAGE[t.linkage] ?? "(unknown)"}`;
    case "DATASEC": {
      let s = `${head} size=${t.size} vlen=${t.vars.length}`;
      for (const v of t.vars) {
        s += `\n\ttype_id=${v.type} offset=${v.offset} size=${v.size} (${kindName(btf.kind(v.type))} ${q(btf.nameOf(v.type))})`;
      }
      return s;
    }
    case "FLOAT":
      return `${head} size=${t.size}`;
    case "DECL_TAG":
      return `${head} type_id=${t.type} component_idx=${t.componentIdx}`;
    default:
      return `[${id}] ${kindName(btf.kind(id))} ${q(btf.nameOf(id))}`;
  }
}

/**
 * The BTF's types in `bpftool btf dump ... format raw` form, byte for byte: one type per line
 * (members indented by a tab), this blob's own types only (a split BTF's, not its base's).
 */
export function dumpRaw(btf: Btf): string {
  const out: string[] = [];
  for (let id = btf.firstId; id <= btf.lastId; id++) out.push(line(btf, id));
  return out.length ? `${out.join("\n")}\n` : "";
}

