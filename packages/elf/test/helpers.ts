import { expect } from "vitest";
import { ElfError, type ElfFile } from "../src/index.ts";

/** Runs `fn`, expects it to throw an ElfError (anything else fails the test), and returns it. */
export function elfError(fn: () => unknown): ElfError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ElfError) return e;
    throw new Error(`expected an ElfError, got ${String(e)}`, { cause: e });
  }
  throw new Error("expected an ElfError, but nothing was thrown");
}

/** Asserts the error's location fields (and code when given). */
export function expectWhere(
  e: ElfError,
  where: { offset?: number; section?: string; code?: ElfError["code"] },
): void {
  expect(e.name).toBe("ElfError");
  if ("offset" in where) expect(e.offset).toBe(where.offset);
  if ("section" in where) expect(e.section).toBe(where.section);
  if (where.code !== undefined) expect(e.code).toBe(where.code);
}

/** Reads everything the API exposes, so lazily decoded parts are exercised too. */
export function touchAll(elf: ElfFile): number {
  let n = 0;
  for (const s of elf.sections) {
    n += s.data.length + s.name.length;
    elf.section(s.name);
  }
  for (const sym of elf.symbols) n += sym.name.length + sym.shndx;
  for (const s of elf.sections) n += elf.relocations(s).length;
  n += elf.relocationSections().length;
  return n;
}
