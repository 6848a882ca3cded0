import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { bpfFdCount, openFds, settledFds, warmUpRuntimeFds } from "./leaks.ts";

/**
 * Every test of the enclosing describe must leave this process's descriptors as it found them:
 * the BPF ones exactly, and the rest once the runtime has settled its child-process bookkeeping.
 */
export function checkFdLeaks(): void {
  let fds: string[] = [];
  let bpf = 0;
  beforeAll(() => warmUpRuntimeFds());
  beforeEach(() => {
    fds = openFds();
    bpf = bpfFdCount();
  });
  afterEach(async () => {
    expect(bpfFdCount(), "BPF object descriptors left open").toBe(bpf);
    expect(await settledFds(fds), "descriptors left open").toEqual(fds);
  });
}

/**
 * A private bpffs mounted for the enclosing describe (bpffs is not mounted by default); returns
 * a getter for its path. Unmounted and removed afterwards.
 */
export function useBpffs(): () => string {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "bpfkit-bpffs-"));
    const r = spawnSync("mount", ["-t", "bpf", "bpf", dir], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`cannot mount a bpffs at ${dir}: ${r.stderr.trim()}`);
  });
  afterAll(() => {
    spawnSync("umount", [dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return () => dir;
}
