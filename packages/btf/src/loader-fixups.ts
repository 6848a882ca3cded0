import type { BtfBuilder } from "./builder.ts";
import { BtfError } from "./error.ts";
import { FuncLinkage, VarLinkage } from "./kind.ts";

/** BTF features a kernel may lack (each appeared in a later release than the last). */
export interface BtfFeatures {
  /** VAR and DATASEC (5.2). */
  readonly datasec: boolean;
  /** FUNC and FUNC_PROTO (5.0). */
  readonly func: boolean;
  /** FUNC with global linkage (5.6). */
  readonly globalFunc: boolean;
  /** FLOAT (5.13). */
  readonly float: boolean;
  /** DECL_TAG (5.16). */
  readonly declTag: boolean;
  /** TYPE_TAG (5.17). */
  readonly typeTag: boolean;
  /** ENUM64 and signed ENUM (6.0). */
  readonly enum64: boolean;
}

/**
 * Rewrites the kinds a kernel without `has` would reject into ones it knows, keeping every type
 * id (other types refer to them) and, where the kernel needs it, the record sizes:
 * VAR → 1-byte INT and DATASEC → STRUCT of its variables; FUNC_PROTO → ENUM and FUNC → TYPEDEF;
 * global FUNC → static; FLOAT → empty STRUCT of its size; DECL_TAG → 1-byte INT;
 * TYPE_TAG → CONST; ENUM64 → UNION of 1-byte placeholders (and signed ENUM → unsigned).
 * The same rewrites libbpf applies, so programs behave the same on old kernels.
 */
export function downgrade(b: BtfBuilder, has: Partial<BtfFeatures>): void {
  let placeholder: number | undefined;
  const last = b.lastId;
  for (let id = b.firstId; id <= last; id++) {
    const t = b.type(id);
    switch (t.kind) {
      case "VAR":
        if (has.datasec === false) b.replace(id, { kind: "INT", name: t.name, size: 1, bits: 8 });
        break;
      case "DATASEC":
        if (has.datasec === false) {
          // Members named after the variables; the section's dots are not valid in a STRUCT name.
          const members = t.vars.map((v) => ({ name: b.type(v.type).name, type: v.type, bitOffset: v.offset * 8 }));
          b.replace(id, { kind: "STRUCT", name: t.name.replaceAll(".", "_"), size: t.size, members });
        }
        break;
      case "FUNC_PROTO":
        if (has.func === false) b.replace(id, { kind: "ENUM", size: 4, signed: false, values: t.params.map((p) => ({ name: p.name, value: p.type })) });
        break;
      case "FUNC":
        if (has.func === false) b.replace(id, { kind: "TYPEDEF", name: t.name, type: t.type });
        else if (has.globalFunc === false && t.linkage === FuncLinkage.GLOBAL) b.replace(id, { ...t, linkage: FuncLinkage.STATIC });
        break;
      case "FLOAT":
        if (has.float === false) b.replace(id, { kind: "STRUCT", size: t.size, members: [] });
        break;
      case "DECL_TAG":
        if (has.declTag === false) b.replace(id, { kind: "INT", name: "", size: 1, bits: 8 });
        break;
      case "TYPE_TAG":
        if (has.typeTag === false) b.replace(id, { kind: "CONST", type: t.type });
        break;
      case "ENUM":
        if (has.enum64 === false && t.signed) b.replace(id, { ...t, signed: false });
        break;
      case "ENUM64":
        if (has.enum64 === false) {
          placeholder ??= b.add({ kind: "INT", name: "enum64_placeholder", size: 1 });
          const type = placeholder;
          b.replace(id, { kind: "UNION", name: t.name, size: t.size, members: t.values.map((v) => ({ name: v.name, type, bitOffset: 0 })) });
        }
        break;
      default:
        break;
    }
  }
}
