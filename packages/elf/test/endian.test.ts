// The same C compiled for bpfel and bpfeb must read back identically except
// for byte order: this is what catches a field read with the wrong endianness.
import { describe, expect, it } from "vitest";
import { ElfFile, EM_BPF, ET_REL, SHT_NOBITS } from "../src/index.ts";
import { buildElf, relocationTable, symbolTable } from "./build-elf.ts";
import { fixture } from "./fixtures.ts";

const logical = (bytes: Uint8Array) => {
  const elf = ElfFile.parse(bytes);
  return {
    type: elf.type,
    machine: elf.machine,
    sections: elf.sections.map(({ data, ...rest }) => ({ ...rest, dataLength: data.length })),
    symbols: elf.symbols,
    relocations: elf.sections.map((s) => elf.relocations(s)),
  };
};

describe.each(["prog", "struct_ops"] as const)("%s: bpfel and bpfeb", (name) => {
  const el = fixture(`${name}.bpfel`);
  const eb = fixture(`${name}.bpfeb`);

  it("report their byte order", () => {
    expect(ElfFile.parse(el).littleEndian).toBe(true);
    expect(ElfFile.parse(eb).littleEndian).toBe(false);
    expect(ElfFile.parse(el).machine).toBe(EM_BPF);
    expect(ElfFile.parse(eb).type).toBe(ET_REL);
  });

  it("have identical sections, symbols and relocations", () => {
    const a = logical(el);
    const b = logical(eb);
    expect(b).toEqual(a);
    expect(a.symbols.length).toBeGreaterThan(5);
    expect(a.relocations.flat().length).toBeGreaterThan(5);
  });

  it("have byte-identical string and license sections", () => {
    const a = ElfFile.parse(el);
    const b = ElfFile.parse(eb);
    for (const s of [".strtab", "license"]) expect(b.section(s)!.data).toEqual(a.section(s)!.data);
  });

  it("hand back section data in the file's own byte order", () => {
    // .BTF starts with the 16-bit magic 0xeb9f, stored in the object's byte order.
    expect([...ElfFile.parse(el).section(".BTF")!.data.subarray(0, 2)]).toEqual([0x9f, 0xeb]);
    expect([...ElfFile.parse(eb).section(".BTF")!.data.subarray(0, 2)]).toEqual([0xeb, 0x9f]);
  });
});

describe("synthetic objects in both byte orders", () => {
  const make = (littleEndian: boolean) => {
    const { symtab, strtab } = symbolTable(
      [
        { name: "big", value: 2 ** 52 + 3, size: 2 ** 40, bind: 1, type: 1, visibility: 2, shndx: 1 },
        { name: "abs", value: 0xdeadbeef, bind: 2, shndx: 0xfff1 },
      ],
      littleEndian,
    );
    return buildElf({
      littleEndian,
      sections: [
        { name: ".text", type: 1, flags: 6, data: new Uint8Array(64), addralign: 8 },
        { name: ".bss", type: SHT_NOBITS, flags: 3, size: 2 ** 40, addralign: 8 },
        { name: ".symtab", type: 2, data: symtab, link: 4, info: 1, entsize: 24 },
        { name: ".strtab", type: 3, data: strtab },
        {
          name: ".rela.text",
          type: 4,
          data: relocationTable([{ offset: 8, symbol: 1, type: 1, addend: -(2 ** 53 - 1) }], true, littleEndian),
          link: 3,
          info: 1,
          entsize: 24,
        },
      ],
    }).bytes;
  };

  it("decode to the same values, including 64-bit fields near 2^53", () => {
    const le = logical(make(true));
    expect(logical(make(false))).toEqual(le);
    expect(le.symbols[1]).toEqual({
      index: 1,
      name: "big",
      value: 2 ** 52 + 3,
      size: 2 ** 40,
      bind: 1,
      type: 1,
      visibility: 2,
      shndx: 1,
    });
    expect(le.symbols[2]).toMatchObject({ name: "abs", value: 0xdeadbeef, bind: 2, shndx: 0xfff1 });
    expect(le.relocations[1]).toEqual([{ offset: 8, symbol: 1, type: 1, addend: -(2 ** 53 - 1) }]);
    expect(le.sections[2]).toMatchObject({ name: ".bss", size: 2 ** 40, dataLength: 0 });
  });
});
