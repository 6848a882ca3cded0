// The VM test tier: boots a newer kernel (>= 7.0) under QEMU once and runs the
// VM test files (tests/vm/tests/) inside it with `bun test`.
//
//   bun tests/vm/run.ts [--boot-log] [bun test args...]
//
// With no test args the whole of tests/vm/tests/ runs. Exits with the guest's
// status; prints `vm tier skipped: <reason>` and exits 0 when QEMU cannot run
// here at all (1 with BPFKIT_REQUIRE_VM=1). See tests/vm/README.md.
import { appendFileSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { RESULTS as CORPUS_RESULTS } from "../corpus/paths.ts";
import { log } from "./exec.ts";
import { corpusForGuest } from "./guest-corpus.ts";
import { chooseAccel, ensureHostTools } from "./host.ts";
import { buildInitramfs } from "./initramfs.ts";
import { ensureKernel } from "./kernel.ts";
import { CACHE_DIR, REPO_ROOT, VM_TESTS_DIR } from "./paths.ts";
import { boot } from "./qemu.ts";

const USAGE = "usage: bun tests/vm/run.ts [--boot-log] [bun test args...]";

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  const verbose = args.includes("--boot-log") || process.env.BPFKIT_VM_VERBOSE === "1";
  // "--" is allowed (npm run test:vm -- <args>) but means nothing here.
  const testArgs = args.filter((a) => a !== "--boot-log" && a !== "--");
  const timeoutS = positiveInt("BPFKIT_VM_TIMEOUT", 20 * 60);
  const testTimeoutS = positiveInt("BPFKIT_VM_TEST_TIMEOUT", 120);
  const memoryMb = positiveInt("BPFKIT_VM_MEMORY", 2048);

  const t0 = performance.now();
  const host = ensureHostTools();
  if (!host.ok) {
    console.log(`vm tier skipped: ${host.reason}`);
    return process.env.BPFKIT_REQUIRE_VM === "1" ? 1 : 0;
  }
  const { accel, why } = chooseAccel();
  const tTools = performance.now();

  const kernel = ensureKernel();
  const tKernel = performance.now();
  log(`kernel ${kernel.release} (${kernel.source})`);

  // The guest runs the Bun this repo pins, whichever bun started us.
  const pinned = join(REPO_ROOT, "node_modules/.bin/bun");
  const bun = realpathSync(existsSync(pinned) ? pinned : process.execPath);
  // Leave a margin for boot so the guest's own timeout fires first and the
  // console shows where bun test was when it was killed.
  const guestTimeoutS = Math.max(10, timeoutS - 60);
  const corpus = corpusForGuest(kernel.release);
  const initramfs = buildInitramfs({
    bun,
    busybox: realpathSync(host.tools.busybox),
    runScript: guestScript(testArgs, testTimeoutS, guestTimeoutS),
    ...(kernel.modules ? { modules: kernel.modules } : {}),
    corpus,
  });
  const tImage = performance.now();
  const corpusNote = corpus.ok
    ? `corpus ${initramfs.corpusCached ? "cached" : "built"}, ${corpus.corpus.manifest.objects.length} objects`
    : "no corpus";
  log(
    `initramfs ${mib(initramfs.bytes)} (base ${initramfs.baseCached ? "cached" : "built"}, ${corpusNote}, ${initramfs.repoFiles} repo files)`,
  );
  if (!corpus.ok) log(`corpus: ${corpus.reason}`);
  log(`booting under ${accel.toUpperCase()} (${why}), timeout ${timeoutS} s`);

  const statusFile = join(CACHE_DIR, `status-${process.pid}.txt`);
  const r = await boot({
    qemu: host.tools.qemu,
    kernel: kernel.vmlinuz,
    initrd: initramfs.path,
    accel,
    memoryMb,
    timeoutMs: timeoutS * 1000,
    verbose,
    consoleLog: join(CACHE_DIR, "console.log"),
    statusFile,
  }).finally(() => {
    rmSync(initramfs.path, { force: true });
  });
  rmSync(statusFile, { force: true });
  const total = performance.now();
  console.log("");
  console.log(`VM kernel: ${r.guestKernel ?? `${kernel.release} (guest did not report)`}`);
  log(
    `timing: host tools ${secs(tTools - t0)}, kernel ${secs(tKernel - tTools)}, initramfs ${secs(tImage - tKernel)}, boot+tests ${secs(r.elapsedMs)}, total ${secs(total - t0)}`,
  );
  if (r.passed !== null || r.failed !== null) console.log(`vm: ${r.passed ?? 0} passed, ${r.failed ?? 0} failed`);
  recordCorpusResults(r.corpusResults);
  if (r.interrupted) return fail(`interrupted by ${r.interrupted}`, r.interrupted === "SIGINT" ? 130 : 143);
  if (r.timedOut) return fail(`timed out after ${timeoutS} s; raise BPFKIT_VM_TIMEOUT or find the hang above`);
  if (r.status === null) {
    const why = r.panicked ? "the kernel panicked" : `QEMU exited with ${r.qemuExit}`;
    return fail(`the guest stopped without reporting a status (${why}); console log: ${join(CACHE_DIR, "console.log")}`);
  }
  if (r.status !== 0) return fail(`tests exited with status ${r.status}`, r.status);
  // A run where everything skipped proves nothing about the new kernel.
  if (!r.passed) return fail("no VM test passed (did every test skip?)");
  log("ok");
  return 0;
}

/** The guest's /vm/run.sh: environment and the bun test command line. */
function guestScript(testArgs: string[], testTimeoutS: number, guestTimeoutS: number): string {
  const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  const env: Record<string, string> = {
    BPFKIT_VM: "1",
    // Inside the VM every kernel capability is there: kernel tests must not skip.
    BPFKIT_REQUIRE_KERNEL: "1",
    ...(process.env.CI ? { CI: process.env.CI } : {}),
    ...(color ? { TERM: "linux" } : { TERM: "dumb", NO_COLOR: "1" }),
  };
  const targets = testArgs.length > 0 ? testArgs : [`./${VM_TESTS_DIR}/`];
  const cmd = ["bun", "test", "--timeout", String(testTimeoutS * 1000), ...targets];
  return [
    "#!/bin/sh",
    "# Written by tests/vm/run.ts for one run.",
    ...Object.entries(env).map(([k, v]) => `export ${k}=${quote(v)}`),
    "cd /repo",
    `timeout -s KILL ${guestTimeoutS} ${cmd.map(quote).join(" ")}`,
    "status=$?",
    `[ $status -eq 137 ] && echo "vm: bun test got SIGKILL: the guest timeout of ${guestTimeoutS} s (BPFKIT_VM_TIMEOUT) or out of memory"`,
    "exit $status",
    "",
  ].join("\n");
}

/**
 * Adds the guest's corpus lines to the file the corpus summary reads (scripts/summary.mjs). Within
 * `npm test` (BPFKIT_CORPUS_RESULTS_APPEND=1, the file emptied once for the run) they are appended;
 * a VM run of its own first drops the VM lines an earlier run left, keeping the host tier's.
 */
function recordCorpusResults(results: readonly Record<string, unknown>[]): void {
  if (results.length === 0) return;
  mkdirSync(dirname(CORPUS_RESULTS), { recursive: true });
  if (process.env.BPFKIT_CORPUS_RESULTS_APPEND !== "1" && existsSync(CORPUS_RESULTS)) {
    const kept = readFileSync(CORPUS_RESULTS, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "" && !isVmLine(line));
    writeFileSync(CORPUS_RESULTS, kept.map((l) => `${l}\n`).join(""));
  }
  appendFileSync(CORPUS_RESULTS, results.map((o) => `${JSON.stringify(o)}\n`).join(""));
  log(`corpus: ${results.length} results added to ${relative(REPO_ROOT, CORPUS_RESULTS)}`);
}

function isVmLine(line: string): boolean {
  try {
    return (JSON.parse(line) as { tier?: unknown }).tier === "vm";
  } catch {
    return false;
  }
}

function quote(s: string): string {
  return /^[\w./:=@+-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number, not ${JSON.stringify(raw)}`);
  return n;
}

function fail(message: string, status = 1): number {
  console.log(`vm: FAILED: ${message}`);
  return status;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mib = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MiB`;

try {
  process.exitCode = await main();
} catch (err) {
  console.log(`vm: error: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
