import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Btf, dumpJson, dumpRaw } from "@bpfkit/btf";
import { parseElf } from "@bpfkit/elf";
import { moduleSplitBtf } from "@bpfkit/testing";
import { afterAll, describe, expect, it } from "vitest";

const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));
const haveBpftool = spawnSync("bpftool", ["version"]).status === 0;
if (!haveBpftool && process.env.BPFKIT_REQUIRE_KERNEL === "1") {
  throw new Error("bpftool is required as the oracle for the raw dump (apt-get install bpftool)");
}
if (!haveBpftool) console.log("skipping raw-dump comparisons: bpftool (the oracle) is not installed");

const bpftool = (...args: string[]) => execFileSync("bpftool", args, { encoding: "utf8", maxBuffer: 1 << 26 });
const objectBtf = (path: string) => Btf.parse(parseElf(new Uint8Array(readFileSync(path))).section(".BTF")!.data);

/** Every committed BPF object that carries BTF, both byte orders. */
function objects(): string[] {
  const list = [root("examples/tcp-cc/cc.bpf.o"), root("examples/sched-ext/scx_fifo.bpf.o")];
  for (const dir of ["fixtures", "packages/elf/test/fixtures"]) {
    for (const f of readdirSync(root(dir))) if (f.endsWith(".o")) list.push(root(`${dir}/${f}`));
  }
  return list.filter((p) => parseElf(new Uint8Array(readFileSync(p))).section(".BTF"));
}

describe.skipIf(!haveBpftool)("raw dump is byte-identical to bpftool's", () => {
  const tmp = mkdtempSync(join(tmpdir(), "bpfkit-raw-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("for the running kernel's BTF", () => {
    if (!existsSync("/sys/kernel/btf/vmlinux")) return expect.fail("this kernel has no /sys/kernel/btf/vmlinux");
    const ours = dumpRaw(Btf.parse(new Uint8Array(readFileSync("/sys/kernel/btf/vmlinux"))));
    const theirs = bpftool("btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "raw");
    expect(ours.length).toBe(theirs.length);
    expect(ours === theirs).toBe(true);
  });

  for (const path of objects()) {
    it(`for ${path.slice(root("").length)}`, () => {
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
    if (!existsSync("/sys/kernel/btf/vmlinux")) return expect.fail("this kernel has no /sys/kernel/btf/vmlinux");
    const ours = `${dumpJson(Btf.parse(new Uint8Array(readFileSync("/sys/kernel/btf/vmlinux"))))}\n`;
    const theirs = bpftoolJson("btf", "dump", "file", "/sys/kernel/btf/vmlinux");
    expect(ours.length).toBe(theirs.length);
    expect(ours === theirs).toBe(true);
  });

  for (const path of objects()) {
    it(`for ${path.slice(root("").length)}`, () => {
      expect(`${dumpJson(objectBtf(path))}\n`).toBe(bpftoolJson("btf", "dump", "file", path));
    });
  }
});

