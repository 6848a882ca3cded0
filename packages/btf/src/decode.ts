import { BtfError } from "./error.ts";
import { isReferenceKind, Kind, kindName } from "./kind.ts";
import type { BtfMember, BtfType } from "./types.ts";

/** The kinds that are a name and one type id: they decode alike. */
type ReferenceKind = "PTR" | "TYPEDEF" | "VOLATILE" | "CONST" | "RESTRICT" | "TYPE_TAG";

/** Reads word `index` of one type record (0 name_off, 1 info, 2 size/type, 3… kind data), unsigned. */
export type WordReader = (index: number) => number;

/**
 * Decodes one type record into its plain-object shape. Shared by the parser (words read from the
 * blob) and the builder (words it holds), so both agree on every kind's fields.
 */
export function decodeType(id: number, word: WordReader, str: (offset: number) => string): BtfType {
  const info = word(1);
  const kind = (info >>> 24) & 0x1f;
  const vlen = info & 0xffff;
  const kflag = info >>> 31 === 1;
  const st = word(2);
  const name = str(word(0));
  if (isReferenceKind(kind)) return { id, kind: kindName(kind) as ReferenceKind, name, type: st };
  switch (kind) {
    case Kind.INT: {
      const d = word(3);
      return { id, kind: "INT", name, size: st, encoding: (d >>> 24) & 0x0f, bitOffset: (d >>> 16) & 0xff, bits: d & 0xff };
    }
    case Kind.ARRAY:
      return { id, kind: "ARRAY", name, elemType: word(3), indexType: word(4), nelems: word(5) };
    case Kind.STRUCT:
    case Kind.UNION: {
      const members: BtfMember[] = new Array(vlen);
      for (let i = 0, w = 3; i < vlen; i++, w += 3) {
        const raw = word(w + 2);
        members[i] = { name: str(word(w)), type: word(w + 1), bitOffset: kflag ? raw & 0xffffff : raw, bitfieldSize: kflag ? raw >>> 24 : 0 };
      }
      return { id, kind: kind === Kind.STRUCT ? "STRUCT" : "UNION", name, size: st, members };
    }
    case Kind.ENUM: {
      const values = new Array(vlen);
      for (let i = 0, w = 3; i < vlen; i++, w += 2) values[i] = { name: str(word(w)), value: kflag ? word(w + 1) | 0 : word(w + 1) };
      return { id, kind: "ENUM", name, size: st, signed: kflag, values };
    }
    case Kind.ENUM64: {
      const values = new Array(vlen);
      for (let i = 0, w = 3; i < vlen; i++, w += 3) {
        const u = (BigInt(word(w + 2)) << 32n) | BigInt(word(w + 1));
        values[i] = { name: str(word(w)), value: kflag ? BigInt.asIntN(64, u) : u };
      }
      return { id, kind: "ENUM64", name, size: st, signed: kflag, values };
    }
    case Kind.FWD:
      return { id, kind: "FWD", name, union: kflag };
    case Kind.FUNC:
      return { id, kind: "FUNC", name, type: st, linkage: vlen };
    case Kind.FUNC_PROTO: {
      const params = new Array(vlen);
      for (let i = 0, w = 3; i < vlen; i++, w += 2) params[i] = { name: str(word(w)), type: word(w + 1) };
      return { id, kind: "FUNC_PROTO", name, returnType: st, params };
    }
    case Kind.VAR:
      return { id, kind: "VAR", name, type: st, linkage: word(3) };
    case Kind.DATASEC: {
      const vars = new Array(vlen);
      for (let i = 0, w = 3; i < vlen; i++, w += 3) vars[i] = { type: word(w), offset: word(w + 1), size: word(w + 2) };
      return { id, kind: "DATASEC", name, size: st, vars };
    }
    case Kind.FLOAT:
      return { id, kind: "FLOAT", name, size: st };
    case Kind.DECL_TAG:
      return { id, kind: "DECL_TAG", name, type: st, componentIdx: word(3) | 0 };
    default:
      throw new BtfError(`unknown BTF kind ${kind}`, { typeId: id, code: "unsupported" });
  }
}
