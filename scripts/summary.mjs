// One closing line for the whole run, from vitest's JSON reports (unit + kernel, and the corpus
// tier's when it ran; the other tiers print their own), after one line per corpus object from
// .test-results/corpus-results.jsonl. `--corpus-table` prints only those lines.
import { existsSync, readFileSync } from "node:fs";

const RESULTS = ".test-results/corpus-results.jsonl";

function corpusTable() {
  if (!existsSync(RESULTS)) return;
  const rows = [];
  for (const line of readFileSync(RESULTS, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line);
      rows.push([r.tier ?? "?", r.name ?? "?", String(r.bpfkit ?? "?"), String(r.libbpf ?? "?"), r.same === true ? "same" : r.expected ? `different, as expected: ${r.expected}` : "DIFFERENT"]);
    } catch {
      rows.push(["?", "(unreadable line)", line.slice(0, 60), "", "?"]);
    }
  }
  if (rows.length === 0) return;
  const head = ["tier", "object", "bpfkit", "libbpf 1.8", ""];
  const widths = head.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => r[i].length))));
  const fmt = (r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  console.log(`\ncorpus objects (${rows.length}): bpfkit vs libbpf 1.8`);
  console.log(`  ${fmt(head)}`);
  for (const r of rows) console.log(`  ${fmt(r)}`);
}

if (process.argv.includes("--corpus-table")) {
  corpusTable();
  process.exit(0);
}

const reports = [".test-results/vitest.json", ".test-results/vitest-corpus.json"].filter((f) => existsSync(f));
if (!reports.includes(".test-results/vitest.json")) {
  console.log("bpfkit tests: 0 passed, 1 failed, 0 skipped (no vitest report)");
  process.exit(1);
}
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of reports) {
  const r = JSON.parse(readFileSync(file, "utf8"));
  passed += r.numPassedTests ?? 0;
  // A file that fails before any test runs (an import error) has no failed test to count.
  const failedFiles = (r.testResults ?? []).filter(
    (f) => f.status === "failed" && (f.assertionResults ?? []).every((a) => a.status !== "failed"),
  ).length;
  failed += (r.numFailedTests ?? 0) + failedFiles;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
}
corpusTable();
console.log(`\nbpfkit tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
