// sectionTypeName / sectionFlagLetters must print what llvm-readelf -S prints (the CLI's section
// listing is compared with it). Flags are checked against the GNU readelf output committed beside
// each fixture; types and flags against llvm-readelf itself where it is installed.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ElfFile, EM_BPF, sectionFlagLetters, sectionTypeName } from "../src/index.ts";
import { FIXTURES, fixture, oracle } from "./fixtures.ts";

const haveLlvmReadelf = spawnSync("llvm-readelf", ["--version"]).status === 0;
const path = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));
const OBJECTS = [
  ...FIXTURES.map((f) => path(`./fixtures/${f}.o`)),
  ...readdirSync(path("../../../fixtures/"))
    .filter((f) => f.endsWith(".bpf.o"))
    .map((f) => path(`../../../fixtures/${f}`)),
];

/** llvm-readelf -S --wide: index, type and flag letters of every section but the null one. */
function llvmSections(file: string): { index: number; type: string; flags: string }[] {
  const out = spawnSync("llvm-readelf", ["-S", "--wide", file], { encoding: "utf8" }).stdout;
  const rows = [];
  for (const line of out.split("\n")) {
    const m = /^\s*\[\s*(\d+)\]\s+(\S*)\s+(\S+)\s+[0-9a-f]{16}\s+[0-9a-f]+\s+[0-9a-f]+\s+[0-9a-f]+\s+(?:([A-Za-z]+)\s+)?\d+\s+\d+\s+\d+$/.exec(line);
    if (m && m[1] !== "0") rows.push({ index: Number(m[1]), type: m[3]!, flags: m[4] ?? "" });
  }
  return rows;
}

describe("section names as readelf prints them", () => {
  it.each(FIXTURES)("%s: flag letters match GNU readelf", (name) => {
    const elf = ElfFile.parse(fixture(name));
    const want = oracle(name).sections;
    expect(want.length).toBeGreaterThan(1);
    expect(elf.sections.map((s) => sectionFlagLetters(s.flags))).toEqual(want.map((s) => s.flags));
  });

  it.skipIf(!haveLlvmReadelf)("types and flags match llvm-readelf -S on every BPF fixture object (machine-specific types are not named)", () => {
    expect(OBJECTS.length).toBeGreaterThan(FIXTURES.length);
    for (const file of OBJECTS) {
      const elf = ElfFile.parse(new Uint8Array(readFileSync(file)));
      if (elf.machine !== EM_BPF) continue;
      const want = llvmSections(file);
      expect(want.length, file).toBe(elf.sections.length - 1);
      expect(want.map((w) => ({ index: w.index, type: sectionTypeName(elf.sections[w.index]!.type), flags: sectionFlagLetters(elf.sections[w.index]!.flags) })), file).toEqual(want);
    }
  });

  it("a type llvm-readelf has no name for is printed in hex", () => {
    expect(sectionTypeName(0x6000_0123)).toBe("0x60000123");
  });
});
