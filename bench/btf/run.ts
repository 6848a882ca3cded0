/**
 * BTF benchmark, bpfkit against libbpf and bpftool on the same input, alternating which goes
 * first, medians of N rounds and the ratio bpfkit/C:
 *  1. in-process, on /sys/kernel/btf/vmlinux: read the file, parse it, then 1,000 name+kind
 *     lookups spread over the whole type table (our C program against libbpf-dev's btf__new and
 *     btf__find_by_name_kind, built here; bpfkit's Btf.parse and find);
 *  2. whole processes: `bpfkit btf dump` against `bpftool btf dump file … format raw` (output
 *     byte-identical, checked by the test suite), and the same for `format c`.
 *
 *   bun bench/btf/run.ts [--rounds N] [--file PATH]
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Btf } from "@bpfkit/btf";
import { reference } from "../reference.ts";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { rounds: { type: "string", default: "11" }, file: { type: "string", default: "/sys/kernel/btf/vmlinux" } },
});
const rounds = Number(values.rounds);
const FILE = values.file!;

mkdirSync(here("../.build"), { recursive: true });
const cBin = here("../.build/libbpf-lookup");
const ref = reference();
execFileSync("cc", ref.ccFlags(here("libbpf-lookup.c"), cBin), { stdio: "inherit" });

// 1,000 (name, kind) queries spread evenly over the type table: libbpf's cost grows with the id.
const btf = Btf.parse(new Uint8Array(readFileSync(FILE)));
const named: string[] = [];
for (let id = 1; id <= btf.lastId; id++) {
  const name = btf.nameOf(id);
  if (name && !name.includes(" ") && btf.find(name, btf.kind(id)) === id) named.push(`${name} ${btf.kind(id)}`);
}
const queries = Array.from({ length: 1000 }, (_, i) => named[Math.floor((i * named.length) / 1000)]!).join("\n");

/** Runs one in-process measurement: [read, parse, first lookup, all lookups, first 8 lookups] in ns. */
function inProcess(cmd: string, args: string[]): number[] {
  const r = spawnSync(cmd, args, { input: queries, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  const f = r.stdout.trim().split(" ").map(Number);
  if (f[4] !== 1000) throw new Error(`${cmd} found ${f[4]} of 1000 types`);
  return [...f.slice(0, 4), f[5]!];
}

/** A whole process: wall time, and the CPU time (user + system) it used, both in ns. */
function whole(cmd: string, args: string[]): { wall: number; cpu: number } {
  const t0 = process.hrtime.bigint();
  const r = Bun.spawnSync([cmd, ...args], { stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  const wall = Number(process.hrtime.bigint() - t0);
  if (r.exitCode !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
  // CPU time is steadier than wall time on a shared machine: it leaves out waiting for a CPU.
  return { wall, cpu: Number(r.resourceUsage.cpuTime.total) * 1000 };
}

const ROWS = [
  ["read the file", "read"],
  ["parse", "parse"],
  ["read + parse", "readParse"],
  ["first lookup", "first"],
  ["first 8 lookups (bpfkit: scans)", "first8"],
  ["1,000 name+kind lookups", "lookups"],
  ["raw dump, whole process", "raw"],
  ["raw dump, its CPU time", "rawCpu"],
  ["C dump, whole process", "c"],
  ["C dump, its CPU time", "cCpu"],
] as const;
type Key = (typeof ROWS)[number][1];
const samples = Object.fromEntries(ROWS.map(([, k]) => [k, { c: [] as number[], ts: [] as number[] }])) as Record<Key, { c: number[]; ts: number[] }>;
const record = (side: "c" | "ts", [read, parse, first, lookups, first8]: number[]) => {
  samples.read[side].push(read!);
  samples.parse[side].push(parse!);
  samples.readParse[side].push(read! + parse!);
  samples.first[side].push(first!);
  samples.first8[side].push(first8!);
  samples.lookups[side].push(lookups!);
};
const cli = here("../../packages/cli/src/cli.ts");
const dumps = (side: "c" | "ts", raw: { wall: number; cpu: number }, c: { wall: number; cpu: number }) => {
  samples.raw[side].push(raw.wall);
  samples.rawCpu[side].push(raw.cpu);
  samples.c[side].push(c.wall);
  samples.cCpu[side].push(c.cpu);
};
const runC = () => {
  record("c", inProcess(cBin, [FILE]));
  dumps("c", whole(ref.bpftool, ["btf", "dump", "file", FILE, "format", "raw"]), whole(ref.bpftool, ["btf", "dump", "file", FILE, "format", "c"]));
};
const runTs = () => {
  record("ts", inProcess(process.execPath, [here("bpfkit-lookup.ts"), FILE]));
  dumps("ts", whole(process.execPath, [cli, "btf", "dump", FILE, "--format", "raw"]), whole(process.execPath, [cli, "btf", "dump", FILE, "--format", "c"]));
};
for (let r = 0; r < rounds; r++) {
  if (r % 2 === 0) {
    runC();
    runTs();
  } else {
    runTs();
    runC();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (ns: number) => `${(ns / 1e6).toFixed(2)} ms`;
console.log(`${FILE}: ${btf.count} types; ${rounds} rounds alternating; medians; C side: ${ref.label}\n`);
console.log(`${"".padEnd(38)}${"libbpf/bpftool".padEnd(17)}${"bpfkit".padEnd(13)}bpfkit/C`);
for (const [label, k] of ROWS) {
  const c = median(samples[k].c);
  const t = median(samples[k].ts);
  console.log(`${label.padEnd(38)}${ms(c).padEnd(17)}${ms(t).padEnd(13)}${(t / c).toFixed(2)}×`);
}
const cEach = median(samples.lookups.c) / 1000;
const tRest = median(samples.lookups.ts) - median(samples.first8.ts);
console.log(
  `\nper lookup: libbpf ${(cEach / 1000).toFixed(1)} µs (a scan of the type table); bpfkit scans for the first 8, ` +
    `then hashes every name once: lookups 9–1,000 took ${ms(tRest)} in all, that index included`,
);
console.log(`bpfkit runs on ${process.versions.bun ? `Bun ${process.versions.bun}` : `Node ${process.versions.node}`}`);
