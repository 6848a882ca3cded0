import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Btf, BtfBuilder, dumpTs } from "@bpfkit/btf";
import { afterAll, describe, expect, it } from "vitest";
import { haveKernelBtf, kernelBtf, objectBtf, objects, rel, root } from "./support.ts";

const tmp = mkdtempSync(join(tmpdir(), "bpfkit-ts-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("TypeScript dump", () => {
  const ts = dumpTs(objectBtf(root("packages/btf/test/fixtures/kinds.bpfel.o")));

  it("makes each named struct and union an interface, anonymous members flattened at their offsets", () => {
    expect(ts).toContain("/** struct nested: 144 bytes */\nexport interface nested {\n  /** offset 0, 4 bytes: u32 */\n  word: number;\n  /** offset 0, 2 bytes: u16 */\n  lo: number;\n  /** offset 2, 2 bytes: u16 */\n  hi: number;\n");
    expect(ts).toContain("  /** offset 4, 8 bytes: struct {…} */\n  point: {\n    /** offset 0, 4 bytes: int */\n    x: number;\n");
    expect(ts).toContain("  /** offset 12, 48 bytes: struct {…}[3][2] */\n  points: {\n");
    expect(ts).toContain("/** union both: 320 bytes, members overlap */\nexport interface both {");
  });

  it("maps C types to decoded values: number, bigint, boolean, typed arrays, enum types", () => {
    expect(ts).toContain("  /** bit 64, 40 bits: s64 */\n  d: bigint;\n");
    expect(ts).toContain("  /** bit 133, 1 bit: bool */\n  h: boolean;\n");
    expect(ts).toContain("  /** offset 128, 16 bytes: char[16] */\n  name: Uint8Array;\n");
    expect(ts).toContain("  /** offset 112, 16 bytes: unsigned __int128 */\n  big: bigint;\n");
    expect(ts).toContain("  /** offset 48, 8 bytes: int * const * */\n  cpp: bigint;\n");
    expect(ts).toContain("  /** offset 256, 1 byte: enum small */\n  sm: small;\n");
    expect(ts).toContain("  raw: BigUint64Array;\n");
    expect(ts).toContain('export const color = {\n  "RED": 0,\n  "GREEN": 5,\n  "BLUE": 4294967293,\n} as const;\nexport type color = (typeof color)[keyof typeof color];\n');
  });

  it("writes ENUM64 values as bigints and renames clashes and reserved words", () => {
    const b = new BtfBuilder();
    const int = b.add({ kind: "INT", name: "int", size: 4, encoding: 1 });
    b.add({ kind: "ENUM64", name: "wide", values: [{ name: "W", value: -(1n << 63n) }] });
    b.add({ kind: "STRUCT", name: "object", size: 4, members: [{ name: "new", type: int, bitOffset: 0 }] });
    b.add({ kind: "UNION", name: "object", size: 4, members: [{ name: "x", type: int, bitOffset: 0 }] });
    const out = dumpTs(Btf.parse(b.build()));
    expect(out).toContain('export const wide = {\n  "W": -9223372036854775808n,\n} as const;');
    expect(out).toContain("export interface object_ {\n  /** offset 0, 4 bytes: int */\n  new: number;\n}");
    expect(out).toContain("export interface object___2 {");
  });

  it("limits itself to the roots and what they hold by value", () => {
    const btf = objectBtf(root("packages/btf/test/fixtures/kinds.bpfel.o"));
    const out = dumpTs(btf, { roots: [btf.find("ops", "STRUCT")!] });
    expect(out).toContain("export interface ops {");
    expect(out).toContain("export interface aligned {");
    expect(out).toContain("export const small = {");
    expect(out).not.toContain("export interface nested {"); // only behind a pointer
  });

  it("type-checks with tsc --strict for every fixture and the kernel", () => {
    const files: string[] = [];
    for (const path of objects()) {
      const file = join(tmp, `${rel(path).replaceAll("/", "_").replace(/\.o$/, "")}.ts`);
      writeFileSync(file, dumpTs(objectBtf(path)));
      files.push(file);
    }
    if (haveKernelBtf) {
      writeFileSync(join(tmp, "vmlinux.ts"), dumpTs(kernelBtf()));
      files.push(join(tmp, "vmlinux.ts"));
    }
    const tsc = root("node_modules/typescript/bin/tsc");
    const args = [tsc, "--noEmit", "--strict", "--target", "es2022", "--module", "esnext", "--isolatedModules", "--erasableSyntaxOnly", "--skipLibCheck", ...files];
    expect(() => execFileSync("node", args, { encoding: "utf8", stdio: "pipe" })).not.toThrow();
  }, 60_000);
});
