import type { Btf } from "../btf.ts";
import { BtfError } from "../error.ts";
import { Kind } from "../kind.ts";
import type { BtfType } from "../types.ts";
import { essentialName } from "./name.ts";

/** How deep type comparisons recurse before calling the BTF cyclic or absurd (libbpf's limit). */
export const MAX_DEPTH = 32;


const isEnum = (k: number): boolean => k === Kind.ENUM || k === Kind.ENUM64;
const isComposite = (k: number): boolean => k === Kind.STRUCT || k === Kind.UNION;

/** Same kind, where ENUM and ENUM64 count as one (a kernel may widen an enum to 64 bits). */
export function kindsCompatible(a: number, b: number): boolean {
  return a === b || (isEnum(a) && isEnum(b));
}

/** An INT whose encoding has a bit offset is a legacy bitfield-like integer: never relocated. */
function plainInt(t: BtfType): boolean {
  return t.kind === "INT" && t.bitOffset === 0;
}

function namesAgree(a: string, b: string): boolean {
  if (a === "" || b === "") return true;
  return essentialName(a) === essentialName(b);
}

/**
 * Can a field of local type `localId` be read as the target's field of type `targId`? Loose on
 * purpose (sizes are relocated separately): any two structs/unions, any two pointers or floats,
 * any two plain ints; enums and forward declarations when their essential names agree (or one is
 * anonymous); arrays when their element types are compatible.
 */
export function fieldsCompatible(local: Btf, localId: number, targ: Btf, targId: number): boolean {
  for (let depth = 0; depth <= MAX_DEPTH; depth++) {
    localId = local.resolve(localId);
    targId = targ.resolve(targId);
    const lk = local.kind(localId);
    const tk = targ.kind(targId);
    if (isComposite(lk) && isComposite(tk)) return true;
    if (!kindsCompatible(lk, tk)) return false;
    switch (lk) {
      case Kind.PTR:
      case Kind.FLOAT:
        return true;
      case Kind.FWD:
      case Kind.ENUM:
      case Kind.ENUM64:
        return namesAgree(local.nameOf(localId), targ.nameOf(targId));
      case Kind.INT:
        return plainInt(local.type(localId)) && plainInt(targ.type(targId));
      case Kind.ARRAY:
        localId = (local.type(localId) as { elemType: number }).elemType;
        targId = (targ.type(targId) as { elemType: number }).elemType;
        continue;
      default:
        return false;
    }
  }
  throw new BtfError("array nesting too deep (a reference cycle?)", { typeId: localId, code: "cycle" });
}

/**
 * Type compatibility for type relocations (TYPE_EXISTS, TYPE_SIZE, TYPE_ID_TARGET), once the
 * root names agreed: the kinds must agree at every level; structs, unions, enums and forward
 * declarations are compatible whatever their members; ints when neither is bitfield-like;
 * pointers and arrays by what they hold; function prototypes by arity, parameters and return
 * type. Names below the root are ignored.
 */
export function typesCompatible(local: Btf, localId: number, targ: Btf, targId: number, level: number = MAX_DEPTH): boolean {
  // The root is compared as written: a typedef only has typedef candidates.
  if (!kindsCompatible(local.kind(localId), targ.kind(targId))) return false;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    localId = local.resolve(localId);
    targId = targ.resolve(targId);
    const lk = local.kind(localId);
    if (!kindsCompatible(lk, targ.kind(targId))) return false;
    switch (lk) {
      case Kind.UNKN:
      case Kind.STRUCT:
      case Kind.UNION:
      case Kind.ENUM:
      case Kind.ENUM64:
      case Kind.FWD:
        return true;
      case Kind.INT:
        return plainInt(local.type(localId)) && plainInt(targ.type(targId));
      case Kind.PTR:
        localId = local.sizeOrType(localId);
        targId = targ.sizeOrType(targId);
        continue;
      case Kind.ARRAY:
        localId = (local.type(localId) as { elemType: number }).elemType;
        targId = (targ.type(targId) as { elemType: number }).elemType;
        continue;
      case Kind.FUNC_PROTO: {
        const lt = local.type(localId) as { returnType: number; params: readonly { type: number }[] };
        const tt = targ.type(targId) as { returnType: number; params: readonly { type: number }[] };
        if (lt.params.length !== tt.params.length) return false;
        for (let i = 0; i < lt.params.length; i++) {
          if (level <= 0) throw new BtfError("function prototypes nest too deep", { typeId: localId, code: "cycle" });
          if (!typesCompatible(local, local.resolve(lt.params[i]!.type), targ, targ.resolve(tt.params[i]!.type), level - 1)) return false;
        }
        localId = lt.returnType;
        targId = tt.returnType;
        continue;
      }
      default:
        return false;
    }
  }
  throw new BtfError("type chain too deep (a reference cycle?)", { typeId: localId, code: "cycle" });
}
