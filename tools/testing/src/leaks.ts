import { spawnSync } from "node:child_process";
import { readdirSync, readlinkSync } from "node:fs";
import { type ObjectKind, fdById } from "@bpfkit/syscall";

/** Open descriptors of this process, from /proc/self/fd. */
export function openFdCount(): number {
  return readdirSync("/proc/self/fd").length;
}

/**
 * Descriptors of this process that refer to BPF objects (maps, programs, links, BTF): the ones
 * bpfkit is responsible for, unaffected by the runtime's own bookkeeping fds.
 */
export function bpfFdCount(): number {
  let n = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith("anon_inode:bpf") || target.startsWith("anon_inode:btf")) n++;
    } catch {
      // closed between readdir and readlink
    }
  }
  return n;
}

/**
 * The runtime opens a few descriptors of its own the first time a child process is spawned (Bun:
 * an eventpoll and an eventfd it keeps). Spawn once first, so /proc/self/fd counts compare fairly.
 */
export function warmUpRuntimeFds(): void {
  spawnSync(process.execPath, ["-e", "0"]);
}

/** Does the kernel still hold an object of that kind and id? Asked by id, through the kernel. */
export function kernelHas(kind: ObjectKind, id: number): boolean {
  const fd = fdById(kind, id);
  if (!fd) return false;
  fd.close();
  return true;
}

/** Waits (briefly) for the kernel to free objects released asynchronously (RCU, workqueues). */
export async function waitGone(kind: ObjectKind, ids: readonly number[], timeoutMs = 5000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = ids.filter((id) => kernelHas(kind, id));
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 20));
  }
}
