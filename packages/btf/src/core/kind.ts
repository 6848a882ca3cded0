import { CoreReloKind } from "../ext.ts";

/** What a relocation kind is about: a field access, a whole type, or one enumerator. */
export type CoreKindClass = "field" | "type" | "enumval";

/** libbpf's short names for the kinds, as its logs print them ("byte_off", "type_exists"...). */
const NAMES: readonly string[] = [
  "byte_off",
  "byte_sz",
  "field_exists",
  "signed",
  "lshift_u64",
  "rshift_u64",
  "local_type_id",
  "target_type_id",
  "type_exists",
  "type_size",
  "enumval_exists",
  "enumval_value",
  "type_matches",
];

/** "byte_off" for FIELD_BYTE_OFFSET; `unknown(N)` for kinds bpfkit does not know. */
export function coreKindName(kind: number): string {
  return NAMES[kind] ?? `unknown(${kind})`;
}

/** The class of a relocation kind; undefined for unknown kinds. */
export function coreKindClass(kind: number): CoreKindClass | undefined {
  switch (kind) {
    case CoreReloKind.FIELD_BYTE_OFFSET:
    case CoreReloKind.FIELD_BYTE_SIZE:
    case CoreReloKind.FIELD_EXISTS:
    case CoreReloKind.FIELD_SIGNED:
    case CoreReloKind.FIELD_LSHIFT_U64:
    case CoreReloKind.FIELD_RSHIFT_U64:
      return "field";
    case CoreReloKind.TYPE_ID_LOCAL:
    case CoreReloKind.TYPE_ID_TARGET:
    case CoreReloKind.TYPE_EXISTS:
    case CoreReloKind.TYPE_MATCHES:
    case CoreReloKind.TYPE_SIZE:
      return "type";
    case CoreReloKind.ENUMVAL_EXISTS:
    case CoreReloKind.ENUMVAL_VALUE:
      return "enumval";
    default:
      return undefined;
  }
}
