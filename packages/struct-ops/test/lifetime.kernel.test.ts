import { spawn, spawnSync } from "node:child_process";
import { unlinkSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { listStructOps } from "@bpfkit/struct-ops";
import { fdById, mapDelete } from "@bpfkit/syscall";
import { describeKernel, kernelHas, useBpffs, waitGone } from "@bpfkit/testing";
import { expect, it } from "vitest";
import { availableCCs, EXAMPLE_CC, eventually, fixture } from "./support/paths.ts";

const HOLD = fileURLToPath(new URL("./support/hold.ts", import.meta.url));

interface Held {
  maps: number[];
  links: number[];
}

function runToExit(object: string, pinDir?: string): Held {
  const r = spawnSync(process.execPath, [HOLD, object, "exit", ...(pinDir ? [pinDir] : [])], { encoding: "utf8", timeout: 30_000 });
  if (r.status !== 0) throw new Error(`hold.ts failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Held;
}

describeKernel("struct_ops registrations across process lifetimes", () => {
  const bpffs = useBpffs();

  it("a pinned link outlives its process, and unpinning unregisters it", async () => {
    const held = runToExit(EXAMPLE_CC, bpffs());
    // The registering process is gone; this one sees the registration through the kernel.
    expect(availableCCs()).toContain("bpfkit_reno");
    expect(kernelHas("link", held.links[0]!)).toBe(true);
    const m = listStructOps().find((x) => x.id === held.maps[0]);
    expect(m?.links).toEqual(held.links);
    unlinkSync(join(bpffs(), "bpfkit_reno"));
    expect(await eventually(() => !availableCCs().includes("bpfkit_reno"))).toBe(true);
    expect(await waitGone("link", held.links)).toEqual([]);
    expect(await waitGone("map", held.maps)).toEqual([]);
  });

  it("a process killed with SIGKILL while holding an unpinned link leaves nothing registered", async () => {
    const child = spawn(process.execPath, [HOLD, EXAMPLE_CC, "hold"], { stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise((r) => child.on("exit", r));
    try {
      let stderr = "";
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      const held = await new Promise<Held>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d) => {
          out += d;
          if (out.includes("\n")) resolve(JSON.parse(out.trim()) as Held);
        });
        child.on("exit", (code) => reject(new Error(`hold.ts exited early (${code}): ${stderr}`)));
      });
      expect(availableCCs()).toContain("bpfkit_reno");
      expect(kernelHas("link", held.links[0]!), `the holder's link is gone while it runs; its stderr: ${stderr}`).toBe(true);
      child.kill("SIGKILL");
      await exited;
      expect(await eventually(() => !availableCCs().includes("bpfkit_reno"))).toBe(true);
      expect(await waitGone("link", held.links)).toEqual([]);
      expect(await waitGone("map", held.maps)).toEqual([]);
    } finally {
      // A failed expectation must not leave the holder running with the registration.
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
    }
  });

  it("a legacy .struct_ops map stays registered after its process exits, until unregistered", async () => {
    const held = runToExit(fixture("legacy_cc"));
    expect(held.links).toEqual([]);
    expect(availableCCs()).toContain("bpfkit_legacy");
    const m = listStructOps().find((x) => x.id === held.maps[0]);
    expect(m?.state).toBe("inuse");
    // Unregister from this (another) process: delete the value, as `bpfkit struct-ops unregister` does.
    {
      using fd = fdById("map", held.maps[0]!);
      mapDelete(fd!.value, new Uint8Array(4));
    }
    expect(await eventually(() => !availableCCs().includes("bpfkit_legacy"))).toBe(true);
    expect(await waitGone("map", held.maps)).toEqual([]);
  });
});
