// Cut real objects at every length: each prefix must fail with a TRUNCATED
// ElfError (never a RangeError or a partial result), and the whole file must parse.
import { describe, expect, it } from "vitest";
import { ElfError, ElfFile } from "../src/index.ts";
import { fixture } from "./fixtures.ts";
import { touchAll } from "./helpers.ts";

describe.each(["prog.bpfel", "prog.bpfeb", "rela.ppc64"] as const)("%s truncated", (name) => {
  const bytes = fixture(name);

  it("fails with ElfError at every length from 0 to size - 1", () => {
    const codes = new Map<string, number>();
    for (let n = 0; n < bytes.length; n++) {
      let error: unknown;
      try {
        touchAll(ElfFile.parse(bytes.subarray(0, n)));
      } catch (e) {
        error = e;
      }
      if (!(error instanceof ElfError)) throw new Error(`length ${n}: expected ElfError, got ${String(error)}`);
      const code = n === 0 ? "NOT_ELF" : "TRUNCATED";
      if (error.code !== code) throw new Error(`length ${n}: expected ${code}, got ${error.code}: ${error.message}`);
      if (error.offset === undefined) throw new Error(`length ${n}: no offset in ${error.message}`);
      codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
    }
    expect(codes.get("TRUNCATED")).toBe(bytes.length - 1);
  });

  it("parses at full length", () => {
    expect(touchAll(ElfFile.parse(bytes))).toBeGreaterThan(0);
  });
});
