/**
 * struct_ops benchmark, bpfkit vs libbpf, side by side in one run: each round runs both programs
 * (alternating which goes first) over the same object; each program does ITER open → load →
 * attach → close cycles in one process. Prints per-cycle medians and the ratio bpfkit/libbpf,
 * both for the first cycle of a process (cold: kernel BTF parsed, JIT cold) and the rest (warm).
 *
 *   bun bench/struct-ops/run.ts [OBJ] [--rounds N] [--iter N]
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { reference } from "../reference.ts";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  options: { rounds: { type: "string", default: "7" }, iter: { type: "string", default: "20" } },
  allowPositionals: true,
});
const ref = reference();
// The example congestion control; Debian's libbpf 1.1 cannot open .struct_ops.link, so with it the
// legacy twin.
const object = positionals[0] ?? here(ref.knowsStructOpsLink ? "../../examples/tcp-cc/cc.bpf.o" : "../../fixtures/legacy_cc.bpf.o");
const rounds = Number(values.rounds);
const iter = Number(values.iter);

mkdirSync(here("../.build"), { recursive: true });
const cBin = here("../.build/libbpf-load");
execFileSync("cc", ref.ccFlags(here("libbpf-load.c"), cBin), { stdio: "inherit" });

function run(cmd: string, args: string[]): number[] {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return r.stdout.trim().split("\n").map(Number);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

const sides = {
  libbpf: () => run(cBin, [object, String(iter)]),
  bpfkit: () => run(process.execPath, [here("bpfkit-load.ts"), object, String(iter)]),
};
const cold: Record<string, number[]> = { libbpf: [], bpfkit: [] };
const warm: Record<string, number[]> = { libbpf: [], bpfkit: [] };
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? (["libbpf", "bpfkit"] as const) : (["bpfkit", "libbpf"] as const);
  for (const side of order) {
    const times = sides[side]();
    cold[side]!.push(times[0]!);
    warm[side]!.push(...times.slice(1));
  }
}

const ms = (ns: number) => `${(ns / 1e6).toFixed(3)} ms`;
console.log(`struct_ops open → load → attach → close of ${object}, against ${ref.label}`);
console.log(`${rounds} rounds × ${iter} cycles per process, alternating order\n`);
console.log("                    libbpf        bpfkit        bpfkit/libbpf");
for (const [label, data] of [["first cycle (cold)", cold], ["later cycles (warm)", warm]] as const) {
  const c = median(data.libbpf!);
  const b = median(data.bpfkit!);
  console.log(`${label.padEnd(20)}${ms(c).padEnd(14)}${ms(b).padEnd(14)}${(b / c).toFixed(2)}×`);
}
