import { rng } from "../../../tools/testing/src/rng.ts";
import { Btf } from "../src/btf.ts";
import { dumpRaw } from "../src/dump/raw.ts";
import { BtfError } from "../src/error.ts";
import { parseBtfExt } from "../src/ext.ts";

const SPECIAL = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff];

/** One mutant of `input`: bit flips, a truncation, or a 32-bit field set to an edge value. */
export function mutate(input: Uint8Array, rand: () => number): Uint8Array {
  const pick = rand();
  if (pick < 0.2) return input.slice(0, Math.floor(rand() * input.byteLength));
  const out = input.slice();
  const v = new DataView(out.buffer);
  const edits = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(rand() * (out.byteLength - 4)) & ~3;
    if (pick < 0.6) out[at + Math.floor(rand() * 4)]! ^= 1 << Math.floor(rand() * 8);
    else if (pick < 0.9) v.setUint32(at, SPECIAL[Math.floor(rand() * SPECIAL.length)]!, true);
    // A type reference pointed back at a nearby id: makes cycles through typedefs and structs.
    else v.setUint32(at, 1 + Math.floor(rand() * 40), true);
  }
  return out;
}

/** Everything a reader does with BTF; only BtfError may come out. */
export function exercise(bytes: Uint8Array, ext?: Uint8Array): void {
  const btf = Btf.parse(bytes);
  for (let id = btf.firstId; id <= btf.lastId; id++) {
    const t = btf.type(id);
    btf.nameOf(id);
    attempt(() => btf.resolve(id));
    attempt(() => btf.sizeOf(id));
    attempt(() => btf.alignOf(id));
    if (t.kind === "STRUCT" || t.kind === "UNION") for (const m of t.members) attempt(() => btf.sizeOf(m.type));
    attempt(() => btf.funcProtoOfPointer(id));
  }
  btf.find("tcp_congestion_ops", "STRUCT");
  btf.findAll("int");
  dumpRaw(btf);
  if (ext) parseBtfExt(ext, btf);
}

/** Runs `fn`, letting BtfError (the expected outcome for bad input) pass silently. */
function attempt(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof BtfError)) throw e;
  }
}

export interface FuzzResult {
  readonly cases: number;
  readonly parsed: number;
  readonly rejected: number;
  readonly failures: { seed: number; error: string }[];
}

/** `cases` mutants of each input, seeds from `seed`; a non-BtfError throw is a failure. */
export function fuzz(inputs: readonly { btf: Uint8Array; ext?: Uint8Array }[], cases: number, seed = 1): FuzzResult {
  let parsed = 0;
  let rejected = 0;
  const failures: { seed: number; error: string }[] = [];
  for (let i = 0; i < cases; i++) {
    const s = seed + i;
    const rand = rng(s);
    const input = inputs[i % inputs.length]!;
    const btf = mutate(input.btf, rand);
    const ext = input.ext && rand() < 0.3 ? mutate(input.ext, rand) : input.ext;
    try {
      exercise(btf, ext);
      parsed++;
    } catch (e) {
      if (e instanceof BtfError) rejected++;
      else failures.push({ seed: s, error: String(e instanceof Error ? `${e.name}: ${e.message}` : e) });
    }
  }
  return { cases, parsed, rejected, failures };
}
