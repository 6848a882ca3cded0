import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fdById, mapInfo, progInfo } from "@bpfkit/syscall";
import { checkFdLeaks, describeKernel, trackCreatedAsync, waitGone } from "@bpfkit/testing";
import { afterEach, expect, it } from "vitest";
import { runTraffic } from "../../../examples/tcp-cc/run-traffic.ts";
import { main } from "../src/main.ts";
import { capture } from "./support.ts";

// One good and one broken legacy congestion control (the kernel refuses half_broken: it has no
// ssthresh, undo_cwnd or cong_avoid). bpftool 7.8 registers half_good and reports half_broken's
// EINVAL, as it does with the selftests' bpf_dctcp.bpf.o (dctcp / dctcp_nouse).
const HALF_CC = fileURLToPath(new URL("../../../fixtures/half_cc.bpf.o", import.meta.url));
const available = () => readFileSync("/proc/sys/net/ipv4/tcp_available_congestion_control", "utf8").trim().split(/\s+/);

/** `bpfkit ARGS`, with the ids of everything the kernel created meanwhile. */
async function run(args: string[]) {
  const io = capture();
  const t = await trackCreatedAsync(() => main(args, io));
  if (t.error) throw t.error;
  return { status: t.result!, out: io.out_.join("\n"), err: io.err_.join("\n"), ids: t.ids };
}

/** Names of the kernel objects among `ids` that still exist. */
function alive(kind: "map" | "prog", ids: readonly number[]): string[] {
  return ids
    .map((id) => {
      using fd = fdById(kind, id);
      return fd ? (kind === "map" ? mapInfo(fd.value).name : progInfo(fd.value).name) : undefined;
    })
    .filter((n): n is string => n !== undefined)
    .sort();
}

/** The kernel log's latest line (with its timestamp) saying tcp_validate_congestion_control refused bk_half_broken. */
function kernelSaysBrokenOps(): string {
  const r = spawnSync("dmesg", { encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split("\n").findLast((l) => l.includes("TCP: bk_half_broken does not implement required ops")) ?? "";
}

describeKernel("bpfkit struct-ops register --map", () => {
  checkFdLeaks();
  afterEach(async () => {
    // Whatever a failed assertion left registered.
    if (available().includes("bk_half_good")) await main(["struct-ops", "unregister", "--name", "half_good"], capture());
  });

  it("registers only the named map: the other is never created, and programs only it uses are never loaded", async () => {
    const r = await run(["struct-ops", "register", HALF_CC, "--map", "half_good"]);
    expect(r.status, r.err).toBe(0);
    expect(r.out).toMatch(/^registered half_good \(tcp_congestion_ops\), map id \d+$/);
    expect(available()).toContain("bk_half_good");
    expect(available()).not.toContain("bk_half_broken");
    // Everything the kernel was asked to create: half_broken and half_broken_init are not among them.
    expect(alive("map", r.ids.map)).toEqual(["half_cc.bss", "half_good"]);
    expect(r.ids.map).toHaveLength(2);
    expect(alive("prog", r.ids.prog)).toEqual(["half_cong_avoid", "half_good_init", "half_ssthresh", "half_undo"]);
    expect(r.ids.prog).toHaveLength(4);
    expect(r.ids.link).toEqual([]); // legacy .struct_ops: registered by the map update, no link
    const mapId = Number(/map id (\d+)/.exec(r.out)![1]);
    expect(r.ids.map).toContain(mapId);
    // It is a working congestion control.
    expect(runTraffic("bk_half_good", 1 << 20).congestionControl).toBe("bk_half_good");

    const u = await run(["struct-ops", "unregister", "--name", "half_good"]);
    expect(u.status, u.err).toBe(0);
    expect(available()).not.toContain("bk_half_good");
    expect(await waitGone("map", r.ids.map)).toEqual([]);
    expect(await waitGone("prog", r.ids.prog)).toEqual([]);
  });

  it("without --map it is all or nothing: the good map is unregistered again, with the broken map's reason and the --map to use", async () => {
    const brokenBefore = kernelSaysBrokenOps();
    const r = await run(["struct-ops", "register", HALF_CC]);
    expect(r.status).toBe(1);
    expect(r.out).toBe("");
    // The kernel's refusal, for the map it refused.
    expect(r.err).toMatch(/BPF_MAP_UPDATE_ELEM \(struct_ops map "half_broken" \(tcp_congestion_ops\)\) failed: EINVAL \(22\)/);
    expect(r.err).toContain('"half_broken" leaves ssthresh, undo_cwnd, cong_avoid (or cong_control) empty');
    // ...which is what the kernel's own check says, in its log.
    const brokenAfter = kernelSaysBrokenOps();
    expect(brokenAfter).not.toBe("");
    expect(brokenAfter).not.toBe(brokenBefore);
    expect(r.err).toContain(`to register the other struct_ops map without half_broken: bpfkit struct-ops register ${HALF_CC} --map half_good`);
    // half_good was registered first (it comes first in the object) and is gone again.
    expect(r.ids.map).toHaveLength(3);
    expect(available()).not.toContain("bk_half_good");
    expect(available()).not.toContain("bk_half_broken");
    expect(await waitGone("map", r.ids.map)).toEqual([]);
    expect(await waitGone("prog", r.ids.prog)).toEqual([]);
  });

  it("--map naming the broken map alone fails with its reason and leaves nothing", async () => {
    const r = await run(["struct-ops", "register", HALF_CC, "--map", "half_broken"]);
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/struct_ops map "half_broken".*EINVAL/);
    expect(r.err).not.toMatch(/--map half_good/); // there is nothing else it asked for
    expect(r.ids.prog).toHaveLength(1); // half_broken_init only
    expect(await waitGone("prog", r.ids.prog)).toEqual([]);
    expect(await waitGone("map", r.ids.map)).toEqual([]);
  });

  it("an unknown --map name is a usage error listing the object's struct_ops maps, before any kernel call", async () => {
    const r = await run(["struct-ops", "register", HALF_CC, "--map", "half_good", "--map", "nosuch"]);
    expect(r.status).toBe(2);
    expect(r.err).toContain('has no struct_ops map "nosuch"; its struct_ops maps: half_good, half_broken');
    expect(r.err).toContain("usage: bpfkit struct-ops register OBJ [--map NAME]... [--pin DIR]");
    expect(r.ids).toEqual({ map: [], prog: [], link: [], btf: [] });
    expect(available()).not.toContain("bk_half_good");
  });

  it("registering the same map twice: the second names the first's map id as the holder of the name", async () => {
    const first = await run(["struct-ops", "register", HALF_CC, "--map", "half_good"]);
    expect(first.status, first.err).toBe(0);
    const firstId = Number(/map id (\d+)/.exec(first.out)![1]);
    const second = await run(["struct-ops", "register", HALF_CC, "--map", "half_good"]);
    expect(second.status).toBe(1);
    expect(second.err).toMatch(/EEXIST/);
    expect(second.err).toContain(`tcp_congestion_ops "bk_half_good" is already registered by struct_ops map id ${firstId} (half_good)`);
    // The first stays registered; the second's objects are gone.
    expect(available()).toContain("bk_half_good");
    expect(await waitGone("map", second.ids.map)).toEqual([]);
    expect((await run(["struct-ops", "unregister", "--id", String(firstId)])).status).toBe(0);
    expect(await waitGone("map", first.ids.map)).toEqual([]);
  });
});
