import { execFileSync, spawnSync } from "node:child_process";
import { rmSync, statfsSync } from "node:fs";
import { join } from "node:path";
import { BpfObject } from "@bpfkit/struct-ops";
import { objGet, progInfo } from "@bpfkit/syscall";
import { describeKernel, useBpffs } from "@bpfkit/testing";
import { expect, it } from "vitest";
import { fixture } from "./support/paths.ts";

/** `bpftool prog dump xlated` (an independent tool) of one program, by id or pin path. */
function xlated(which: string[]): string {
  return execFileSync("bpftool", ["prog", "dump", "xlated", ...which], { encoding: "utf8" });
}

/** Map ids differ between any two loads; everything else must not. */
const normalize = (dump: string) => dump.replace(/map\[id:\d+\]/g, "map[id:N]");

/** Maps the fixtures pin by name (LIBBPF_PIN_BY_NAME), removed after each comparison. */
const PINNED: Record<string, string[]> = { maps: ["pinned_hash"] };

const BPF_FS_MAGIC = 0xcafe4a11;

/**
 * libbpf pins LIBBPF_PIN_BY_NAME maps under /sys/fs/bpf and bpftool cannot say otherwise: give
 * it a bpffs there for the call (unmounted after) unless one is mounted already.
 */
function withSysBpffs<T>(fn: () => T): T {
  if (statfsSync("/sys/fs/bpf").type === BPF_FS_MAGIC) return fn();
  execFileSync("mount", ["-t", "bpf", "bpf", "/sys/fs/bpf"]);
  try {
    return fn();
  } finally {
    spawnSync("umount", ["/sys/fs/bpf"]);
  }
}

describeKernel("the kernel holds the same programs whether libbpf or bpfkit loads them", () => {
  const bpffs = useBpffs();
  // Debian's libbpf 1.1 cannot open .struct_ops.link objects: those are compared through their
  // legacy .struct_ops twins (fixtures/build.sh), which libbpf loads while bpfkit loads the
  // original. It does not know SEC("struct_ops.s") either, which rules out dummy_ops.
  const cases: [string, string][] = [
    ["cc_legacy", fixture("cc_legacy")],
    ["legacy_cc", fixture("legacy_cc")],
    ["maps", fixture("maps")],
    ["externs", fixture("externs")],
    ["ct_kfunc", fixture("ct_kfunc")],
    ["btf_kinds", fixture("btf_kinds")],
    ["sections", fixture("sections")],
    ["core", fixture("core")],
    ["enum64", fixture("enum64")],
    ["kconfig", fixture("kconfig")],
    ["globals", fixture("globals")],
    ["two_cc", fixture("two_cc").replace(/\.bpf\.o$/, ".twin.o")],
    ["assoc", fixture("assoc").replace(/\.bpf\.o$/, ".twin.o")],
  ];
  for (const [name, theirObject] of cases) {
    it(name, () => withSysBpffs(() => {
      const dir = join(bpffs(), name);
      execFileSync("bpftool", ["prog", "loadall", theirObject, dir]);
      try {
        // Same pin root as libbpf's: pinned maps are shared, as they would be in production.
        using obj = BpfObject.open(fixture(name), { pinRoot: "/sys/fs/bpf" });
        obj.load();
        const loaded = obj.programs.filter((p) => p.loaded);
        expect(loaded.length).toBeGreaterThan(0);
        for (const p of loaded) {
          const theirs = xlated(["pinned", join(dir, p.name)]);
          const ours = xlated(["id", String(p.info().id)]);
          expect(normalize(ours), `program ${p.name}`).toBe(normalize(theirs));
          // Same program type and attach target, as the kernel reports them for each load.
          using pinned = objGet(join(dir, p.name), "prog");
          const [a, b] = [progInfo(pinned.value), p.info()];
          expect([b.type, b.attachBtfObjId, b.attachBtfId], `program ${p.name}`).toEqual([a.type, a.attachBtfObjId, a.attachBtfId]);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
        for (const pin of PINNED[name] ?? []) rmSync(join("/sys/fs/bpf", pin), { force: true });
      }
    }));
  }
});
