import { describe, expect, it } from "vitest";
import { ElfError, ElfFile, SHN_XINDEX } from "../src/index.ts";
import { buildElf, Writer } from "./build-elf.ts";
import { fixture } from "./fixtures.ts";
import { elfError, expectWhere } from "./helpers.ts";

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("input that is not ELF", () => {
  it("names the magic it expected and what it found", () => {
    const e = elfError(() => ElfFile.parse(text("#!/bin/sh\necho hi\n")));
    expect(e).toBeInstanceOf(ElfError);
    expect(e.message).toMatch(/^not an ELF file \(magic is 7f 45 4c 46, found 23 21 2f 62\): /);
    expectWhere(e, { offset: 0, code: "NOT_ELF" });
  });

  it("handles empty and very short input", () => {
    expect(elfError(() => ElfFile.parse(new Uint8Array(0))).message).toMatch(/found an empty input/);
    expect(elfError(() => ElfFile.parse(text("MZ"))).message).toMatch(/found 4d 5a \(only 2 bytes\)/);
  });

  it("calls a prefix of the magic truncated, not foreign", () => {
    const e = elfError(() => ElfFile.parse(Uint8Array.of(0x7f, 0x45)));
    expectWhere(e, { offset: 2, code: "TRUNCATED" });
    expect(e.message).toMatch(/only 2 bytes, a prefix of the ELF magic/);
  });

  it("rejects a non-Uint8Array with an ElfError", () => {
    const e = elfError(() => ElfFile.parse(new ArrayBuffer(64) as unknown as Uint8Array));
    expect(e.message).toMatch(/expects a Uint8Array/);
  });
});

describe("e_ident", () => {
  it("rejects ELF32 as unsupported, even when the file is cut short", () => {
    const bytes = fixture("prog.bpfel");
    bytes[4] = 1;
    const e = elfError(() => ElfFile.parse(bytes));
    expectWhere(e, { offset: 4, code: "UNSUPPORTED" });
    expect(e.message).toMatch(/^ELF32 objects are not supported/);
    expect(elfError(() => ElfFile.parse(Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 1))).code).toBe("UNSUPPORTED");
  });

  it.each([
    [4, 3, /unknown ELF class 3 at 0x4/],
    [5, 0, /unknown ELF data encoding 0 at 0x5/],
    [5, 3, /unknown ELF data encoding 3 at 0x5/],
    [6, 2, /unknown ELF version 2 at 0x6/],
  ])("byte %i = %i is malformed", (at, value, message) => {
    const bytes = fixture("prog.bpfel");
    bytes[at] = value;
    const e = elfError(() => ElfFile.parse(bytes));
    expectWhere(e, { offset: at, code: "MALFORMED" });
    expect(e.message).toMatch(message);
  });

  it("reports a header shorter than 64 bytes as truncated", () => {
    for (let n = 7; n < 64; n++) {
      const e = elfError(() => ElfFile.parse(fixture("prog.bpfel").subarray(0, n)));
      expectWhere(e, { offset: n, code: "TRUNCATED" });
      expect(e.message).toContain(`needs 64 bytes but the file has only ${n}`);
    }
  });
});

describe("section header table placement", () => {
  const base = () => buildElf({ sections: [{ name: ".text", type: 1, data: new Uint8Array(16) }] });

  it("reads an ELF with no section headers as empty", () => {
    const { bytes } = base();
    new Writer(bytes, true).u64(40, 0);
    new Writer(bytes, true).u16(60, 0);
    const elf = ElfFile.parse(bytes);
    expect(elf.sections).toEqual([]);
    expect(elf.symbols).toEqual([]);
    expect(elf.relocationSections()).toEqual([]);
  });

  it("rejects e_shnum without e_shoff", () => {
    const { bytes } = base();
    new Writer(bytes, true).u64(40, 0);
    expectWhere(elfError(() => ElfFile.parse(bytes)), { offset: 0x3c, code: "MALFORMED" });
  });

  it("checks e_shentsize", () => {
    const { bytes } = base();
    new Writer(bytes, true).u16(58, 40);
    const e = elfError(() => ElfFile.parse(bytes));
    expectWhere(e, { offset: 0x3a });
    expect(e.message).toMatch(/e_shentsize at 0x3a is 40, but ELF64 section headers are 64 bytes/);
  });

  it("rejects a table that runs past the end", () => {
    const { bytes, shoff } = base();
    const e = elfError(() => ElfFile.parse(bytes.subarray(0, bytes.length - 1)));
    expectWhere(e, { offset: shoff, code: "TRUNCATED" });
    expect(e.message).toMatch(/^section header table at 0x[0-9a-f]+\.\.0x[0-9a-f]+ \(3 headers of 64 bytes, e_shoff at 0x28\) runs past the end of the file \(0x[0-9a-f]+ bytes\): the object is truncated; rebuild it$/);
  });

  it("rejects e_shoff past the end and beyond 2^53", () => {
    const { bytes } = base();
    new Writer(bytes, true).u64(40, 0xffffffff);
    expectWhere(elfError(() => ElfFile.parse(bytes)), { offset: 0xffffffff, code: "TRUNCATED" });
    new Writer(bytes, true).u64(40, 0xffffffffffffffffn);
    const e = elfError(() => ElfFile.parse(bytes));
    expectWhere(e, { offset: 0x28, code: "MALFORMED" });
    expect(e.message).toMatch(/^e_shoff at 0x28 is 0xffffffffffffffff, beyond the 2\^53 - 1/);
  });

  it("rejects a huge e_shnum before allocating anything", () => {
    const { bytes, shoff } = base();
    new Writer(bytes, true).u16(60, 0xfeff);
    expectWhere(elfError(() => ElfFile.parse(bytes)), { offset: shoff, code: "TRUNCATED" });
  });
});

describe("e_shstrndx", () => {
  const base = () => buildElf({ sections: [{ name: ".text", type: 1, data: new Uint8Array(16) }] });

  it("must name an existing section", () => {
    const { bytes } = base();
    new Writer(bytes, true).u16(62, 9);
    const e = elfError(() => ElfFile.parse(bytes));
    expectWhere(e, { offset: 0x3e });
    expect(e.message).toMatch(/names section 9 as the section name table, but there are only 3 sections/);
  });

  it("must name a string table", () => {
    const { bytes, header } = base();
    new Writer(bytes, true).u16(62, 1);
    expectWhere(elfError(() => ElfFile.parse(bytes)), { offset: header(1) + 4, section: "#1" });
  });

  it("rejects reserved values other than SHN_XINDEX", () => {
    const { bytes } = base();
    new Writer(bytes, true).u16(62, 0xff00);
    expectWhere(elfError(() => ElfFile.parse(bytes)), { offset: 0x3e });
  });

  it("0 (SHN_UNDEF) means the sections have no names", () => {
    const { bytes } = base();
    new Writer(bytes, true).u16(62, 0);
    expect(ElfFile.parse(bytes).sections.map((s) => s.name)).toEqual(["", "", ""]);
  });
});

describe("extended section numbering (e_shnum = 0, e_shstrndx = SHN_XINDEX)", () => {
  const spec = (littleEndian: boolean) => ({
    littleEndian,
    extendedNumbering: true,
    sections: [
      { name: ".text", type: 1, data: new Uint8Array(8) },
      { name: ".data", type: 1, data: new Uint8Array(4) },
    ],
  });

  it.each([true, false])("reads count and name table from section 0 (little-endian: %s)", (le) => {
    const { bytes } = buildElf(spec(le));
    expect(bytes[60]).toBe(0);
    expect(new DataView(bytes.buffer).getUint16(62, le)).toBe(SHN_XINDEX);
    const elf = ElfFile.parse(bytes);
    expect(elf.sections.map((s) => s.name)).toEqual(["", ".text", ".data", ".shstrtab"]);
    // Section 0's size is the count, not data.
    expect(elf.sections[0]!.size).toBe(4);
    expect(elf.sections[0]!.data.length).toBe(0);
  });

  it("rejects a count in section 0 larger than the file can hold", () => {
    const { bytes, shoff } = buildElf(spec(true));
    new Writer(bytes, true).u64(shoff + 32, 2 ** 40);
    expectWhere(elfError(() => ElfFile.parse(bytes)), { offset: shoff, code: "TRUNCATED" });
    new Writer(bytes, true).u64(shoff + 32, 2n ** 60n);
    expectWhere(elfError(() => ElfFile.parse(bytes)), { offset: shoff + 32, section: "#0", code: "MALFORMED" });
  });

  it("rejects a zero count in section 0", () => {
    const { bytes, shoff } = buildElf(spec(true));
    new Writer(bytes, true).u64(shoff + 32, 0);
    expectWhere(elfError(() => ElfFile.parse(bytes)), { offset: shoff + 32, section: "#0" });
  });

  it("checks the name table index from section 0's sh_link", () => {
    const { bytes, shoff } = buildElf(spec(true));
    new Writer(bytes, true).u32(shoff + 40, 77);
    const e = elfError(() => ElfFile.parse(bytes));
    expectWhere(e, { offset: shoff + 40 });
    expect(e.message).toMatch(/^section 0 sh_link \(at 0x[0-9a-f]+\) names section 77/);
  });

  it("needs section 0 itself inside the file", () => {
    const { bytes } = buildElf(spec(true));
    new Writer(bytes, true).u64(40, bytes.length - 10);
    expectWhere(elfError(() => ElfFile.parse(bytes)), { offset: bytes.length - 10, code: "TRUNCATED" });
  });
});

describe("input views", () => {
  it("reads a Uint8Array that is a window into a larger buffer", () => {
    const file = fixture("prog.bpfeb");
    const big = new Uint8Array(file.length + 100);
    big.set(file, 37);
    const view = big.subarray(37, 37 + file.length);
    const a = ElfFile.parse(view);
    const b = ElfFile.parse(file);
    expect(a.sections.map((s) => [s.name, [...s.data]])).toEqual(b.sections.map((s) => [s.name, [...s.data]]));
    expect(a.symbols).toEqual(b.symbols);
    expect(a.bytes).toBe(view);
  });
});
