import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dumpC, dumpJson, dumpTs } from "@bpfkit/btf";
import { moduleSplitBtf } from "@bpfkit/testing";
import { afterAll, describe, expect, it } from "vitest";
import { bpftool, haveBpftool, haveKernelBtf, kernelBtf, objectBtf, root, VMLINUX } from "./support.ts";

/** `bpfkit btf dump …` as a user runs it: a separate process under Bun, output through fd 1. */
function bpfkit(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(root("node_modules/.bin/bun"), [root("packages/cli/src/cli.ts"), "btf", "dump", ...args], { encoding: "utf8", maxBuffer: 1 << 27 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = mkdtempSync(join(tmpdir(), "bpfkit-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const kinds = root("packages/btf/test/fixtures/kinds.bpfel.o");

describe("bpfkit btf dump", () => {
  it.skipIf(!haveBpftool || !haveKernelBtf)("raw: the kernel's BTF, byte for byte what bpftool prints", () => {
    const r = bpfkit(VMLINUX);
    expect(r.status).toBe(0);
    const theirs = bpftool("btf", "dump", "file", VMLINUX, "format", "raw");
    expect(r.stdout.length).toBe(theirs.length);
    expect(r.stdout === theirs).toBe(true);
  }, 30_000);

  it.skipIf(!haveBpftool)("raw: an object's .BTF, and split BTF with --base", () => {
    expect(bpfkit(kinds, "--format", "raw").stdout).toBe(bpftool("btf", "dump", "file", kinds, "format", "raw"));
    const basePath = root("fixtures/two_cc.bpf.o");
    const file = join(tmp, "module.btf");
    writeFileSync(file, moduleSplitBtf(objectBtf(basePath)));
    expect(bpfkit(file, "--base", basePath).stdout).toBe(bpftool("-B", basePath, "btf", "dump", "file", file, "format", "raw"));
  });

  it("json, c and ts: what the library's dumps return", () => {
    const btf = objectBtf(kinds);
    expect(bpfkit(kinds, "--format", "json").stdout).toBe(`${dumpJson(btf)}\n`);
    expect(bpfkit(kinds, "--format", "c").stdout).toBe(dumpC(btf));
    expect(bpfkit(kinds, "--format", "ts").stdout).toBe(dumpTs(btf));
  });

  it.skipIf(!haveKernelBtf)("--type limits c and ts to a type and what it needs", () => {
    const btf = kernelBtf();
    const r = bpfkit(VMLINUX, "--format", "c", "--type", "tcp_congestion_ops");
    expect(r.stdout).toBe(dumpC(btf, { roots: [btf.find("tcp_congestion_ops", "STRUCT")!] }));
    expect(r.stdout).toContain("struct tcp_congestion_ops {");
    expect(r.stdout.length).toBeLessThan(20_000);
  });

  it("refuses what it cannot do, with the usage line and status 2", () => {
    let r = bpfkit(kinds, "--format", "yaml");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown format "yaml"; use raw, c, ts, json/);
    r = bpfkit(kinds, "--format", "raw", "--type", "ops");
    expect(r.status).toBe(2);
    r = bpfkit(kinds, "--format", "c", "--type", "no_such_type");
    expect(r.stderr).toMatch(/no struct, union, enum or typedef named "no_such_type"/);
    r = bpfkit();
    expect(r.status).toBe(2);
  });

  it("says what is wrong with a file that is not BTF, with status 1", () => {
    const file = join(tmp, "junk.btf");
    writeFileSync(file, "not BTF at all, just text");
    const r = bpfkit(file);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not BTF: magic is 0x6f6e/);
  });

  it.skipIf(!haveKernelBtf)("stops quietly when its reader goes away (| head)", () => {
    const r = spawnSync("sh", ["-c", `'${root("node_modules/.bin/bun")}' '${root("packages/cli/src/cli.ts")}' btf dump ${VMLINUX} | head -c 100 > /dev/null`], { encoding: "utf8" });
    expect(r.stderr).toBe("");
  });
});
