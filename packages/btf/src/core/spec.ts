import type { Btf } from "../btf.ts";
import { describeType } from "../type-name.ts";
import type { BtfComposite } from "../types.ts";
import { parseAccessString } from "./access.ts";
import { CoreError, type CoreReloRef } from "./error.ts";
import { coreKindClass, coreKindName } from "./kind.ts";

/**
 * One semantically meaningful step of an access: a named member (`name` set; `typeId` is the
 * struct or union holding it) or an array element (`typeId` is the element type, modifiers and
 * typedefs skipped). The first accessor is the implicit `p[0]` of the root pointer.
 */
export interface CoreAccessor {
  readonly typeId: number;
  readonly index: number;
  readonly name?: string;
}

/**
 * An access resolved against one BTF. `accessors` holds only named members and array elements;
 * `raw` holds every step, anonymous members included (for the local BTF, the access string).
 * For enumerator relocations the one accessor names the enumerator; type relocations have none.
 */
export interface CoreSpec {
  readonly btf: Btf;
  /** The root type as written (typedefs and modifiers not skipped). */
  readonly rootId: number;
  readonly kind: number;
  readonly accessors: readonly CoreAccessor[];
  readonly raw: readonly number[];
  /** Bit offset of the accessed field from the start of the root. */
  readonly bitOffset: number;
}

/** A CoreSpec under construction. */
export interface SpecBuilder {
  readonly btf: Btf;
  readonly rootId: number;
  readonly kind: number;
  accessors: CoreAccessor[];
  raw: number[];
  bitOffset: number;
}

export function newSpec(btf: Btf, rootId: number, kind: number): SpecBuilder {
  return { btf, rootId, kind, accessors: [], raw: [], bitOffset: 0 };
}

/** Bit offsets are 32-bit in BTF and in the instruction: an access past that is corrupt. */
export function addBits(spec: SpecBuilder, bits: number, relo: CoreReloRef): void {
  spec.bitOffset += bits;
  if (spec.bitOffset > 0xffffffff) throw new CoreError("record", "the access lies beyond 4 GiB of its type", relo);
}

/**
 * The local spec of a relocation: the record's access string walked through the object's BTF.
 * Throws CoreError (`record`) when the kind is unknown, the type id does not exist, or the
 * access string is malformed or does not fit the type.
 */
export function parseSpec(btf: Btf, relo: CoreReloRef): CoreSpec {
  const cls = coreKindClass(relo.kind);
  if (!cls) throw new CoreError("record", `unknown relocation kind ${relo.kind}`, relo);
  if (!Number.isInteger(relo.typeId) || relo.typeId < 0 || relo.typeId > btf.lastId) {
    throw new CoreError("record", `type id ${relo.typeId} does not exist (last is ${btf.lastId})`, relo);
  }
  const spec = newSpec(btf, relo.typeId, relo.kind);
  // Type relocations carry no access, but the compiler still writes "0".
  if (cls === "type") {
    if (relo.accessStr !== "0") throw new CoreError("record", `a type relocation's access string must be "0"`, relo);
    return spec;
  }
  const raw = parseAccessString(relo.accessStr);
  if (typeof raw === "string") throw new CoreError("record", raw, relo);
  spec.raw = raw;
  let id = btf.resolve(relo.typeId);
  const first = raw[0]!;
  spec.accessors.push({ typeId: id, index: first });

  if (cls === "enumval") {
    const t = btf.type(id);
    if (t.kind !== "ENUM" && t.kind !== "ENUM64") throw new CoreError("record", `an enumerator relocation needs an enum, not ${t.kind}`, relo);
    if (raw.length > 1 || first >= t.values.length) throw new CoreError("record", `enum ${t.name || "<anon>"} has no enumerator #${relo.accessStr}`, relo);
    spec.accessors[0] = { typeId: id, index: first, name: t.values[first]!.name };
    return spec;
  }

  addBits(spec, first * btf.sizeOf(id) * 8, relo);
  for (let i = 1; i < raw.length; i++) {
    id = btf.resolve(id);
    const at = raw[i]!;
    const t = btf.type(id);
    if (t.kind === "STRUCT" || t.kind === "UNION") {
      const m = t.members[at];
      if (!m) throw new CoreError("record", `accessor ${i} picks member ${at} of ${describeType(btf, id)}, which has ${t.members.length}`, relo);
      addBits(spec, m.bitOffset, relo);
      // Anonymous members are steps of the raw spec only: target matching looks through them.
      if (m.name !== "") spec.accessors.push({ typeId: id, index: at, name: m.name });
      id = m.type;
    } else if (t.kind === "ARRAY") {
      const elem = btf.resolve(t.elemType);
      if (!isFlexArray(btf, spec.accessors.at(-1)!, t.nelems) && at >= t.nelems) {
        throw new CoreError("record", `accessor ${i} indexes element ${at} of an array of ${t.nelems}`, relo);
      }
      spec.accessors.push({ typeId: elem, index: at });
      addBits(spec, at * btf.sizeOf(elem) * 8, relo);
      id = elem;
    } else {
      throw new CoreError("record", `accessor ${i} steps into ${describeType(btf, id)}, which has no members or elements`, relo);
    }
  }
  return spec;
}

/**
 * A zero-length array that is the last member of the struct the previous accessor named: a
 * flexible array, which may be indexed past its declared length.
 */
export function isFlexArray(btf: Btf, prev: CoreAccessor, nelems: number): boolean {
  if (prev.name === undefined || nelems > 0) return false;
  const holder = btf.type(prev.typeId) as BtfComposite;
  return prev.index === holder.members.length - 1;
}

/**
 * A spec in libbpf's log notation, e.g. `<byte_off> [5] STRUCT sock.sk_shutdown (0:79 @ offset 530)`
 * or `<enumval_value> [7] ENUM e::B = 2`.
 */
export function formatSpec(spec: CoreSpec): string {
  const head = `<${coreKindName(spec.kind)}> ${describeType(spec.btf, spec.rootId)}`;
  const cls = coreKindClass(spec.kind);
  if (cls === "type" || spec.accessors.length === 0) return head;
  if (cls === "enumval") {
    const t = spec.btf.type(spec.accessors[0]!.typeId);
    if (t.kind !== "ENUM" && t.kind !== "ENUM64") return head;
    const v = t.values[spec.accessors[0]!.index]!;
    return `${head}::${v.name} = ${v.value}`;
  }
  let path = "";
  spec.accessors.forEach((a, i) => {
    if (a.name !== undefined) path += `.${a.name}`;
    else if (i > 0 || a.index > 0) path += `[${a.index}]`;
  });
  const off = spec.bitOffset % 8 ? `${Math.floor(spec.bitOffset / 8)}.${spec.bitOffset % 8}` : `${spec.bitOffset / 8}`;
  return `${head}${path} (${spec.raw.join(":")} @ offset ${off})`;
}
