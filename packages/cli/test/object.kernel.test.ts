import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkFdLeaks, describeKernel, trackCreatedAsync, useBpffs, waitGone } from "@bpfkit/testing";
import { afterEach, expect, it } from "vitest";
import { main } from "../src/main.ts";
import { capture } from "./support.ts";

const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));
const haveBpftool = spawnSync("bpftool", ["version"]).status === 0;

interface Pinned {
  name: string;
  type: string;
  id: number;
  path: string;
}

/** `bpfkit object load OBJ --pin DIR --json`, with the ids of every program it created. */
async function load(obj: string, dir: string): Promise<{ status: number; pinned: Pinned[]; err: string; created: number[] }> {
  const io = capture();
  const t = await trackCreatedAsync(() => main(["object", "load", root(obj), "--pin", dir, "--json"], io));
  if (t.error) throw t.error;
  const status = t.result!;
  return { status, pinned: io.out_.length ? (JSON.parse(io.out_.join("")) as Pinned[]) : [], err: io.err_.join("\n"), created: t.ids.prog };
}

/** bpftool's view of a pinned program: the kernel's, not ours. */
function bpftoolShow(path: string): { id: number; type: string; name: string } {
  const r = spawnSync("bpftool", ["prog", "show", "pinned", path, "-j"], { encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { id: number; type: string; name: string };
}

describeKernel("bpfkit object load against the kernel", () => {
  const bpffs = useBpffs();
  checkFdLeaks();
  afterEach(() => rmSync(join(bpffs(), "objects"), { recursive: true, force: true }));

  for (const [obj, programs] of [
    ["fixtures/sections.bpf.o", 9],
    ["examples/tcp-cc/cc.bpf.o", 6],
    ["fixtures/externs.bpf.o", 1],
  ] as const) {
    it.skipIf(!haveBpftool)(`${obj}: pins every program, closes its fds, and the pins alone keep them`, async () => {
      const dir = join(bpffs(), "objects", "a");
      const r = await load(obj, dir);
      expect(r.status, r.err).toBe(0);
      expect(r.pinned).toHaveLength(programs);
      expect(readdirSync(dir).sort()).toEqual(r.pinned.map((p) => p.name).sort());
      for (const p of r.pinned) {
        expect(p.path).toBe(join(dir, p.name));
        const k = bpftoolShow(p.path);
        expect(k.id).toBe(p.id);
        expect(k.type).toBe(p.type);
        expect(k.name).toBe(p.name.slice(0, 15)); // BPF_OBJ_NAME_LEN
      }
      expect(r.created.sort()).toEqual(r.pinned.map((p) => p.id).sort());
      for (const p of r.pinned) unlinkSync(p.path);
      expect(await waitGone("prog", r.created)).toEqual([]);
    });
  }

  it("prints a table of what it pinned", async () => {
    const dir = join(bpffs(), "objects", "t");
    const io = capture();
    expect(await main(["object", "load", root("fixtures/externs.bpf.o"), "--pin", dir], io)).toBe(0);
    expect(io.out_[0]).toMatch(/^ID\s+NAME\s+TYPE\s+PINNED AT$/);
    expect(io.out_[1]).toMatch(new RegExp(`^\\d+\\s+read_externs\\s+syscall\\s+${join(dir, "read_externs")}$`));
    rmSync(join(dir, "read_externs"));
  });

  it("on a failed pin removes the pins it made and leaves no program behind", async () => {
    const dir = join(bpffs(), "objects", "clash");
    mkdirSync(join(dir, "bk_ssthresh"), { recursive: true }); // the second program's pin path is taken
    const r = await load("examples/tcp-cc/cc.bpf.o", dir);
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/EEXIST/);
    expect(r.err).toContain(join(dir, "bk_ssthresh"));
    expect(readdirSync(dir)).toEqual(["bk_ssthresh"]);
    expect(r.created.length).toBeGreaterThan(0);
    expect(await waitGone("prog", r.created)).toEqual([]);
  });

  it("removes the directories it created when loading fails", async () => {
    mkdirSync(join(bpffs(), "objects"));
    const dir = join(bpffs(), "objects", "new", "deeper");
    const r = await load("fixtures/rejected.bpf.o", dir);
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/BpfError/);
    expect(existsSync(join(bpffs(), "objects", "new"))).toBe(false);
    expect(existsSync(join(bpffs(), "objects"))).toBe(true); // there before: not this load's to remove
  });
});
