/**
 * The long BTF fuzz run: `bun packages/btf/test/fuzz-long.ts [CASES] [SEED]` (default 1,000,000
 * cases over every fixture's .BTF and .BTF.ext, split BTF and the running kernel's BTF). Prints
 * the figures; exits 1 on any error that is not a BtfError or any hang, naming the seed that
 * replays it (`fuzz(inputs, 1, SEED)`).
 */
import { fuzzInputs } from "./fuzz-inputs.ts";
import { fuzz } from "./fuzz-run.ts";

const cases = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 1);
const inputs = fuzzInputs();
const started = Date.now();
let parsed = 0;
let rejected = 0;
let slowest = 0;
const failures: { seed: number; input: string; error: string }[] = [];
const CHUNK = 50_000;
for (let done = 0; done < cases; done += CHUNK) {
  const r = fuzz(inputs, Math.min(CHUNK, cases - done), seed + done);
  parsed += r.parsed;
  rejected += r.rejected;
  slowest = Math.max(slowest, r.slowestMs);
  failures.push(...r.failures);
  console.error(`  ${done + r.cases} cases, ${failures.length} failures, ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
const hangs = failures.filter((f) => f.error.startsWith("hang")).length;
console.log(
  `btf fuzz: ${cases} cases over ${inputs.length} inputs (seed ${seed}), ${parsed} parsed, ${rejected} rejected with BtfError, ${failures.length - hangs} crashes, ${hangs} hangs, slowest case ${slowest.toFixed(0)} ms, ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
for (const f of failures.slice(0, 10)) console.log(`  seed ${f.seed} (${f.input}): ${f.error}`);
process.exit(failures.length ? 1 : 0);
