/**
 * BTF benchmark, bpfkit vs libbpf/bpftool side by side, alternating, medians and ratios:
 *  1. parse /sys/kernel/btf/vmlinux, then 1,000 name+kind lookups (in-process times; file
 *     read included on both sides);
 *  2. the whole-process raw dump: `bpfkit btf dump` vs `bpftool btf dump ... format raw`.
 *
 *   bun bench/btf/run.ts [--rounds N]
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Btf } from "@bpfkit/btf";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const { values } = parseArgs({ args: process.argv.slice(2), options: { rounds: { type: "string", default: "9" } } });
const rounds = Number(values.rounds);
const VMLINUX = "/sys/kernel/btf/vmlinux";

mkdirSync(here("../.build"), { recursive: true });
const cBin = here("../.build/libbpf-lookup");
execFileSync("cc", ["-O2", "-o", cBin, here("libbpf-lookup.c"), "-lbpf"], { stdio: "inherit" });

// 1,000 (name, kind) queries spread over the whole kernel BTF: every 1/1000th named type.
const btf = Btf.parse(new Uint8Array(readFileSync(VMLINUX)));
const named: string[] = [];
for (let id = 1; id <= btf.lastId; id++) if (btf.nameOf(id) && !btf.nameOf(id).includes(" ")) named.push(`${btf.nameOf(id)} ${btf.kind(id)}`);
const queries = Array.from({ length: 1000 }, (_, i) => named[Math.floor((i * named.length) / 1000)]!).join("\n");

function measure(cmd: string, args: string[]): [number, number, number] {
  const r = spawnSync(cmd, args, { input: queries, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  return r.stdout.trim().split(" ").map(Number) as [number, number, number];
}

function wall(cmd: string, args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"], maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const s = { parse: { c: [] as number[], ts: [] as number[] }, lookup: { c: [] as number[], ts: [] as number[] }, dump: { c: [] as number[], ts: [] as number[] } };
const cli = here("../../packages/cli/src/cli.ts");
for (let r = 0; r < rounds; r++) {
  const runC = () => {
    const [p, l, found] = measure(cBin, [VMLINUX]);
    if (found !== 1000) throw new Error(`libbpf found ${found} of 1000`);
    s.parse.c.push(p);
    s.lookup.c.push(l);
    s.dump.c.push(wall("bpftool", ["btf", "dump", "file", VMLINUX, "format", "raw"]));
  };
  const runTs = () => {
    const [p, l, found] = measure(process.execPath, [here("bpfkit-lookup.ts"), VMLINUX]);
    if (found !== 1000) throw new Error(`bpfkit found ${found} of 1000`);
    s.parse.ts.push(p);
    s.lookup.ts.push(l);
    s.dump.ts.push(wall(process.execPath, [cli, "btf", "dump", VMLINUX]));
  };
  if (r % 2 === 0) {
    runC();
    runTs();
  } else {
    runTs();
    runC();
  }
}
const ms = (ns: number) => `${(ns / 1e6).toFixed(2)} ms`;
console.log(`kernel BTF ${VMLINUX} (${btf.count} types), ${rounds} rounds alternating\n`);
console.log("                               libbpf/bpftool   bpfkit         bpfkit/C");
for (const [label, k] of [["parse", "parse"], ["1,000 name+kind lookups", "lookup"], ["raw dump, whole process", "dump"]] as const) {
  const c = median(s[k].c);
  const t = median(s[k].ts);
  console.log(`${label.padEnd(31)}${ms(c).padEnd(17)}${ms(t).padEnd(15)}${(t / c).toFixed(2)}×`);
}
const c = median(s.lookup.c) / 1000;
const t = median(s.lookup.ts) / 1000;
console.log(`\nper lookup: libbpf ${(c / 1000).toFixed(1)} µs (linear scan), bpfkit ${(t / 1000).toFixed(2)} µs (first one builds the name index)`);
