import { type Btf, Kind, kindName } from "@bpfkit/btf";

const MAX_DEPTH = 32;

function isEnum(kind: number): boolean {
  return kind === Kind.ENUM || kind === Kind.ENUM64;
}

/**
 * Why the object's declaration of a kernel function (type `local` in `lb`) does not fit the
 * kernel's (`kernel` in `kb`), or undefined when it does. The rules are libbpf's: after typedefs
 * and modifiers kinds must match (enum widths may differ), integers are interchangeable,
 * pointers and arrays compare what they point to, prototypes compare every parameter and the
 * return type, and any struct or union matches any other — but a pointer to a forward
 * declaration is not a pointer to a struct. Kinds libbpf does not compare (FLOAT, for one)
 * never fit.
 */
export function prototypeMismatch(lb: Btf, local: number, kb: Btf, kernel: number, where = "", depth = 0): string | undefined {
  if (depth > MAX_DEPTH) return `${where || "type"}: nested too deeply to compare`;
  const l = lb.resolve(local);
  const k = kb.resolve(kernel);
  const lk = lb.kind(l);
  const kk = kb.kind(k);
  const what = where || "return type";
  if (lk !== kk && !(isEnum(lk) && isEnum(kk))) {
    const name = (b: Btf, id: number, kind: number) => (id === 0 ? "void" : `${kindName(kind)}${b.nameOf(id) ? ` ${b.nameOf(id)}` : ""}`);
    return `${what} is ${name(lb, l, lk)} here but ${name(kb, k, kk)} in the kernel`;
  }
  switch (lk) {
    case Kind.INT: {
      const li = lb.type(l);
      const ki = kb.type(k);
      const off = (t: typeof li) => (t.kind === "INT" ? t.bitOffset : 0);
      return off(li) === 0 && off(ki) === 0 ? undefined : `${what} is a bitfield-style integer`;
    }
    case Kind.PTR:
      return prototypeMismatch(lb, lb.sizeOrType(l), kb, kb.sizeOrType(k), `${what} (pointed to)`, depth + 1);
    case Kind.ARRAY: {
      const la = lb.type(l);
      const ka = kb.type(k);
      if (la.kind !== "ARRAY" || ka.kind !== "ARRAY") return undefined;
      return prototypeMismatch(lb, la.elemType, kb, ka.elemType, `${what} (element)`, depth + 1);
    }
    case Kind.FUNC_PROTO: {
      const lp = lb.type(l);
      const kp = kb.type(k);
      if (lp.kind !== "FUNC_PROTO" || kp.kind !== "FUNC_PROTO") return undefined;
      if (lp.params.length !== kp.params.length) {
        return `it takes ${lp.params.length} parameter(s) here but ${kp.params.length} in the kernel`;
      }
      for (let i = 0; i < lp.params.length; i++) {
        const label = `parameter ${i + 1}${kp.params[i]!.name ? ` (${kp.params[i]!.name})` : ""}`;
        const why = prototypeMismatch(lb, lp.params[i]!.type, kb, kp.params[i]!.type, label, depth + 1);
        if (why) return why;
      }
      return prototypeMismatch(lb, lp.returnType, kb, kp.returnType, "return type", depth + 1);
    }
    case 0: // void
    case Kind.STRUCT:
    case Kind.UNION:
    case Kind.ENUM:
    case Kind.ENUM64:
    case Kind.FWD:
      return undefined;
    default:
      return `${what} is a ${kindName(lk)}, which libbpf never finds compatible`;
  }
}
