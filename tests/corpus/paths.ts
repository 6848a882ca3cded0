// Where the corpus tier keeps what it downloads and builds: everything under tests/corpus/.cache/
// (git-ignored), one folder per Debian version, so deleting .cache is a full reset.
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// import.meta.url, not Bun's import.meta.dir: vitest loads this file too.
export const CORPUS_DIR: string = resolve(fileURLToPath(new URL(".", import.meta.url)));
export const REPO_ROOT: string = resolve(CORPUS_DIR, "../..");
export const CACHE_DIR: string = join(CORPUS_DIR, ".cache");
export const MANIFEST: string = join(CACHE_DIR, "manifest.json");
/** The VM tier's private apt state (tests/vm/kernel.ts keeps it there), shared with it. */
export const VM_APT_DIR: string = join(REPO_ROOT, "tests/vm/.cache/apt");
/** One line per object and tier, appended by the corpus tests, printed by scripts/summary.mjs. */
export const RESULTS: string = join(REPO_ROOT, ".test-results/corpus-results.jsonl");

export function log(message: string): void {
  console.log(`corpus: ${message}`);
}

/** Seconds since `t0` (a performance.now() value), for the timing lines. */
export function secs(t0: number, t1: number = performance.now()): string {
  return `${((t1 - t0) / 1000).toFixed(1)} s`;
}
