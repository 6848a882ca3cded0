/** BTF kinds, as numbered in the kernel's btf.h. */
export const Kind = {
  UNKN: 0,
  INT: 1,
  PTR: 2,
  ARRAY: 3,
  STRUCT: 4,
  UNION: 5,
  ENUM: 6,
  FWD: 7,
  TYPEDEF: 8,
  VOLATILE: 9,
  CONST: 10,
  RESTRICT: 11,
  FUNC: 12,
  FUNC_PROTO: 13,
  VAR: 14,
  DATASEC: 15,
  FLOAT: 16,
  DECL_TAG: 17,
  TYPE_TAG: 18,
  ENUM64: 19,
} as const;

export type KindName = Exclude<keyof typeof Kind, "UNKN">;

const NAMES: readonly string[] = Object.keys(Kind);

/** "STRUCT" for 4. */
export function kindName(kind: number): string {
  return NAMES[kind] ?? `KIND#${kind}`;
}

/** Kind number for a name like "STRUCT"; undefined for unknown names. */
export function kindByName(name: string): number | undefined {
  return (Kind as Record<string, number>)[name.toUpperCase()];
}

/** PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG: a name and one type id (in size_type), nothing more. */
export function isReferenceKind(kind: number): boolean {
  return kind === Kind.PTR || (kind >= Kind.TYPEDEF && kind <= Kind.RESTRICT) || kind === Kind.TYPE_TAG;
}

/** Bytes that follow the 12-byte common header for a type of this kind and vlen. */
export function extraSize(kind: number, vlen: number): number | undefined {
  switch (kind) {
    case Kind.INT:
    case Kind.VAR:
    case Kind.DECL_TAG:
      return 4;
    case Kind.ARRAY:
      return 12;
    case Kind.STRUCT:
    case Kind.UNION:
    case Kind.DATASEC:
    case Kind.ENUM64:
      return 12 * vlen;
    case Kind.ENUM:
    case Kind.FUNC_PROTO:
      return 8 * vlen;
    case Kind.PTR:
    case Kind.FWD:
    case Kind.TYPEDEF:
    case Kind.VOLATILE:
    case Kind.CONST:
    case Kind.RESTRICT:
    case Kind.FUNC:
    case Kind.FLOAT:
    case Kind.TYPE_TAG:
      return 0;
    default:
      return undefined;
  }
}

/** FUNC linkage (btf_func_linkage). */
export const FuncLinkage = { STATIC: 0, GLOBAL: 1, EXTERN: 2 } as const;
/** VAR linkage. */
export const VarLinkage = { STATIC: 0, GLOBAL_ALLOCATED: 1, GLOBAL_EXTERN: 2 } as const;
/** INT encoding bits. */
export const IntEncoding = { SIGNED: 1, CHAR: 2, BOOL: 4 } as const;

/**
 * Words after the 12-byte header of a record of each kind: RECORD_WORDS fixed, plus
 * ENTRY_WORDS per vlen entry (0 for kinds that do not exist), for scans over a type section
 * viewed as 32-bit words.
 */
export const RECORD_WORDS: Uint8Array = new Uint8Array(32);
export const ENTRY_WORDS: Uint8Array = new Uint8Array(32);
for (let k = 1; k < 32; k++) {
  const fixed = extraSize(k, 0);
  if (fixed === undefined) continue;
  RECORD_WORDS[k] = fixed / 4;
  ENTRY_WORDS[k] = ((extraSize(k, 1) ?? 0) - fixed) / 4;
}
