import type { Btf } from "../btf.ts";
import { BtfError } from "../error.ts";
import { CoreReloKind } from "../ext.ts";
import { IntEncoding, Kind } from "../kind.ts";
import { describeType } from "../type-name.ts";
import { type CoreCandidate, findCandidates } from "./candidates.ts";
import { CoreError, type CoreReloRef } from "./error.ts";
import { type CoreSpec, formatSpec, parseSpec } from "./spec.ts";
import { matchSpec } from "./spec-match.ts";
import { type SpecValue, specValue } from "./value.ts";

/** The outcome of one CO-RE relocation: what to check in the instruction and what to write. */
export interface CoreResult {
  readonly kind: number;
  /** The value the compiler computed from the local BTF (unsigned 64-bit). */
  readonly localValue: bigint;
  /** The value for the target kernel (unsigned 64-bit). */
  readonly targetValue: bigint;
  /** No target has the field or enumerator: the instruction must be made invalid. */
  readonly poison: boolean;
  /** Must the instruction hold `localValue` before patching? */
  readonly validate: boolean;
  /** FIELD_BYTE_OFFSET of a whole field: load/store size locally and in the target (0 when not applicable). */
  readonly localSize: number;
  readonly targetSize: number;
  /**
   * The access size changes and a load or store cannot simply follow (only pointers and
   * unsigned integers survive a size change): such an instruction is poisoned.
   */
  readonly sizeMismatch: boolean;
  /** The first matching candidate; undefined when none matched (or for TYPE_ID_LOCAL). */
  readonly target: CoreCandidate | undefined;
  /** The local and target specs in libbpf's log notation, for messages. */
  readonly localSpec: string;
  readonly targetSpec: string | undefined;
}

/** What a relocation record must provide (CoreRelo from BtfExt.parse fits). */
export type CoreReloInput = CoreReloRef;

/**
 * Resolves CO-RE relocations of one object against target BTFs (vmlinux first, then module
 * BTFs). Like libbpf, it keeps one candidate list per local type and narrows it to the
 * candidates that matched each relocation, so later relocations of the type only consider
 * those: resolve an object's records in order with one resolver.
 */
export class CoreResolver {
  readonly local: Btf;
  readonly targets: readonly Btf[];
  readonly #candidates = new Map<number, CoreCandidate[]>();

  constructor(local: Btf, targets: readonly Btf[]) {
    this.local = local;
    this.targets = targets;
  }

  /** The current candidate list for local type `id` (searched on first use). */
  candidates(id: number): readonly CoreCandidate[] {
    let c = this.#candidates.get(id);
    if (!c) {
      c = findCandidates(this.local, id, this.targets);
      this.#candidates.set(id, c);
    }
    return c;
  }

  /** Resolves one relocation record. Throws CoreError when it cannot be resolved. */
  resolve(relo: CoreReloInput): CoreResult {
    const ref: CoreReloRef = { typeId: relo.typeId, accessStr: relo.accessStr, kind: relo.kind };
    try {
      return this.#resolve(ref);
    } catch (e) {
      if (e instanceof CoreError) throw e;
      if (e instanceof BtfError) throw new CoreError("btf", e.message, ref, { cause: e });
      throw e;
    }
  }

  #resolve(relo: CoreReloRef): CoreResult {
    let local: CoreSpec;
    try {
      local = parseSpec(this.local, relo);
    } catch (e) {
      if (e instanceof BtfError && !(e instanceof CoreError)) throw new CoreError("record", `does not fit the local BTF: ${e.message}`, relo, { cause: e });
      throw e;
    }
    const localSpec = formatSpec(local);
    // The local type id needs no target; the loaded program BTF keeps the object's ids.
    if (relo.kind === CoreReloKind.TYPE_ID_LOCAL) {
      const id = BigInt(relo.typeId);
      return { kind: relo.kind, localValue: id, targetValue: id, poison: false, validate: false, localSize: 0, targetSize: 0, sizeMismatch: false, target: undefined, localSpec, targetSpec: undefined };
    }
    if (relo.typeId === 0 || this.local.nameOf(relo.typeId) === "") {
      throw new CoreError("anonymous", `${describeType(this.local, relo.typeId)} is anonymous: no target can be searched for it`, relo);
    }
    const orig = specValue(local, relo);
    const all = this.candidates(relo.typeId);
    const kept: CoreCandidate[] = [];
    let chosen: { cand: CoreCandidate; spec: CoreSpec; value: SpecValue } | undefined;
    for (const cand of all) {
      const spec = matchSpec(local, cand.btf, cand.id, relo);
      if (!spec) continue;
      const value = specValue(spec, relo);
      if (!chosen) {
        chosen = { cand, spec, value };
      } else if (spec.bitOffset !== chosen.spec.bitOffset) {
        throw new CoreError("ambiguous", `candidates disagree on the field offset: ${formatSpec(chosen.spec)} vs ${formatSpec(spec)}`, relo);
      } else if (value.poison !== chosen.value.poison || value.value !== chosen.value.value) {
        throw new CoreError("ambiguous", `candidates disagree on the value: ${chosen.value.value} (${formatSpec(chosen.spec)}) vs ${value.value} (${formatSpec(spec)})`, relo);
      }
      kept.push(cand);
    }
    // Later relocations of this type only look at the candidates that matched (if any did).
    if (kept.length > 0) this.#candidates.set(relo.typeId, kept);

    const targ = chosen?.value ?? specValue(undefined, relo);
    const sizeMismatch = !targ.poison && orig.memSize !== targ.memSize && !sizeChangeSafe(this.local, orig.memType, chosen?.spec.btf, targ.memType);
    return {
      kind: relo.kind,
      localValue: orig.value,
      targetValue: targ.value,
      poison: targ.poison,
      validate: orig.validate,
      localSize: orig.memSize,
      targetSize: targ.memSize,
      sizeMismatch,
      target: chosen?.cand,
      localSpec,
      targetSpec: chosen ? formatSpec(chosen.spec) : undefined,
    };
  }
}

/** A load of a pointer or an unsigned integer reads the same value at another width (zero extension). */
function sizeChangeSafe(local: Btf, localType: number, targ: Btf | undefined, targType: number): boolean {
  if (!targ) return false;
  const lk = local.kind(localType);
  const tk = targ.kind(targType);
  if (lk === Kind.PTR && tk === Kind.PTR) return true;
  if (lk !== Kind.INT || tk !== Kind.INT) return false;
  // libbpf compares the whole encoding with SIGNED: a signed char (SIGNED|CHAR) passes too.
  const unsigned = (btf: Btf, id: number) => (btf.type(id) as { encoding: number }).encoding !== IntEncoding.SIGNED;
  return unsigned(local, localType) && unsigned(targ, targType);
}
