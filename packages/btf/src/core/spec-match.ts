import type { Btf } from "../btf.ts";
import { CoreReloKind } from "../ext.ts";
import type { BtfComposite } from "../types.ts";
import { MAX_ACCESS_LEN } from "./access.ts";
import { fieldsCompatible, typesCompatible } from "./compat.ts";
import { CoreError, type CoreReloRef } from "./error.ts";
import { coreKindClass } from "./kind.ts";
import { typesMatch } from "./types-match.ts";
import { essentialName } from "./name.ts";
import { addBits, type CoreAccessor, type CoreSpec, isFlexArray, newSpec, type SpecBuilder } from "./spec.ts";

/**
 * Matches a local spec against one candidate type: the target spec when the candidate has
 * everything the access needs (every named member, compatible field types, array indices in
 * bounds; the same enumerator; a compatible or matching type), else undefined.
 */
export function matchSpec(local: CoreSpec, targ: Btf, targId: number, relo: CoreReloRef): CoreSpec | undefined {
  const spec = newSpec(targ, targId, local.kind);
  const cls = coreKindClass(local.kind);
  if (cls === "type") {
    const ok =
      local.kind === CoreReloKind.TYPE_MATCHES
        ? typesMatch(local.btf, local.rootId, targ, targId)
        : typesCompatible(local.btf, local.rootId, targ, targId);
    return ok ? spec : undefined;
  }
  if (cls === "enumval") {
    const id = targ.resolve(targId);
    const t = targ.type(id);
    if (t.kind !== "ENUM" && t.kind !== "ENUM64") return undefined;
    const want = essentialName(local.accessors[0]!.name!);
    const index = t.values.findIndex((v) => essentialName(v.name) === want);
    if (index < 0) return undefined;
    spec.accessors.push({ typeId: id, index, name: t.values[index]!.name });
    spec.raw.push(index);
    return spec;
  }
  let id = targId;
  for (let i = 0; i < local.accessors.length; i++) {
    const acc = local.accessors[i]!;
    id = targ.resolve(id);
    if (acc.name !== undefined) {
      const next = matchMember(local.btf, acc, targ, id, spec, relo);
      if (next === undefined) return undefined;
      id = next;
      continue;
    }
    // The first accessor indexes the root pointer, already the candidate; later ones need an array.
    if (i > 0) {
      const t = targ.type(id);
      if (t.kind !== "ARRAY") return undefined;
      if (!isFlexArray(targ, spec.accessors.at(-1)!, t.nelems) && acc.index >= t.nelems) return undefined;
      id = targ.resolve(t.elemType);
    }
    if (spec.raw.length === MAX_ACCESS_LEN) throw new CoreError("unsupported", "the target nests too deep", relo);
    spec.accessors.push({ typeId: id, index: acc.index });
    spec.raw.push(acc.index);
    addBits(spec, acc.index * targ.sizeOf(id) * 8, relo);
  }
  return spec;
}

/**
 * Finds the member `acc` names in target struct/union `targId`, looking through anonymous
 * members, and extends `spec` with the path to it. Returns the member's type id, or undefined
 * (with `spec` as it was) when there is no such member or its type is incompatible.
 */
function matchMember(local: Btf, acc: CoreAccessor, targ: Btf, targId: number, spec: SpecBuilder, relo: CoreReloRef): number | undefined {
  targId = targ.resolve(targId);
  const t = targ.type(targId);
  if (t.kind !== "STRUCT" && t.kind !== "UNION") return undefined;
  const localMember = (local.type(acc.typeId) as BtfComposite).members[acc.index]!;
  for (let i = 0; i < t.members.length; i++) {
    const m = t.members[i]!;
    if (spec.raw.length === MAX_ACCESS_LEN) throw new CoreError("unsupported", "the target nests too deep", relo);
    const saved = { bits: spec.bitOffset, raw: spec.raw.length, accessors: spec.accessors.length };
    addBits(spec, m.bitOffset, relo);
    spec.raw.push(i);
    if (m.name === "") {
      const found = matchMember(local, acc, targ, m.type, spec, relo);
      if (found !== undefined) return found;
    } else if (m.name === acc.name) {
      // Field names match exactly (no flavours); the first one with the name decides.
      if (!fieldsCompatible(local, localMember.type, targ, m.type)) return restore(spec, saved);
      spec.accessors.push({ typeId: targId, index: i, name: m.name });
      return m.type;
    }
    restore(spec, saved);
  }
  return undefined;
}

function restore(spec: SpecBuilder, saved: { bits: number; raw: number; accessors: number }): undefined {
  spec.bitOffset = saved.bits;
  spec.raw.length = saved.raw;
  spec.accessors.length = saved.accessors;
  return undefined;
}
