// The `__SCX_*` .rodata constants a scheduler reads kernel enum values through (enums.autogen.bpf.h):
// the object is compiled with 0 there, and the loader writes in the running kernel's values.
import { type Btf, Kind } from "@bpfkit/btf";
import type { DataMap } from "@bpfkit/struct-ops";

const PREFIX = "__SCX_";
const tables = new WeakMap<Btf, Map<string, bigint>>();

/**
 * Every enumerator of the kernel's ENUM and ENUM64 types, by name, as a u64. A 32-bit value is
 * sign-extended first, as the C loaders do when they store an enumerator into a u64.
 */
export function kernelEnumerators(btf: Btf): Map<string, bigint> {
  let table = tables.get(btf);
  if (table) return table;
  table = new Map();
  for (let id = 1; id <= btf.lastId; id++) {
    const kind = btf.kind(id);
    if (kind !== Kind.ENUM && kind !== Kind.ENUM64) continue;
    const t = btf.type(id);
    if (t.kind !== "ENUM" && t.kind !== "ENUM64") continue;
    for (const v of t.values) {
      const value = typeof v.value === "bigint" ? v.value : BigInt(v.value | 0);
      if (!table.has(v.name)) table.set(v.name, BigInt.asUintN(64, value));
    }
  }
  tables.set(btf, table);
  return table;
}

/** What importing did: the constants set, and the ones the kernel has no enumerator for. */
export interface EnumImport {
  readonly set: ReadonlyMap<string, bigint>;
  readonly unknown: readonly string[];
}

/** Writes the kernel's value of `SCX_<X>` into each `.rodata` variable `__SCX_<X>`; unknown names keep their compiled value. */
export function importEnums(rodata: DataMap | undefined, btf: Btf): EnumImport {
  const set = new Map<string, bigint>();
  const unknown: string[] = [];
  if (!rodata) return { set, unknown };
  const enumerators = kernelEnumerators(btf);
  for (const v of rodata.variables) {
    if (!v.name.startsWith(PREFIX)) continue;
    const value = enumerators.get(v.name.slice(2));
    if (value === undefined) {
      unknown.push(v.name);
      continue;
    }
    // Declared u64 by enums.autogen.bpf.h; a narrower variable gets the value truncated, as a C store would.
    rodata.set(v.name, v.size >= 8 ? value : Number(BigInt.asUintN(v.size * 8, value)));
    set.set(v.name, value);
  }
  return { set, unknown };
}
