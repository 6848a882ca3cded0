import type { Btf } from "../btf.ts";
import { CoreReloKind } from "../ext.ts";
import { IntEncoding, Kind } from "../kind.ts";
import type { BtfComposite } from "../types.ts";
import { CoreError, type CoreReloRef } from "./error.ts";
import { coreKindClass, coreKindName } from "./kind.ts";
import type { CoreSpec } from "./spec.ts";

/** The value one spec gives a relocation; `poison` when the spec is missing and the kind needs one. */
export interface SpecValue {
  readonly value: bigint;
  readonly poison: boolean;
  /** Is the compiler's value checkable against this one? (Not for bitfields, nor type ids.) */
  readonly validate: boolean;
  /** FIELD_BYTE_OFFSET of a whole field: the element size a load or store of it uses, else 0. */
  readonly memSize: number;
  /** The (resolved) field type `memSize` belongs to. */
  readonly memType: number;
}

const u32 = (n: number): bigint => BigInt(n >>> 0);
/** libbpf widens 32-bit enumerator values as signed, whatever the enum's signedness. */
const enum32 = (n: number): bigint => BigInt.asUintN(64, BigInt(n | 0));

const POISON: SpecValue = { value: 0n, poison: true, validate: true, memSize: 0, memType: 0 };

/**
 * The relocated value for `spec` (undefined: no candidate matched). Field and enumerator-value
 * kinds without a spec poison the instruction; existence kinds give 0, as do type kinds.
 */
export function specValue(spec: CoreSpec | undefined, relo: CoreReloRef): SpecValue {
  switch (coreKindClass(relo.kind)) {
    case "field":
      return fieldValue(spec, relo);
    case "type":
      return typeValue(spec, relo);
    case "enumval":
      return enumValue(spec, relo);
    default:
      throw new CoreError("record", `unknown relocation kind ${relo.kind}`, relo);
  }
}

function plain(value: bigint, validate = true): SpecValue {
  return { value, poison: false, validate, memSize: 0, memType: 0 };
}

/** Size of the innermost element of a possibly multi-dimensional array type (the type itself otherwise). */
function elementOf(btf: Btf, id: number): number {
  id = btf.resolve(id);
  while (btf.kind(id) === Kind.ARRAY) id = btf.resolve((btf.type(id) as { elemType: number }).elemType);
  return id;
}

function fieldValue(spec: CoreSpec | undefined, relo: CoreReloRef): SpecValue {
  if (relo.kind === CoreReloKind.FIELD_EXISTS) return plain(spec ? 1n : 0n);
  if (!spec) return POISON;
  const btf = spec.btf;
  const acc = spec.accessors.at(-1)!;

  // The access ends at an array element (or is the root itself): only offset and size apply.
  if (acc.name === undefined) {
    if (relo.kind === CoreReloKind.FIELD_BYTE_OFFSET) {
      const elem = elementOf(btf, acc.typeId);
      return { value: u32(Math.floor(spec.bitOffset / 8)), poison: false, validate: true, memSize: btf.sizeOf(elem), memType: acc.typeId };
    }
    if (relo.kind === CoreReloKind.FIELD_BYTE_SIZE) return plain(u32(btf.sizeOf(acc.typeId)));
    throw new CoreError("unsupported", `${coreKindName(relo.kind)} does not apply to an array element`, relo);
  }

  const m = (btf.type(acc.typeId) as BtfComposite).members[acc.index]!;
  const fieldType = btf.resolve(m.type);
  const bitOff = spec.bitOffset;
  let bitSize = m.bitfieldSize;
  const bitfield = bitSize > 0;
  let byteSize: number;
  let byteOff: number;
  if (bitfield) {
    // The smallest naturally aligned load, starting at the declared type's size, that covers the bits.
    byteSize = btf.sizeOrType(fieldType);
    if (byteSize === 0) throw new CoreError("btf", `bitfield ${m.name} has a zero-sized type`, relo);
    byteOff = Math.floor(bitOff / 8 / byteSize) * byteSize;
    while (bitOff + bitSize - byteOff * 8 > byteSize * 8) {
      if (byteSize >= 8) throw new CoreError("unsupported", `bitfield ${m.name} cannot be read with one 64-bit load`, relo);
      byteSize *= 2;
      byteOff = Math.floor(bitOff / 8 / byteSize) * byteSize;
    }
  } else {
    byteSize = btf.sizeOf(fieldType);
    byteOff = Math.floor(bitOff / 8);
    bitSize = byteSize * 8;
  }

  switch (relo.kind) {
    case CoreReloKind.FIELD_BYTE_OFFSET:
      // A bitfield's offset is the compiler's choice as much as ours: not validated.
      if (bitfield) return plain(u32(byteOff), false);
      return { value: u32(byteOff), poison: false, validate: true, memSize: btf.sizeOf(elementOf(btf, fieldType)), memType: fieldType };
    case CoreReloKind.FIELD_BYTE_SIZE:
      return plain(u32(byteSize), !bitfield);
    case CoreReloKind.FIELD_SIGNED: {
      const t = btf.type(fieldType);
      const signed = ((t.kind === "ENUM" || t.kind === "ENUM64") && t.signed) || (t.kind === "INT" && (t.encoding & IntEncoding.SIGNED) !== 0);
      return plain(signed ? 1n : 0n);
    }
    case CoreReloKind.FIELD_LSHIFT_U64: {
      // Shift left so the field's top bit becomes bit 63 of the loaded (and zero-extended) value.
      const shift = btf.littleEndian ? 64 - (bitOff + bitSize - byteOff * 8) : (8 - byteSize) * 8 + (bitOff - byteOff * 8);
      return plain(u32(shift), !bitfield);
    }
    case CoreReloKind.FIELD_RSHIFT_U64:
      return plain(u32(64 - bitSize));
    default:
      throw new CoreError("record", `unknown field relocation kind ${relo.kind}`, relo);
  }
}

function typeValue(spec: CoreSpec | undefined, relo: CoreReloRef): SpecValue {
  // Type ids are renumbered by linking: never validated.
  if (relo.kind === CoreReloKind.TYPE_ID_TARGET || relo.kind === CoreReloKind.TYPE_ID_LOCAL) return plain(BigInt(spec?.rootId ?? 0), false);
  if (!spec) return plain(0n);
  switch (relo.kind) {
    case CoreReloKind.TYPE_EXISTS:
    case CoreReloKind.TYPE_MATCHES:
      return plain(1n);
    case CoreReloKind.TYPE_SIZE:
      return plain(u32(spec.btf.sizeOf(spec.rootId)));
    default:
      throw new CoreError("record", `unknown type relocation kind ${relo.kind}`, relo);
  }
}

function enumValue(spec: CoreSpec | undefined, relo: CoreReloRef): SpecValue {
  if (relo.kind === CoreReloKind.ENUMVAL_EXISTS) return plain(spec ? 1n : 0n);
  if (!spec) return POISON;
  const acc = spec.accessors[0]!;
  const t = spec.btf.type(acc.typeId);
  if (t.kind === "ENUM") return plain(enum32(t.values[acc.index]!.value));
  if (t.kind === "ENUM64") return plain(BigInt.asUintN(64, t.values[acc.index]!.value));
  throw new CoreError("record", "enumerator relocation without an enum", relo);
}
