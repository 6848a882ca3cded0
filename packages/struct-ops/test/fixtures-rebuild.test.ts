import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ElfFile, SHF_EXECINSTR } from "@bpfkit/elf";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const haveClang = spawnSync("clang", ["--version"]).status === 0;
const haveClang16 = spawnSync(process.env.CLANG16 ?? "clang-16", ["--version"]).status === 0;
const haveBtf = existsSync("/sys/kernel/btf/vmlinux");
const why = !haveClang
  ? "clang is not installed"
  : !haveClang16
    ? "clang-16 is not installed (it builds fixtures/src-clang16)"
    : !haveBtf
      ? "the kernel has no /sys/kernel/btf/vmlinux"
      : undefined;
if (why) console.log(`skipping the fixture rebuild: ${why}`);

/** What makes an object behave: its sections' names, and the bytes of its code and map/struct_ops sections. */
function behaviour(path: string): Record<string, string> {
  const elf = ElfFile.parse(new Uint8Array(readFileSync(path)));
  const out: Record<string, string> = {};
  for (const s of elf.sections) {
    if (s.name === "" || s.name.startsWith(".debug") || s.name.startsWith(".rel.debug")) continue;
    const keep = (s.flags & SHF_EXECINSTR) !== 0 || s.name === ".maps" || s.name.includes("struct_ops") || s.name.startsWith(".rodata") || s.name === ".data";
    out[s.name] = keep ? Buffer.from(s.data).toString("hex") : "";
  }
  return out;
}

describe.skipIf(why !== undefined)("the committed fixtures rebuild from the vmlinux.h bpfkit's C dumper writes", () => {
  const out = mkdtempSync(join(tmpdir(), "bpfkit-fixtures-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const objects = [
    ...readdirSync(join(ROOT, "fixtures")).filter((f) => f.endsWith(".o")).map((f) => `fixtures/${f}`),
    "examples/tcp-cc/cc.bpf.o",
    "examples/sched-ext/scx_fifo.bpf.o",
  ];

  it("fixtures/build.sh succeeds with the kernel's C dump as vmlinux.h", () => {
    execFileSync("bash", [join(ROOT, "fixtures/build.sh")], { env: { ...process.env, FIXTURES_OUT: out }, stdio: "pipe" });
    const header = readFileSync(join(out, ".build/vmlinux.h"), "utf8");
    expect(header).toContain("struct tcp_congestion_ops {");
  }, 120_000);

  for (const obj of objects) {
    it(`${obj}: same code, maps and struct_ops data as committed`, () => {
      expect(behaviour(join(out, obj))).toEqual(behaviour(join(ROOT, obj)));
    });
  }
});
