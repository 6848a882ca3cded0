import { describe, expect, it } from "vitest";
import { fuzzInputs } from "./fuzz-inputs.ts";
import { fuzz } from "./fuzz-run.ts";

describe("BTF fuzzing", () => {
  it("10,000 seeded mutants of the fixtures' BTF and .BTF.ext: only BtfError, no hang", () => {
    const started = Date.now();
    const r = fuzz(fuzzInputs(), 10_000);
    console.log(`btf fuzz: ${r.cases} cases, ${r.parsed} parsed, ${r.rejected} rejected with BtfError, ${r.failures.length} other errors, ${Date.now() - started} ms`);
    expect(r.failures.slice(0, 5)).toEqual([]);
    expect(r.parsed).toBeGreaterThan(0);
    expect(r.rejected).toBeGreaterThan(0);
  }, 120_000);
});
