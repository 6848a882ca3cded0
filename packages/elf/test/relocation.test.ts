import { describe, expect, it } from "vitest";
import {
  ElfFile,
  ET_EXEC,
  R_BPF_64_32,
  R_BPF_64_64,
  R_BPF_64_ABS32,
  R_BPF_64_ABS64,
  R_BPF_64_NODYLD32,
  SHT_REL,
  SHT_RELA,
  SHT_STRTAB,
  SHT_SYMTAB,
} from "../src/index.ts";
import { buildElf, type RelocationSpec, relocationTable, type SectionSpec, symbolTable } from "./build-elf.ts";
import { fixture, oracle } from "./fixtures.ts";
import { elfError, expectWhere } from "./helpers.ts";

const ENTRIES: RelocationSpec[] = [
  { offset: 0, symbol: 1, type: R_BPF_64_64, addend: 16 },
  { offset: 24, symbol: 2, type: R_BPF_64_32, addend: -8 },
  { offset: 56, symbol: 0, type: R_BPF_64_ABS64, addend: 2 ** 40 },
];

/**
 * .text (#1, 64 bytes), .symtab (#2), .strtab (#3), then relocation sections
 * for .text given as [REL or RELA, entries] pairs, starting at #4.
 */
function object(littleEndian: boolean, relocs: [number, RelocationSpec[], Partial<SectionSpec>?][], type?: number) {
  const t = symbolTable([{ name: "a" }, { name: "b" }], littleEndian);
  return buildElf({
    littleEndian,
    ...(type === undefined ? {} : { type }),
    sections: [
      { name: ".text", type: 1, data: new Uint8Array(64) },
      { name: ".symtab", type: SHT_SYMTAB, data: t.symtab, link: 3, info: 1, entsize: 24 },
      { name: ".strtab", type: SHT_STRTAB, data: t.strtab },
      ...relocs.map(([kind, entries, extra], i): SectionSpec => ({
        name: `${kind === SHT_RELA ? ".rela" : ".rel"}.text.${i}`,
        type: kind,
        data: relocationTable(entries, kind === SHT_RELA, littleEndian),
        link: 2,
        info: 1,
        entsize: kind === SHT_RELA ? 24 : 16,
        ...extra,
      })),
    ],
  });
}

describe("REL and RELA", () => {
  it.each([true, false])("decode the same entries, with addends only for RELA (little-endian: %s)", (le) => {
    const rel = ElfFile.parse(object(le, [[SHT_REL, ENTRIES]]).bytes);
    const rela = ElfFile.parse(object(le, [[SHT_RELA, ENTRIES]]).bytes);
    expect(rela.relocations(rela.sections[1]!)).toEqual(ENTRIES);
    expect(rel.relocations(rel.sections[1]!)).toEqual(ENTRIES.map((e) => ({ ...e, addend: 0 })));
    expect(rel.relocationSections().map((s) => s.type)).toEqual([SHT_REL]);
    expect(rela.relocationSections().map((s) => s.type)).toEqual([SHT_RELA]);
  });

  it("merge every section that targets the same section, in file order", () => {
    const first = [ENTRIES[0]!];
    const second = [ENTRIES[1]!, ENTRIES[2]!];
    const elf = ElfFile.parse(object(true, [[SHT_RELA, first], [SHT_REL, second]]).bytes);
    expect(elf.relocationSections().map((s) => s.name)).toEqual([".rela.text.0", ".rel.text.1"]);
    expect(elf.relocations(elf.sections[1]!)).toEqual([ENTRIES[0], { ...ENTRIES[1], addend: 0 }, { ...ENTRIES[2], addend: 0 }]);
    // A section nobody relocates has no entries.
    expect(elf.relocations(elf.sections[2]!)).toEqual([]);
  });

  it("are cached per target", () => {
    const elf = ElfFile.parse(object(true, [[SHT_REL, ENTRIES]]).bytes);
    expect(elf.relocations(elf.sections[1]!)).toBe(elf.relocations(elf.sections[1]!));
  });

  it("read real RELA objects with negative addends (x86-64 and big-endian ppc64)", () => {
    for (const name of ["rela.x86_64", "rela.ppc64"] as const) {
      const elf = ElfFile.parse(fixture(name));
      const data = elf.relocations(elf.section(".data")!);
      const table = elf.symbols.findIndex((s) => s.name === "table");
      expect(data.map((r) => [r.offset, r.symbol === table, r.addend])).toEqual([
        [0, true, 0],
        [8, true, 12],
        [16, true, -8],
        [24, false, 0],
      ]);
      // The oracle parse saw the same addends (guards the oracle parser itself).
      expect(oracle(name).relocations.get(".rela.data")!.map((r) => r.addend)).toEqual([0, 12, -8, 0]);
    }
  });
});

describe("BPF relocations in clang output", () => {
  it.each(["prog.bpfel", "prog.bpfeb"] as const)("%s uses the R_BPF_* types bpfkit relies on", (name) => {
    const elf = ElfFile.parse(fixture(name));
    const sym = (i: number) => elf.symbols[i]!.name;
    const prog = elf.relocations(elf.section("tp/syscalls/sys_enter_getpid")!);
    expect(prog.map((r) => [r.type, sym(r.symbol)])).toEqual([
      [R_BPF_64_64, "counts"],
      [R_BPF_64_32, ""], // the call to bump(), against the .text section symbol
      [R_BPF_64_64, "hits"],
      [R_BPF_64_64, "total"],
    ]);
    expect(elf.relocations(elf.section(".text")!).map((r) => sym(r.symbol))).toEqual(["limit"]);
    expect(new Set(elf.relocations(elf.section(".BTF")!).map((r) => r.type))).toEqual(
      new Set([R_BPF_64_ABS32, R_BPF_64_NODYLD32]),
    );
  });

  it("fills .struct_ops.link function pointers with R_BPF_64_ABS64", () => {
    const elf = ElfFile.parse(fixture("struct_ops.bpfeb"));
    const relocs = elf.relocations(elf.section(".struct_ops.link")!);
    expect(relocs.map((r) => ({ ...r, symbol: elf.symbols[r.symbol]!.name }))).toEqual([
      { offset: 0, symbol: "demo_init", type: R_BPF_64_ABS64, addend: 0 },
      { offset: 8, symbol: "demo_step", type: R_BPF_64_ABS64, addend: 0 },
    ]);
  });
});

describe("relocation section checks", () => {
  it.each([
    [SHT_REL, 24],
    [SHT_RELA, 16],
  ])("type %i with sh_entsize %i is an error", (kind, entsize) => {
    const { bytes, header } = object(true, [[kind, ENTRIES, { entsize }]]);
    const elf = ElfFile.parse(bytes);
    const e = elfError(() => elf.relocations(elf.sections[1]!));
    expectWhere(e, { offset: header(4) + 56, section: elf.sections[4]!.name, code: "MALFORMED" });
    expect(e.message).toMatch(/has sh_entsize \d+, but ELF64 RELA? entries are \d+ bytes/);
  });

  it("size must be a whole number of entries", () => {
    const { bytes, header } = object(true, [[SHT_REL, ENTRIES, { size: 40 }]]);
    const elf = ElfFile.parse(bytes);
    expectWhere(elfError(() => elf.relocations(elf.sections[1]!)), { offset: header(4) + 32, section: ".rel.text.0" });
  });

  it.each([
    ["the string table", 3],
    ["a missing section", 50],
  ])("sh_link pointing at %s is an error", (_, link) => {
    const { bytes, header } = object(true, [[SHT_REL, ENTRIES, { link }]]);
    const elf = ElfFile.parse(bytes);
    const e = elfError(() => elf.relocations(elf.sections[1]!));
    expectWhere(e, { offset: header(4) + 40, section: ".rel.text.0" });
    expect(e.message).toMatch(/sh_link is \d+, which should name its symbol table/);
  });

  it("a symbol index past the symbol table is an error at r_info", () => {
    const { bytes } = object(true, [[SHT_RELA, [{ offset: 0, symbol: 3, type: 1 }]]]);
    const elf = ElfFile.parse(bytes);
    const rel = elf.sections[4]!;
    const e = elfError(() => elf.relocations(elf.sections[1]!));
    expectWhere(e, { offset: rel.offset + 8, section: ".rela.text.0" });
    expect(e.message).toBe(
      `relocation #0 of section ".rela.text.0" (#4) (entry at 0x${rel.offset.toString(16)}) uses symbol 3, but section ".symtab" (#2) has 3 entries: the file is corrupt; rebuild it`,
    );
  });

  it("r_offset outside the target section is an error in relocatable objects only", () => {
    const entries = [{ offset: 64, symbol: 1, type: 1 }];
    const { bytes } = object(true, [[SHT_REL, entries]]);
    const elf = ElfFile.parse(bytes);
    const e = elfError(() => elf.relocations(elf.sections[1]!));
    expectWhere(e, { offset: elf.sections[4]!.offset, section: ".rel.text.0" });
    expect(e.message).toMatch(/has r_offset 0x40, outside its target section ".text" \(#1\) of 0x40 bytes/);
    // In an executable r_offset is an address, so it is not compared with the section size.
    const exec = ElfFile.parse(object(true, [[SHT_REL, entries]], ET_EXEC).bytes);
    expect(exec.relocations(exec.sections[1]!)).toEqual([{ offset: 64, symbol: 1, type: 1, addend: 0 }]);
  });

  it("an addend outside the safe integer range is an error", () => {
    const { bytes } = object(false, [[SHT_RELA, [{ offset: 0, symbol: 1, type: 1, addend: 2n ** 53n }]]]);
    const elf = ElfFile.parse(bytes);
    expectWhere(elfError(() => elf.relocations(elf.sections[1]!)), {
      offset: elf.sections[4]!.offset + 16,
      section: ".rela.text.0",
    });
    const min = object(false, [[SHT_RELA, [{ offset: 0, symbol: 1, type: 1, addend: -(2n ** 53n) }]]]);
    const minElf = ElfFile.parse(min.bytes);
    expect(() => minElf.relocations(minElf.sections[1]!)).toThrow(/r_addend .* is 0xffe0000000000000/);
  });

  it("a bad relocation section does not stop ElfFile.parse or unrelated targets", () => {
    const { bytes } = object(true, [[SHT_REL, ENTRIES, { entsize: 0, info: 2 }]]);
    const elf = ElfFile.parse(bytes);
    expect(elf.relocations(elf.sections[1]!)).toEqual([]);
    expect(() => elf.relocations(elf.sections[2]!)).toThrow(/sh_entsize 0/);
  });
});
