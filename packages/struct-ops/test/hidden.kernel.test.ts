import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { BpfObject } from "@bpfkit/struct-ops";
import { fdById, MapFlags, mapInfo } from "@bpfkit/syscall";
import { checkFdLeaks, describeKernel } from "@bpfkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HeldLoad, libbpf18, libbpfLoad } from "../../object/test/support/libbpf18.ts";
import { fixture } from "./support/paths.ts";

const HIDDEN = fixture("hidden");
const ref = libbpf18();
if (ref.reason) console.log(`skipping the libbpf 1.8 comparisons of hidden.bpf.o: ${ref.reason}`);

/** BPF maps mapped into a process, as the kernel lists them in /proc/PID/maps. */
function mappedBpfMaps(pid: number | "self"): number {
  return readFileSync(`/proc/${pid}/maps`, "utf8")
    .split("\n")
    .filter((l) => l.endsWith("anon_inode:bpf-map")).length;
}

/** The kernel's flags of each global data map, by kernel name. */
function kernelFlags(ids: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(ids).map(([name, id]) => {
      using fd = fdById("map", id)!;
      return [name, mapInfo(fd.value).flags];
    }),
  );
}

/** The variables and sections of a loaded BTF object, as bpftool prints them from the kernel. */
function kernelVars(btfId: number): string[] {
  const dump = execFileSync("bpftool", ["btf", "dump", "id", String(btfId)], { encoding: "utf8" });
  return dump.split("\n").filter((l) => /^\[\d+\] (VAR|DATASEC) |^\ttype_id=/.test(l));
}

describeKernel("hidden globals: static in the kernel's BTF, and a section of them is not mmapped", () => {
  checkFdLeaks();

  it("maps only sections with a visible variable; the others are read and written through bpf()", () => {
    const before = mappedBpfMaps("self");
    using obj = BpfObject.open(HIDDEN);
    obj.load();
    const flags = (section: string) => obj.data(section).info().flags & MapFlags.MMAPABLE;
    expect([".data.hidden_only", ".data.statics", ".data.mixed", ".bss"].map(flags)).toEqual([0, 0, MapFlags.MMAPABLE, MapFlags.MMAPABLE]);
    expect(mappedBpfMaps("self") - before).toBe(2); // .data.mixed and .bss
    expect(obj.program("touch_hidden").testRun().retval).toBe(0);
    const hidden = obj.data(".data.hidden_only");
    expect([hidden.get("locked_count"), obj.data(".data.mixed").get("mixed_hidden"), obj.data(".data.statics").get("only_static")]).toEqual([4n, 6n, 12n]);
    expect(obj.data(".bss").get("total")).toBe(4n + 6n + 8n + 12n);
    hidden.set("locked_count", 100n); // a map update: the spin lock and kptr fields are the kernel's
    obj.program("touch_hidden").testRun();
    expect(obj.data(".bss").get("total")).toBe(101n + 7n + 9n + 13n);
    // libbpf's names: custom sections are their own, cut to 15 characters; obj.map() takes the section too.
    expect(obj.map(".data.hidden_only").info().name).toBe(".data.hidden_on");
    const vars = kernelVars(obj.data(".bss").info().btfId);
    expect(vars).toContain("[11] VAR 'locked_count' type_id=9, linkage=static");
    expect(vars).toContain("[13] VAR 'mixed_visible' type_id=9, linkage=global");
  });

  describe.skipIf(ref.reason !== undefined)("against libbpf 1.8 on the same object", () => {
    let theirs: HeldLoad;
    beforeAll(async () => {
      theirs = await libbpfLoad(ref.libbpfDir!, HIDDEN);
    });
    afterAll(async () => {
      await theirs?.release();
    });

    it("the same map names and flags, the same number of maps mapped, the same variables in the kernel's BTF", () => {
      if (!theirs.result.ok) throw new Error(`libbpf failed to load hidden.bpf.o: ${theirs.result.log.slice(-2000)}`);
      const internal = theirs.result.maps.filter((m) => m.internal);
      const theirIds = Object.fromEntries(internal.map((m) => [m.name, m.id]));
      using obj = BpfObject.open(HIDDEN);
      const before = mappedBpfMaps("self");
      obj.load();
      // libbpf names custom sections by their section (bpf_map__name); obj.map() finds them by it too.
      const ourIds = Object.fromEntries(internal.map((m) => [m.name, obj.map(m.name).info().id]));
      expect(kernelFlags(ourIds)).toEqual(kernelFlags(theirIds));
      expect(Object.keys(ourIds).map((n) => obj.map(n).name)).toEqual(internal.map((m) => mapInfoName(m.id)));
      expect(mappedBpfMaps("self") - before).toBe(mappedBpfMaps(theirs.pid));
      expect(internal.filter((m) => m.mmaped).map((m) => m.name)).toEqual([".data.mixed", "hidden.bss"]);
      using theirBss = fdById("map", theirIds["hidden.bss"]!)!;
      expect(kernelVars(obj.data(".bss").info().btfId)).toEqual(kernelVars(mapInfo(theirBss.value).btfId));
    });
  });
});

function mapInfoName(id: number): string {
  using fd = fdById("map", id)!;
  return mapInfo(fd.value).name;
}
