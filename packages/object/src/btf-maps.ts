import type { Btf } from "@bpfkit/btf";
import { Kind } from "@bpfkit/btf";
import { type ElfFile, type ElfSection, STT_OBJECT } from "@bpfkit/elf";
import { ObjectError } from "./error.ts";
import type { MapSpec } from "./map-spec.ts";
import { MapType } from "./uapi.ts";

/** LIBBPF_PIN_NONE / LIBBPF_PIN_BY_NAME, the values of `__uint(pinning, ...)`. */
export const Pinning = { NONE: 0, BY_NAME: 1 } as const;

/** One map of the `.maps` section, as its BTF definition says. */
export interface BtfMapDef {
  readonly variable: string;
  readonly spec: MapSpec;
  /** The variable's place in the `.maps` section (relocations name maps by it). */
  readonly offset: number;
  readonly size: number;
  /** Byte offset of the `values` array inside the variable, when it has one. */
  readonly valuesOffset: number | undefined;
}

/** An initial slot of a map-in-map or program array: `values = { [slot] = &target }`. */
export interface MapSlotInit {
  readonly map: string;
  readonly slot: number;
  /** ELF symbol index of the inner map or program. */
  readonly symbol: number;
}

// Maps whose keys or values are not data the kernel could describe with BTF (fds, CPUs, nothing).
const NO_BTF_KV = new Set<number>([
  MapType.PERF_EVENT_ARRAY,
  MapType.CGROUP_ARRAY,
  MapType.STACK_TRACE,
  MapType.ARRAY_OF_MAPS,
  MapType.HASH_OF_MAPS,
  MapType.DEVMAP,
  MapType.DEVMAP_HASH,
  MapType.CPUMAP,
  MapType.XSKMAP,
  MapType.SOCKMAP,
  MapType.SOCKHASH,
  MapType.QUEUE,
  MapType.STACK,
  MapType.RINGBUF,
  MapType.USER_RINGBUF,
  MapType.PROG_ARRAY,
]);

/** Does the kernel accept BTF key/value type ids for this map type? */
export function takesBtfKeyValue(type: number): boolean {
  return !NO_BTF_KV.has(type);
}

const INT_FIELDS = new Set(["type", "max_entries", "map_flags", "numa_node", "map_extra", "key_size", "value_size", "pinning"]);

/**
 * Reads the `.maps` section's variables: each is a struct whose members encode the definition
 * (`__uint(x, N)` is a pointer to an array of N ints, `__type(x, T)` a pointer to T,
 * `__array(values, D)` a flexible array of pointers to D). Initial `values` come from the
 * section's relocations.
 */
export function parseBtfMaps(object: string, elf: ElfFile, btf: Btf | undefined, sec: ElfSection): { defs: BtfMapDef[]; slots: MapSlotInit[] } {
  const fail = (msg: string, subject?: string): never => {
    throw new ObjectError(object, msg, { section: sec.name, ...(subject ? { subject } : {}) });
  };
  if (!btf) fail("BTF-defined maps need BTF; compile with clang -g");
  const datasec = btf!.find(".maps", Kind.DATASEC);
  if (datasec === undefined) return fail("no BTF DATASEC describes .maps");
  const ds = btf!.type(datasec);
  const symbols = elf.symbols.filter((s) => s.shndx === sec.index && s.type === STT_OBJECT && s.name !== "");
  const defs: BtfMapDef[] = [];
  if (ds.kind !== "DATASEC") return fail("the .maps DATASEC is not a DATASEC");
  for (const v of ds.vars) {
    const vt = btf!.type(v.type);
    if (vt.kind !== "VAR") return fail(`the .maps DATASEC lists type [${v.type}], a ${vt.kind}, not a variable`);
    const name = vt.name;
    const sym = symbols.find((s) => s.name === name);
    if (!sym) return fail(`map "${name}" has BTF but no ELF symbol`);
    if (sym.value + sym.size > sec.size) fail(`map "${name}" runs past the end of the section`);
    const parsed = parseDef(btf!, vt.type, name, (msg) => fail(msg, `map "${name}"`));
    defs.push({ variable: name, spec: parsed.spec, offset: sym.value, size: sym.size, valuesOffset: parsed.valuesOffset });
  }
  defs.sort((a, b) => a.offset - b.offset);

  const slots: MapSlotInit[] = [];
  for (const r of elf.relocations(sec)) {
    const def = defs.find((d) => r.offset >= d.offset && r.offset < d.offset + d.size);
    if (!def) fail(`relocation at offset ${r.offset} is in no map`);
    const { valuesOffset } = def!;
    const at = r.offset - def!.offset - (valuesOffset ?? 0);
    if (valuesOffset === undefined || at < 0 || at % 8 !== 0) {
      fail(`relocation at offset ${r.offset - def!.offset} is not in the "values" array`, `map "${def!.variable}"`);
    }
    const slot = at / 8;
    if (slot >= def!.spec.maxEntries) fail(`values[${slot}] is past max_entries ${def!.spec.maxEntries}`, `map "${def!.variable}"`);
    slots.push({ map: def!.variable, slot, symbol: r.symbol });
  }
  return { defs, slots };
}

function parseDef(btf: Btf, typeId: number, name: string, fail: (msg: string) => never): { spec: MapSpec; valuesOffset: number | undefined } {
  const def = btf.skipModifiers(typeId);
  if (btf.kind(def) !== Kind.STRUCT) fail(`a map definition must be a struct; this one is a ${btf.type(def).kind}`);
  const ints = new Map<string, number | bigint>();
  let key: number | undefined;
  let value: number | undefined;
  let inner: MapSpec | undefined;
  let valuesOffset: number | undefined;
  let hasValues = false;
  for (const m of btf.members(def)) {
    if (INT_FIELDS.has(m.name)) {
      ints.set(m.name, uintField(btf, m.type, m.name, fail));
    } else if (m.name === "key" || m.name === "value") {
      const t = btf.skipModifiers(m.type);
      if (btf.kind(t) !== Kind.PTR) fail(`"${m.name}" must be declared with __type(${m.name}, T)`);
      const target = btf.sizeOrType(t);
      if (m.name === "key") key = target;
      else value = target;
    } else if (m.name === "values") {
      valuesOffset = m.bitOffset / 8;
      hasValues = true;
      const arr = btf.type(btf.skipModifiers(m.type));
      if (arr.kind !== "ARRAY") return fail(`"values" must be declared with __array(values, ...)`);
      const ptr = btf.skipModifiers(arr.elemType);
      if (btf.kind(ptr) !== Kind.PTR) fail(`"values" must be an array of pointers`);
      const elem = btf.skipModifiers(btf.sizeOrType(ptr));
      if (btf.kind(elem) === Kind.STRUCT) inner = parseDef(btf, elem, `${name}.inner`, (msg) => fail(`inner map: ${msg}`)).spec;
      else if (btf.kind(elem) !== Kind.FUNC_PROTO) fail(`"values" must point to map definitions or functions`);
    } else {
      fail(`unknown field "${m.name}" in a map definition (known: ${[...INT_FIELDS, "key", "value", "values"].join(", ")})`);
    }
  }
  const type = Number(ints.get("type") ?? fail(`no map type; add __uint(type, BPF_MAP_TYPE_...)`));
  const keySize = sized(btf, key, ints.get("key_size"), "key", fail);
  // A map-in-map or program array holds fds: 4 bytes, whatever the definition says.
  const valueSize = hasValues ? 4 : sized(btf, value, ints.get("value_size"), "value", fail);
  if (inner && type !== MapType.ARRAY_OF_MAPS && type !== MapType.HASH_OF_MAPS) fail(`"values" of map definitions need a map-in-map type`);
  const btfKv = takesBtfKeyValue(type);
  const spec: MapSpec = {
    name,
    type,
    keySize,
    valueSize,
    maxEntries: Number(ints.get("max_entries") ?? 0),
    flags: Number(ints.get("map_flags") ?? 0),
    btfKeyTypeId: btfKv ? (key ?? 0) : 0,
    btfValueTypeId: btfKv ? (value ?? 0) : 0,
    numaNode: Number(ints.get("numa_node") ?? 0),
    mapExtra: BigInt(ints.get("map_extra") ?? 0),
    pinning: Number(ints.get("pinning") ?? Pinning.NONE),
    ...(inner ? { inner } : {}),
  };
  if (spec.pinning !== Pinning.NONE && spec.pinning !== Pinning.BY_NAME) fail(`pinning ${spec.pinning} is unknown; use LIBBPF_PIN_NONE or LIBBPF_PIN_BY_NAME`);
  return { spec, valuesOffset };
}

/** `__uint(name, N)`: a pointer to an array of N elements (or, for 64-bit values, an enum constant). */
function uintField(btf: Btf, typeId: number, field: string, fail: (msg: string) => never): number | bigint {
  const t = btf.type(btf.skipModifiers(typeId));
  if (t.kind === "PTR") {
    const arr = btf.type(btf.skipModifiers(t.type));
    if (arr.kind === "ARRAY") return arr.nelems;
  }
  if ((t.kind === "ENUM" || t.kind === "ENUM64") && t.values.length === 1) return t.values[0]!.value;
  return fail(`"${field}" must be declared with __uint(${field}, N)`);
}

function sized(btf: Btf, type: number | undefined, size: number | bigint | undefined, what: string, fail: (msg: string) => never): number {
  const fromType = type === undefined ? undefined : btf.sizeOf(type);
  if (fromType !== undefined && size !== undefined && Number(size) !== fromType) {
    fail(`${what}_size ${size} disagrees with the size of __type(${what}, ...), ${fromType}`);
  }
  return fromType ?? Number(size ?? 0);
}
