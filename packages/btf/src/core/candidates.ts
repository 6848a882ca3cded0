import type { Btf } from "../btf.ts";
import { kindsCompatible } from "./compat.ts";
import { essentialName, flavourCut } from "./name.ts";

/** A type in one target BTF that may correspond to a local type. */
export interface CoreCandidate {
  readonly btf: Btf;
  readonly id: number;
}

/**
 * Per target BTF: the own types whose names carry a `___flavour`, by essential name. Plain names
 * are found through the BTF's name index; this covers the rest. Built once per BTF by one scan
 * of the name offsets (no name is decoded unless it has a flavour).
 */
const flavoured = new WeakMap<Btf, Map<string, number[]>>();

function flavouredTypes(btf: Btf): Map<string, number[]> {
  let index = flavoured.get(btf);
  if (index) return index;
  index = new Map();
  const own = btf.strings;
  for (let id = btf.firstId; id <= btf.lastId; id++) {
    const off = btf.nameOffset(id);
    if (off === 0) continue;
    const at = off >= own.start && off - own.start < own.bytes.length ? { bytes: own.bytes, rel: off - own.start } : own.locate(off);
    if (!at || flavourCut(at.bytes, at.rel) < 0) continue;
    const key = essentialName(btf.nameOf(id));
    const ids = index.get(key);
    if (ids) ids.push(id);
    else index.set(key, [id]);
  }
  flavoured.set(btf, index);
  return index;
}

/**
 * The types of `targ` (its own, not its base's) that a local type named `name` of kind `kind`
 * may relocate against: same essential name, compatible kind (ENUM and ENUM64 meet), ascending
 * by id.
 */
export function candidatesIn(targ: Btf, name: string, kind: number): CoreCandidate[] {
  const essential = essentialName(name);
  const ids: number[] = [];
  // An exact-name hit only counts when that name is itself essential ("a___b" is not for "a___b___c").
  if (essentialName(essential) === essential) {
    for (const id of targ.findAll(essential)) if (id >= targ.firstId) ids.push(id);
  }
  const more = flavouredTypes(targ).get(essential);
  if (more) ids.push(...more);
  if (more) ids.sort((a, b) => a - b);
  const out: CoreCandidate[] = [];
  for (const id of ids) if (kindsCompatible(targ.kind(id), kind)) out.push({ btf: targ, id });
  return out;
}

/**
 * Candidates for local type `localId` across target BTFs, libbpf's way: the first target (the
 * kernel's vmlinux) alone when it has any, else every other target (modules) together.
 * Anonymous types have none.
 */
export function findCandidates(local: Btf, localId: number, targets: readonly Btf[]): CoreCandidate[] {
  const name = localId === 0 ? "" : local.nameOf(localId);
  if (name === "" || targets.length === 0) return [];
  const kind = local.kind(localId);
  const main = candidatesIn(targets[0]!, name, kind);
  if (main.length > 0) return main;
  return targets.slice(1).flatMap((t) => candidatesIn(t, name, kind));
}
