import { describe, expect, it } from "vitest";
import { fuzzInputs } from "./fuzz-inputs.ts";
import { fuzz } from "./fuzz-run.ts";

describe("BTF fuzzing", () => {
  it("10,000 seeded mutants of every fixture's BTF and .BTF.ext, split BTF and the kernel's: only BtfError, no hang", () => {
    const started = Date.now();
    const inputs = fuzzInputs();
    const r = fuzz(inputs, 10_000);
    console.log(
      `btf fuzz: ${r.cases} cases over ${inputs.length} inputs, ${r.parsed} parsed, ${r.rejected} rejected with BtfError, ${r.failures.length} failures, slowest case ${r.slowestMs.toFixed(0)} ms, ${Date.now() - started} ms`,
    );
    expect(r.failures.slice(0, 5)).toEqual([]);
    expect(r.parsed).toBeGreaterThan(0);
    expect(r.rejected).toBeGreaterThan(0);
  }, 120_000);
});
