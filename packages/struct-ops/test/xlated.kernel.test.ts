import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, rmSync, statfsSync } from "node:fs";
import { join } from "node:path";
import { BpfObject } from "@bpfkit/struct-ops";
import { objGet, progInfo } from "@bpfkit/syscall";
import { describeKernel, useBpffs } from "@bpfkit/testing";
import { expect, it } from "vitest";
import { libbpf18 } from "../../object/test/support/libbpf18.ts";
import { EXAMPLE_CC, fixture } from "./support/paths.ts";

// bpftool 7.8 / libbpf 1.8 from the corpus build: unlike Debian's 1.1 they know .struct_ops.link
// and struct_ops.s, so every fixture is compared as it is.
const ref = libbpf18();
const BPFTOOL = ref.bpftool ?? "bpftool";

/** `bpftool prog dump xlated` (an independent tool) of one program, by id or pin path. */
function xlated(which: string[]): string {
  return execFileSync(BPFTOOL, ["prog", "dump", "xlated", ...which], { encoding: "utf8" });
}

/** Map ids differ between any two loads; everything else must not. */
const normalize = (dump: string) => dump.replace(/map\[id:\d+\]/g, "map[id:N]");

/** Maps the fixtures pin by name (LIBBPF_PIN_BY_NAME), removed after each comparison. */
const PINNED: Record<string, string[]> = { maps: ["pinned_hash"] };

const BPF_FS_MAGIC = 0xcafe4a11;

/**
 * Programs libbpf 1.8 loads and bpfkit does not, on purpose. libbpf's init_struct_ops_maps()
 * strips the "?" of a "?.struct_ops.link" section name while walking its variables (sec_name++
 * inside the loop), so only the first map of such a section stays uncreated: two_cc's upd_v2 is
 * created, and its program loaded. bpfkit leaves every map of a "?" section uncreated, as the
 * prefix means.
 */
const LIBBPF_EXTRA: Record<string, string[]> = { two_cc: ["v2_pkts_acked"] };

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

describeKernel("the kernel holds the same programs whether libbpf 1.8 or bpfkit loads them", () => {
  const bpffs = useBpffs();
  if (ref.reason) console.log(`skipping the xlated comparisons: ${ref.reason}`);
  const cases: [string, string][] = ref.reason ? [] : [
    ["cc", EXAMPLE_CC],
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
    ["two_cc", fixture("two_cc")],
    ["assoc", fixture("assoc")],
    ["dummy_ops", fixture("dummy_ops")],
    ["half_cc", fixture("half_cc")],
  ];
  for (const [name, theirObject] of cases) {
    it(name, () => withSysBpffs(() => {
      const dir = join(bpffs(), name);
      // corpus-load pins only what libbpf loaded (bpftool's loadall refuses objects with
      // programs it leaves unloaded, such as those of an optional struct_ops map).
      if (ref.loader) execFileSync(ref.loader, [theirObject, dir]);
      else execFileSync(BPFTOOL, ["prog", "loadall", theirObject, dir]);
      try {
        // Same pin root as libbpf's: pinned maps are shared, as they would be in production.
        using obj = BpfObject.open(theirObject, { pinRoot: "/sys/fs/bpf" });
        obj.load();
        const loaded = obj.programs.filter((p) => p.loaded);
        expect(loaded.length).toBeGreaterThan(0);
        // The same set of programs loaded (libbpf pinned each one it loaded), but for libbpf's
        // known extras.
        const theirsLoaded = readdirSync(dir).filter((p) => !(LIBBPF_EXTRA[name] ?? []).includes(p));
        if (ref.loader) expect(loaded.map((p) => p.name).sort()).toEqual(theirsLoaded.sort());
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
