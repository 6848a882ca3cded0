import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Btf, dumpJson, dumpRaw } from "@bpfkit/btf";
import { moduleSplitBtf } from "@bpfkit/testing";
import { afterAll, describe, expect, it } from "vitest";
import { bpftool, haveBpftool, haveKernelBtf, objectBtf, objects, rel, root, VMLINUX } from "./support.ts";

if (!haveBpftool) console.log("skipping raw-dump comparisons: bpftool (the oracle) is not installed");

describe.skipIf(!haveBpftool)("raw dump is byte-identical to bpftool's", () => {
  const tmp = mkdtempSync(join(tmpdir(), "bpfkit-raw-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("for the running kernel's BTF", () => {
    if (!haveKernelBtf) return expect.fail(`this kernel has no ${VMLINUX}`);
    const ours = dumpRaw(Btf.parse(new Uint8Array(readFileSync(VMLINUX))));
    const theirs = bpftool("btf", "dump", "file", VMLINUX, "format", "raw");
    expect(ours.length).toBe(theirs.length);
    expect(ours === theirs).toBe(true);
  });

  for (const path of objects()) {
    it(`for ${rel(path)}`, () => {
      expect(dumpRaw(objectBtf(path))).toBe(bpftool("btf", "dump", "file", path, "format", "raw"));
    });
  }

  it("for split BTF over a base (a module's shape)", () => {
    const basePath = root("fixtures/two_cc.bpf.o");
    const base = objectBtf(basePath);
    const bytes = moduleSplitBtf(base);
    const file = join(tmp, "split.btf");
    writeFileSync(file, bytes);
    const ours = dumpRaw(Btf.parse(bytes, { base }));
    expect(ours).toBe(bpftool("-B", basePath, "btf", "dump", "file", file, "format", "raw"));
    expect(ours.startsWith(`[${base.lastId + 1}] `)).toBe(true);
  });
});

/**
 * bpftool's JSON with its one known flaw undone: it sign-extends unsigned 32-bit ENUM values
 * past 2^31 (0xefffffff comes out as 18446744073441116159; its raw format prints 4026531839).
 * Type objects are split at `},{"id":`, which no nested object contains.
 */
function bpftoolJson(...args: string[]): string {
  const text = bpftool("-j", ...args);
  return text
    .split('},{"id":')
    .map((chunk) =>
      chunk.includes('"kind":"ENUM","') && chunk.includes('"encoding":"UNSIGNED"')
        ? chunk.replace(/"val":(\d{19,20})/g, (_, v: string) => `"val":${BigInt(v) - (1n << 64n) + (1n << 32n)}`)
        : chunk,
    )
    .join('},{"id":');
}

describe.skipIf(!haveBpftool)("JSON dump has bpftool's -j shape", () => {
  it("for the running kernel's BTF", () => {
    if (!haveKernelBtf) return expect.fail(`this kernel has no ${VMLINUX}`);
    const ours = `${dumpJson(Btf.parse(new Uint8Array(readFileSync(VMLINUX))))}\n`;
    const theirs = bpftoolJson("btf", "dump", "file", VMLINUX);
    expect(ours.length).toBe(theirs.length);
    expect(ours === theirs).toBe(true);
  });

  for (const path of objects()) {
    it(`for ${rel(path)}`, () => {
      expect(`${dumpJson(objectBtf(path))}\n`).toBe(bpftoolJson("btf", "dump", "file", path));
    });
  }
});

