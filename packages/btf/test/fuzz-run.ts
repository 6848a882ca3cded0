import { rng } from "../../../tools/testing/src/rng.ts";
import { Btf } from "../src/btf.ts";
import { BtfBuilder } from "../src/builder.ts";
import { dumpC } from "../src/dump/c.ts";
import { dumpJson } from "../src/dump/json.ts";
import { dumpRaw } from "../src/dump/raw.ts";
import { dumpTs } from "../src/dump/ts.ts";
import { BtfError } from "../src/error.ts";
import { BtfExt } from "../src/ext.ts";
import { Kind } from "../src/kind.ts";
import type { FuzzInput } from "./fuzz-inputs.ts";

const SPECIAL = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

/**
 * One mutant of `input` (bytes `from`..`to` are the part to disturb): a truncation, bit flips, a
 * 32-bit field set to an edge value (huge, negative as signed, zero), or a word pointed at a
 * nearby type id (`near`), which bends references into cycles.
 */
export function mutate(input: Uint8Array, rand: () => number, from = 0, to: number = input.byteLength, near = 1): Uint8Array {
  const pick = rand();
  if (pick < 0.15) return input.slice(0, from + Math.floor(rand() * (to - from)));
  const out = input.slice();
  const v = new DataView(out.buffer);
  const edits = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.min(to - 4, from + Math.floor(rand() * (to - from))) & ~3;
    if (at < 0) break;
    if (pick < 0.55) out[at + Math.floor(rand() * 4)]! ^= 1 << Math.floor(rand() * 8);
    else if (pick < 0.85) v.setUint32(at, SPECIAL[Math.floor(rand() * SPECIAL.length)]!, rand() < 0.5);
    else v.setUint32(at, Math.max(0, near - 20 + Math.floor(rand() * 40)), true);
  }
  return out;
}

/** Runs `fn`; BtfError (what bad input should produce) passes silently. */
function attempt<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof BtfError)) throw e;
    return undefined;
  }
}

/** Everything a reader does with one type. */
function exerciseType(btf: Btf, id: number): void {
  const t = btf.type(id);
  btf.nameOf(id);
  btf.kind(id);
  btf.vlen(id);
  btf.kindFlag(id);
  attempt(() => btf.resolve(id));
  attempt(() => btf.skipModifiers(id));
  attempt(() => btf.sizeOf(id));
  attempt(() => btf.alignOf(id));
  attempt(() => btf.funcProtoOfPointer(id));
  if (t.kind === "STRUCT" || t.kind === "UNION") {
    for (const m of t.members) attempt(() => btf.sizeOf(m.type));
    if (t.members[0]) attempt(() => btf.member(id, t.members[0]!.name));
  }
  if (t.name) attempt(() => btf.find(t.name, t.kind === "VOID" ? undefined : t.kind));
}

/**
 * Everything bpfkit does with BTF: parse, decode and resolve every type, look names up, every
 * dump, a builder round trip, .BTF.ext. Only BtfError may come out; a builder copy of BTF that
 * parsed must parse again and dump the same.
 */
export function exercise(input: FuzzInput, bytes: Uint8Array, ext?: Uint8Array): void {
  const btf = Btf.parse(bytes, input.base ? { base: input.base } : {});
  for (let id = btf.firstId; id <= btf.lastId; id++) exerciseType(btf, id);
  btf.find("tcp_congestion_ops", "STRUCT");
  btf.findAll("int");
  const raw = attempt(() => dumpRaw(btf));
  attempt(() => dumpJson(btf));
  attempt(() => dumpC(btf));
  attempt(() => dumpTs(btf));
  const copy = Btf.parse(BtfBuilder.from(btf).build(), input.base ? { base: input.base } : {});
  if (raw !== undefined && dumpRaw(copy) !== raw) throw new Error("BtfBuilder.from(btf).build() changed the types");
  if (ext) BtfExt.parse(ext, btf);
}

/** For the kernel's BTF: the whole blob is parsed, but only types near the mutation are walked. */
function exerciseAround(bytes: Uint8Array, first: number, last: number): void {
  const btf = Btf.parse(bytes);
  const ids: number[] = [];
  for (let id = Math.max(1, first); id <= Math.min(btf.lastId, last); id++) {
    exerciseType(btf, id);
    ids.push(id);
  }
  const records = ids.filter((id) => btf.kind(id) === Kind.STRUCT || btf.kind(id) === Kind.UNION || btf.kind(id) === Kind.TYPEDEF);
  attempt(() => dumpC(btf, { roots: records }));
  attempt(() => dumpTs(btf, { roots: records }));
  btf.find("task_struct", "STRUCT");
}

export interface FuzzResult {
  readonly cases: number;
  readonly parsed: number;
  readonly rejected: number;
  /** The slowest case's time; one over HANG_MS is a failure. */
  readonly slowestMs: number;
  readonly failures: { seed: number; input: string; error: string }[];
}

/** Kernel-sized inputs get one case in this many (each costs a whole parse). */
const LARGE_EVERY = 100;
/** A case this slow counts as a hang. */
export const HANG_MS = 2000;

/** `cases` mutants, seeds from `seed`; anything but BtfError (or a broken invariant) is a failure. */
export function fuzz(inputs: readonly FuzzInput[], cases: number, seed = 1): FuzzResult {
  const small = inputs.filter((i) => !i.large);
  const large = inputs.filter((i) => i.large);
  const kernelIndex = new Map(large.map((i) => [i, Btf.parse(i.btf)]));
  let parsed = 0;
  let rejected = 0;
  let slowestMs = 0;
  const failures: { seed: number; input: string; error: string }[] = [];
  for (let i = 0; i < cases; i++) {
    const started = performance.now();
    const s = seed + i;
    const rand = rng(s);
    const useLarge = large.length > 0 && s % LARGE_EVERY === 0;
    const input = useLarge ? large[s % large.length]! : small[s % small.length]!;
    try {
      if (useLarge) {
        const orig = kernelIndex.get(input)!;
        const id = 1 + Math.floor(rand() * orig.count);
        const at = orig.typeOffset(id);
        exerciseAround(mutate(input.btf, rand, at, Math.min(input.btf.byteLength, at + 256), id), id - 20, id + 20);
      } else {
        const btf = mutate(input.btf, rand);
        const ext = input.ext && rand() < 0.3 ? mutate(input.ext, rand) : input.ext;
        exercise(input, btf, ext);
      }
      parsed++;
    } catch (e) {
      if (e instanceof BtfError) rejected++;
      else failures.push({ seed: s, input: input.name, error: String(e instanceof Error ? `${e.name}: ${e.message}` : e) });
    }
    const ms = performance.now() - started;
    slowestMs = Math.max(slowestMs, ms);
    if (ms > HANG_MS) failures.push({ seed: s, input: input.name, error: `hang: ${ms.toFixed(0)} ms` });
  }
  return { cases, parsed, rejected, slowestMs, failures };
}
