import { readdirSync } from "node:fs";
import { type ObjectKind, fdById } from "@bpfkit/syscall";

/** Open descriptors of this process, from /proc/self/fd. */
export function openFdCount(): number {
  return readdirSync("/proc/self/fd").length;
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
