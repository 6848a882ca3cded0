// The corpus tier's entry (`npm run test:corpus`): makes the corpus current (corpus.ts), then runs
// the host corpus tests with vitest's "corpus" project. Extra arguments go to vitest.
// `--build` only makes the corpus current: scripts/test.sh does that before the kernel tier,
// whose libbpf 1.8 comparisons use the oracle built here.
//
// Prints `corpus tier skipped: <reason>` and exits 0 without root or when the sources cannot be
// had (no network and nothing cached); BPFKIT_REQUIRE_KERNEL=1 makes those exit 1.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { CorpusUnavailableError, ensureCorpus } from "./corpus.ts";
import { log, REPO_ROOT, RESULTS, secs } from "./paths.ts";

function skip(reason: string): number {
  console.log(`corpus tier skipped: ${reason}`);
  return process.env.BPFKIT_REQUIRE_KERNEL === "1" ? 1 : 0;
}

async function main(): Promise<number> {
  const t0 = performance.now();
  if (process.getuid?.() !== 0) {
    return skip("not root: the corpus tests load BPF programs and register struct_ops (run as root)");
  }
  let corpus: Awaited<ReturnType<typeof ensureCorpus>>;
  try {
    corpus = await ensureCorpus();
  } catch (err) {
    if (err instanceof CorpusUnavailableError) return skip(err.message);
    // A build that breaks is a failure, told in full (compiler or make output included).
    console.error(`corpus tier failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  const tReady = performance.now();
  const t = corpus.timings;
  const prep = `kernel ${t.kernel}, sources ${t.sources}, oracle ${t.oracle}, objects ${t.objects}`;
  if (process.argv.includes("--build")) {
    log(`timing: ${prep}, total ${secs(t0, tReady)}`);
    return 0;
  }

  // scripts/test.sh empties the results once for the whole run (the VM step appends later);
  // a run of its own starts a fresh file.
  mkdirSync(dirname(RESULTS), { recursive: true });
  if (process.env.BPFKIT_CORPUS_RESULTS_APPEND !== "1") writeFileSync(RESULTS, "");

  const vitest = [
    process.execPath,
    "--bun",
    join(REPO_ROOT, "node_modules/.bin/vitest"),
    "run",
    "--project",
    "corpus",
    "--reporter=default",
    "--reporter=json",
    "--outputFile.json=.test-results/vitest-corpus.json",
    ...process.argv.slice(2).filter((a) => a !== "--"),
  ];
  const proc = Bun.spawn(vitest, { cwd: REPO_ROOT, stdio: ["inherit", "inherit", "inherit"] });
  const status = await proc.exited;
  const tTests = performance.now();

  if (process.env.BPFKIT_CORPUS_RESULTS_APPEND !== "1") {
    Bun.spawnSync([process.execPath, join(REPO_ROOT, "scripts/summary.mjs"), "--corpus-table"], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "inherit", "inherit"],
    });
  }
  log(`timing: ${prep}, tests ${secs(tReady, tTests)}, total ${secs(t0, tTests)}`);
  return status;
}

process.exit(await main());
