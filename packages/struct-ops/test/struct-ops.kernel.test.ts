import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { BpfObject } from "@bpfkit/struct-ops";
import { BpfError, fdById, LinkType, linkInfo, MapType, mapInfo, objectIds, ProgType, progInfo } from "@bpfkit/syscall";
import { checkFdLeaks, describeKernel, trackCreated, waitGone } from "@bpfkit/testing";
import { expect, it } from "vitest";
import { runTraffic } from "../../../examples/tcp-cc/run-traffic.ts";

const CC_OBJECT = fileURLToPath(new URL("../../../examples/tcp-cc/cc.bpf.o", import.meta.url));
const available = () => readFileSync("/proc/sys/net/ipv4/tcp_available_congestion_control", "utf8").trim().split(/\s+/);

/** Walks *_GET_NEXT_ID and returns the ids whose info matches. */
function kernelIds<T>(kind: "map" | "link" | "prog", info: (fd: number) => T, match: (i: T) => boolean): number[] {
  const out: number[] = [];
  for (const id of objectIds(kind)) {
    const fd = fdById(kind, id);
    if (!fd) continue;
    try {
      if (match(info(fd.value))) out.push(id);
    } finally {
      fd.close();
    }
  }
  return out;
}

describeKernel("struct_ops congestion control, end to end", () => {
  checkFdLeaks();

  it("registers, carries real traffic, and leaves nothing behind", async () => {
    expect(available()).not.toContain("bpfkit_reno");
    const obj = BpfObject.open(CC_OBJECT);
    let mapId = 0;
    let linkId = 0;
    const progIds: number[] = [];
    const dataMapIds: number[] = [];
    try {
      obj.load();
      // load() makes nothing live.
      expect(available()).not.toContain("bpfkit_reno");
      obj.attach();
      expect(available()).toContain("bpfkit_reno");

      // The kernel's own view, found by walking ids, not from our objects.
      const maps = kernelIds("map", mapInfo, (i) => i.type === MapType.STRUCT_OPS && i.name === "bpfkit_reno");
      expect(maps).toHaveLength(1);
      mapId = maps[0]!;
      const links = kernelIds("link", linkInfo, (i) => i.type === LinkType.STRUCT_OPS && i.structOpsMapId === mapId);
      expect(links).toHaveLength(1);
      linkId = links[0]!;
      for (const p of obj.programs) {
        const info = progInfo(p.fd.value);
        expect(info.type).toBe(ProgType.STRUCT_OPS);
        expect(info.nrFuncInfo).toBeGreaterThan(0);
        progIds.push(info.id);
      }
      for (const m of obj.dataMaps) dataMapIds.push(m.info().id);

      const bss = obj.data(".bss");
      expect(bss.get("acked_calls")).toBe(0n);
      const traffic = runTraffic("bpfkit_reno", 4 << 20);
      expect(traffic.congestionControl).toBe("bpfkit_reno");
      expect(traffic.bytes).toBe(4 << 20);
      // Read back through BPF_MAP_LOOKUP_ELEM: the kernel-side counters moved.
      expect(bss.get("init_calls")).toBe(1n);
      expect(bss.get("acked_calls") as bigint).toBeGreaterThan(10n);
      expect(bss.get("cong_avoid_calls") as bigint).toBeGreaterThan(0n);
      expect(obj.data(".data").get("generation")).toBe(1001n);
    } finally {
      obj.close();
    }
    expect(available()).not.toContain("bpfkit_reno");
    expect(await waitGone("link", [linkId])).toEqual([]);
    expect(await waitGone("map", [mapId, ...dataMapIds])).toEqual([]);
    expect(await waitGone("prog", progIds)).toEqual([]);
  });

  it("keeps load and attach apart: a loaded, never-attached object registers nothing", async () => {
    using obj = BpfObject.open(CC_OBJECT);
    obj.load();
    const st = obj.structOps("bpfkit_reno");
    expect(st.info().type).toBe(MapType.STRUCT_OPS);
    expect(available()).not.toContain("bpfkit_reno");
    expect(kernelIds("link", linkInfo, (i) => i.structOpsMapId === st.info().id)).toEqual([]);
  });

  it("releases every kernel object when a program fails verification, and shows the verifier log", async () => {
    const obj = BpfObject.open(CC_OBJECT);
    // Corrupt the last program loaded (after BTF and data maps exist): opcode 0xff is invalid.
    obj.program("bk_undo_cwnd").insns.set([0xff, 0, 0, 0, 0, 0, 0, 0], 0);
    const { ids, error } = trackCreated(() => obj.load());
    // It got as far as creating the BTF, the data maps and the other programs.
    expect(ids.btf).toHaveLength(1);
    expect(ids.map.length).toBe(obj.dataMaps.length);
    expect(ids.prog.length).toBe(obj.programs.length - 1);
    expect(error).toBeInstanceOf(BpfError);
    expect((error as BpfError).commandName).toBe("BPF_PROG_LOAD");
    expect((error as BpfError).log).toMatch(/unknown opcode ff/);
    expect((error as BpfError).message).toContain('program "bk_undo_cwnd"');
    expect(await waitGone("map", ids.map)).toEqual([]);
    expect(await waitGone("prog", ids.prog)).toEqual([]);
    expect(await waitGone("btf", ids.btf)).toEqual([]);
    expect(obj.dataMaps.every((m) => !m.created)).toBe(true);
    obj.close();
  });
});
