// Cross-checks the reader against GNU readelf on real clang output. The
// expected values are readelf's own printout, committed beside each object
// (fixtures/*.readelf.txt, made by fixtures/build.sh), so no tool is needed here.
import { describe, expect, it } from "vitest";
import { ElfFile, SHT_NOBITS, SHT_NULL, STT_SECTION } from "../src/index.ts";
import { FIXTURES, fixture, oracle } from "./fixtures.ts";
import { FLAG_LETTERS } from "./readelf.ts";

const letters = (flags: number): string =>
  FLAG_LETTERS.filter(([, bit]) => (flags & bit) !== 0)
    .map(([l]) => l)
    .sort()
    .join("");

describe.each(FIXTURES)("%s agrees with GNU readelf", (name) => {
  const bytes = fixture(name);
  const elf = ElfFile.parse(bytes);
  const re = oracle(name);

  it("header", () => {
    expect(elf.littleEndian).toBe(re.littleEndian);
    expect(elf.type).toBe(re.type);
    expect(elf.machine).toBe(re.machine);
    expect(elf.sections.length).toBe(re.shnum);
    expect(elf.sections[re.shstrndx]?.type).toBe(3);
  });

  it("sections", () => {
    expect(elf.sections.length).toBe(re.sections.length);
    for (const want of re.sections) {
      const got = elf.sections[want.index]!;
      expect({ ...got, data: undefined, headerOffset: undefined, flags: letters(got.flags) }).toEqual({
        ...want,
        flags: [...want.flags].sort().join(""),
        data: undefined,
        headerOffset: undefined,
      });
      expect(got.headerOffset).toBe(re.shoff + 64 * want.index);
      // data is a view of the input, not a copy.
      const empty = got.type === SHT_NOBITS || got.type === SHT_NULL;
      expect(got.data.length).toBe(empty ? 0 : want.size);
      if (!empty) {
        expect(got.data.buffer).toBe(bytes.buffer);
        expect(got.data.byteOffset).toBe(bytes.byteOffset + want.offset);
      }
    }
  });

  it("symbols", () => {
    expect(elf.symbols.length).toBe(re.symbols.length);
    for (const want of re.symbols) {
      const got = elf.symbols[want.index]!;
      const { name: wantName, ...rest } = want;
      const { name: gotName, ...gotRest } = got;
      expect(gotRest).toEqual(rest);
      // readelf prints a section symbol under its section's name.
      if (got.type === STT_SECTION) expect(elf.sections[got.shndx]?.name).toBe(wantName);
      else expect(gotName).toBe(wantName);
    }
  });

  it("relocations", () => {
    expect(elf.relocationSections().map((s) => s.name)).toEqual([...re.relocations.keys()]);
    for (const rel of elf.relocationSections()) {
      const target = elf.sections[rel.info]!;
      const want = re.relocations.get(rel.name)!.map((r) => ({ ...r, addend: r.addend ?? 0 }));
      // Each target has one relocation section in these objects, so the merge is just that one.
      expect(elf.relocations(target)).toEqual(want);
    }
  });

  it("section(name) finds every section by its name", () => {
    for (const s of elf.sections) expect(elf.section(s.name)?.name).toBe(s.name);
    expect(elf.section(".no-such-section")).toBeUndefined();
  });
});
