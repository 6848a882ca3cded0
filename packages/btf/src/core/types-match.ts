import type { Btf } from "../btf.ts";
import { Kind } from "../kind.ts";
import type { BtfComposite, BtfEnum, BtfEnum64 } from "../types.ts";
import { BtfError } from "../error.ts";
import { MAX_DEPTH } from "./compat.ts";
import { essentialName } from "./name.ts";

/** Names match when both are anonymous or their essential names are equal. */
function namesMatch(local: string, targ: string): boolean {
  if (targ === "") return local === "";
  return essentialName(local) === essentialName(targ);
}

/**
 * The TYPE_MATCHES relation (`bpf_core_type_matches`): stricter than compatibility, it asks
 * whether the local definition describes the target's layout. Typedefs and modifiers are
 * skipped and names compared at every level. Ints match on size and signedness; enums when
 * sizes agree and every local enumerator exists by name in the target (ENUM and ENUM64 may
 * meet); structs and unions when every local member has a same-named target member whose type
 * matches — except behind a pointer, where kind alone decides (a forward declaration may stand
 * for a struct or union there); arrays on length and element; pointers on pointee; function
 * prototypes on arity, parameters and return type. Floats and other kinds never match.
 */
export function typesMatch(local: Btf, localId: number, targ: Btf, targId: number, behindPtr = false, level: number = MAX_DEPTH): boolean {
  if (level <= 0) throw new BtfError("types nest too deep", { typeId: localId, code: "cycle" });
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    localId = local.resolve(localId);
    targId = targ.resolve(targId);
    if (!namesMatch(localId === 0 ? "" : local.nameOf(localId), targId === 0 ? "" : targ.nameOf(targId))) return false;
    const lk = local.kind(localId);
    const tk = targ.kind(targId);
    switch (lk) {
      case Kind.UNKN:
        return tk === Kind.UNKN;
      case Kind.FWD: {
        const union = local.kindFlag(localId);
        if (tk === Kind.FWD) return union === targ.kindFlag(targId);
        // Behind a pointer, `struct foo;` stands for the target's struct foo.
        return behindPtr && (tk === Kind.STRUCT ? !union : tk === Kind.UNION && union);
      }
      case Kind.ENUM:
      case Kind.ENUM64:
        if (tk !== Kind.ENUM && tk !== Kind.ENUM64) return false;
        return enumsMatch(local.type(localId) as BtfEnum | BtfEnum64, targ.type(targId) as BtfEnum | BtfEnum64);
      case Kind.STRUCT:
      case Kind.UNION:
        if (behindPtr) {
          if (lk === tk) return true;
          return tk === Kind.FWD && (lk === Kind.UNION) === targ.kindFlag(targId);
        }
        if (lk !== tk) return false;
        return compositesMatch(local, local.type(localId) as BtfComposite, targ, targ.type(targId) as BtfComposite, behindPtr, level);
      case Kind.INT: {
        if (tk !== Kind.INT) return false;
        const lt = local.type(localId) as { size: number; encoding: number };
        const tt = targ.type(targId) as { size: number; encoding: number };
        return lt.size === tt.size && (lt.encoding & 1) === (tt.encoding & 1);
      }
      case Kind.PTR:
        if (tk !== Kind.PTR) return false;
        behindPtr = true;
        localId = local.sizeOrType(localId);
        targId = targ.sizeOrType(targId);
        continue;
      case Kind.ARRAY: {
        if (tk !== Kind.ARRAY) return false;
        const la = local.type(localId) as { elemType: number; nelems: number };
        const ta = targ.type(targId) as { elemType: number; nelems: number };
        if (la.nelems !== ta.nelems) return false;
        localId = la.elemType;
        targId = ta.elemType;
        continue;
      }
      case Kind.FUNC_PROTO: {
        if (tk !== Kind.FUNC_PROTO) return false;
        const lf = local.type(localId) as { returnType: number; params: readonly { type: number }[] };
        const tf = targ.type(targId) as { returnType: number; params: readonly { type: number }[] };
        if (lf.params.length !== tf.params.length) return false;
        for (let i = 0; i < lf.params.length; i++) {
          if (!typesMatch(local, lf.params[i]!.type, targ, tf.params[i]!.type, behindPtr, level - 1)) return false;
        }
        localId = lf.returnType;
        targId = tf.returnType;
        continue;
      }
      default:
        return false;
    }
  }
  throw new BtfError("type chain too deep (a reference cycle?)", { typeId: localId, code: "cycle" });
}

function enumsMatch(local: BtfEnum | BtfEnum64, targ: BtfEnum | BtfEnum64): boolean {
  if (local.size !== targ.size || local.values.length > targ.values.length) return false;
  return local.values.every((lv) => targ.values.some((tv) => namesMatch(lv.name, tv.name)));
}

function compositesMatch(local: Btf, lt: BtfComposite, targ: Btf, tt: BtfComposite, behindPtr: boolean, level: number): boolean {
  if (lt.members.length > tt.members.length) return false;
  for (const lm of lt.members) {
    const found = tt.members.some((tm) => namesMatch(lm.name, tm.name) && typesMatch(local, lm.type, targ, tm.type, behindPtr, level - 1));
    if (!found) return false;
  }
  return true;
}
