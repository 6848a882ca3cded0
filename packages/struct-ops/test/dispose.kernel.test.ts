import { existsSync, readlinkSync } from "node:fs";
import { BpfObject, StateError } from "@bpfkit/struct-ops";
import { checkFdLeaks, describeKernel, kernelHas, thrown, trackCreated, waitGone } from "@bpfkit/testing";
import { expect, it } from "vitest";
import { EXAMPLE_CC } from "./support/paths.ts";

/** What /proc/self/fd says fd `n` is now ("" once closed). */
function fdTarget(n: number): string {
  return existsSync(`/proc/self/fd/${n}`) ? readlinkSync(`/proc/self/fd/${n}`) : "";
}

describeKernel("using a program or map of a loaded object", () => {
  checkFdLeaks();

  it("closes its fd at scope exit; the kernel frees it once nothing else holds it; the object's close skips it", async () => {
    const obj = BpfObject.open(EXAMPLE_CC);
    try {
      const { ids, error } = trackCreated(() => obj.load());
      if (error) throw error;
      // Loaded, not attached: only our fds hold the programs and the struct_ops map (nothing
      // registered its value), while every program that touches .bss holds that map.
      let progFd = -1;
      let progId = 0;
      {
        using prog = obj.program("bk_init");
        progFd = prog.fd.value;
        progId = prog.info().id;
        expect(fdTarget(progFd)).toBe("anon_inode:bpf-prog");
      }
      expect(fdTarget(progFd)).toBe("");
      expect(ids.prog).toContain(progId);
      expect(await waitGone("prog", [progId])).toEqual([]);
      expect((thrown(() => obj.program("bk_init").fd) as StateError).code).toBe("not-loaded");

      let mapFd = -1;
      let mapId = 0;
      {
        using ops = obj.structOps("bpfkit_reno");
        mapFd = ops.fd.value;
        mapId = ops.info().id;
        expect(fdTarget(mapFd)).toBe("anon_inode:bpf-map");
      }
      expect(fdTarget(mapFd)).toBe("");
      expect(await waitGone("map", [mapId])).toEqual([]);

      // A map a loaded program still uses outlives its fd (and its mmap, which closing drops).
      const bss = obj.data(".bss");
      const bssId = bss.info().id;
      const bssFd = bss.fd.value;
      bss[Symbol.dispose]();
      bss.close(); // a second close does nothing
      expect(fdTarget(bssFd)).toBe("");
      expect(bss.mapped).toBe(false);
      expect(kernelHas("map", bssId)).toBe(true);

      obj.close(); // skips what was closed already, releases the rest
      expect(await waitGone("map", ids.map)).toEqual([]);
      expect(await waitGone("prog", ids.prog)).toEqual([]);
      expect(await waitGone("btf", ids.btf)).toEqual([]);
    } finally {
      obj.close();
    }
  });
});
