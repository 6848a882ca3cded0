// One closing line for the whole run, from vitest's JSON report (the other tiers print their own).
import { existsSync, readFileSync } from "node:fs";

const file = ".test-results/vitest.json";
if (!existsSync(file)) {
  console.log("bpfkit tests: 0 passed, 1 failed (no vitest report)");
  process.exit(1);
}
const r = JSON.parse(readFileSync(file, "utf8"));
const passed = r.numPassedTests ?? 0;
// A file that fails before any test runs (an import error) has no failed test to count.
const failedFiles = (r.testResults ?? []).filter((f) => f.status === "failed" && (f.assertionResults ?? []).every((a) => a.status !== "failed")).length;
const failed = (r.numFailedTests ?? 0) + failedFiles;
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
console.log(`\nbpfkit tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
