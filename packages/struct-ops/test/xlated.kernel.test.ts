import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { BpfObject } from "@bpfkit/struct-ops";
import { describeKernel, useBpffs } from "@bpfkit/testing";
import { expect, it } from "vitest";
import { fixture } from "./support/paths.ts";

/** `bpftool prog dump xlated` (an independent tool) of one program, by id or pin path. */
function xlated(which: string[]): string {
  return execFileSync("bpftool", ["prog", "dump", "xlated", ...which], { encoding: "utf8" });
}

/** Map ids differ between any two loads; everything else must not. */
const normalize = (dump: string) => dump.replace(/map\[id:\d+\]/g, "map[id:N]");

describeKernel("the kernel holds the same programs whether libbpf or bpfkit loads them", () => {
  const bpffs = useBpffs();
  // Legacy .struct_ops objects: Debian's libbpf 1.1 cannot open .struct_ops.link ones, so the
  // example congestion control is compared through its generated twin (cc_legacy). It does not
  // know SEC("struct_ops.s") either, which rules out dummy_ops.
  for (const name of ["cc_legacy", "legacy_cc"]) {
    it(name, () => {
      const dir = join(bpffs(), name);
      execFileSync("bpftool", ["prog", "loadall", fixture(name), dir]);
      try {
        using obj = BpfObject.open(fixture(name));
        obj.load();
        const loaded = obj.programs.filter((p) => p.loaded);
        expect(loaded.length).toBeGreaterThan(0);
        for (const p of loaded) {
          const theirs = xlated(["pinned", join(dir, p.name)]);
          const ours = xlated(["id", String(p.info().id)]);
          expect(normalize(ours), `program ${p.name}`).toBe(normalize(theirs));
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
