import type { Btf } from "../btf.ts";
import { FuncLinkage, IntEncoding, VarLinkage } from "../kind.ts";
import type { BtfType } from "../types.ts";

const FUNC_LINKAGE: Record<number, string> = { [FuncLinkage.STATIC]: "static", [FuncLinkage.GLOBAL]: "global", [FuncLinkage.EXTERN]: "extern" };
const VAR_LINKAGE: Record<number, string> = { [VarLinkage.STATIC]: "static", [VarLinkage.GLOBAL_ALLOCATED]: "global", [VarLinkage.GLOBAL_EXTERN]: "extern" };
const ENCODING: Record<number, string> = { 0: "(none)", [IntEncoding.SIGNED]: "SIGNED", [IntEncoding.CHAR]: "CHAR", [IntEncoding.BOOL]: "BOOL" };

const str = (s: string) => JSON.stringify(s || "(anon)");

/** One type as a JSON object, keys in a fixed order; 64-bit values written exactly. */
function object(t: Exclude<BtfType, { kind: "VOID" }>): string {
  const f: string[] = [`"id":${t.id}`, `"kind":"${t.kind}"`, `"name":${str(t.name)}`];
  switch (t.kind) {
    case "INT":
      f.push(`"size":${t.size}`, `"bits_offset":${t.bitOffset}`, `"nr_bits":${t.bits}`, `"encoding":"${ENCODING[t.encoding] ?? "UNKN"}"`);
      break;
    case "PTR":
    case "TYPEDEF":
    case "VOLATILE":
    case "CONST":
    case "RESTRICT":
    case "TYPE_TAG":
      f.push(`"type_id":${t.type}`);
      break;
    case "ARRAY":
      f.push(`"type_id":${t.elemType}`, `"index_type_id":${t.indexType}`, `"nr_elems":${t.nelems}`);
      break;
    case "STRUCT":
    case "UNION":
      f.push(
        `"size":${t.size}`,
        `"vlen":${t.members.length}`,
        `"members":[${t.members
          .map((m) => `{"name":${str(m.name)},"type_id":${m.type},"bits_offset":${m.bitOffset}${m.bitfieldSize ? `,"bitfield_size":${m.bitfieldSize}` : ""}}`)
          .join(",")}]`,
      );
      break;
    case "ENUM":
    case "ENUM64":
      f.push(
        `"encoding":"${t.signed ? "SIGNED" : "UNSIGNED"}"`,
        `"size":${t.size}`,
        `"vlen":${t.values.length}`,
        `"values":[${t.values.map((v) => `{"name":${str(v.name)},"val":${v.value}}`).join(",")}]`,
      );
      break;
    case "FWD":
      f.push(`"fwd_kind":"${t.union ? "union" : "struct"}"`);
      break;
    case "FUNC":
      f.push(`"type_id":${t.type}`, `"linkage":"${FUNC_LINKAGE[t.linkage] ?? "(unknown)"}"`);
      break;
    case "FUNC_PROTO":
      f.push(`"ret_type_id":${t.returnType}`, `"vlen":${t.params.length}`, `"params":[${t.params.map((p) => `{"name":${str(p.name)},"type_id":${p.type}}`).join(",")}]`);
      break;
    case "VAR":
      f.push(`"type_id":${t.type}`, `"linkage":"${VAR_LINKAGE[t.linkage] ?? "(unknown)"}"`);
      break;
    case "DATASEC":
      f.push(`"size":${t.size}`, `"vlen":${t.vars.length}`, `"vars":[${t.vars.map((v) => `{"type_id":${v.type},"offset":${v.offset},"size":${v.size}}`).join(",")}]`);
      break;
    case "FLOAT":
      f.push(`"size":${t.size}`);
      break;
    case "DECL_TAG":
      f.push(`"type_id":${t.type}`, `"component_idx":${t.componentIdx}`);
      break;
  }
  return `{${f.join(",")}}`;
}

/**
 * The BTF's types as JSON: `{"types":[...]}`, one object per type with the fields its kind has,
 * in the same shape and order as `bpftool -j btf dump file FILE` (so tools written for either
 * read both). 64-bit enum values are exact JSON integers: parse them with a big-integer-aware
 * reader if they can exceed 2^53.
 */
export function dumpJson(btf: Btf): string {
  const parts: string[] = [];
  for (let id = btf.firstId; id <= btf.lastId; id++) parts.push(object(btf.type(id) as Exclude<BtfType, { kind: "VOID" }>));
  return `{"types":[${parts.join(",")}]}`;
}
