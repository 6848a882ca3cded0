import { describe, expect, it } from "vitest";
import {
  ElfFile,
  SHN_ABS,
  SHN_COMMON,
  SHN_UNDEF,
  SHN_XINDEX,
  SHT_STRTAB,
  SHT_SYMTAB,
  SHT_SYMTAB_SHNDX,
  STB_GLOBAL,
  STB_LOCAL,
  STB_WEAK,
  STT_FUNC,
  STT_OBJECT,
  STV_HIDDEN,
  STV_PROTECTED,
} from "../src/index.ts";
import { buildElf, type SectionSpec, type SymbolSpec, symbolTable, Writer } from "./build-elf.ts";
import { fixture } from "./fixtures.ts";
import { elfError, expectWhere } from "./helpers.ts";

const SYMBOLS: SymbolSpec[] = [
  { name: "main", value: 0x10, size: 32, bind: STB_GLOBAL, type: STT_FUNC, shndx: 1 },
  { name: "counter", value: 8, size: 8, bind: STB_LOCAL, type: STT_OBJECT, visibility: STV_HIDDEN, shndx: 1 },
  { name: "ext", bind: STB_WEAK, shndx: SHN_UNDEF },
  { name: "abs", value: 42, bind: STB_GLOBAL, visibility: STV_PROTECTED, shndx: SHN_ABS },
  { name: "common", size: 16, bind: STB_GLOBAL, shndx: SHN_COMMON },
];

/** .text (#1), .symtab (#2), .strtab (#3), then `extra`. */
function object(littleEndian = true, symtab: Partial<SectionSpec> = {}, extra: SectionSpec[] = [], symbols = SYMBOLS) {
  const t = symbolTable(symbols, littleEndian);
  return buildElf({
    littleEndian,
    sections: [
      { name: ".text", type: 1, data: new Uint8Array(64) },
      { name: ".symtab", type: SHT_SYMTAB, data: t.symtab, link: 3, info: 1, entsize: 24, ...symtab },
      { name: ".strtab", type: SHT_STRTAB, data: t.strtab },
      ...extra,
    ],
  });
}

describe("symbols", () => {
  it.each([true, false])("decode every field (little-endian: %s)", (le) => {
    const elf = ElfFile.parse(object(le).bytes);
    expect(elf.symbols).toEqual([
      { index: 0, name: "", value: 0, size: 0, bind: 0, type: 0, visibility: 0, shndx: 0 },
      { index: 1, name: "main", value: 0x10, size: 32, bind: 1, type: 2, visibility: 0, shndx: 1 },
      { index: 2, name: "counter", value: 8, size: 8, bind: 0, type: 1, visibility: 2, shndx: 1 },
      { index: 3, name: "ext", value: 0, size: 0, bind: 2, type: 0, visibility: 0, shndx: SHN_UNDEF },
      { index: 4, name: "abs", value: 42, size: 0, bind: 1, type: 0, visibility: 3, shndx: SHN_ABS },
      { index: 5, name: "common", value: 0, size: 16, bind: 1, type: 0, visibility: 0, shndx: SHN_COMMON },
    ]);
  });

  it("are [] without a symbol table", () => {
    expect(ElfFile.parse(buildElf({ sections: [] }).bytes).symbols).toEqual([]);
  });

  it("are decoded lazily, once", () => {
    const { bytes, header } = object();
    new Writer(bytes, true).u64(header(2) + 56, 0);
    const elf = ElfFile.parse(bytes); // a bad symbol table does not stop ElfFile.parse
    expect(elf.sections).toHaveLength(5);
    expect(() => elf.symbols).toThrow(/sh_entsize 0/);
    const good = ElfFile.parse(object().bytes);
    expect(good.symbols).toBe(good.symbols);
  });

  it("keep only the low two bits of st_other as visibility", () => {
    const { bytes } = object();
    const elf = ElfFile.parse(bytes);
    bytes[elf.sections[2]!.offset + 24 + 5] = 0xf2;
    expect(ElfFile.parse(bytes).symbols[1]!.visibility).toBe(2);
  });

  it("agree with the fixture's well-known names", () => {
    const elf = ElfFile.parse(fixture("struct_ops.bpfel"));
    const byName = new Map(elf.symbols.map((s) => [s.name, s]));
    expect(elf.sections[byName.get("demo")!.shndx]!.name).toBe(".struct_ops.link");
    expect(elf.sections[byName.get("demo_init")!.shndx]!.name).toBe("struct_ops/demo_init");
    expect(byName.get("demo_step")!.type).toBe(STT_FUNC);
    expect(byName.get("LICENSE")!.size).toBe(4);
  });
});

describe("symbol table checks", () => {
  it("sh_entsize must be 24", () => {
    const { bytes, header } = object();
    new Writer(bytes, true).u64(header(2) + 56, 16);
    const e = elfError(() => ElfFile.parse(bytes).symbols);
    expectWhere(e, { offset: header(2) + 56, section: ".symtab", code: "MALFORMED" });
    expect(e.message).toBe(
      'section ".symtab" (#2) has sh_entsize 16, but ELF64 symbols are 24 bytes: the file is corrupt; rebuild it',
    );
  });

  it("size must be a whole number of entries", () => {
    const { bytes, header } = object();
    new Writer(bytes, true).u64(header(2) + 32, 24 * 3 + 5);
    expectWhere(elfError(() => ElfFile.parse(bytes).symbols), { offset: header(2) + 32, section: ".symtab" });
  });

  it.each([
    ["itself (not a string table)", 2],
    ["a section that does not exist", 99],
    ["the null section", 0],
  ])("sh_link pointing at %s is an error", (_, link) => {
    const { bytes, header } = object();
    new Writer(bytes, true).u32(header(2) + 40, link);
    const e = elfError(() => ElfFile.parse(bytes).symbols);
    expectWhere(e, { offset: header(2) + 40, section: ".symtab" });
    expect(e.message).toMatch(/sh_link is \d+, which should name its string table/);
  });

  it("a name offset outside the string table is an error at st_name", () => {
    const { bytes } = object();
    const symtab = ElfFile.parse(bytes).sections[2]!;
    new Writer(bytes, true).u32(symtab.offset + 3 * 24, 0x1000);
    const e = elfError(() => ElfFile.parse(bytes).symbols);
    expectWhere(e, { offset: symtab.offset + 3 * 24, section: ".symtab" });
    expect(e.message).toMatch(/^name of symbol #3 .* points at 0x1000, outside string table ".strtab" \(#3\)/);
  });

  it("a name running off the end of the string table is an error", () => {
    const { bytes } = object();
    const strtab = ElfFile.parse(bytes).sections[3]!;
    bytes[strtab.offset + strtab.size - 1] = 0x41; // "common" loses its NUL
    const e = elfError(() => ElfFile.parse(bytes).symbols);
    expectWhere(e, { offset: ElfFile.parse(bytes).sections[2]!.offset + 5 * 24, section: ".symtab" });
    expect(e.message).toMatch(/no terminating NUL/);
  });

  it("st_value above 2^53 - 1 is an error", () => {
    const { bytes } = object();
    const symtab = ElfFile.parse(bytes).sections[2]!;
    new Writer(bytes, true).u64(symtab.offset + 24 + 8, 2n ** 63n);
    expectWhere(elfError(() => ElfFile.parse(bytes).symbols), { offset: symtab.offset + 24 + 8, section: ".symtab" });
  });

  it("a second SHT_SYMTAB is an error", () => {
    const t = symbolTable(SYMBOLS, true);
    const { bytes, header } = object(true, {}, [{ name: ".symtab2", type: SHT_SYMTAB, data: t.symtab, link: 3, entsize: 24 }]);
    expectWhere(elfError(() => ElfFile.parse(bytes).symbols), { offset: header(4) + 4, section: ".symtab2" });
  });
});

describe("SHN_XINDEX", () => {
  const symbols: SymbolSpec[] = [
    { name: "low", shndx: 1 },
    { name: "high", shndx: SHN_XINDEX },
  ];
  const shndx = (littleEndian: boolean, entries: number[]) => {
    const w = new Writer(entries.length * 4, littleEndian);
    for (const [i, v] of entries.entries()) w.u32(i * 4, v);
    return w.bytes;
  };

  it.each([true, false])("resolves through SHT_SYMTAB_SHNDX (little-endian: %s)", (le) => {
    const extra = [{ name: ".symtab_shndx", type: SHT_SYMTAB_SHNDX, data: shndx(le, [0, 0, 70000]), link: 2, entsize: 4 }];
    const elf = ElfFile.parse(object(le, {}, extra, symbols).bytes);
    expect(elf.symbols.map((s) => [s.name, s.shndx])).toEqual([
      ["", 0],
      ["low", 1],
      ["high", 70000],
    ]);
  });

  it("stays SHN_XINDEX when there is no SHT_SYMTAB_SHNDX", () => {
    expect(ElfFile.parse(object(true, {}, [], symbols).bytes).symbols[2]!.shndx).toBe(SHN_XINDEX);
  });

  it("is an error when the SHT_SYMTAB_SHNDX table is too short", () => {
    const extra = [{ name: ".symtab_shndx", type: SHT_SYMTAB_SHNDX, data: shndx(true, [0, 0]), link: 2, entsize: 4 }];
    const { bytes, header } = object(true, {}, extra, symbols);
    expectWhere(elfError(() => ElfFile.parse(bytes).symbols), { offset: header(4) + 32, section: ".symtab_shndx" });
  });

  it("is an error when SHT_SYMTAB_SHNDX has the wrong entry size", () => {
    const extra = [{ name: ".symtab_shndx", type: SHT_SYMTAB_SHNDX, data: shndx(true, [0, 0, 5]), link: 2, entsize: 8 }];
    const { bytes, header } = object(true, {}, extra, symbols);
    expectWhere(elfError(() => ElfFile.parse(bytes).symbols), { offset: header(4) + 56, section: ".symtab_shndx" });
  });
});
