import { readFileSync } from "node:fs";
import { type Readelf, readReadelf } from "./readelf.ts";

/** Fixture objects committed under test/fixtures (rebuilt by fixtures/build.sh). */
export const FIXTURES = [
  "prog.bpfel",
  "prog.bpfeb",
  "struct_ops.bpfel",
  "struct_ops.bpfeb",
  "rela.x86_64",
  "rela.ppc64",
] as const;
export type FixtureName = (typeof FIXTURES)[number];

/** A fresh copy of the fixture's bytes, safe to mutate. */
export function fixture(name: FixtureName): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`./fixtures/${name}.o`, import.meta.url)));
}

/** GNU readelf's view of the fixture (see fixtures/build.sh). */
export function oracle(name: FixtureName): Readelf {
  return readReadelf(new URL(`./fixtures/${name}.readelf.txt`, import.meta.url));
}
