import { describe, expect, it } from "vitest";
import { ElfFile, SHT_NOBITS, SHT_PROGBITS } from "../src/index.ts";
import { buildElf, type SectionSpec, Writer } from "./build-elf.ts";
import { elfError, expectWhere } from "./helpers.ts";

const text = (extra: Partial<SectionSpec> = {}): SectionSpec => ({
  name: ".text",
  type: SHT_PROGBITS,
  flags: 6,
  data: Uint8Array.from({ length: 32 }, (_, i) => i),
  addralign: 8,
  ...extra,
});

describe("section data", () => {
  it("is a view into the input bytes, not a copy", () => {
    const { bytes } = buildElf({ sections: [text()] });
    const s = ElfFile.parse(bytes).section(".text")!;
    expect(s.data.buffer).toBe(bytes.buffer);
    expect([...s.data]).toEqual(Array.from({ length: 32 }, (_, i) => i));
    bytes[s.offset] = 0xaa;
    expect(s.data[0]).toBe(0xaa);
  });

  it("is empty for SHT_NOBITS whatever its offset and size", () => {
    const { bytes } = buildElf({
      sections: [{ name: ".bss", type: SHT_NOBITS, size: 2 ** 50, offset: 2 ** 52 }],
    });
    const bss = ElfFile.parse(bytes).section(".bss")!;
    expect(bss.size).toBe(2 ** 50);
    expect(bss.data.length).toBe(0);
  });

  it("that runs past the end of the file is a truncation error naming the section", () => {
    const { bytes, header } = buildElf({ sections: [text()] });
    const offset = ElfFile.parse(bytes).sections[1]!.offset;
    new Writer(bytes, true).u64(header(1) + 32, 0x400);
    const e = elfError(() => ElfFile.parse(bytes));
    expect(e.message).toBe(
      `section ".text" (#1) data at 0x${offset.toString(16)}..0x${(offset + 0x400).toString(16)} runs past the end of the file (0x${bytes.length.toString(16)} bytes): the object is truncated; rebuild it`,
    );
    expectWhere(e, { offset, section: ".text", code: "TRUNCATED" });
  });

  it("with an offset past the end is a truncation error", () => {
    const { bytes, header } = buildElf({ sections: [text()] });
    new Writer(bytes, true).u64(header(1) + 24, 0xffffffff);
    expectWhere(elfError(() => ElfFile.parse(bytes)), { offset: 0xffffffff, section: ".text", code: "TRUNCATED" });
  });

  it.each([
    ["sh_flags", 8],
    ["sh_addr", 16],
    ["sh_offset", 24],
    ["sh_size", 32],
    ["sh_addralign", 48],
    ["sh_entsize", 56],
  ])("%s at or above 2^53 is an error at that field", (field, at) => {
    const { bytes, header } = buildElf({ sections: [text()] });
    new Writer(bytes, true).u64(header(1) + at, 2n ** 53n);
    const e = elfError(() => ElfFile.parse(bytes));
    expectWhere(e, { offset: header(1) + at, section: "#1", code: "MALFORMED" });
    expect(e.message).toContain(`section #1 ${field} at 0x${(header(1) + at).toString(16)} is 0x20000000000000`);
  });

  it("accepts 2^53 - 1", () => {
    const { bytes, header } = buildElf({ sections: [text()] });
    new Writer(bytes, true).u64(header(1) + 16, 2 ** 53 - 1);
    expect(ElfFile.parse(bytes).sections[1]!.addr).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe("section names", () => {
  it("come from the section name string table", () => {
    const { bytes, shstrndx } = buildElf({ sections: [text(), { name: "xdp", type: 1, data: new Uint8Array(8) }] });
    const elf = ElfFile.parse(bytes);
    expect(elf.sections.map((s) => s.name)).toEqual(["", ".text", "xdp", ".shstrtab"]);
    expect(elf.sections[shstrndx]!.name).toBe(".shstrtab");
  });

  it("section(name) returns the first of duplicates", () => {
    const { bytes } = buildElf({
      sections: [text(), { name: ".text", type: 1, data: new Uint8Array(8) }],
    });
    const elf = ElfFile.parse(bytes);
    expect(elf.section(".text")!.index).toBe(1);
    expect(elf.sections.filter((s) => s.name === ".text")).toHaveLength(2);
  });

  it("with an offset outside the table is an error at sh_name", () => {
    const { bytes, header } = buildElf({ sections: [text()] });
    new Writer(bytes, true).u32(header(1), 0xffffffff);
    const e = elfError(() => ElfFile.parse(bytes));
    expectWhere(e, { offset: header(1), section: "#1", code: "MALFORMED" });
    expect(e.message).toMatch(/^name of section #1 \(field at 0x[0-9a-f]+\) points at 0xffffffff, outside string table #2 of 0x[0-9a-f]+ bytes/);
  });

  it("without a NUL before the end of the table is an error", () => {
    const { bytes, header, shstrndx } = buildElf({ sections: [text()] });
    const table = ElfFile.parse(bytes).sections[shstrndx]!;
    // The last name in the table is ".shstrtab" itself; overwrite its NUL.
    bytes[table.offset + table.size - 1] = 0x41;
    const e = elfError(() => ElfFile.parse(bytes));
    expectWhere(e, { offset: header(shstrndx), section: `#${shstrndx}` });
    expect(e.message).toMatch(/has no terminating NUL before the table ends/);
  });

  it("decode UTF-8 and replace malformed bytes with U+FFFD", () => {
    const { bytes, header, shstrndx } = buildElf({ sections: [text({ name: "sec/é€😀" })] });
    const elf = ElfFile.parse(bytes);
    expect(elf.sections[1]!.name).toBe("sec/é€😀");
    // Point .text's name at a spot with a lone continuation byte.
    const table = elf.sections[shstrndx]!;
    const copy = bytes.slice();
    const nameStart = new DataView(copy.buffer).getUint32(header(1), true);
    copy[table.offset + nameStart] = 0x80;
    expect(ElfFile.parse(copy).sections[1]!.name).toBe("\ufffdec/é€😀");
  });
});
