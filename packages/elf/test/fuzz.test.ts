// Seeded mutation fuzzing: ElfFile.parse plus reading every section, symbol and
// relocation must either succeed or throw ElfError, for any damage. The PRNG
// is seeded, so a failure names a case that reproduces exactly.
import { expect, it } from "vitest";
import { rng } from "../../../tools/testing/src/rng.ts";
import { ElfError, ElfFile } from "../src/index.ts";
import { buildElf, relocationTable, symbolTable, Writer } from "./build-elf.ts";
import { type FixtureName, fixture } from "./fixtures.ts";
import { touchAll } from "./helpers.ts";

const CASES = 12_000;
const SEED = 0x5eed_e1f;

const prng = rng;

/** Byte ranges holding structure (header, section headers, symbols, relocations): most mutations land there. */
function structuralRanges(bytes: Uint8Array): [number, number][] {
  const elf = ElfFile.parse(bytes);
  const ranges: [number, number][] = [[0, 64]];
  const first = elf.sections[0]!.headerOffset;
  ranges.push([first, first + elf.sections.length * 64]);
  for (const s of elf.sections) {
    if ([2, 3, 4, 9, 18].includes(s.type)) ranges.push([s.offset, s.offset + s.size]);
  }
  return ranges;
}

const SOURCES: FixtureName[] = ["prog.bpfel", "prog.bpfeb", "struct_ops.bpfel", "struct_ops.bpfeb", "rela.x86_64", "rela.ppc64"];

/** Big-endian, extended numbering, SHN_XINDEX symbols and RELA: paths clang's output does not reach. */
function synthetic(): Uint8Array {
  const { symtab, strtab } = symbolTable(
    [
      { name: "f", type: 2, shndx: 1, size: 8 },
      { name: "x", type: 1, shndx: 0xffff },
    ],
    false,
  );
  const shndx = new Writer(12, false);
  shndx.u32(8, 1);
  return buildElf({
    littleEndian: false,
    extendedNumbering: true,
    sections: [
      { name: ".text", type: 1, data: new Uint8Array(32) },
      { name: ".symtab", type: 2, data: symtab, link: 3, info: 1, entsize: 24 },
      { name: ".strtab", type: 3, data: strtab },
      { name: ".symtab_shndx", type: 18, data: shndx.bytes, link: 2, entsize: 4 },
      {
        name: ".rela.text",
        type: 4,
        data: relocationTable([{ offset: 8, symbol: 2, type: 1, addend: -4 }], true, false),
        link: 2,
        info: 1,
        entsize: 24,
      },
    ],
  }).bytes;
}

it(`${CASES} mutated objects either parse or throw ElfError`, () => {
  const started = performance.now();
  const rand = prng(SEED);
  const int = (n: number) => Math.floor(rand() * n);
  const sources = [...SOURCES.map((name) => ({ name, bytes: fixture(name) })), { name: "synthetic", bytes: synthetic() }].map(
    ({ name, bytes }) => ({ name, bytes, ranges: structuralRanges(bytes) }),
  );
  const pick = (src: (typeof sources)[number]): number => {
    if (rand() < 0.15) return int(src.bytes.length); // anywhere
    const [lo, hi] = src.ranges[int(src.ranges.length)]!;
    return lo + int(Math.max(1, hi - lo));
  };

  const outcome = { ok: 0, error: 0 };
  const codes = new Set<string>();
  for (let i = 0; i < CASES; i++) {
    const src = sources[i % sources.length]!;
    let bytes = src.bytes.slice();
    const kind = int(4);
    const edits = 1 + int(4);
    for (let k = 0; k < edits; k++) {
      const at = pick(src);
      if (kind === 0 || (kind === 3 && rand() < 0.5)) {
        // Bit flip.
        if (at < bytes.length) bytes[at]! ^= 1 << int(8);
      } else if (kind === 1 || kind === 3) {
        // A 32-bit field (aligned, as ELF fields are) set to all ones, zero, or a large value.
        const aligned = at & ~3;
        const value = [0xffffffff, 0, 0x7fffffff, 0x80000000, 0x10000][int(5)]!;
        if (aligned + 4 <= bytes.length) new DataView(bytes.buffer).setUint32(aligned, value, rand() < 0.5);
      } else {
        // A 64-bit field set to all ones.
        const aligned = at & ~7;
        if (aligned + 8 <= bytes.length) new DataView(bytes.buffer).setBigUint64(aligned, 0xffffffffffffffffn);
      }
    }
    if (kind === 2 || rand() < 0.1) bytes = bytes.subarray(0, int(bytes.length + 1));

    try {
      touchAll(ElfFile.parse(bytes));
      outcome.ok++;
    } catch (e) {
      if (!(e instanceof ElfError)) {
        throw new Error(`case ${i} (${src.name}, seed ${SEED}): expected ElfError, got ${String(e)}`, { cause: e });
      }
      codes.add(e.code);
      outcome.error++;
    }
  }

  if (process.env.ELF_FUZZ_VERBOSE) console.log(outcome, codes);
  // The mix must exercise both paths, or the fuzzer is not reaching the checks.
  expect(outcome.ok).toBeGreaterThan(CASES / 20);
  expect(outcome.error).toBeGreaterThan(CASES / 4);
  expect(codes).toContain("MALFORMED");
  expect(codes).toContain("TRUNCATED");
  expect(performance.now() - started).toBeLessThan(10_000);
}, 10_000);
